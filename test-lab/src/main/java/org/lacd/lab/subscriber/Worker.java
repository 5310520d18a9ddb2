package org.lacd.lab.subscriber;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.lacd.pppoe.port.EthernetPort;
import org.lacd.pppoe.port.PortException;
import org.lacd.pppoe.wire.EtherType;
import org.lacd.pppoe.wire.FrameView;
import org.lacd.pppoe.wire.MacAddress;
import org.lacd.wire.MalformedPacketException;
import org.lacd.pppoe.wire.PppControlPacket;
import org.lacd.pppoe.wire.PppProtocol;
import org.lacd.pppoe.wire.PppoeDiscovery;
import org.lacd.pppoe.wire.PppoeHeader;
import org.lacd.pppoe.wire.WireLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker: owns the subscribers numbered {@code n} with {@code (n - 1) % shards == index}, their timers and
 * counters. Everything here runs on the worker's thread (or, in manual mode, on the thread calling {@link #step});
 * the port's receive thread only appends frames to {@link #inbox}. No locks: the subscribers' state is confined to
 * this thread.
 */
final class Worker {
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

    /** Timer kinds: protocol step (retransmit / timeout, redial hold-off), traffic send, session lifetime, LCP echo. */
    static final int PROTO = 0;
    static final int TRAFFIC = 1;
    static final int LIFETIME = 2;
    static final int ECHO = 3;
    /** Session starts or timers run before the inbox is looked at again. */
    private static final int BATCH = 256;

    /** A pending timer; stale ones (generation moved on) are skipped when they come due. */
    private static final class Timer implements Comparable<Timer> {
        final long due;
        final long order;
        final Subscriber sub;
        final int kind;
        final int gen;

        Timer(long due, long order, Subscriber sub, int kind, int gen) {
            this.due = due;
            this.order = order;
            this.sub = sub;
            this.kind = kind;
            this.gen = gen;
        }

        @Override
        public int compareTo(Timer o) {
            return due != o.due ? Long.compare(due, o.due) : Long.compare(order, o.order);
        }
    }

    final EmulatorConfig config;
    final int index;
    final int shards;
    private final EthernetPort port;
    private final LongSupplier clock;
    final Subscriber[] subs;
    private final ConcurrentLinkedQueue<byte[]> inbox = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private long timerOrder;
    final byte[] tx = new byte[WireLimits.MAX_FRAME];
    private final FrameView view = new FrameView();
    final Probe.Echo echo = new Probe.Echo();
    final SplittableRandom random;
    final MessageDigest md5;
    final long stepTimeoutNanos;
    final long lifetimeNanos;
    final long drainNanos;
    final long trafficIntervalNanos;
    final long echoIntervalNanos;
    final long redialHoldoffNanos;

    private long startNanos;
    private long endNanos;
    long trafficStopNanos;
    private int nextStart;
    private int terminal;
    private boolean ended;
    private volatile boolean parked;
    private volatile boolean stopRequested;
    private volatile boolean endRequested;
    volatile Thread thread;

    // counters (owned by this thread; read by others only after it stopped, or racily for progress display)
    int started;
    int established;
    int completed;
    final EnumMap<FailureReason, Long> failures = new EnumMap<>(FailureReason.class);
    long renegotiations;
    long rechallenges;
    long authRetransmits;
    long echoReplies;
    /** LCP Echo-Requests we sent (with an echo interval configured). */
    long echoRequests;
    /** Sessions dropped because {@code lcpEchoFailures} Echo-Requests in a row went unanswered. */
    long echoFailures;
    /** PADIs sent again after such a drop (redial on). */
    long redials;
    /** Redials that reached IPCP opened again. */
    long reestablished;
    long packetsSent;
    long packetsReceived;
    /** Probes that came back behind a later one of the same subscriber. */
    long packetsReordered;
    long bytesSent;
    long bytesReceived;
    long malformed;
    long unexpected;
    long sendErrors;
    long firstStartNanos = Long.MAX_VALUE;
    long lastEstablishedNanos = Long.MIN_VALUE;
    final LatencyHistogram setupLatency = new LatencyHistogram();
    final LatencyHistogram roundTrip = new LatencyHistogram();
    /** Time spent in each setup phase (PADI_SENT .. IPCP), first pass of each subscriber. */
    private final LatencyHistogram[] phaseLatency = new LatencyHistogram[SubscriberPhase.UP.ordinal()];

    LatencyHistogram phaseLatency(SubscriberPhase p) {
        LatencyHistogram h = phaseLatency[p.ordinal()];
        if (h == null) {
            h = new LatencyHistogram();
            phaseLatency[p.ordinal()] = h;
        }
        return h;
    }

    /** Null when no subscriber left that phase yet. */
    LatencyHistogram phaseLatencyOrNull(SubscriberPhase p) { return phaseLatency[p.ordinal()]; }

