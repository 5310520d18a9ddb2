package org.lacd.lab.subscriber;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lacd.pppoe.AuthExchange;
import org.lacd.pppoe.AuthType;
import org.lacd.pppoe.CloseReason;
import org.lacd.pppoe.CountingPppoeStats;
import org.lacd.pppoe.PppoeServer;
import org.lacd.pppoe.PppoeSettings;
import org.lacd.pppoe.SubscriberListener;
import org.lacd.pppoe.SubscriberSession;
import org.lacd.pppoe.port.InMemoryPort;
import org.lacd.pppoe.wire.ChapPacket;
import org.lacd.pppoe.wire.LcpCode;
import org.lacd.pppoe.wire.LcpPacket;
import org.lacd.pppoe.wire.MacAddress;
import org.lacd.pppoe.wire.PapPacket;
import org.lacd.pppoe.wire.PppControlPacket;
import org.lacd.pppoe.wire.PppProtocol;

/**
 * The emulator against lacd's real PPPoE access concentrator ({@link PppoeServer}, its own thread, real time) over an
 * InMemoryPort pair. The listener plays the LNS the way lacd's data path would reach it: it checks the credentials
 * lacd learned, takes the session over ({@code startForwarding}), sends CHAP Success / PAP Ack, runs IPCP and
 * reflects IPv4.
 */
class EmulatorAgainstPppoeServerTest {
    private static final long AC_MAC = 0x0a_00_00_00_00_02L;
    private PppoeServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(Duration.ofSeconds(2));
        }
    }

    /** Stateless LNS role behind the PPPoE server. */
    static final class Lns implements SubscriberListener {
        final EmulatorConfig cfg;
        final AtomicInteger authOk = new AtomicInteger();
        final AtomicInteger authBad = new AtomicInteger();
        final Map<CloseReason, AtomicInteger> closed = new ConcurrentHashMap<>();
        final Map<String, AuthType> users = new ConcurrentHashMap<>();

        Lns(EmulatorConfig cfg) { this.cfg = cfg; }

        @Override
        public void authenticated(SubscriberSession s, AuthExchange a) {
            int n = (int) (s.mac().value() - cfg.macBase());
            boolean ok;
            if (a.type() == AuthType.CHAP_MD5) {
                try {
                    MessageDigest md5 = MessageDigest.getInstance("MD5");
                    md5.update((byte) a.chapId());
                    md5.update(cfg.password(n).getBytes(StandardCharsets.UTF_8));
                    md5.update(a.chapChallenge());
                    ok = MessageDigest.isEqual(md5.digest(), a.chapResponse());
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            } else {
                ok = new String(a.papPassword(), StandardCharsets.UTF_8).equals(cfg.password(n));
            }
            ok &= a.username().equals(cfg.user(n));
            if (!ok) {
                authBad.incrementAndGet();
                s.reject("bad credentials");
                return;
            }
            authOk.incrementAndGet();
            users.put(a.username(), a.type());
            s.startForwarding((buf, off, len) -> upstream(s, n, buf, off, len));
            PppControlPacket success = a.type() == AuthType.CHAP_MD5
                    ? new ChapPacket(ChapPacket.SUCCESS, a.chapId(), new byte[0], new byte[0], new byte[0])
                    : PapPacket.ack(a.chapId(), "ok");
            send(s, success.toPppFrame());
            send(s, ppp(IpcpPacket.withAddress(IpcpPacket.CONFIGURE_REQUEST, 1, 0x0a00_0001)));
        }

        private void upstream(SubscriberSession s, int n, byte[] b, int off, int len) {
            int proto = ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
            try {
                if (proto == PppProtocol.IPCP) {
                    IpcpPacket p = IpcpPacket.decode(b, off + 2, len - 2);
                    if (p.code() == IpcpPacket.CONFIGURE_REQUEST) {
                        int want = 0x0a02_0000 + n;
                        send(s, ppp(p.address() == want ? new IpcpPacket(IpcpPacket.CONFIGURE_ACK, p.id(), p.data())
                                : IpcpPacket.withAddress(IpcpPacket.CONFIGURE_NAK, p.id(), want)));
                    }
                } else if (proto == PppProtocol.IPV4) {
                    byte[] r = new byte[len];
                    System.arraycopy(b, off, r, 0, len);
                    System.arraycopy(b, off + 2 + 12, r, 2 + 16, 4);
                    System.arraycopy(b, off + 2 + 16, r, 2 + 12, 4);
                    send(s, r);
                } else if (proto == PppProtocol.LCP) {
                    PppControlPacket c = PppControlPacket.decodePpp(b, off, len);
                    if (c instanceof LcpPacket l && l.kind() == LcpCode.TERMINATE_REQUEST) {
                        send(s, LcpPacket.of(LcpCode.TERMINATE_ACK, l.id(), new byte[0]).toPppFrame());
                    }
                }
            } catch (Exception e) {
                throw new AssertionError("LNS role could not decode", e);
            }
        }

        private static byte[] ppp(IpcpPacket p) {
            byte[] out = new byte[2 + p.encodedLength()];
            p.encodePpp(out, 0);
            return out;
        }

        private static void send(SubscriberSession s, byte[] ppp) { s.sendPpp(ppp, 0, ppp.length); }

        @Override
        public void sessionClosed(SubscriberSession s, CloseReason reason) {
            closed.computeIfAbsent(reason, r -> new AtomicInteger()).incrementAndGet();
        }
    }

    @Test
    void mixedChapPapSubscribersThroughLacdsPppoeServer() throws Exception {
        EmulatorConfig cfg = EmulatorConfig.builder().count(200).setupRate(1000).auth(AuthMode.MIX)
                .vlan(VlanPlan.qinq(10, 1)).lineTags(true).lifetime(Duration.ofMillis(400)).trafficPps(20)
                .drain(Duration.ofMillis(100)).stepTimeout(Duration.ofSeconds(1)).retries(2)
                .duration(Duration.ofSeconds(20)).build();
        InMemoryPort[] pair = InMemoryPort.pair("sub", new MacAddress(0x02_00_00_00_00_00L), "ac", new MacAddress(AC_MAC));
        Lns lns = new Lns(cfg);
        server = new PppoeServer(PppoeSettings.builder().acName("lacd-emu-test").build(), List.of(pair[1]), lns,
                new CountingPppoeStats());
        server.start();

        Report r;
        try (SubscriberEmulator emu = new SubscriberEmulator(cfg, pair[0])) {
            r = emu.run();
        }
        System.out.print(r.toText());
        assertTrue(r.success(), r.toText());
        assertEquals(200, lns.authOk.get());
        assertEquals(0, lns.authBad.get());
        assertEquals(AuthType.CHAP_MD5, lns.users.get("user1@reseller-a.example"));
        assertEquals(AuthType.PAP, lns.users.get("user2@reseller-a.example"));
        assertEquals(r.packetsSent(), r.packetsReceived(), r.toText());
        assertTrue(r.packetsSent() > 200 * 4, r.toText());
        assertEquals(0, r.malformedFrames());
        // every session ended by the subscriber's PADT (after LCP Terminate answered by the LNS role)
        for (int i = 0; i < 100 && server.sessionCount() > 0; i++) {
            Thread.sleep(20);
        }
        assertEquals(0, server.sessionCount());
        assertEquals(200, lns.closed.values().stream().mapToInt(AtomicInteger::get).sum());
    }
}
