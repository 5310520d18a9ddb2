package org.lacd.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lacd.daemon.config.ConfigLoader;
import org.lacd.daemon.session.SessionState;
import org.lacd.l2tp.CallDownCause;
import org.lacd.l2tp.CallListener;
import org.lacd.l2tp.CallParameters;
import org.lacd.l2tp.DisconnectCause;
import org.lacd.l2tp.L2tpCall;
import org.lacd.l2tp.L2tpEngine;
import org.lacd.l2tp.L2tpSettings;
import org.lacd.l2tp.L2tpStats;
import org.lacd.l2tp.TunnelProfile;
import org.lacd.l2tp.lns.LnsPeer;
import org.lacd.l2tp.transport.ReliableChannel;
import org.lacd.l2tp.wire.AvpType;
import org.lacd.l2tp.wire.CdnResult;
import org.lacd.l2tp.wire.ControlMessage;
import org.lacd.l2tp.wire.ResultCode;
import org.lacd.l2tp.wire.StopCcnResult;

/**
 * Tunnel switching in process: a downstream LAC (lacd's own LAC-side engine on 127.0.0.3) places calls on a whole
 * lacd daemon (the LTS, on 127.0.0.1, subscriber port in memory, realm steering) that switches each, by its user, into
 * a call toward an in-process LNS (127.0.0.2, one UDP port per reseller). Everything over loopback UDP.
 */
class TunnelSwitchingTest {
    static final InetAddress LTS = addr("127.0.0.1");
    static final InetAddress LNS = addr("127.0.0.2");
    static final InetAddress LAC = addr("127.0.0.3");

    @TempDir
    Path dir;
    final List<AutoCloseable> closers = new ArrayList<>();
    Daemon lts;
    L2tpEngine lac;

