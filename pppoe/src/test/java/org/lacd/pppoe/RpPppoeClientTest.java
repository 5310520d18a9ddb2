package org.lacd.pppoe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.testsupport.RealPeer;
import org.lacd.testsupport.Peers;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lacd.pppoe.port.PcapPort;
import org.lacd.pppoe.testutil.AsyncHdlc;
import org.lacd.pppoe.testutil.Netns;
import org.lacd.pppoe.wire.ChapPacket;
import org.lacd.pppoe.wire.LcpCode;
import org.lacd.pppoe.wire.LcpOption;
import org.lacd.pppoe.wire.LcpPacket;
import org.lacd.pppoe.wire.PppControlPacket;

/**
 * The real rp-pppoe client ({@code /usr/sbin/pppoe}) against lacd on a veth pair inside a namespace the test
 * creates. The server's pcap handle is opened on a thread that entered that namespace.
 */
@RealPeer
class RpPppoeClientTest {
    private static final Path PPPOE = Path.of("/usr/sbin/pppoe");
    private static Netns ns;
    private static PppoeServer server;
    private static final CountingPppoeStats stats = new CountingPppoeStats();
    private static final BlockingQueue<Object> events = new LinkedBlockingQueue<>();

    @BeforeAll
    static void setUp() throws Exception {
        Peers.require(Netns.isRoot() && Netns.hasIp(), "needs root and iproute2");
        Peers.require(Files.isExecutable(PPPOE), "rp-pppoe client not installed");
        ns = Netns.create("rp");
        ns.exec("ip", "link", "add", "ac0", "type", "veth", "peer", "name", "sub0");
        ns.exec("ip", "link", "set", "ac0", "up");
        ns.exec("ip", "link", "set", "sub0", "up");
        PppoeSettings settings = PppoeSettings.builder().acName("lacd-real").serviceNames(List.of("internet")).build();
        server = new PppoeServer(settings, List.of(new PcapPort("ac0")), new SubscriberListener() {
            @Override
            public void authenticated(SubscriberSession s, AuthExchange a) {
                events.add(a);
                events.add(s);
            }

            @Override
            public void sessionClosed(SubscriberSession s, CloseReason r) {
                events.add(r);
            }
        }, stats);
        ns.call(() -> {
            server.start();
            return null;
        });
    }

    @AfterAll
    static void tearDown() {
        if (server != null) {
            server.stop(Duration.ofSeconds(2));
        }
        if (ns != null) {
            ns.close();
        }
    }

    @Test
    void pppoeDashAListsOurAcNameAndService() throws Exception {
        String out = ns.exec(PPPOE.toString(), "-I", "sub0", "-A", "-t", "3");
        assertTrue(out.contains("Access-Concentrator: lacd-real"), out);
        assertTrue(out.contains("Service-Name: internet"), out);
        assertTrue(out.contains("Got a cookie"), out);
    }

