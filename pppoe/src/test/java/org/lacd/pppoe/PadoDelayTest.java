package org.lacd.pppoe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lacd.pppoe.discovery.PadoDelay;
import org.lacd.pppoe.discovery.PadoDelayPolicy;
import org.lacd.pppoe.port.InMemoryPort;
import org.lacd.pppoe.wire.MacAddress;
import org.lacd.pppoe.wire.PppoeCode;
import org.lacd.pppoe.wire.PppoeDiscovery;
import org.lacd.pppoe.wire.PppoeTag;
import org.lacd.pppoe.wire.TagType;

/**
 * Issue 19: {@code pppoe.pado-delay}. The PADO waits on the server's scheduler (a timer, no thread held), by the
 * interface's session count, per interface and per Service-Name; above the last threshold no PADO at all; a PADI flood
 * cannot grow the queue of waiting PADOs past its bound. All on the {@link ManualScheduler}: no sleeping.
 */
class PadoDelayTest {
    static final long AC_MAC = MacAddress.parse("02:ac:00:00:00:01").value();
    static final long SUB_MAC = MacAddress.parse("02:00:00:00:00:07").value();
    static final Duration MS_200 = Duration.ofMillis(200);

    final ManualScheduler sched = new ManualScheduler();
    final CountingPppoeStats stats = new CountingPppoeStats();
    final List<SubscriberSession> opened = new ArrayList<>();
    InMemoryPort[] wire;
    PppoeServer server;

    final SubscriberListener listener = new SubscriberListener() {
        @Override
        public void authenticated(SubscriberSession s, AuthExchange a) { }

        @Override
        public void sessionClosed(SubscriberSession s, CloseReason r) { }
    };

    void start(PadoDelayPolicy policy, PppoeSettings.Builder b) {
        wire = InMemoryPort.pair("eth-ac", new MacAddress(AC_MAC), "eth-sub", new MacAddress(SUB_MAC));
        server = new PppoeServer(b.acName("lacd-test").serviceNames(List.of("internet", "business")).padoDelay(policy).build(),
                List.of(wire[0]), listener, stats, sched);
        server.start();
        sched.runPending();
    }

    void start(PadoDelayPolicy policy) {
        start(policy, PppoeSettings.builder().maxSessionsPerMac(64));
    }

    TestClient client(long mac) {
        TestClient c = new TestClient(wire[1], mac, 0, -1, -1);
        c.pump = sched::runPending;
        return c;
    }

    static PadoDelayPolicy policy(PadoDelay d) {
        return new PadoDelayPolicy(d, Map.of(), Map.of(), PadoDelayPolicy.DEFAULT_MAX_PENDING);
    }

    /** 0 ms below 2 sessions, 100 ms from 2, 300 ms from 3, no PADO from 4. */
    static PadoDelay table() {
        return new PadoDelay(List.of(new PadoDelay.Step(0, Duration.ZERO), new PadoDelay.Step(2, Duration.ofMillis(100)),
                new PadoDelay.Step(3, Duration.ofMillis(300)), new PadoDelay.Step(4, null)));
    }

    /** PADI, PADO (after the delay, advancing the clock), PADR with the cookie, PADS: a session. */
    void dial(TestClient c, Duration expectedDelay) {
        c.padi(TestClient.service(""), TestClient.hostUniq("c0ffee"));
        if (!expectedDelay.isZero()) {
            assertNull(c.pollDiscovery(PppoeCode.PADO), "no PADO before the delay");
            sched.advance(expectedDelay.minusMillis(1));
            assertNull(c.pollDiscovery(PppoeCode.PADO), "no PADO 1 ms before the delay");
            sched.advance(Duration.ofMillis(1));
        }
        PppoeDiscovery.Frame pado = c.expectDiscovery(PppoeCode.PADO);
        c.acMac = pado.eth().src();
        c.padr(TestClient.service(""), TestClient.hostUniq("c0ffee"), pado.packet().first(TagType.AC_COOKIE).orElseThrow());
        PppoeDiscovery.Frame pads = c.expectDiscovery(PppoeCode.PADS);
        assertTrue(pads.packet().sessionId() > 0, "a session, not an error PADS: " + pads.packet());
        c.sid = pads.packet().sessionId();
    }

