package org.lacd.l2tp.transport;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.lacd.l2tp.wire.ControlMessage;
import org.lacd.l2tp.wire.L2tpCodec;

/**
 * The reliable control channel of one tunnel (RFC 2661 5.8 and Appendix A), separate from the state machines.
 * <ul>
 *   <li>Ns is assigned when a message enters the window; Nr is patched into every (re)transmission.</li>
 *   <li>Window: at most min(CWND, peer Receive Window Size) unacknowledged messages; CWND starts at 1, grows by one
 *       per ack up to SSTHRESH (slow start) and by one per CWND acks above it (congestion avoidance); a timeout
 *       sets SSTHRESH = max(CWND/2, 1) and CWND = 1.</li>
 *   <li>Retransmission of the oldest unacknowledged message with exponential backoff, capped; after maxRetries
 *       consecutive timeouts the listener is told to tear the tunnel down.</li>
 *   <li>Receive: in-order delivery, out-of-order queue bounded by our window, duplicates re-acked at once,
 *       acknowledgement by piggyback or a delayed ZLB (at once when half our window is unacknowledged);
 *       a ZLB is never acknowledged.</li>
 * </ul>
 * Single-threaded: every method runs on the tunnel's event loop.
 */
public final class ReliableChannel {
    /**
     * Memory guard: messages waiting for window space. A call queues at most three (ICRQ, ICCN, CDN) and a tunnel holds
     * at most 65,535 calls, so no call's message is refused for want of room: when thousands of a tunnel's sessions
     * end at once (a burst of hang-ups, a RADIUS server disconnecting a reseller's users), each CDN waits its turn. A
     * bound of 4,096 refused about 1,400 CDNs on two tunnels when 5,000 sessions per tunnel hung up within a second
     * (SetupRateBenchmark), and 1,199 of 6,000 on one tunnel (HangupBurstProbe 6000 400).
     */
    public static final int MAX_PENDING = 3 * 65_536;

    /** What the channel needs from its tunnel. */
    public interface Listener {
        void transmit(byte[] datagram);

        void deliver(ControlMessage m);

        default void retransmitting(int ns, int attempt) {}

        /** Everything sent has been acknowledged. */
        default void allAcknowledged() {}

        /** maxRetries timeouts in a row: the peer is gone (RFC 2661 5.8). */
        void gaveUp(ControlMessage unacknowledged);

        default void duplicate(int ns) {}

        default void outOfWindow(int ns) {}

        /**
         * A sign of life from the peer: a message that passed the sequence check (the next Ns, or a new Ns within our
         * window) or an acknowledgement that advanced our send window. Duplicates, out-of-window messages and acks
         * that acknowledge nothing new are not: anyone who knows the tunnel's address, port and id can send those
         * (issue 14: a spoofed duplicate HELLO every 2 s kept a dead LNS's tunnel up).
         */
        default void peerAlive() {}
    }

    /** Timer and window settings. */
    public record Config(long initialTimeoutMs, long maxTimeoutMs, int maxRetries, long ackDelayMs, int localWindow) {
        public Config {
            if (initialTimeoutMs <= 0 || maxTimeoutMs < initialTimeoutMs || maxRetries < 1 || ackDelayMs < 0 || localWindow < 1) {
                throw new IllegalArgumentException("bad reliable channel config " + this);
            }
        }

        public static Config defaults() { return new Config(1000, 8000, 5, 100, 16); }
    }

    private static final class Outgoing {
        final ControlMessage msg;
        /** Run once, right after the message's first transmission (handed to the socket), then dropped. */
        Runnable onFirstTransmit;
        byte[] bytes;
        int ns;

        Outgoing(ControlMessage msg, Runnable onFirstTransmit) {
            this.msg = msg;
            this.onFirstTransmit = onFirstTransmit;
        }
    }

    private final Config cfg;
    private final L2tpScheduler sched;
    private final Listener listener;
    private final ArrayDeque<Outgoing> pending = new ArrayDeque<>();
    /**
     * Messages that finish work already under way ({@link #sendAhead}: an ICCN after its ICRP), sent before anything in
     * {@link #pending}. Ns is assigned when a message enters the window (RFC 2661 5.8), so the order of messages not yet
     * sent is ours to choose.
     */
    private final ArrayDeque<Outgoing> ahead = new ArrayDeque<>();
    private final ArrayDeque<Outgoing> inFlight = new ArrayDeque<>();
    private final Map<Integer, ControlMessage> outOfOrder = new HashMap<>();

    private int peerTunnelId;
    private int peerWindow = 4; // RFC 2661 4.4.3: 4 when the peer sends no Receive Window Size AVP
    private int nextNs;
    private int nextExpected;
    private int lastSentNr;
    private int cwnd = 1;
    private int ssthresh;
    private int caAcks;
    private long rtoMs;
    private int retries;
    private long retransmitCount;
    private L2tpScheduler.Cancellable rtxTimer;
    private L2tpScheduler.Cancellable ackTimer;
    private boolean closed;