    @Test
    void realClientOpensASessionAndAuthenticatesOverAsyncPpp() throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", ns.name, PPPOE.toString(), "-I", "sub0",
                "-S", "internet", "-t", "3", "-T", "60").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            InputStream fromClient = p.getInputStream();
            OutputStream toClient = p.getOutputStream();
            // Discovery is done by pppoe itself; our first LCP Configure-Request then arrives on its stdout.
            LcpPacket serverCr = (LcpPacket) next(fromClient);
            assertEquals(LcpCode.CONFIGURE_REQUEST, serverCr.kind());
            LcpPacket ours = LcpPacket.configure(LcpCode.CONFIGURE_REQUEST, 1,
                    List.of(LcpOption.mru(1492), LcpOption.magic(0x11223344)));
            write(toClient, ours);
            write(toClient, LcpPacket.of(LcpCode.CONFIGURE_ACK, serverCr.id(), serverCr.data()));
            PppControlPacket p1 = next(fromClient);
            while (p1 instanceof LcpPacket l && l.kind() == LcpCode.CONFIGURE_REQUEST) {
                p1 = next(fromClient); // a retransmission crossed our Ack
            }
            assertEquals(LcpCode.CONFIGURE_ACK, ((LcpPacket) p1).kind());
            PppControlPacket p2 = next(fromClient);
            ChapPacket challenge = (ChapPacket) p2;
            assertEquals("lacd-real", challenge.nameString());
            write(toClient, ChapPacket.response(challenge.id(), new byte[16], "real@isp"));
            AuthExchange a = (AuthExchange) events.poll(10, TimeUnit.SECONDS);
            assertNotNull(a, "authenticated() through the real client");
            assertEquals("real@isp", a.username());
            SubscriberSession s = (SubscriberSession) events.poll(1, TimeUnit.SECONDS);
            assertEquals("ac0", s.interfaceName());
            assertEquals("internet", s.serviceName());
            assertTrue(s.pppoeSessionId() > 0);
            // Reject: CHAP Failure + Terminate-Request reach the client; its Terminate-Ack ends it with a PADT,
            // and the real client exits on the PADT.
            s.reject("not today");
            ChapPacket failure = (ChapPacket) next(fromClient);
            assertEquals(ChapPacket.FAILURE, failure.code());
            LcpPacket tr = (LcpPacket) next(fromClient);
            assertEquals(LcpCode.TERMINATE_REQUEST, tr.kind());
            write(toClient, LcpPacket.of(LcpCode.TERMINATE_ACK, tr.id(), new byte[0]));
            assertEquals(CloseReason.REJECTED, events.poll(10, TimeUnit.SECONDS));
            assertTrue(p.waitFor(15, TimeUnit.SECONDS), "rp-pppoe exits when it receives our PADT");
        } finally {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** Starts the real client and drives it through LCP and CHAP; returns the session the listener saw. */
    private static SubscriberSession authenticate(Process p, String user) throws Exception {
        InputStream fromClient = p.getInputStream();
        OutputStream toClient = p.getOutputStream();
        LcpPacket serverCr = (LcpPacket) next(fromClient);
        write(toClient, LcpPacket.configure(LcpCode.CONFIGURE_REQUEST, 1,
                List.of(LcpOption.mru(1492), LcpOption.magic(0x55667788))));
        write(toClient, LcpPacket.of(LcpCode.CONFIGURE_ACK, serverCr.id(), serverCr.data()));
        PppControlPacket x = next(fromClient);
        while (!(x instanceof ChapPacket)) {
            x = next(fromClient); // our Ack, possibly a retransmitted Configure-Request
        }
        ChapPacket challenge = (ChapPacket) x;
        write(toClient, ChapPacket.response(challenge.id(), new byte[16], user));
        AuthExchange a = (AuthExchange) events.poll(10, TimeUnit.SECONDS);
        assertNotNull(a);
        assertEquals(user, a.username());
        return (SubscriberSession) events.poll(1, TimeUnit.SECONDS);
    }

    @Test
    void forwardingBothWaysThroughPcapAndPadtWhenTheClientQuits() throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", ns.name, PPPOE.toString(), "-I", "sub0",
                "-t", "3", "-T", "60").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            SubscriberSession s = authenticate(p, "fwd@isp");
            BlockingQueue<byte[]> upstream = new LinkedBlockingQueue<>();
            s.startForwarding((b, off, len) -> upstream.add(java.util.Arrays.copyOfRange(b, off, off + len)));
            Thread.sleep(200); // let the hand-over reach the server thread
            byte[] ipcp = org.lacd.pppoe.testutil.Hex.parse("8021 01 07 000a 03 06 00000000");
            p.getOutputStream().write(AsyncHdlc.encode(ipcp));
            p.getOutputStream().flush();
            byte[] got = upstream.poll(10, TimeUnit.SECONDS);
            assertNotNull(got, "subscriber -> upstream");
            assertEquals(org.lacd.pppoe.testutil.Hex.of(ipcp), org.lacd.pppoe.testutil.Hex.of(got));
            byte[] ipcpNak = org.lacd.pppoe.testutil.Hex.parse("8021 03 07 000a 03 06 0a000002");
            s.sendPpp(ipcpNak, 0, ipcpNak.length);
            byte[] down = readWithTimeout(p.getInputStream());
            while (down != null && down[0] == (byte) 0xc0) {
                down = readWithTimeout(p.getInputStream()); // skip any LCP the client's side emitted
            }
            assertEquals(org.lacd.pppoe.testutil.Hex.of(ipcpNak), org.lacd.pppoe.testutil.Hex.of(down),
                    "upstream -> subscriber");
            p.destroy(); // SIGTERM: rp-pppoe sends PADT on its way out
            assertEquals(CloseReason.PADT_FROM_SUBSCRIBER, events.poll(10, TimeUnit.SECONDS));
            assertTrue(stats.packetsIn("ac0") >= 1 && stats.packetsOut("ac0") >= 1);
        } finally {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private static PppControlPacket next(InputStream in) throws Exception {
        while (true) {
            byte[] ppp = readWithTimeout(in);
            assertNotNull(ppp, "rp-pppoe closed its stdout");
            int proto = ((ppp[0] & 0xff) << 8) | (ppp[1] & 0xff);
            if (proto == 0xc021 || proto == 0xc023 || proto == 0xc223) {
                return PppControlPacket.decodePpp(ppp, 0, ppp.length);
            }
        }
    }

    private static byte[] readWithTimeout(InputStream in) throws Exception {
        var f = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return AsyncHdlc.read(in);
            } catch (java.io.IOException e) {
                return null;
            }
        });
        return f.get(15, TimeUnit.SECONDS);
    }

    private static void write(OutputStream out, PppControlPacket p) throws Exception {
        out.write(AsyncHdlc.encode(p.toPppFrame()));
        out.flush();
    }

    static String text(byte[] b) { return new String(b, StandardCharsets.UTF_8); }
}
