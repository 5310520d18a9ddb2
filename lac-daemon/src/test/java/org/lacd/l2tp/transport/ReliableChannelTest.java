package org.lacd.l2tp.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.lacd.l2tp.wire.Avp;
import org.lacd.l2tp.wire.AvpType;
import org.lacd.l2tp.wire.ControlMessage;
import org.lacd.l2tp.wire.L2tpCodec;
import org.lacd.l2tp.wire.MessageType;

class ReliableChannelTest {

    /** One side: records what it transmits (on the wire, not yet delivered) and what it delivers. */
    static final class Side implements ReliableChannel.Listener {
        final List<ControlMessage> air = new ArrayList<>();
        final List<Long> sendTimesMs = new ArrayList<>();
        final List<Integer> delivered = new ArrayList<>();
        final ManualScheduler sched;
        ReliableChannel ch;
        ControlMessage gaveUp;
        int duplicates;
        int idleCalls;
        int alive;

        Side(ManualScheduler sched) { this.sched = sched; }

        @Override
        public void transmit(byte[] datagram) {
            try {
                air.add((ControlMessage) L2tpCodec.decode(datagram, 0, datagram.length));
                sendTimesMs.add(sched.nanoTime() / 1_000_000);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public void deliver(ControlMessage m) { delivered.add((int) m.u32(AvpType.CALL_SERIAL_NUMBER)); }

        @Override
        public void gaveUp(ControlMessage m) { gaveUp = m; }

        @Override
        public void duplicate(int ns) { duplicates++; }

        @Override
        public void allAcknowledged() { idleCalls++; }

        @Override
        public void peerAlive() { alive++; }

        List<ControlMessage> take() {
            List<ControlMessage> l = new ArrayList<>(air);
            air.clear();
            return l;
        }
    }

    final ManualScheduler sched = new ManualScheduler();
    final Side a = new Side(sched);
    final Side b = new Side(sched);

    ReliableChannelTest() {
        a.ch = new ReliableChannel(ReliableChannel.Config.defaults(), sched, a);
        b.ch = new ReliableChannel(ReliableChannel.Config.defaults(), sched, b);
        a.ch.setPeerTunnelId(2);
        b.ch.setPeerTunnelId(1);
    }

    static ControlMessage msg(int serial) {
        return ControlMessage.of(MessageType.HELLO, 2, 0, List.of(Avp.u32(AvpType.CALL_SERIAL_NUMBER, serial)));
    }

    static void deliverAll(List<ControlMessage> msgs, Side to) {
        for (ControlMessage m : msgs) {
            to.ch.receive(m);
        }
    }

    @ParameterizedTest
    @CsvSource({
        "0, 1, true", "1, 0, false", "5, 5, false", "65535, 0, true", "0, 65535, false", "65000, 100, true",
        "100, 65000, false", "0, 32767, true", "0, 32768, false", "32769, 0, true", "32768, 0, false"
    })
    void sequenceOrderingTable(int x, int y, boolean before) {
        assertEquals(before, Seq.before(x, y));
    }

    @ParameterizedTest
    @CsvSource({"65535, 0", "0, 1", "32767, 32768"})
    void sequenceIncrementWraps(int s, int next) {
        assertEquals(next, Seq.next(s));
    }

    @Test
    void inOrderDeliveryWithDelayedZlbAck() {
        a.ch.setPeerWindow(8);
        for (int i = 0; i < 3; i++) {
            a.ch.send(msg(i));
        }
        List<ControlMessage> sent = a.take();
        assertEquals(1, sent.size(), "slow start: CWND 1 at first");
        deliverAll(sent, b);
        assertEquals(List.of(0), b.delivered);
        assertTrue(b.air.isEmpty(), "ack is delayed");
        sched.advance(Duration.ofMillis(100));
        List<ControlMessage> acks = b.take();
        assertEquals(1, acks.size());
        assertTrue(acks.get(0).isZlb());
        assertEquals(1, acks.get(0).nr());
        deliverAll(acks, a);
        assertEquals(2, a.ch.congestionWindow());
        List<ControlMessage> next = a.take();
        assertEquals(2, next.size());
        assertEquals(1, next.get(0).ns());
        assertEquals(2, next.get(1).ns());
        deliverAll(next, b);
        assertEquals(List.of(0, 1, 2), b.delivered);
        sched.advance(Duration.ofMillis(100));
        deliverAll(b.take(), a);
        assertTrue(a.ch.idle());
        assertEquals(1, a.idleCalls, "told once, when the last message was acknowledged");
        assertTrue(a.air.isEmpty(), "a ZLB is never acknowledged");
    }

    @Test
    void everyCallOfAFullTunnelCanQueueItsMessagesWhileTheWindowIsShut() {
        a.ch.setPeerWindow(4);
        int accepted = 0;
        for (int i = 0; i < 65_535; i++) { // a CDN for every session of a full tunnel, at once
            accepted += a.ch.send(msg(i)) ? 1 : 0;
        }
        assertEquals(65_535, accepted);
        assertEquals(1, a.take().size(), "slow start: one message on the wire, the others wait");
        // the memory guard still holds: the queue takes what is left of its bound, then refuses
        int more = 0;
        for (int i = 0; i < ReliableChannel.MAX_PENDING; i++) {
            more += a.ch.send(msg(i)) ? 1 : 0;
        }
        assertEquals(ReliableChannel.MAX_PENDING - (65_535 - 1), more);
    }

    @Test
    void piggybackedAckCancelsZlb() {
        a.ch.send(msg(1));
        deliverAll(a.take(), b);
        b.ch.send(msg(2)); // reply carries Nr=1
        List<ControlMessage> reply = b.take();
        assertEquals(1, reply.size());
        assertEquals(1, reply.get(0).nr());
        sched.advance(Duration.ofMillis(500));
        assertTrue(b.air.isEmpty(), "no ZLB after a piggybacked ack");
        deliverAll(reply, a);
        assertTrue(a.ch.idle());
    }

    @Test
    void lossIsRepairedWithExponentialBackoffCappedThenGiveUp() {
        ReliableChannel.Config cfg = new ReliableChannel.Config(1000, 8000, 6, 100, 16);
        a.ch = new ReliableChannel(cfg, sched, a);
        a.ch.send(msg(7));
        sched.advance(Duration.ofSeconds(60));
        // t=0 first send, then retransmits after 1, 2, 4, 8, 8, 8 s (cap 8): at 1, 3, 7, 15, 23, 31
        assertEquals(List.of(0L, 1000L, 3000L, 7000L, 15000L, 23000L, 31000L), a.sendTimesMs);
        assertEquals(6, a.ch.retransmits());
        assertNotNull(a.gaveUp, "gave up after max retries");
        assertEquals(0, a.gaveUp.ns());
        // give-up happens at the 7th timeout: 31 + 8 = 39 s
        assertTrue(a.ch.isClosed());
    }

    @Test
    void retransmissionAfterLossIsDeliveredOnceAndResetsBackoff() {
        a.ch.send(msg(1));
        a.take(); // lost
        sched.advance(Duration.ofMillis(1000));
        List<ControlMessage> rtx = a.take();
        assertEquals(1, rtx.size());
        assertEquals(2000, a.ch.currentTimeoutMs());
        deliverAll(rtx, b);
        sched.advance(Duration.ofMillis(100));
        deliverAll(b.take(), a);
        assertEquals(1000, a.ch.currentTimeoutMs());
        assertEquals(List.of(1), b.delivered);
        assertNull(a.gaveUp);
    }

    @Test
    void timeoutHalvesThresholdAndResetsCongestionWindow() {
        a.ch.setPeerWindow(8);
        // grow CWND with acked traffic
        for (int i = 0; i < 6; i++) {
            a.ch.send(msg(i));
            deliverAll(a.take(), b);
            sched.advance(Duration.ofMillis(100));
            deliverAll(b.take(), a);
        }
        assertEquals(7, a.ch.congestionWindow());
        a.ch.send(msg(99));
        a.take(); // lost
        sched.advance(Duration.ofMillis(1000));
        assertEquals(1, a.ch.congestionWindow());
        assertEquals(3, a.ch.slowStartThreshold());
        deliverAll(a.take(), b);
        sched.advance(Duration.ofMillis(100));
        deliverAll(b.take(), a);
        // slow start to SSTHRESH, then congestion avoidance (one per CWND acks)
        for (int i = 0; i < 3; i++) {
            a.ch.send(msg(100 + i));
            deliverAll(a.take(), b);
            sched.advance(Duration.ofMillis(100));
            deliverAll(b.take(), a);
        }
        assertEquals(3, a.ch.congestionWindow(), "2 after the first ack, 3 at SSTHRESH, then +1 only every 3 acks");
    }

    @Test
    void reorderedMessagesAreQueuedAndDeliveredInOrder() {
        a.ch.setPeerWindow(8);
        a.ch.forceSequence(0, 0);
        // open the window fully so three go out back to back
        for (int i = 0; i < 4; i++) {
            a.ch.send(msg(i));
            deliverAll(a.take(), b);
            b.ch.sendZlb();
            deliverAll(b.take(), a);
        }
        b.delivered.clear();
        for (int i = 10; i < 13; i++) {
            a.ch.send(msg(i));
        }
        List<ControlMessage> burst = a.take();
        assertEquals(3, burst.size());
        b.ch.receive(burst.get(2));
        b.ch.receive(burst.get(1));
        assertTrue(b.delivered.isEmpty(), "held until the gap is filled");
        b.ch.receive(burst.get(0));
        assertEquals(List.of(10, 11, 12), b.delivered);
    }

    @Test
    void duplicateIsDeliveredOnceAndReackedImmediately() {
        a.ch.send(msg(5));
        ControlMessage m = a.take().get(0);
        b.ch.receive(m);
        sched.advance(Duration.ofMillis(100));
        b.take(); // the ack is lost
        b.ch.receive(m);
        assertEquals(List.of(5), b.delivered);
        assertEquals(1, b.duplicates);
        List<ControlMessage> reack = b.take();
        assertEquals(1, reack.size(), "immediate re-ack");
        assertTrue(reack.get(0).isZlb());
        assertEquals(1, reack.get(0).nr());
    }

    @Test
    void sequenceNumbersWrapAround() {
        a.ch.forceSequence(65534, 0);
        b.ch.forceSequence(0, 65534);
        for (int i = 0; i < 4; i++) {
            a.ch.send(msg(i));
            List<ControlMessage> s = a.take();
            assertEquals((65534 + i) & 0xffff, s.get(0).ns());
            deliverAll(s, b);
            sched.advance(Duration.ofMillis(100));
            deliverAll(b.take(), a);
        }
        assertEquals(List.of(0, 1, 2, 3), b.delivered);
        assertEquals(2, a.ch.nextNs());
        assertEquals(2, b.ch.nextExpected());
        assertTrue(a.ch.idle());
    }

    @Test
    void windowFullHoldsMessagesUntilAcked() {
        a.ch.setPeerWindow(2);
        for (int i = 0; i < 6; i++) { // grow CWND beyond the peer window
            a.ch.send(msg(i));
            deliverAll(a.take(), b);
            sched.advance(Duration.ofMillis(100));
            deliverAll(b.take(), a);
        }
        assertEquals(2, a.ch.congestionWindow(), "CWND never exceeds the peer's window");
        for (int i = 0; i < 5; i++) {
            a.ch.send(msg(i));
        }
        assertEquals(2, a.take().size());
        assertEquals(3, a.ch.queued());
        assertEquals(2, a.ch.unacknowledged());
    }

    @Test
    void halfAWindowOfUnackedMessagesIsAcknowledgedAtOnce() {
        // default local window 16: the 8th unacknowledged message triggers an immediate ZLB
        for (int i = 0; i < 7; i++) {
            b.ch.receive(msg(i).withSequence(i, 0));
        }
        assertTrue(b.air.isEmpty(), "still delaying");
        b.ch.receive(msg(7).withSequence(7, 0));
        List<ControlMessage> acks = b.take();
        assertEquals(1, acks.size());
        assertEquals(8, acks.get(0).nr());
        sched.advance(Duration.ofSeconds(1));
        assertTrue(b.air.isEmpty(), "nothing left to acknowledge");
    }

    @Test
    void bulkTransferIsNotCappedByTheAckDelay() {
        a.ch.setPeerWindow(16);
        for (int i = 0; i < 1000; i++) {
            a.ch.send(msg(i));
        }
        // lossless link, zero latency: deliver until quiet, advancing the clock only when nothing is in the air
        long start = sched.nanoTime();
        while (!a.ch.idle()) {
            List<ControlMessage> ab = a.take();
            List<ControlMessage> ba = b.take();
            if (ab.isEmpty() && ba.isEmpty()) {
                sched.advance(Duration.ofMillis(100));
            }
            deliverAll(ab, b);
            deliverAll(ba, a);
        }
        assertEquals(1000, b.delivered.size());
        long ms = (sched.nanoTime() - start) / 1_000_000;
        assertTrue(ms <= 500, "1000 messages took " + ms + " ms of ack delays");
    }

    @Test
    void messagesBeyondOurWindowAreDropped() {
        b.ch.receive(msg(1).withSequence(40, 0));
        assertTrue(b.delivered.isEmpty());
        sched.advance(Duration.ofSeconds(1));
        assertTrue(b.air.isEmpty());
    }

    @Test
    void bogusAckBeyondSentIsIgnored() {
        a.ch.send(msg(1));
        a.take();
        a.ch.receive(ControlMessage.zlb(1, 0, 500));
        assertEquals(1, a.ch.unacknowledged());
        assertFalse(a.ch.idle());
    }

    /**
     * Issue 14, defect 2: what counts as a sign of life. Only the next Ns, a new Ns within the window, or an ack that
     * advances the send window; never a duplicate, an out-of-window Ns or an ack of nothing new.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "next Ns, 0, 0, true",
        "new Ns within the window, 3, 0, true",
        "duplicate Ns, -1, 0, false",
        "Ns beyond the window, 40, 0, false",
        "ZLB acknowledging nothing new, zlb, 0, false",
        "ZLB advancing our window, zlb, 1, true",
        "ZLB with a bogus Nr beyond what we sent, zlb, 9, false"})
    void onlySequenceCheckedMessagesAndAdvancingAcksAreSignsOfLife(String what, String ns, int nr, boolean alive) {
        b.ch.send(msg(1)); // one message of ours outstanding (Ns 0)
        b.take();
        deliverAll(List.of(msg(10).withSequence(0, 0)), b); // the peer's Ns 0 received: next expected 1
        b.alive = 0;
        ControlMessage m = "zlb".equals(ns) ? ControlMessage.zlb(1, 0, nr)
                : msg(11).withSequence(Integer.parseInt(ns) < 0 ? 0 : 1 + Integer.parseInt(ns), nr);
        b.ch.receive(m);
        assertEquals(alive ? 1 : 0, b.alive, what);
    }

    /** Issue 14, defect 1: the first-transmit callback runs when the message reaches the wire, not when it is queued. */
    /**
     * Issue 20, second round: with the window shut and new calls' ICRQs queued, an ICCN queued ahead takes the next
     * slot (and the next Ns); messages queued ahead keep their own order, and the others theirs.
     */
    @Test
    void messagesQueuedAheadTakeTheNextWindowSlots() {
        a.ch.setPeerWindow(1);
        List<String> sent = new ArrayList<>();
        a.ch.send(msg(1), () -> sent.add("icrq 1"));
        a.ch.send(msg(2), () -> sent.add("icrq 2"));
        a.ch.send(msg(3), () -> sent.add("icrq 3"));
        a.ch.sendAhead(msg(10), () -> sent.add("iccn 10"));
        a.ch.sendAhead(msg(11), () -> sent.add("iccn 11"));
        assertEquals(4, a.ch.queued());
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            List<ControlMessage> air = a.take();
            assertEquals(1, air.size(), "window of one");
            assertEquals(i, air.get(0).ns(), "Ns in order of transmission");
            order.add((int) air.get(0).u32(AvpType.CALL_SERIAL_NUMBER));
            a.ch.receive(ControlMessage.zlb(2, 0, i + 1)); // acknowledged: the next one leaves
        }
        assertEquals(List.of(1, 10, 11, 2, 3), order);
        assertEquals(List.of("icrq 1", "iccn 10", "iccn 11", "icrq 2", "icrq 3"), sent);
        assertEquals(0, a.ch.queued());
    }

    @Test
    void firstTransmitCallbackRunsWhenTheMessageLeavesNotWhenQueued() {
        b.ch.setPeerWindow(1);
        List<String> events = new ArrayList<>();
        b.ch.send(msg(1), () -> events.add("1 sent"));
        b.ch.send(msg(2), () -> events.add("2 sent"));
        assertEquals(List.of("1 sent"), events, "message 2 waits for the window");
        assertEquals(1, b.take().size());
        sched.advance(Duration.ofMillis(1000)); // a retransmission of 1 is no first transmission
        assertEquals(List.of("1 sent"), events);
        b.take();
        b.ch.receive(ControlMessage.zlb(1, 0, 1)); // 1 acknowledged: 2 leaves, then its callback runs
        assertEquals(List.of("1 sent", "2 sent"), events);
        assertEquals(1, b.take().size());
    }
}