    @Test
    void fixedDelayHoldsThePadoOnATimerAndThePadrForTheDelayedOfferStillWorks() {
        start(policy(PadoDelay.fixed(MS_200)));
        TestClient c = client(SUB_MAC);
        int timersBefore = sched.liveTimers();
        c.padi(TestClient.service(""), TestClient.hostUniq("c0ffee"));
        assertNull(c.pollDiscovery(PppoeCode.PADO), "delayed, not sent at once");
        assertEquals(timersBefore + 1, sched.liveTimers(), "one timer on the server scheduler holds the PADO");
        assertEquals(1, server.pendingPados());
        assertEquals(1, stats.delayedPados());
        sched.advance(Duration.ofMillis(199));
        assertNull(c.pollDiscovery(PppoeCode.PADO));
        sched.advance(Duration.ofMillis(1));
        PppoeDiscovery.Frame pado = c.expectDiscovery(PppoeCode.PADO);
        assertEquals(0, server.pendingPados());
        assertEquals("c0ffee", java.util.HexFormat.of().formatHex(pado.packet().first(TagType.HOST_UNIQ).orElseThrow().value()),
                "a delayed PADO still echoes the Host-Uniq");
        // the PADR for the delayed offer opens the session like any other
        c.acMac = pado.eth().src();
        c.padr(TestClient.service(""), TestClient.hostUniq("c0ffee"), pado.packet().first(TagType.AC_COOKIE).orElseThrow());
        PppoeDiscovery.Frame pads = c.expectDiscovery(PppoeCode.PADS);
        assertTrue(pads.packet().sessionId() > 0);
        assertEquals(1, server.sessionCount());
        assertEquals(1, stats.sent(PppoeCode.PADO));
        assertEquals(0, stats.totalDrops(), stats.toString());
    }

    @Test
    void tableBySessionCountThenNoPadoAboveTheLastThreshold() {
        start(policy(table()));
        assertEquals(0, server.currentPadoDelayNanos(0));
        dial(client(SUB_MAC + 1), Duration.ZERO);
        dial(client(SUB_MAC + 2), Duration.ZERO);
        assertEquals(Duration.ofMillis(100).toNanos(), server.currentPadoDelayNanos(0));
        dial(client(SUB_MAC + 3), Duration.ofMillis(100));
        assertEquals(Duration.ofMillis(300).toNanos(), server.currentPadoDelayNanos(0));
        TestClient fourth = client(SUB_MAC + 4);
        dial(fourth, Duration.ofMillis(300));
        assertEquals(4, server.sessionCount());
        assertEquals(PadoDelay.SUPPRESS, server.currentPadoDelayNanos(0));

        TestClient fifth = client(SUB_MAC + 5);
        fifth.padi(TestClient.service(""));
        sched.advance(PadoDelay.MAX_DELAY);
        assertNull(fifth.pollDiscovery(PppoeCode.PADO), "at the last threshold: no answer at all");
        assertEquals(1, stats.drops(DropReason.PADO_SUPPRESSED));
        assertEquals(2, stats.delayedPados());

        // one session leaves: the box answers again, with the delay of its new load
        fourth.padt();
        assertEquals(3, server.sessionCount());
        fifth.padi(TestClient.service(""));
        assertNull(fifth.pollDiscovery(PppoeCode.PADO));
        sched.advance(Duration.ofMillis(300));
        assertNotNull(fifth.pollDiscovery(PppoeCode.PADO));
    }

