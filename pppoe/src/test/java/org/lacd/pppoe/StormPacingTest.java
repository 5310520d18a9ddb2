package org.lacd.pppoe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lacd.pppoe.discovery.WorkQueueGuard;
import org.lacd.pppoe.port.InMemoryPort;
import org.lacd.pppoe.testutil.Hex;
import org.lacd.pppoe.wire.ChapPacket;
import org.lacd.pppoe.wire.MacAddress;
import org.lacd.pppoe.wire.PppoeCode;
import org.lacd.pppoe.wire.PppoeDiscovery;
import org.lacd.pppoe.wire.TagType;

/**
 * Issue 20, a reconnect storm: the server thread's queue drops new work before old and the busiest MACs' PADIs first,
 * and PADIs beyond {@code maxSetupsInFlight} get no PADO while sessions already up keep forwarding. In-memory port and
 * manual scheduler: frames wait in the queue until {@code runPending()}, nothing sleeps.
 */
class StormPacingTest {
    static final long AC_MAC = MacAddress.parse("02:ac:00:00:00:01").value();
    static final long SUB_MAC = MacAddress.parse("02:00:00:00:01:00").value();

    final ManualScheduler sched = new ManualScheduler();
    final CountingPppoeStats stats = new CountingPppoeStats();
    final List<SubscriberSession> authed = new ArrayList<>();
    InMemoryPort[] wire;
    PppoeServer server;

    final SubscriberListener listener = new SubscriberListener() {
        @Override
        public void authenticated(SubscriberSession s, AuthExchange a) {
            authed.add(s);
        }

        @Override
        public void sessionClosed(SubscriberSession s, CloseReason r) { }
    };

    void start(PppoeSettings.Builder b) {
        wire = InMemoryPort.pair("eth-ac", new MacAddress(AC_MAC), "eth-sub", new MacAddress(SUB_MAC));
        server = new PppoeServer(b.acName("lacd-test").maxSessionsPerMac(64).build(), List.of(wire[0]), listener, stats, sched);
        server.start();
        sched.runPending();
    }

    /** A client whose frames wait in the server's queue until the test runs it ({@code pump} left empty). */
    TestClient queuedClient(int n) {
        return new TestClient(wire[1], SUB_MAC + n, 0, -1, -1);
    }

    TestClient client(int n) {
        TestClient c = queuedClient(n);
        c.pump = sched::runPending;
        return c;
    }

    @Test
    void guardDropsTheNewestPadisOfTheBusiestMacsBeforeOlderWork() {
        WorkQueueGuard g = new WorkQueueGuard(6, 3);
        assertNull(g.admit(WorkQueueGuard.Kind.PADI, 1));
        assertEquals(DropReason.QUEUE_SAME_MAC, g.admit(WorkQueueGuard.Kind.PADI, 1), "MAC 1 already waits");
        assertNull(g.admit(WorkQueueGuard.Kind.PADI, 2));
        assertNull(g.admit(WorkQueueGuard.Kind.PADI, 3));
        assertEquals(DropReason.PADI_QUEUE_FULL, g.admit(WorkQueueGuard.Kind.PADI, 4), "the PADIs' share (3) is taken");
        assertNull(g.admit(WorkQueueGuard.Kind.OTHER, 0), "older work still gets in");
        assertNull(g.admit(WorkQueueGuard.Kind.OTHER, 0));
        assertNull(g.admit(WorkQueueGuard.Kind.OTHER, 0));
        assertEquals(DropReason.QUEUE_FULL, g.admit(WorkQueueGuard.Kind.OTHER, 0), "the whole queue (6) is full");
        g.release(WorkQueueGuard.Kind.PADI, 1);
        assertEquals(5, g.queued());
        assertEquals(2, g.queuedPadis());
        assertNull(g.admit(WorkQueueGuard.Kind.PADI, 1), "MAC 1's PADI was taken off the queue: it may queue one again");
        assertThrows(IllegalArgumentException.class, () -> new WorkQueueGuard(4, 5));
        assertThrows(IllegalArgumentException.class, () -> new WorkQueueGuard(0, 0));
    }

