package org.lacd.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lacd.daemon.config.ConfigLoader;
import org.lacd.l2tp.CallParameters;
import org.lacd.l2tp.DisconnectCause;
import org.lacd.l2tp.L2tpCall;
import org.lacd.l2tp.L2tpEngine;
import org.lacd.l2tp.L2tpSettings;
import org.lacd.l2tp.L2tpStats;
import org.lacd.l2tp.TunnelProfile;
import org.lacd.l2tp.lns.LnsPeer;
import org.lacd.l2tp.transport.ReliableChannel;
import org.lacd.radius.wire.Attr;
import org.lacd.radius.wire.RadiusAttribute;
import org.lacd.radius.wire.RadiusCode;
import org.lacd.radius.wire.RadiusCrypto;
import org.lacd.radius.wire.RadiusPacket;

/**
 * RADIUS at the LTS for a switched call (issue 18): steering asks RADIUS with the call's Calling Number (octet for
 * octet, not reformatted as a MAC) as Calling-Station-Id, NAS-Port-Type Virtual, the downstream LAC peer as
 * NAS-Port-Id and the call's RFC 5515 access-line AVPs as the DSL Forum attributes; accounting Start, Interim-Update
 * and Stop carry the same, with octets and packets both ways and the terminate cause. A small RADIUS server in the
 * test (public codec of the radius module) records what lacd sends and answers with a tunnel to the LNS.
 */
class TunnelSwitchingRadiusTest {
    static final String SECRET = "radius-s";
    static final String DAE_SECRET = "dae-s";
    /** Not a MAC, with a two-octet UTF-8 character: it must reach RADIUS unchanged. */
    static final String CALLING_NUMBER = "+49 30 1234567/olt1 \u00e4";

    @TempDir
    Path dir;
    final List<AutoCloseable> closers = new ArrayList<>();
    Daemon lts;
    L2tpEngine lac;

    /** Answers Access-Requests with Access-Accept (a tunnel to {@code lnsPort}, Acct-Interim-Interval 60 s) and records all. */
    static final class Radius implements AutoCloseable {
        final DatagramSocket socket;
        final LinkedBlockingQueue<RadiusPacket> access = new LinkedBlockingQueue<>();
        final LinkedBlockingQueue<RadiusPacket> acct = new LinkedBlockingQueue<>();
        final Thread thread;
        volatile int lnsPort;

        Radius() throws IOException {
            socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            thread = new Thread(this::run, "test-radius");
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            byte[] buf = new byte[4096];
            byte[] secret = RadiusCrypto.secret(SECRET);
            while (!socket.isClosed()) {
                try {
                    DatagramPacket dp = new DatagramPacket(buf, buf.length);
                    socket.receive(dp);
                    RadiusPacket req = RadiusPacket.decode(buf, 0, dp.getLength());
                    List<RadiusAttribute> reply = new ArrayList<>();
                    RadiusCode code;
                    if (req.code() == RadiusCode.ACCESS_REQUEST) {
                        access.add(req);
                        code = RadiusCode.ACCESS_ACCEPT;
                        reply.add(RadiusAttribute.taggedInteger(Attr.TUNNEL_TYPE, 1, 3));          // L2TP
                        reply.add(RadiusAttribute.taggedInteger(Attr.TUNNEL_MEDIUM_TYPE, 1, 1));   // IPv4
                        reply.add(RadiusAttribute.taggedString(Attr.TUNNEL_SERVER_ENDPOINT, 1, "127.0.0.2:" + lnsPort));
                        reply.add(RadiusAttribute.taggedString(Attr.TUNNEL_ASSIGNMENT_ID, 1, "b"));
                        reply.add(RadiusAttribute.integer(Attr.ACCT_INTERIM_INTERVAL, 60));
                    } else {
                        acct.add(req);
                        code = RadiusCode.ACCOUNTING_RESPONSE;
                    }
                    byte[] out = RadiusCrypto.encodeResponse(code, req.identifier(), req.authenticator(), reply, secret, true);
                    socket.send(new DatagramPacket(out, out.length, dp.getSocketAddress()));
                } catch (Exception e) {
                    if (socket.isClosed()) {
                        return;
                    }
                }
            }
        }

        int port() { return socket.getLocalPort(); }