    Worker(EmulatorConfig config, int index, EthernetPort port, LongSupplier clock) {
        this.config = config;
        this.index = index;
        this.shards = config.shards();
        this.port = port;
        this.clock = clock;
        int mine = config.count() > index ? (config.count() - 1 - index) / shards + 1 : 0;
        this.subs = new Subscriber[mine];
        for (int k = 0; k < mine; k++) {
            int n = index + 1 + k * shards;
            subs[k] = new Subscriber(this, n, config.auth().forSubscriber(n));
        }
        this.random = new SplittableRandom(0x5eed_1acdL + index);
        try {
            this.md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has MD5", e);
        }
        this.stepTimeoutNanos = config.stepTimeout().toNanos();
        this.lifetimeNanos = config.lifetime().toNanos();
        this.drainNanos = config.drain().toNanos();
        this.trafficIntervalNanos = config.trafficPps() == 0 ? 0 : 1_000_000_000L / config.trafficPps();
        this.echoIntervalNanos = config.lcpEchoInterval().toNanos();
        this.redialHoldoffNanos = config.redialHoldoff().toNanos();
    }

    long now() { return clock.getAsLong(); }

    /** Fixes the run's time origin; subscriber n starts at {@code t0 + (n - 1) / rate}. */
    void begin(long t0) {
        startNanos = t0;
        long d = config.duration().toNanos();
        endNanos = t0 + d;
        trafficStopNanos = endNanos - Math.min(drainNanos, d / 2);
        LOG.debug("worker {} owns {} subscribers", index, subs.length);
    }

    private long startDue(int k) {
        int n = index + 1 + k * shards;
        return startNanos + (long) ((n - 1) * 1e9 / config.setupRate());
    }