    @Test
    void guardShedsPadisBeyondTheRoomLeftForSetups() {
        WorkQueueGuard g = new WorkQueueGuard(100, 50);
        assertNull(g.admit(WorkQueueGuard.Kind.PADI, 1, 2));
        assertNull(g.admit(WorkQueueGuard.Kind.PADI, 2, 2));
        assertEquals(DropReason.SETUP_PACING, g.admit(WorkQueueGuard.Kind.PADI, 3, 2), "2 PADIs wait for the 2 setups left");
        assertNull(g.admit(WorkQueueGuard.Kind.OTHER, 0, 0), "the room bounds PADIs only");
        g.release(WorkQueueGuard.Kind.PADI, 1);
        assertNull(g.admit(WorkQueueGuard.Kind.PADI, 3, 2), "one answered: room for the next");
        assertEquals(2, g.queuedPadis());
    }

    @Test
    void padisWaitingInTheQueueCountAgainstTheSetupsInFlight() {
        // a storm at the receive thread: the server thread has not yet run, so no session and no offer counts yet
        start(PppoeSettings.builder().maxSetupsInFlight(3));
        for (int n = 1; n <= 10; n++) {
            queuedClient(n).padi(TestClient.service(""));
        }
        assertEquals(7, stats.drops(DropReason.SETUP_PACING), "3 PADIs queued for the 3 setups lacd may start; 7 shed at once");
        assertEquals(3, server.queuedWork());
        sched.runPending();
        assertEquals(3, stats.sent(PppoeCode.PADO), "each queued PADI answered");
        assertEquals(7, stats.drops(DropReason.SETUP_PACING), "none of them shed on the server thread");
        queuedClient(11).padi(TestClient.service(""));
        assertEquals(8, stats.drops(DropReason.SETUP_PACING), "the 3 open offers hold the places now");
    }

    @Test
    void aPadiFloodCannotCrowdOutTheSessionsAlreadyBeingSetUp() {
        start(PppoeSettings.builder().discoveryQueueLimit(8)); // PADIs may hold 4 places; from 2 waiting, one per MAC
        TestClient early = queuedClient(2);
        early.padi(TestClient.service(""));
        early.padi(TestClient.service(""));
        assertEquals(0, stats.totalDrops(), "no pressure yet: a MAC's retransmission is queued like any frame");
        TestClient busy = queuedClient(1);
        busy.padi(TestClient.service(""));
        busy.padi(TestClient.service(""));
        busy.padi(TestClient.service(""));
        for (int n = 3; n <= 5; n++) {
            queuedClient(n).padi(TestClient.service(""));
        }
        assertEquals(2, stats.drops(DropReason.QUEUE_SAME_MAC), "the busy MAC's 2nd and 3rd PADI");
        assertEquals(2, stats.drops(DropReason.PADI_QUEUE_FULL), "MACs 4 and 5: the PADIs' half of the queue was taken");
        // older work (here PADTs; equally a PADR or LCP of a session opened earlier) still has 4 places
        TestClient old = queuedClient(9);
        old.acMac = AC_MAC;
        for (int i = 0; i < 4; i++) {
            old.padt();
        }
        assertEquals(0, stats.drops(DropReason.QUEUE_FULL), "no older work refused");
        old.padt();
        assertEquals(1, stats.drops(DropReason.QUEUE_FULL), "the whole queue is full now");
        assertEquals(8, server.queuedWork());
        sched.runPending();
        assertEquals(0, server.queuedWork());
        assertEquals(4, stats.sent(PppoeCode.PADO), "MAC 2 twice (before the pressure), MACs 1 and 3 once");
        assertNotNull(busy.pollDiscovery(PppoeCode.PADO));
        assertNull(busy.pollDiscovery(PppoeCode.PADO), "one PADO only for the busy MAC");
        assertNotNull(early.pollDiscovery(PppoeCode.PADO));
        assertEquals(4, stats.drops(DropReason.NO_SESSION), "the PADTs ran (for no session)");
    }