        /** The next accounting request of {@code statusType} (1 Start, 2 Stop, 3 Interim-Update), others skipped. */
        RadiusPacket nextAcct(int statusType, Duration within) throws InterruptedException {
            long end = System.nanoTime() + within.toNanos();
            while (System.nanoTime() < end) {
                RadiusPacket p = acct.poll(end - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (p != null && p.first(Attr.ACCT_STATUS_TYPE).orElseThrow().asInt() == statusType) {
                    return p;
                }
            }
            throw new AssertionError("no accounting request of status type " + statusType + " within " + within);
        }

        @Override
        public void close() throws InterruptedException {
            socket.close();
            thread.join(2000);
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        if (lac != null) {
            lac.shutdown(Duration.ofSeconds(2));
        }
        if (lts != null) {
            lts.stop();
        }
        for (AutoCloseable c : closers) {
            c.close();
        }
    }

    static byte[] value(RadiusPacket p, Attr a) {
        return p.first(a).map(RadiusAttribute::value).orElseThrow(() -> new AssertionError("no " + a + " in " + p));
    }

    /** The data of a DSL Forum vendor attribute (after vendor id, vendor type and vendor length). */
    static byte[] vendorData(RadiusPacket p, Attr a) {
        byte[] v = value(p, a);
        return Arrays.copyOfRange(v, 6, v.length);
    }

    static String text(RadiusPacket p, Attr a) {
        return new String(value(p, a), StandardCharsets.UTF_8);
    }

    static long integer(RadiusPacket p, Attr a) {
        return p.first(a).orElseThrow(() -> new AssertionError("no " + a + " in " + p)).asInt();
    }

    /** What every request about the switched call carries: the NAS attributes of its access. */
    static void assertNasAttributes(RadiusPacket p, String user) {
        assertEquals(user, text(p, Attr.USER_NAME));
        assertArrayEquals(CALLING_NUMBER.getBytes(StandardCharsets.UTF_8), value(p, Attr.CALLING_STATION_ID),
                "Calling-Station-Id: the Calling Number octet for octet");
        assertEquals(1, p.all(Attr.CALLING_STATION_ID).size());
        assertEquals(5, integer(p, Attr.NAS_PORT_TYPE), "NAS-Port-Type Virtual (RFC 2865 5.41)");
        assertEquals("partner-a", text(p, Attr.NAS_PORT_ID), "NAS-Port-Id: the downstream LAC peer");
        assertEquals("internet", text(p, Attr.CALLED_STATION_ID), "Called-Station-Id: the Called Number");
        assertArrayEquals("olt1 eth 1/1/1:100".getBytes(StandardCharsets.UTF_8), vendorData(p, Attr.DSL_AGENT_CIRCUIT_ID));
        assertArrayEquals(("cpe-" + user).getBytes(StandardCharsets.UTF_8), vendorData(p, Attr.DSL_AGENT_REMOTE_ID));
        // RFC 5515 rates are bit/s in the AVPs, RFC 4679 kbit/s in RADIUS
        assertArrayEquals(new byte[] {0, 0, (byte) 0x9c, 0x40}, vendorData(p, Attr.DSL_ACTUAL_DATA_RATE_UP), "40000 kbit/s");
        assertArrayEquals(new byte[] {0, 1, (byte) 0x86, (byte) 0xa0}, vendorData(p, Attr.DSL_ACTUAL_DATA_RATE_DOWN), "100000 kbit/s");
    }

    /** The switched call under test: RADIUS, the LNS b, the LTS daemon and the downstream LAC's call, placed. */
    record Switched(Radius radius, LnsPeer b, LinkedBlockingQueue<byte[]> atB, String user, L2tpCall out,
                    TunnelSwitchingTest.Listener alice) {}

    /** Starts RADIUS, LNS b and the LTS ({@code daePort} > 0: with a Disconnect/CoA listener there) and places a call. */
    Switched placeSwitchedCall(int daePort) throws Exception {
        Radius radius = new Radius();
        closers.add(radius);
        LnsPeer b = LnsPeer.start(new LnsPeer.Config(TunnelSwitchingTest.LNS, 0, "lns-b", null, false,
                new ReliableChannel.Config(100, 400, 4, 50, 16)));
        closers.add(b);
        radius.lnsPort = b.address().getPort();
        LinkedBlockingQueue<byte[]> atB = new LinkedBlockingQueue<>();
        b.onData((c, p) -> atB.add(p));
        Path f = dir.resolve("lts.yaml");
        String dae = daePort > 0 ? "  dynamic-authorization: {enabled: true, listen: \"127.0.0.1:" + daePort
                + "\", clients: [{address: 127.0.0.1, secret: " + DAE_SECRET + "}]}\n" : "";
        Files.writeString(f, """
            interfaces: [{name: veth0}]
            radius:
              enabled: true
              nas-identifier: lts
              auth-servers: [{address: 127.0.0.1, port: %d, secret: %s}]
              acct-servers: [{address: 127.0.0.1, port: %d, secret: %s}]
              accounting: {enabled: true, interim-interval: 0s, spool-dir: %s}
            %sl2tp:
              source-port: 0
              bind-address: 127.0.0.1
              hostname: lts
              retransmit-initial: 200ms
              max-retransmits: 3
              setup-timeout: 3s
              lns:
                - {name: b, address: 127.0.0.2, port: %d}
              lac-peers:
                - {name: partner-a, address: 127.0.0.3, secret: lac-s, host-name: lac-a}
            steering: {source: radius}
            metrics: {enabled: false}
            management: {enabled: false}
            """.formatted(radius.port(), SECRET, radius.port(), SECRET, dir.resolve("spool"), dae, b.address().getPort()));
        lts = new Daemon(f, ConfigLoader.loadWithTree(f), DaemonLifecycleTest::port);
        lts.start();
        lac = new L2tpEngine(L2tpSettings.defaults().withSourcePort(0).withBindAddress(TunnelSwitchingTest.LAC).withLocalHostName("lac-a")
                .withRetransmit(Duration.ofMillis(200), Duration.ofMillis(400), 3), L2tpStats.NOOP);
        lac.start();

        String user = "alice@isp-b";
        CallParameters sent = CallParameters.builder().callingNumber(CALLING_NUMBER).calledNumber("internet").bearerType(1)
                .connectSpeeds(100_000_000L, 40_000_000L).agentCircuitId("olt1 eth 1/1/1:100").agentRemoteId("cpe-" + user)
                .actualRates(40_000_000L, 100_000_000L)
                .proxyLcp(TunnelSwitchingTest.LCP_FIRST, TunnelSwitchingTest.LCP_SENT, TunnelSwitchingTest.LCP_FIRST)
                .proxyAuth(CallParameters.AUTHEN_CHAP, user, TunnelSwitchingTest.CHALLENGE, 0x42, TunnelSwitchingTest.RESPONSE).build();
        TunnelSwitchingTest.Listener alice = new TunnelSwitchingTest.Listener();
        L2tpCall out = lac.placeCall(TunnelProfile.of("lts", new InetSocketAddress(TunnelSwitchingTest.LTS, lts.lac().engine().localPort()),
                "lac-a", "lac-s"), sent, alice);
        return new Switched(radius, b, atB, user, out, alice);
    }

    /**
     * RFC 5176: a Disconnect-Request naming the switched call by its Calling-Station-Id (the Calling Number, not a MAC)
     * is acknowledged and ends the call on both sides; one naming another Calling-Station-Id is refused with a NAK.
     */
    @Test
    void aRadiusDisconnectNamingTheCallingNumberEndsTheSwitchedCall() throws Exception {
        int daePort;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            daePort = probe.getLocalPort();
        }
        Switched sw = placeSwitchedCall(daePort);
        assertTrue(sw.alice().up.await(10, TimeUnit.SECONDS), "the downstream LAC's call is up at the LTS");
        LnsPeer.Call atLns = TunnelSwitchingTest.only(sw.b());
        try (DatagramSocket nas = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            nas.setSoTimeout(5000);
            RadiusPacket other = disconnect(nas, daePort, 1, "+49 30 7654321");
            assertEquals(RadiusCode.DISCONNECT_NAK, other.code(), "no session with that Calling-Station-Id");
            assertEquals(1, sw.alice().downCount(), "the call is still up");
            RadiusPacket ack = disconnect(nas, daePort, 2, CALLING_NUMBER);
            assertEquals(RadiusCode.DISCONNECT_ACK, ack.code(), "the switched call is found by its Calling Number");
        }
        assertTrue(sw.alice().down.await(10, TimeUnit.SECONDS), "the downstream LAC got a CDN");
        TunnelSwitchingTest.await(() -> atLns.cdn() != null, "a CDN at the LNS");
    }