    public ReliableChannel(Config cfg, L2tpScheduler sched, Listener listener) {
        this.cfg = cfg;
        this.sched = sched;
        this.listener = listener;
        this.rtoMs = cfg.initialTimeoutMs();
        this.ssthresh = peerWindow;
    }

    /** Test hook: start the sequence spaces somewhere else (wrap-around tests). */
    void forceSequence(int ns, int expected) {
        nextNs = ns & 0xffff;
        nextExpected = expected & 0xffff;
        lastSentNr = nextExpected;
    }

    /** The tunnel id to put in ZLBs (the peer's Assigned Tunnel ID). */
    public void setPeerTunnelId(int id) { this.peerTunnelId = id; }

    /** Peer's Receive Window Size AVP (RFC 2661 4.4.3); 0 is invalid and ignored. */
    public void setPeerWindow(int rws) {
        if (rws > 0) {
            peerWindow = rws;
            ssthresh = rws;
            fill();
        }
    }

    public int peerWindow() { return peerWindow; }

    public int congestionWindow() { return cwnd; }

    public int slowStartThreshold() { return ssthresh; }

    public int nextNs() { return nextNs; }

    public int nextExpected() { return nextExpected; }

    public int unacknowledged() { return inFlight.size(); }

    public int queued() { return pending.size() + ahead.size(); }

    public long retransmits() { return retransmitCount; }

    public boolean idle() { return inFlight.isEmpty() && pending.isEmpty() && ahead.isEmpty(); }

    /** Current retransmission timeout in ms (grows with backoff, back to initial after progress). */
    public long currentTimeoutMs() { return rtoMs; }

    /**
     * Queues a control message (its Ns/Nr are overwritten). Returns false when the queue is full (DoS guard) or closed.
     */
    public boolean send(ControlMessage m) { return send(m, null); }

    /**
     * Queues a control message like {@link #send(ControlMessage)}; {@code onFirstTransmit} (may be null) runs right after
     * the message is first handed to the listener's {@code transmit}, which may be later than this call when the
     * window is full. It never runs when the message is refused or the channel closes before that.
     */
    public boolean send(ControlMessage m, Runnable onFirstTransmit) {
        return enqueue(pending, m, onFirstTransmit);
    }

    /**
     * Like {@link #send(ControlMessage, Runnable)}, but ahead of every message queued with {@code send} (after those
     * queued ahead before it): for a message that completes work the peer already holds state for, such as the ICCN
     * that answers an ICRP. In a storm the window is the bound and hundreds of ICRQs wait for it; an ICCN behind them
     * would keep its call (and the subscriber, and the LNS's session) waiting for calls that have not even started.
     * Never for a message that must follow one still queued (a CDN must not overtake its call's ICRQ).
     */
    public boolean sendAhead(ControlMessage m, Runnable onFirstTransmit) {
        return enqueue(ahead, m, onFirstTransmit);
    }

    private boolean enqueue(ArrayDeque<Outgoing> queue, ControlMessage m, Runnable onFirstTransmit) {
        if (closed || pending.size() + ahead.size() >= MAX_PENDING) {
            return false;
        }
        queue.add(new Outgoing(m, onFirstTransmit));
        fill();
        return true;
    }

    private void fill() {
        while ((!ahead.isEmpty() || !pending.isEmpty()) && inFlight.size() < Math.min(cwnd, peerWindow)) {
            Outgoing o = ahead.isEmpty() ? pending.poll() : ahead.poll();
            o.ns = nextNs;
            nextNs = Seq.next(nextNs);
            o.bytes = L2tpCodec.encode(o.msg.withSequence(o.ns, nextExpected));
            inFlight.add(o);
            transmit(o);
            if (rtxTimer == null) {
                armRetransmit();
            }
            Runnable r = o.onFirstTransmit;
            if (r != null) {
                o.onFirstTransmit = null;
                r.run();
            }
        }
    }

    private void transmit(Outgoing o) {
        L2tpCodec.patchSequence(o.bytes, o.ns, nextExpected);
        lastSentNr = nextExpected;
        cancelAck();
        listener.transmit(o.bytes.clone());
    }

    private void armRetransmit() {
        rtxTimer = sched.schedule(this::onRetransmitTimeout, rtoMs, TimeUnit.MILLISECONDS);
    }