    @Test
    void padisBeyondTheSetupsInFlightGetNoPadoWhileSessionsUpKeepForwarding() throws Exception {
        start(PppoeSettings.builder().maxSetupsInFlight(1));
        TestClient a = client(1);
        a.discover();
        a.openLcp();
        ChapPacket ch = (ChapPacket) a.expectPpp();
        a.sendPpp(ChapPacket.response(ch.id(), TestClient.chapMd5(ch.id(), "pw", ch.value()), "alice@isp"));
        assertEquals(1, server.setupsInFlight());

        TestClient b = client(2);
        b.padi(TestClient.service(""));
        assertNull(b.pollDiscovery(PppoeCode.PADO), "shed: one setup in flight already");
        assertEquals(1, stats.drops(DropReason.SETUP_PACING));
        assertEquals(1, server.sessionCount(), "no session opened for the shed PADI");

        List<byte[]> up = new ArrayList<>();
        authed.get(0).startForwarding((buf, off, len) -> up.add(java.util.Arrays.copyOfRange(buf, off, off + len)));
        sched.runPending();
        assertEquals(0, server.setupsInFlight(), "forwarding: no longer a setup in flight");

        b.discover(); // its next PADI is answered
        assertEquals(1, server.setupsInFlight());
        TestClient c = client(3);
        c.padi(TestClient.service(""));
        assertEquals(2, stats.drops(DropReason.SETUP_PACING), "b is now the setup in flight");
        // the session that is up is not disturbed by the shedding
        byte[] ipcp = Hex.parse("8021 01 01 000a 03 06 00000000");
        a.sendPppRaw(ipcp);
        assertEquals(1, up.size());

        b.padt(); // a setup that ends without forwarding also frees its place
        assertEquals(0, server.setupsInFlight());
        c.discover();
        assertEquals(1, server.setupsInFlight());
        assertEquals(2, stats.drops(DropReason.SETUP_PACING));
    }

    @Test
    void aSubscribersPadtIsNeverRefusedByAFullQueueAndTakesOnePlaceOnly() {
        start(PppoeSettings.builder().discoveryQueueLimit(4));
        TestClient a = client(1);
        a.discover();
        assertEquals(1, server.sessionCount());
        a.pump = () -> { }; // from now on a's frames wait in the queue too
        TestClient other = queuedClient(9);
        other.acMac = AC_MAC;
        for (int i = 0; i < 5; i++) {
            other.padt(); // PADTs naming no session: ordinary work
        }
        assertEquals(1, stats.drops(DropReason.QUEUE_FULL), "the queue (4) is full");
        a.padt();
        assertEquals(1, stats.drops(DropReason.QUEUE_FULL), "the subscriber's PADT gets a place past the limit");
        assertEquals(5, server.queuedWork());
        a.padt();
        assertEquals(2, stats.drops(DropReason.QUEUE_FULL), "but one place per session: its repeat is ordinary work");
        sched.runPending();
        assertEquals(0, server.sessionCount(), "the session is torn down");
        assertEquals(0, server.queuedWork());
        assertEquals(4, stats.drops(DropReason.NO_SESSION), "the other PADTs ran and named no session");
    }

    // ---- padiHold: a PADI that finds every setup place taken waits for one instead of its client's next retransmission

    /** One setup in flight (a, opened and not yet forwarding) with one place: the next PADIs find none free. */
    TestClient oneSetupInFlight(java.time.Duration hold) {
        start(PppoeSettings.builder().maxSetupsInFlight(1).padiHold(hold));
        TestClient a = client(1);
        a.discover();
        assertEquals(1, server.setupsInFlight());
        return a;
    }

    @Test
    void aHeldPadiGetsItsPadoAsSoonAsASetupEnds() {
        TestClient a = oneSetupInFlight(java.time.Duration.ofSeconds(2));
        TestClient b = client(2);
        b.padi(TestClient.service(""), TestClient.hostUniq("0b"));
        assertNull(b.pollDiscovery(PppoeCode.PADO), "no place: no PADO yet");
        assertEquals(1, server.heldPadis());
        assertEquals(0, stats.drops(DropReason.SETUP_PACING), "held, not shed");
        sched.advance(java.time.Duration.ofMillis(500));
        assertNull(b.pollDiscovery(PppoeCode.PADO), "still no place after 0.5 s");

        a.padt(); // a's setup ends: its place goes to the held PADI, without b sending anything
        sched.runPending();
        PppoeDiscovery.Frame pado = b.pollDiscovery(PppoeCode.PADO);
        assertNotNull(pado, "the held PADI is answered once a setup place is free");
        assertEquals("0b", java.util.HexFormat.of().formatHex(pado.packet().first(TagType.HOST_UNIQ).orElseThrow().value()),
                "the PADO echoes the held PADI's Host-Uniq");
        assertEquals(0, server.heldPadis());
        assertEquals(0, stats.drops(DropReason.SETUP_PACING));
    }