    @Test
    void perServiceNameBeforePerInterfaceBeforeDefaultAndReloadAppliesToNewPadis() {
        PadoDelayPolicy p = new PadoDelayPolicy(PadoDelay.fixed(Duration.ofMillis(500)),
                Map.of("eth-ac", PadoDelay.fixed(MS_200)), Map.of("business", PadoDelay.NONE), 16);
        start(p);
        TestClient c = client(SUB_MAC);
        c.padi(TestClient.service("business"));
        assertNotNull(c.pollDiscovery(PppoeCode.PADO), "the business service is answered at once");
        c.padi(TestClient.service(""));
        sched.advance(Duration.ofMillis(199));
        assertNull(c.pollDiscovery(PppoeCode.PADO));
        sched.advance(Duration.ofMillis(1));
        assertNotNull(c.pollDiscovery(PppoeCode.PADO), "any-service PADI: the interface's 200 ms, not the default 500 ms");

        // reload: a new policy for PADIs from now on
        server.padoDelay(policy(PadoDelay.fixed(Duration.ofMillis(50))));
        assertEquals(Duration.ofMillis(50).toNanos(), server.currentPadoDelayNanos(0));
        c.padi(TestClient.service("business"));
        assertNull(c.pollDiscovery(PppoeCode.PADO), "the service override is gone with the reload");
        sched.advance(Duration.ofMillis(50));
        assertNotNull(c.pollDiscovery(PppoeCode.PADO));
    }

    @Test
    void padiFloodKeepsTheDelayQueueBoundedAfterTheRateLimits() {
        int bound = 8;
        start(new PadoDelayPolicy(PadoDelay.fixed(MS_200), Map.of(), Map.of(), bound),
                PppoeSettings.builder().padiTotal(new PppoeSettings.Rate(1, 20)));
        int flood = 50;
        for (int i = 0; i < flood; i++) {
            client(SUB_MAC + 100 + i).padi(TestClient.service(""));
        }
        assertEquals(flood - 20, stats.drops(DropReason.RATE_LIMITED), "the rate limit applies first");
        assertEquals(bound, server.pendingPados(), "no more waiting PADOs than the bound");
        assertEquals(20 - bound, stats.drops(DropReason.PADO_QUEUE_FULL), "the rest counted and dropped");
        assertEquals(bound, stats.delayedPados());
        sched.advance(MS_200);
        assertEquals(0, server.pendingPados());
        assertEquals(bound, stats.sent(PppoeCode.PADO), "each waiting PADO sent once when due");
        // the queue has room again
        sched.advance(Duration.ofSeconds(5));
        client(SUB_MAC + 1).padi(TestClient.service(""));
        assertEquals(1, server.pendingPados());
    }

    @Test
    void aStoppedServerSendsNoDelayedPado() {
        start(policy(PadoDelay.fixed(MS_200)));
        TestClient c = client(SUB_MAC);
        c.padi(TestClient.service(""));
        server.stop(Duration.ofSeconds(1));
        sched.advance(MS_200);
        assertNull(c.pollDiscovery(PppoeCode.PADO));
    }

    @Test
    void tablesAreCheckedWhenBuilt() {
        assertThrows(IllegalArgumentException.class, () -> new PadoDelay(List.of(new PadoDelay.Step(5, Duration.ZERO))));
        assertThrows(IllegalArgumentException.class, () -> new PadoDelay(List.of(new PadoDelay.Step(0, Duration.ZERO),
                new PadoDelay.Step(0, MS_200))));
        assertThrows(IllegalArgumentException.class, () -> PadoDelay.fixed(Duration.ofSeconds(11)));
        assertThrows(IllegalArgumentException.class, () -> new PadoDelayPolicy(PadoDelay.NONE, Map.of(), Map.of(), 0));
        assertEquals(PadoDelay.SUPPRESS, table().delayNanos(70000));
        assertEquals(Duration.ofMillis(100).toNanos(), table().delayNanos(2));
        assertTrue(PadoDelay.NONE.isNone());
    }
}