    /** Called from the port's receive thread. */
    void enqueue(byte[] frame) {
        inbox.add(frame);
        if (parked) {
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    boolean finished() { return terminal == subs.length; }

    /** Ends the run now, politely (from any thread): established sessions get LCP Terminate + PADT. */
    void requestEnd() {
        endRequested = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    void requestStop() {
        stopRequested = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /**
     * Runs everything due now: received frames, session starts, timers; until nothing is left. The clock is read
     * for every event, so latencies include the time spent queued behind other subscribers' work.
     */
    void step() {
        while (true) {
            boolean did = false;
            byte[] f;
            while ((f = inbox.poll()) != null) {
                handle(f, now()); // catches the emulator's own bugs per subscriber
                did = true;
            }
            long now = now();
            // bounded batches, so that a burst of starts or timers does not starve the received frames
            for (int b = 0; b < BATCH && nextStart < subs.length && !ended && startDue(nextStart) <= now; b++) {
                Subscriber s = subs[nextStart++];
                started++;
                firstStartNanos = Math.min(firstStartNanos, now);
                s.start(now);
                did = true;
                now = now();
            }
            Timer t;
            for (int b = 0; b < BATCH && (t = timers.peek()) != null && t.due <= now; b++) {
                timers.poll();
                try {
                    t.sub.timer(t.kind, t.gen, now);
                } catch (RuntimeException e) {
                    bug(t.sub, e, now);
                }
                did = true;
                now = now();
            }
            if (!did) {
                break;
            }
        }
        long now = now();
        if ((now >= endNanos || endRequested) && !ended) {
            end(now);
        }
    }

    /** The worker thread's loop: step, then park until the next due time or a frame arrives. */
    void run() {
        thread = Thread.currentThread();
        try {
            while (!finished() && !stopRequested) {
                step();
                if (finished()) {
                    break;
                }
                long next = endNanos;
                Timer t = timers.peek();
                if (t != null) {
                    next = Math.min(next, t.due);
                }
                if (nextStart < subs.length) {
                    next = Math.min(next, startDue(nextStart));
                }
                parked = true;
                if (inbox.isEmpty() && !stopRequested) {
                    long wait = next - now();
                    if (wait > 0) {
                        LockSupport.parkNanos(this, wait);
                    }
                }
                parked = false;
            }
            if (!finished()) {
                end(now());
            }
        } catch (RuntimeException | Error e) {
            LOG.error("emulator worker {} failed", index, e);
            throw e;
        }
    }

    /** The run's time is up: established sessions are ended politely, everybody else fails. */
    private void end(long now) {
        ended = true;
        int stillUp = 0;
        for (Subscriber s : subs) {
            if (!s.phase.terminal()) {
                if (s.phase == SubscriberPhase.IDLE) {
                    s.failNow(FailureReason.NOT_ESTABLISHED_BY_DEADLINE, now);
                } else {
                    stillUp++;
                    s.endOfRun(now);
                }
            }
        }
        timers.clear();
        LOG.debug("worker {} ended the run with {} subscribers still active", index, stillUp);
    }

    /** An emulator bug: logged, the subscriber fails with EMULATOR_ERROR, everybody else goes on. */
    private void bug(Subscriber s, RuntimeException e, long now) {
        LOG.error("subscriber emulator bug at subscriber {} in {}", s.n, s.phase, e);
        try {
            s.internalError(now);
        } catch (RuntimeException again) {
            LOG.error("subscriber {} could not even be failed", s.n, again);
        }
    }

    void arm(Subscriber s, int kind, int gen, long due) {
        timers.add(new Timer(due, timerOrder++, s, kind, gen));
    }

    void becameTerminal() { terminal++; }

    void failed(FailureReason r) { failures.merge(r, 1L, Long::sum); }

    // ---------------------------------------------------------------- receive

    private void handle(byte[] f, long now) {
        if (!view.parse(f, 0, f.length)) {
            malformed++;
            return;
        }
        long n = view.dst - config.macBase();
        if (n < 1 || n > config.count() || (n - 1) % shards != index) {
            unexpected++;
            return;
        }
        Subscriber s = subs[(int) ((n - 1) / shards)];
        try {
            if (view.etherType == EtherType.PPPOE_DISCOVERY) {
                s.onDiscovery(view.src, PppoeDiscovery.decodeFrame(f, 0, f.length).packet(), now);
            } else if (view.etherType == EtherType.PPPOE_SESSION && view.code == 0) {
                if (view.sessionId != s.sessionId || s.sessionId == 0 || view.payloadLength < 2) {
                    unexpected++;
                    return;
                }
                int p = view.payloadOffset;
                int proto = ((f[p] & 0xff) << 8) | (f[p + 1] & 0xff);
                switch (proto) {
                    case PppProtocol.LCP, PppProtocol.PAP, PppProtocol.CHAP ->
                            s.onControl(PppControlPacket.decodePpp(f, p, view.payloadLength), now);
                    case PppProtocol.IPCP -> s.onIpcp(IpcpPacket.decode(f, p + 2, view.payloadLength - 2), now);
                    case PppProtocol.IPV4 -> s.onIpv4(f, p + 2, view.payloadLength - 2, now);
                    default -> s.onUnknownProtocol(proto, f, p + 2, view.payloadLength - 2);
                }
            } else {
                unexpected++;
            }
        } catch (MalformedPacketException e) {
            malformed++;
            LOG.debug("subscriber {}: malformed frame dropped: {}", n, e.getMessage());
        } catch (RuntimeException e) {
            bug(s, e, now);
        }
    }

    // ---------------------------------------------------------------- transmit

    /** Writes subscriber n's Ethernet header (with its VLAN tags) into {@link #tx}; returns the header length. */
    int writeEthernet(Subscriber s, long dst, int etherType) {
        byte[] b = tx;
        MacAddress.write(dst, b, 0);
        MacAddress.write(s.mac, b, 6);
        int p = 12;
        VlanPlan v = config.vlan();
        int outer = v.outerTci(s.n);
        if (outer >= 0) {
            p = put16(b, p, v.outerTpid());
            p = put16(b, p, outer);
            int inner = v.innerTci(s.n);
            if (inner >= 0) {
                p = put16(b, p, EtherType.VLAN_8021Q);
                p = put16(b, p, inner);
            }
        }
        return put16(b, p, etherType);
    }

    void sendDiscovery(Subscriber s, long dst, PppoeDiscovery d) {
        int p = writeEthernet(s, dst, EtherType.PPPOE_DISCOVERY);
        p += d.encode(tx, p);
        send(p);
    }

    void sendControl(Subscriber s, PppControlPacket c) {
        int p = writeEthernet(s, s.acMac, EtherType.PPPOE_SESSION);
        int len = 2 + c.encodedLength();
        p += PppoeHeader.encode(tx, p, 0, s.sessionId, len);
        p = put16(tx, p, c.protocol());
        p += c.encode(tx, p);
        send(p);
    }

    void sendIpcp(Subscriber s, IpcpPacket c) {
        int p = writeEthernet(s, s.acMac, EtherType.PPPOE_SESSION);
        p += PppoeHeader.encode(tx, p, 0, s.sessionId, 2 + c.encodedLength());
        p += c.encodePpp(tx, p);
        send(p);
    }

    /** A PPP frame whose payload (after the protocol field) the caller writes at the returned offset. */
    int beginPpp(Subscriber s, int protocol, int payloadLength) {
        int p = writeEthernet(s, s.acMac, EtherType.PPPOE_SESSION);
        p += PppoeHeader.encode(tx, p, 0, s.sessionId, 2 + payloadLength);
        return put16(tx, p, protocol);
    }

    void send(int len) {
        try {
            port.send(tx, 0, len);
        } catch (PortException e) {
            sendErrors++;
            LOG.debug("send failed: {}", e.getMessage());
        }
    }

    private static int put16(byte[] b, int p, int v) {
        b[p] = (byte) (v >>> 8);
        b[p + 1] = (byte) v;
        return p + 2;
    }
}