    /** Sends a Disconnect-Request with Calling-Station-Id {@code callingStationId} and returns the answer. */
    static RadiusPacket disconnect(DatagramSocket nas, int daePort, int id, String callingStationId) throws Exception {
        byte[] req = RadiusCrypto.encodeComputedRequest(RadiusCode.DISCONNECT_REQUEST, id,
                List.of(RadiusAttribute.string(Attr.CALLING_STATION_ID, callingStationId)), RadiusCrypto.secret(DAE_SECRET), true);
        nas.send(new DatagramPacket(req, req.length, new InetSocketAddress("127.0.0.1", daePort)));
        byte[] buf = new byte[4096];
        DatagramPacket answer = new DatagramPacket(buf, buf.length);
        nas.receive(answer);
        return RadiusPacket.decode(buf, 0, answer.getLength());
    }

    @Test
    void aSwitchedCallIsSteeredByRadiusWithItsCallingNumberAndAccountedStartInterimStop() throws Exception {
        Switched sw = placeSwitchedCall(0);
        Radius radius = sw.radius();
        LnsPeer b = sw.b();
        LinkedBlockingQueue<byte[]> atB = sw.atB();
        String user = sw.user();
        L2tpCall out = sw.out();
        TunnelSwitchingTest.Listener alice = sw.alice();

        // steering: the Access-Request names the switched call's access
        RadiusPacket req = radius.access.poll(15, TimeUnit.SECONDS);
        assertNotNull(req, "an Access-Request for the switched call");
        assertNasAttributes(req, user);
        String acctSessionId = text(req, Attr.ACCT_SESSION_ID);
        assertFalse(acctSessionId.isEmpty());

        // RADIUS's tunnel: the call goes to b and is up both ways
        assertTrue(alice.up.await(10, TimeUnit.SECONDS), "the downstream LAC's call is up at the LTS");
        LnsPeer.Call atLns = TunnelSwitchingTest.only(b);
        byte[] up = {0, 0x21, 0x45, 0, 0, 20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
        for (int i = 0; i < 3; i++) {
            out.sendPpp(up, 0, up.length);
            assertNotNull(atB.poll(10, TimeUnit.SECONDS), "frame " + i + " reached the LNS");
        }
        byte[] down = {0, 0x21, 0x45, 0, 0, 10, 1, 2, 3, 4};
        for (int i = 0; i < 2; i++) {
            b.sendPpp(atLns, down, false);
            assertNotNull(alice.frames.poll(10, TimeUnit.SECONDS), "frame " + i + " reached the downstream LAC");
        }

        RadiusPacket start = radius.nextAcct(1, Duration.ofSeconds(15));
        assertEquals(acctSessionId, text(start, Attr.ACCT_SESSION_ID));
        assertNasAttributes(start, user);

        // Acct-Interim-Interval 60 s from the Access-Accept (the shortest lacd honours, RFC 2869 5.16)
        RadiusPacket interim = radius.nextAcct(3, Duration.ofSeconds(120));
        assertEquals(acctSessionId, text(interim, Attr.ACCT_SESSION_ID));
        assertNasAttributes(interim, user);
        assertCounters(interim, up.length, down.length);

        out.disconnect(DisconnectCause.subscriberHangup());
        RadiusPacket stop = radius.nextAcct(2, Duration.ofSeconds(15));
        assertEquals(acctSessionId, text(stop, Attr.ACCT_SESSION_ID));
        assertNasAttributes(stop, user);
        assertCounters(stop, up.length, down.length);
        assertEquals(1, integer(stop, Attr.ACCT_TERMINATE_CAUSE), "User-Request: the downstream LAC hung up (CDN)");
    }

    /** 3 frames up (from the downstream LAC: Input) and 2 down (Output), counted as PPP octets. */
    static void assertCounters(RadiusPacket p, int upLen, int downLen) {
        assertEquals(3, integer(p, Attr.ACCT_INPUT_PACKETS), "Acct-Input-Packets");
        assertEquals(2, integer(p, Attr.ACCT_OUTPUT_PACKETS), "Acct-Output-Packets");
        assertEquals(3L * upLen, integer(p, Attr.ACCT_INPUT_OCTETS), "Acct-Input-Octets");
        assertEquals(2L * downLen, integer(p, Attr.ACCT_OUTPUT_OCTETS), "Acct-Output-Octets");
        assertEquals(0, integer(p, Attr.ACCT_INPUT_GIGAWORDS));
        assertEquals(0, integer(p, Attr.ACCT_OUTPUT_GIGAWORDS));
    }
}