    static InetAddress addr(String a) {
        try {
            return InetAddress.getByName(a);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    LnsPeer lns(String secret) throws Exception {
        LnsPeer p = LnsPeer.start(new LnsPeer.Config(LNS, 0, "lns-" + closers.size(), secret, false, new ReliableChannel.Config(100, 400, 4, 50, 16)));
        closers.add(p);
        return p;
    }

    /** The LTS: reseller A on a1 (then a2), reseller B on b; partner-a (127.0.0.3) may place calls with secret lac-s. */
    Daemon startLts(LnsPeer a1, LnsPeer a2, LnsPeer b) throws Exception {
        Path f = dir.resolve("lts.yaml");
        Files.writeString(f, """
            interfaces: [{name: veth0}]
            radius: {enabled: false}
            l2tp:
              source-port: 0
              bind-address: 127.0.0.1
              hostname: lts
              retransmit-initial: 200ms
              max-retransmits: 3
              setup-timeout: 3s
              lns:
                - {name: a1, address: 127.0.0.2, port: %d, secret: lns-a}
                - {name: a2, address: 127.0.0.2, port: %d, secret: lns-a}
                - {name: b, address: 127.0.0.2, port: %d}
              lac-peers:
                - {name: partner-a, address: 127.0.0.3, secret: lac-s, host-name: lac-a, max-sessions: 10}
            steering:
              source: realm
              rules:
                - {realm: isp-a, lns: [{name: a1, preference: 1}, {name: a2, preference: 2}]}
                - {realm: isp-b, lns: [{name: b}]}
            metrics: {enabled: false}
            management: {enabled: false}
            """.formatted(a1.address().getPort(), a2.address().getPort(), b.address().getPort()));
        lts = new Daemon(f, ConfigLoader.loadWithTree(f), DaemonLifecycleTest::port);
        lts.start();
        return lts;
    }

    L2tpEngine startLac() throws Exception {
        lac = new L2tpEngine(L2tpSettings.defaults().withSourcePort(0).withBindAddress(LAC).withLocalHostName("lac-a")
                .withRetransmit(Duration.ofMillis(200), Duration.ofMillis(400), 3), L2tpStats.NOOP);
        lac.start();
        return lac;
    }

    TunnelProfile toLts(String secret) {
        return TunnelProfile.of("lts", new InetSocketAddress(LTS, lts.lac().engine().localPort()), "lac-a", secret);
    }

    static final byte[] LCP_FIRST = {1, 4, 5, (byte) 0xd4, 5, 6, 0x11, 0x22, 0x33, 0x44};
    static final byte[] LCP_SENT = {1, 4, 5, (byte) 0xd4, 3, 5, (byte) 0xc2, 0x23, 5, 5, 6, 0x55, 0x66, 0x77, (byte) 0x88};
    static final byte[] CHALLENGE = {(byte) 0x9f, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, (byte) 0xff};
    static final byte[] RESPONSE = {0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, (byte) 0x80, (byte) 0x90, (byte) 0xa0, (byte) 0xb0,
        (byte) 0xc0, (byte) 0xd0, (byte) 0xe0, (byte) 0xf0, 0};

    /** What lacd #1 would send for one of its subscribers. */
    static CallParameters subscriber(String user, String mac) {
        return CallParameters.builder().callingNumber(mac).calledNumber("internet").bearerType(1).physicalChannelId(0x1234)
                .connectSpeeds(100_000_000L, 40_000_000L).agentCircuitId("olt1 eth 1/1/1:100").agentRemoteId("cpe-" + user)
                .actualRates(40_000_000L, 100_000_000L).minimumRates(1_000_000L, 2_000_000L)
                .proxyLcp(LCP_FIRST, LCP_SENT, LCP_FIRST)
                .proxyAuth(CallParameters.AUTHEN_CHAP, user, CHALLENGE, 0x42, RESPONSE).build();
    }

    static void await(BooleanSupplier c, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
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

    static LnsPeer.Call only(LnsPeer lns) throws InterruptedException {
        await(() -> lns.connectedCalls() == 1, "one call connected at " + lns.address());
        return lns.calls().stream().filter(LnsPeer.Call::connected).findFirst().orElseThrow();
    }

    /** The call of {@code user} at the LNS, once its ICCN has arrived. */
    static LnsPeer.Call callOf(LnsPeer lns, String user) throws InterruptedException {
        await(() -> lns.calls().stream().anyMatch(c -> c.iccn() != null && user.equals(c.iccn().string(AvpType.PROXY_AUTHEN_NAME))),
                user + " connected at " + lns.address());
        return lns.calls().stream().filter(c -> c.iccn() != null && user.equals(c.iccn().string(AvpType.PROXY_AUTHEN_NAME)))
                .findFirst().orElseThrow();
    }

    @Test
    void switchedCallsCarryProxyAvpsByteForByteDataBothWaysAndCdnFromEachSide() throws Exception {
        LnsPeer a1 = lns("lns-a");
        LnsPeer a2 = lns("lns-a");
        LnsPeer b = lns(null);
        startLts(a1, a2, b);
        startLac();
        LinkedBlockingQueue<byte[]> atA1 = new LinkedBlockingQueue<>();
        a1.onData((c, p) -> atA1.add(p));

        // alice@isp-a through the LTS to reseller A's first LNS
        Listener alice = new Listener();
        CallParameters sent = subscriber("alice@isp-a", "aa:bb:cc:00:00:01");
        L2tpCall out = lac.placeCall(toLts("lac-s"), sent, alice);
        assertTrue(alice.up.await(10, TimeUnit.SECONDS), "the downstream LAC's call is up at the LTS");
        LnsPeer.Call atLns = only(a1);
        // what lacd #1 put on the wire, decoded the same way: the LNS must see the same values
        assertEquals("aa:bb:cc:00:00:01", atLns.icrq.string(AvpType.CALLING_NUMBER));
        assertArrayEquals("olt1 eth 1/1/1:100".getBytes(StandardCharsets.UTF_8), atLns.icrq.bytes(AvpType.AGENT_CIRCUIT_ID));
        assertArrayEquals("cpe-alice@isp-a".getBytes(StandardCharsets.UTF_8), atLns.icrq.bytes(AvpType.AGENT_REMOTE_ID));
        assertEquals(40_000_000L, atLns.icrq.u64(AvpType.ACTUAL_DATA_RATE_UPSTREAM));
        assertEquals(2_000_000L, atLns.icrq.u64(AvpType.MINIMUM_DATA_RATE_DOWNSTREAM));
        assertEquals(0x1234, atLns.icrq.u32(AvpType.PHYSICAL_CHANNEL_ID));
        assertEquals("internet", atLns.icrq.string(AvpType.CALLED_NUMBER));
        ControlMessage iccn = atLns.iccn();
        assertArrayEquals(LCP_FIRST, iccn.bytes(AvpType.INITIAL_RECEIVED_LCP_CONFREQ));
        assertArrayEquals(LCP_SENT, iccn.bytes(AvpType.LAST_SENT_LCP_CONFREQ));
        assertArrayEquals(LCP_FIRST, iccn.bytes(AvpType.LAST_RECEIVED_LCP_CONFREQ));
        assertEquals(CallParameters.AUTHEN_CHAP, iccn.u16(AvpType.PROXY_AUTHEN_TYPE));
        assertArrayEquals("alice@isp-a".getBytes(StandardCharsets.UTF_8), iccn.bytes(AvpType.PROXY_AUTHEN_NAME));
        assertArrayEquals(CHALLENGE, iccn.bytes(AvpType.PROXY_AUTHEN_CHALLENGE));
        assertEquals(0x42, iccn.u16(AvpType.PROXY_AUTHEN_ID));
        assertArrayEquals(RESPONSE, iccn.bytes(AvpType.PROXY_AUTHEN_RESPONSE));
        assertEquals(100_000_000L, iccn.u32(AvpType.TX_CONNECT_SPEED));
        assertEquals(40_000_000L, iccn.u32(AvpType.RX_CONNECT_SPEED));
        assertEquals(0, a2.connectedCalls() + b.connectedCalls(), "steered by realm to a1 only");

        // PPP both ways, through the LTS's fast path
        byte[] up = {(byte) 0x80, 0x21, 1, 1, 0, 10, 3, 6, 0, 0, 0, 0};
        out.sendPpp(up, 0, up.length);
        byte[] got = atA1.poll(10, TimeUnit.SECONDS);
        assertNotNull(got, "the subscriber's frame reached the LNS");
        assertArrayEquals(up, strip(got));
        // a full-size frame too (PPPoE MRU 1492 plus the protocol field)
        byte[] big = new byte[1494];
        big[0] = 0;
        big[1] = 0x21;
        big[1493] = 0x7e;
        out.sendPpp(big, 0, big.length);
        byte[] gotBig = atA1.poll(10, TimeUnit.SECONDS);
        assertNotNull(gotBig, "a 1494-byte frame reached the LNS");
        assertArrayEquals(big, strip(gotBig));
        byte[] down = {0, 0x21, 0x45, 0, 0, 20, 1, 2, 3, 4};
        a1.sendPpp(atLns, down, false);
        assertArrayEquals(down, alice.frames.poll(10, TimeUnit.SECONDS), "the LNS's frame reached the downstream LAC");

        // the session is one of lacd's sessions, forwarding, with the downstream peer in place of the interface
        await(() -> lts.lac().metrics().sessions(SessionState.FORWARDING) == 1, "forwarding");
        assertEquals(1, lts.lac().sessions().count());
        var views = new org.lacd.daemon.session.LacManagement(lts.lac(), () -> true, null)
                .sessions(new org.lacd.daemon.mgmt.Views.SessionFilter(null, null, "partner-a", null, null, null));
        assertEquals(1, views.size(), "lacd sessions --iface partner-a");
        assertEquals("alice@isp-a", views.get(0).user());
        assertEquals("aa:bb:cc:00:00:01", views.get(0).mac(), "the Calling Number, a MAC, as the subscriber's");
        assertEquals("forwarding", views.get(0).state());

        // CDN from the downstream LAC: the LNS gets a CDN with the subscriber's cause
        out.disconnect(DisconnectCause.subscriberHangup());
        await(() -> atLns.cdn() != null, "CDN at the LNS");
        assertEquals(CdnResult.LOSS_OF_CARRIER.code(), ResultCode.parse(atLns.cdn().find(AvpType.RESULT_CODE)).result());
        assertNotNull(atLns.cdn().find(AvpType.PPP_DISCONNECT_CAUSE_CODE), "the RFC 3145 cause came along");
        await(() -> lts.lac().sessions().count() == 0, "the session gone at the LTS");

        // bob@isp-b to reseller B, cleared by the LNS: the downstream LAC gets a CDN with the LNS's result code
        Listener bob = new Listener();
        lac.placeCall(toLts("lac-s"), subscriber("bob@isp-b", "aa:bb:cc:00:00:02"), bob);
        assertTrue(bob.up.await(10, TimeUnit.SECONDS));
        LnsPeer.Call atB = only(b);
        assertArrayEquals("bob@isp-b".getBytes(StandardCharsets.UTF_8), atB.iccn().bytes(AvpType.PROXY_AUTHEN_NAME));
        b.disconnect(atB, CdnResult.ADMINISTRATIVE, null);
        assertTrue(bob.down.await(10, TimeUnit.SECONDS), "CDN at the downstream LAC");
        assertEquals(CallDownCause.Kind.CLEARED_BY_PEER, bob.cause.kind());
        assertEquals(CdnResult.ADMINISTRATIVE.code(), bob.cause.resultCode());
        await(() -> lts.lac().sessions().count() == 0, "the session gone at the LTS");
    }

    @Test
    void anLnsThatRefusesTheCallFailsOverToTheNextCandidate() throws Exception {
        LnsPeer a1 = lns("lns-a");
        LnsPeer a2 = lns("lns-a");
        LnsPeer b = lns(null);
        a1.refuseCalls(CdnResult.TEMPORARY_NO_FACILITIES);
        startLts(a1, a2, b);
        startLac();
        Listener carol = new Listener();
        lac.placeCall(toLts("lac-s"), subscriber("carol@isp-a", "aa:bb:cc:00:00:03"), carol);
        LnsPeer.Call atA2 = only(a2);
        assertArrayEquals("carol@isp-a".getBytes(StandardCharsets.UTF_8), atA2.iccn().bytes(AvpType.PROXY_AUTHEN_NAME));
        assertEquals(0, a1.connectedCalls());
        assertTrue(carol.up.await(5, TimeUnit.SECONDS));
        assertEquals(1, carol.downCount(), "the downstream call stayed up through the failover") ;
    }

    @Test
    void stopCcnOfEitherTunnelEndsTheSwitchedCallsOnIt() throws Exception {
        LnsPeer a1 = lns("lns-a");
        LnsPeer a2 = lns("lns-a");
        LnsPeer b = lns(null);
        startLts(a1, a2, b);
        startLac();
        // StopCCN of the LNS's tunnel: the downstream LAC's call gets a CDN
        Listener dave = new Listener();
        lac.placeCall(toLts("lac-s"), subscriber("dave@isp-b", "aa:bb:cc:00:00:04"), dave);
        only(b);
        b.stopTunnel(b.tunnels().get(0), StopCcnResult.GENERAL_REQUEST_TO_CLEAR, "LNS going away");
        assertTrue(dave.down.await(10, TimeUnit.SECONDS), "the switched call ended toward the downstream LAC");
        assertEquals(CallDownCause.Kind.CLEARED_BY_PEER, dave.cause.kind(), "a CDN, the downstream tunnel stays");
        assertEquals(CdnResult.LOSS_OF_CARRIER.code(), dave.cause.resultCode());

        // StopCCN of the downstream LAC's tunnel: every switched call on it is cleared toward its LNS
        Listener e1 = new Listener();
        Listener e2 = new Listener();
        lac.placeCall(toLts("lac-s"), subscriber("erin@isp-b", "aa:bb:cc:00:00:05"), e1);
        lac.placeCall(toLts("lac-s"), subscriber("frank@isp-a", "aa:bb:cc:00:00:06"), e2);
        LnsPeer.Call atB = callOf(b, "erin@isp-b");
        LnsPeer.Call atA = callOf(a1, "frank@isp-a");
        assertTrue(e1.up.await(10, TimeUnit.SECONDS) && e2.up.await(10, TimeUnit.SECONDS));
        assertEquals(1, lac.tunnels().size(), "both calls share the downstream tunnel");
        lac.clearTunnel(lac.tunnels().get(0).localTunnelId()).get(10, TimeUnit.SECONDS);
        await(() -> atB.cdn() != null && atA.cdn() != null, "CDN at both LNSs");
        await(() -> lts.lac().sessions().count() == 0, "no session left at the LTS");
    }

    @Test
    void aWrongSecretOrAnUnknownHostNameIsRefused() throws Exception {
        LnsPeer a1 = lns("lns-a");
        startLts(a1, lns("lns-a"), lns(null));
        startLac();
        Listener l = new Listener();
        lac.placeCall(toLts("not-the-secret"), subscriber("mallory@isp-a", "aa:bb:cc:00:00:07"), l);
        assertTrue(l.down.await(10, TimeUnit.SECONDS));
        assertEquals(CallDownCause.Kind.TUNNEL_FAILED, l.cause.kind());
        assertEquals(0, lts.lac().sessions().count());
        assertEquals(0, a1.connectedCalls());
        // lacd's LAC checks our Challenge Response first and sends StopCCN before any SCCCN: counted at the LTS too
        await(() -> meter("lacd.l2tp.lac.peer.refusals", "reason", "peer_refused_tunnel") == 1, "lacd_l2tp_lac_peer_refusals_total");
        assertEquals(1, new org.lacd.daemon.session.LacManagement(lts.lac(), () -> true, null).lacPeers().get(0).refusals());
    }

    /** The gauge or counter {@code name} with {@code tag=value}, 0 when not registered. */
    double meter(String name, String tag, String value) {
        var m = lts.lac().metrics().registry().find(name).tag(tag, value);
        return m.gauge() != null ? m.gauge().value() : m.counter() != null ? m.counter().count() : 0;
    }

    @Test
    void aDrainedPeerGetsItsNextCallRefusedKeepsItsCallsUpAndIsListed() throws Exception {
        LnsPeer a1 = lns("lns-a");
        LnsPeer b = lns(null);
        startLts(a1, lns("lns-a"), b);
        startLac();
        var mgmt = new org.lacd.daemon.session.LacManagement(lts.lac(), lts::reload, null);
        Listener alice = new Listener();
        lac.placeCall(toLts("lac-s"), subscriber("alice@isp-a", "aa:bb:cc:00:00:11"), alice);
        assertTrue(alice.up.await(10, TimeUnit.SECONDS));
        LnsPeer.Call atA1 = only(a1);
        await(() -> lts.lac().metrics().sessions(SessionState.FORWARDING) == 1, "forwarding");

        // lacd lac-peers
        var peer = mgmt.lacPeers().get(0);
        assertEquals(new org.lacd.daemon.mgmt.Views.LacPeerView("partner-a", "127.0.0.3/32", 1, 4, 1, 10, false, 0), peer);
        assertEquals(1.0, meter("lacd.sessions.by.lac.peer", "peer", "partner-a"), "lacd_sessions_by_lac_peer{peer=partner-a}");

        // lacd drain-peer partner-a: the next call gets CDN result 4, alice's call stays
        assertTrue(mgmt.drainLacPeer("partner-a", true).ok());
        assertFalse(mgmt.drainLacPeer("nobody", true).ok(), "an unknown peer is named as such");
        Listener bob = new Listener();
        lac.placeCall(toLts("lac-s"), subscriber("bob@isp-b", "aa:bb:cc:00:00:12"), bob);
        assertTrue(bob.down.await(10, TimeUnit.SECONDS), "the call from the drained peer is refused");
        assertEquals(CallDownCause.Kind.REFUSED, bob.cause.kind(), "a CDN answering the ICRQ");
        assertEquals(CdnResult.TEMPORARY_NO_FACILITIES.code(), bob.cause.resultCode());
        assertEquals(0, b.calls().size(), "no call toward the LNS for the refused one");
        assertEquals(1, alice.down.getCount(), "alice's call stays up");
        assertEquals(null, atA1.cdn());
        byte[] down = {0, 0x21, 0x45, 0, 0, 20, 1, 2, 3, 4};
        a1.sendPpp(atA1, down, false);
        assertArrayEquals(down, alice.frames.poll(10, TimeUnit.SECONDS), "and still forwards");
        peer = mgmt.lacPeers().get(0);
        assertTrue(peer.drain());
        assertEquals(1, peer.refusals());
        assertEquals(1, peer.sessions());
        assertEquals(1.0, meter("lacd.l2tp.lac.peer.refusals", "reason", "draining"));

        // lacd undrain-peer partner-a: calls are accepted again
        assertTrue(mgmt.drainLacPeer("partner-a", false).ok());
        Listener carol = new Listener();
        lac.placeCall(toLts("lac-s"), subscriber("carol@isp-b", "aa:bb:cc:00:00:13"), carol);
        assertTrue(carol.up.await(10, TimeUnit.SECONDS), "accepted again after undrain");
        callOf(b, "carol@isp-b");
        assertEquals(2, mgmt.lacPeers().get(0).sessions());

        // drain: true in the config, reloaded: refused again; the calls up stay
        Path f = dir.resolve("lts.yaml");
        Files.writeString(f, Files.readString(f).replace("max-sessions: 10}", "max-sessions: 10, drain: true}"));
        assertTrue(lts.reload());
        assertTrue(mgmt.lacPeers().get(0).drain());
        Listener dave = new Listener();
        lac.placeCall(toLts("lac-s"), subscriber("dave@isp-b", "aa:bb:cc:00:00:14"), dave);
        assertTrue(dave.down.await(10, TimeUnit.SECONDS), "refused by the config's drain");
        assertEquals(CdnResult.TEMPORARY_NO_FACILITIES.code(), dave.cause.resultCode());
        assertEquals(1, alice.down.getCount());
        assertEquals(1, carol.down.getCount());
        assertEquals(2, mgmt.lacPeers().get(0).refusals());
    }

    /** PPP frames may arrive with FF 03 (the LTS's outgoing call adds it, as lacd does toward every LNS). */
    static byte[] strip(byte[] p) {
        return p.length >= 2 && p[0] == (byte) 0xff && p[1] == 0x03 ? Arrays.copyOfRange(p, 2, p.length) : p;
    }

    static final class Listener implements CallListener {
        final CountDownLatch up = new CountDownLatch(1);
        final CountDownLatch down = new CountDownLatch(1);
        final LinkedBlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
        volatile CallDownCause cause;

        @Override public void callUp(L2tpCall c) { up.countDown(); }

        @Override
        public void callDown(L2tpCall c, CallDownCause cause) {
            this.cause = cause;
            down.countDown();
        }

        long downCount() { return down.getCount(); }

        @Override
        public void pppFromLns(L2tpCall c, byte[] buf, int off, int len) { frames.add(Arrays.copyOfRange(buf, off, off + len)); }
    }
}