    private void onRetransmitTimeout() {
        rtxTimer = null;
        if (closed || inFlight.isEmpty()) {
            return;
        }
        Outgoing oldest = inFlight.peek();
        if (retries >= cfg.maxRetries()) {
            closed = true;
            cancelAck();
            listener.gaveUp(oldest.msg.withSequence(oldest.ns, lastSentNr));
            return;
        }
        retries++;
        retransmitCount++;
        // Appendix A: on timeout SSTHRESH = max(CWND/2, 1), CWND = 1
        ssthresh = Math.max(cwnd / 2, 1);
        cwnd = 1;
        caAcks = 0;
        listener.retransmitting(oldest.ns, retries);
        transmit(oldest);
        rtoMs = Math.min(rtoMs * 2, cfg.maxTimeoutMs());
        armRetransmit();
    }

    /** Processes a received control message (Ns/Nr from its header). */
    public void receive(ControlMessage m) {
        if (closed) {
            return;
        }
        // a message that is not a ZLB fills the window it opened only after it was delivered: the answer it asks for
        // (the ICCN for an ICRP, queued ahead) then takes the slot before the queued new work does
        processAck(m.nr(), !m.isZlb());
        if (m.isZlb()) {
            return; // never acknowledge an acknowledgement
        }
        receiveInSequence(m);
        if (!closed) {
            fill();
            if (!inFlight.isEmpty() && rtxTimer == null) {
                armRetransmit();
            }
        }
    }

    private void receiveInSequence(ControlMessage m) {
        int ns = m.ns();
        if (ns == nextExpected) {
            nextExpected = Seq.next(nextExpected);
            listener.peerAlive();
            listener.deliver(m);
            ControlMessage next;
            while (!closed && (next = outOfOrder.remove(nextExpected)) != null) {
                nextExpected = Seq.next(nextExpected);
                listener.deliver(next);
            }
            if (!closed) {
                scheduleAck();
            }
        } else if (Seq.before(ns, nextExpected)) {
            // duplicate (our ack was lost): acknowledge again at once
            listener.duplicate(ns);
            sendZlb();
        } else if (Seq.distance(nextExpected, ns) < cfg.localWindow()) {
            if (outOfOrder.putIfAbsent(ns, m) == null) {
                listener.peerAlive();
            }
            scheduleAck();
        } else {
            listener.outOfWindow(ns);
        }
    }

    private void processAck(int nr, boolean fillLater) {
        // ignore acks for messages we have not sent (RFC 2661 5.8: Nr beyond Ns is bogus)
        if (Seq.distance(inFlight.isEmpty() ? nextNs : inFlight.peek().ns, nr) > inFlight.size()) {
            return;
        }
        boolean progress = false;
        while (!inFlight.isEmpty() && Seq.before(inFlight.peek().ns, nr)) {
            inFlight.poll();
            progress = true;
            if (cwnd < ssthresh) {
                cwnd++;
            } else if (++caAcks >= cwnd) {
                cwnd++;
                caAcks = 0;
            }
            cwnd = Math.min(cwnd, peerWindow);
        }
        if (!progress) {
            return;
        }
        listener.peerAlive();
        retries = 0;
        rtoMs = cfg.initialTimeoutMs();
        if (rtxTimer != null) {
            rtxTimer.cancel();
            rtxTimer = null;
        }
        if (!fillLater) {
            fill();
        }
        if (!inFlight.isEmpty() && rtxTimer == null) {
            armRetransmit();
        }
        if (idle()) {
            listener.allAcknowledged();
        }
    }

    private void scheduleAck() {
        // a burst that fills half our window is acknowledged at once, so the sender's window keeps moving
        // (otherwise bulk transfer would be capped at one window per ack delay)
        if (Seq.distance(lastSentNr, nextExpected) >= Math.max(1, cfg.localWindow() / 2)) {
            sendZlb();
            return;
        }
        if (ackTimer == null && lastSentNr != nextExpected) {
            if (cfg.ackDelayMs() == 0) {
                sendZlb();
                return;
            }
            ackTimer = sched.schedule(() -> {
                ackTimer = null;
                if (!closed && lastSentNr != nextExpected) {
                    sendZlb();
                }
            }, cfg.ackDelayMs(), TimeUnit.MILLISECONDS);
        }
    }

    private void cancelAck() {
        if (ackTimer != null) {
            ackTimer.cancel();
            ackTimer = null;
        }
    }

    /** Sends a ZLB acknowledging everything received in order. */
    public void sendZlb() {
        cancelAck();
        lastSentNr = nextExpected;
        listener.transmit(L2tpCodec.encode(ControlMessage.zlb(peerTunnelId, nextNs, nextExpected)));
    }

    /** Stops all timers; later calls do nothing. */
    public void close() {
        closed = true;
        cancelAck();
        if (rtxTimer != null) {
            rtxTimer.cancel();
            rtxTimer = null;
        }
        pending.clear();
        ahead.clear();
    }

    public boolean isClosed() { return closed; }
}
