package org.lacd.pppoe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.lacd.pppoe.port.InMemoryPort;
import org.lacd.pppoe.wire.ChapPacket;
import org.lacd.pppoe.wire.EtherType;
import org.lacd.pppoe.wire.LcpCode;
import org.lacd.pppoe.wire.LcpOption;
import org.lacd.pppoe.wire.LcpPacket;
import org.lacd.pppoe.wire.MacAddress;
import org.lacd.pppoe.wire.PapPacket;
import org.lacd.pppoe.wire.PppoeCode;
import org.lacd.pppoe.wire.PppoeDiscovery;
import org.lacd.pppoe.wire.PppoeSessionFrame;
import org.lacd.pppoe.wire.PppoeTag;
import org.lacd.pppoe.wire.TagType;

/** Mutated frames thrown at a live server: counted and dropped, nothing escapes, the server keeps serving. */
class ServerFuzzTest {

    @Test
    void mutatedFramesNeverEscapeAndTheServerKeepsWorking() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            ManualScheduler sched = new ManualScheduler();
            CountingPppoeStats stats = new CountingPppoeStats();
            InMemoryPort[] wire = InMemoryPort.pair("ac", MacAddress.parse("02:ac:00:00:00:01"), "sub",
                    MacAddress.parse("02:00:00:00:00:09"));
            PppoeSettings settings = PppoeSettings.builder().padiPerMac(new PppoeSettings.Rate(1e6, 1_000_000))
                    .padiTotal(new PppoeSettings.Rate(1e6, 1_000_000)).padrPerMac(new PppoeSettings.Rate(1e6, 1_000_000))
                    .padrTotal(new PppoeSettings.Rate(1e6, 1_000_000)).maxSessionsPerMac(65534).build();
            List<String> closed = new ArrayList<>();
            PppoeServer server = new PppoeServer(settings, List.of(wire[0]), new SubscriberListener() {
                @Override public void authenticated(SubscriberSession s, AuthExchange a) { }
                @Override public void sessionClosed(SubscriberSession s, CloseReason r) { closed.add(r.name()); }
            }, stats, sched);
            server.start();
            TestClient c = new TestClient(wire[1], MacAddress.parse("02:00:00:00:00:09").value(), 0, -1, -1);
            c.pump = sched::runPending;
            c.discover();
            long ac = c.acMac;
            // seeds: discovery and session frames of a live session
            List<byte[]> seeds = new ArrayList<>();
            seeds.add(new PppoeDiscovery(PppoeCode.PADI, 0, List.of(TestClient.service(""), TestClient.hostUniq("01"),
                    PppoeTag.u16(TagType.PPP_MAX_PAYLOAD, 1500))).toFrame(c.eth(MacAddress.BROADCAST.value(),
                    EtherType.PPPOE_DISCOVERY)));
            seeds.add(new PppoeDiscovery(PppoeCode.PADR, 0, List.of(TestClient.service(""),
                    PppoeTag.of(TagType.AC_COOKIE, new byte[20]))).toFrame(c.eth(ac, EtherType.PPPOE_DISCOVERY)));
            seeds.add(new PppoeDiscovery(PppoeCode.PADT, c.sid, List.of()).toFrame(c.eth(ac, EtherType.PPPOE_DISCOVERY)));
            for (var p : List.of(c.configureRequest(),
                    LcpPacket.configure(LcpCode.CONFIGURE_NAK, 1, List.of(LcpOption.authPap())),
                    LcpPacket.configure(LcpCode.CONFIGURE_REJECT, 1, List.of(LcpOption.magic(1))),
                    LcpPacket.of(LcpCode.ECHO_REQUEST, 1, new byte[8]),
                    LcpPacket.of(LcpCode.PROTOCOL_REJECT, 1, new byte[] {(byte) 0xc2, 0x23}),
                    LcpPacket.of(LcpCode.CODE_REJECT, 1, new byte[] {1, 1, 0, 4}),
                    ChapPacket.response(1, new byte[16], "x"), PapPacket.request(1, "y", new byte[2]))) {
                seeds.add(PppoeSessionFrame.encode(c.eth(ac, EtherType.PPPOE_SESSION), c.sid, p.toPppFrame()));
            }
            SplittableRandom r = new SplittableRandom(42);
            int rounds = 20_000;
            for (int i = 0; i < rounds; i++) {
                byte[] b = seeds.get(r.nextInt(seeds.size())).clone();
                int n = 1 + r.nextInt(4);
                for (int k = 0; k < n; k++) {
                    int at = 12 + r.nextInt(b.length - 12); // keep the addresses: reach the parsers
                    b[at] = (byte) r.nextInt(256);
                }
                if (r.nextInt(8) == 0) {
                    b = Arrays.copyOf(b, r.nextInt(b.length + 1));
                }
                wire[1].send(b, 0, b.length);
                sched.runPending();
                if (i % 1000 == 0) {
                    sched.advance(Duration.ofSeconds(5));
                }
            }
            assertTrue(stats.drops(DropReason.MALFORMED) > 0);
            // still serving: a fresh subscriber gets through discovery
            TestClient fresh = new TestClient(wire[1], MacAddress.parse("02:00:00:00:00:0a").value(), 0, -1, -1);
            fresh.pump = sched::runPending;
            fresh.discover();
            assertTrue(fresh.sid > 0);
            sched.advance(Duration.ofMinutes(10));
            assertEquals(0, server.sessionCount(), "every session ended by a bounded wait: " + stats);
        });
    }
}