    @Test
    void aPadiHeldLongerThanPadiHoldIsShedAndNeverAnswered() {
        TestClient a = oneSetupInFlight(java.time.Duration.ofSeconds(2));
        TestClient b = client(2);
        b.padi(TestClient.service(""));
        sched.advance(java.time.Duration.ofMillis(2500)); // the offer timer (every second) finds it held too long
        assertEquals(0, server.heldPadis());
        assertEquals(1, stats.drops(DropReason.SETUP_PACING), "shed after padiHold: its client retransmits");
        a.padt();
        sched.runPending();
        assertNull(b.pollDiscovery(PppoeCode.PADO), "no late answer to a PADI given up");
        b.padi(TestClient.service(""));
        assertNotNull(b.pollDiscovery(PppoeCode.PADO), "its retransmission finds the free place");
    }

    @Test
    void aRetransmittedPadiKeepsItsPlaceRestartsItsHoldAndGetsOnePado() {
        start(PppoeSettings.builder().maxSetupsInFlight(2).padiHold(java.time.Duration.ofSeconds(2)));
        TestClient a = client(1);
        a.discover();
        client(9).discover(); // two setups in flight: both places taken, two PADIs may be held
        TestClient b = client(2);
        TestClient c = client(3);
        b.padi(TestClient.service(""));
        sched.advance(java.time.Duration.ofMillis(1500));
        b.padi(TestClient.service("")); // b's retransmission, 1.5 s after its first PADI
        assertEquals(1, server.heldPadis(), "one place per client");
        c.padi(TestClient.service(""));
        assertEquals(2, server.heldPadis());
        sched.advance(java.time.Duration.ofMillis(1000)); // 2.5 s after b's first PADI, 1 s after its retransmission
        assertEquals(2, server.heldPadis(), "b's hold runs from its retransmission");
        assertEquals(0, stats.drops(DropReason.SETUP_PACING));
        a.padt();
        sched.runPending();
        assertNotNull(b.pollDiscovery(PppoeCode.PADO), "b, first in line, gets the place");
        assertNull(b.pollDiscovery(PppoeCode.PADO), "one PADO for both of b's PADIs");
        assertNull(c.pollDiscovery(PppoeCode.PADO), "one place, one PADO");
        assertEquals(1, server.heldPadis());
    }

    @Test
    void heldPadisAreAnsweredOldestFirstAndNoMoreOfThemThanSetupsInFlight() {
        TestClient a = oneSetupInFlight(java.time.Duration.ofSeconds(2));
        TestClient b = client(2);
        TestClient c = client(3);
        b.padi(TestClient.service(""));
        c.padi(TestClient.service(""));
        assertEquals(1, server.heldPadis(), "setups-in-flight (1) PADIs held at most");
        assertEquals(1, stats.drops(DropReason.SETUP_PACING), "c found the hold full");
        TestClient d = queuedClient(4); // the receive thread sheds it before a copy: no setup place, no hold place
        d.padi(TestClient.service(""));
        assertEquals(0, server.queuedWork());
        assertEquals(2, stats.drops(DropReason.SETUP_PACING));
        a.padt();
        sched.runPending();
        assertNotNull(b.pollDiscovery(PppoeCode.PADO), "the oldest held PADI first");
        assertNull(c.pollDiscovery(PppoeCode.PADO));
        assertNull(d.pollDiscovery(PppoeCode.PADO));
        c.padi(TestClient.service(""));
        assertNull(c.pollDiscovery(PppoeCode.PADO), "b's open offer holds the one place until its PADR comes");
        assertEquals(1, server.heldPadis());
    }

    @Test
    void withoutPadiHoldAPadiWithoutAPlaceIsShedAtOnce() {
        TestClient a = oneSetupInFlight(java.time.Duration.ZERO);
        TestClient b = client(2);
        b.padi(TestClient.service(""));
        assertEquals(0, server.heldPadis());
        assertEquals(1, stats.drops(DropReason.SETUP_PACING));
        a.padt();
        sched.runPending();
        assertNull(b.pollDiscovery(PppoeCode.PADO));
    }
}
