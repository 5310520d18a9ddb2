package org.lacd.lab.subscriber;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.lacd.pppoe.port.EthernetPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many PPPoE subscribers from one process on one {@link EthernetPort}: each with its own MAC
 * ({@code macBase + n}), optional VLAN tags, discovery, LCP, CHAP/PAP, IPCP and probe traffic; see {@link Subscriber}.
 *
 * <p>Threading: the port's receive thread only reads the destination MAC of a frame, copies the frame and hands it
 * to the worker owning that subscriber (a lock-free queue). Each worker thread ({@link EmulatorConfig#shards()},
 * default one) runs its subscribers' state machines, timers, session starts and traffic; nothing else touches them.
 * No thread per subscriber: 10,000 subscribers cost a few MiB.
 *
 * <p>Two ways to drive it:
 * <ul>
 *   <li>threads: {@link #start()} then {@link #awaitReport()} (or just {@link #run()}); the run stops by itself when
 *       every subscriber ended, or at {@link EmulatorConfig#duration()} at the latest;</li>
 *   <li>manual, for deterministic tests with an injected clock: {@link #startManual()}, then {@link #step()} after
 *       each clock change until {@link #finished()}, then {@link #report()}.</li>
 * </ul>
 * The port is not closed here: whoever opened it closes it.
 */
public final class SubscriberEmulator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SubscriberEmulator.class);

    /** Report names of the setup phases: what the subscriber waited for. */
    static final Map<SubscriberPhase, String> PHASE_NAMES = Map.of(SubscriberPhase.PADI_SENT, "padiToPado",
            SubscriberPhase.PADR_SENT, "padrToPads", SubscriberPhase.LCP, "lcp", SubscriberPhase.AUTH, "auth",
            SubscriberPhase.IPCP, "ipcp");

    private final EmulatorConfig config;
    private final EthernetPort port;
    private final LongSupplier clock;
    private final Worker[] workers;
    private final AtomicLong foreignFrames = new AtomicLong();
    private Thread[] threads;
    private long t0;
    private long stoppedAt = -1;
    private boolean started;

    public SubscriberEmulator(EmulatorConfig config, EthernetPort port) {
        this(config, port, System::nanoTime);
    }

    /** @param clock nanoseconds, monotonic: {@code System::nanoTime}, or a manual clock in tests */
    public SubscriberEmulator(EmulatorConfig config, EthernetPort port, LongSupplier clock) {
        this.config = config;
        this.port = port;
        this.clock = clock;
        this.workers = new Worker[config.shards()];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(config, i, port, clock);
        }
    }

    public EmulatorConfig config() { return config; }

    /** Receive path (the port's thread): dispatch by destination MAC to the owning worker. */
    private void receive(byte[] buf, int off, int len) {
        if (len < 14) {
            foreignFrames.incrementAndGet();
            return;
        }
        long dst = org.lacd.pppoe.wire.MacAddress.read(buf, off);
        long n = dst - config.macBase();
        if (n < 1 || n > config.count()) {
            foreignFrames.incrementAndGet(); // broadcast, other hosts' frames
            return;
        }
        byte[] copy = new byte[len];
        System.arraycopy(buf, off, copy, 0, len);
        workers[(int) ((n - 1) % workers.length)].enqueue(copy);
    }

    private void begin() {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        port.start(this::receive);
        t0 = clock.getAsLong();
        for (Worker w : workers) {
            w.begin(t0);
        }
        LOG.info("subscriber emulator: {} subscribers at {}/s on {} ({} auth, vlan {}, line tags {}, lifetime {},"
                + " traffic {} pps x {} B, duration {})", config.count(), config.setupRate(), port.name(),
                config.auth(), config.vlan(), config.lineTags(), config.lifetime(), config.trafficPps(),
                config.trafficSize(), config.duration());
    }

    /** Opens the port's receive path and starts the worker threads. */
    public void start() {
        begin();
        threads = new Thread[workers.length];
        for (int i = 0; i < workers.length; i++) {
            Worker w = workers[i];
            Thread t = new Thread(w::run, "subemu-" + i);
            t.setDaemon(true);
            w.thread = t;
            threads[i] = t;
            t.start();
        }
    }

    /** Opens the port's receive path; the caller drives the run with {@link #step()}. */
    public void startManual() {
        begin();
    }

    /** Manual mode: does everything due at the clock's current time. Returns {@link #finished()}. */
    public boolean step() {
        for (Worker w : workers) {
            w.step();
        }
        if (finished() && stoppedAt < 0) {
            stoppedAt = clock.getAsLong();
        }
        return finished();
    }

    /** Every subscriber ended (established and done, or failed). */
    public boolean finished() {
        for (Worker w : workers) {
            if (!w.finished()) {
                return false;
            }
        }
        return true;
    }

    /** Waits until the run ended by itself (bounded by the duration plus a grace period), then reports. */
    public Report awaitReport() throws InterruptedException {
        long graceMillis = config.duration().toMillis() + 10_000;
        long deadline = System.currentTimeMillis() + graceMillis;
        for (Thread t : threads) {
            t.join(Math.max(1, deadline - System.currentTimeMillis()));
        }
        for (int i = 0; i < threads.length; i++) {
            if (threads[i].isAlive()) {
                LOG.warn("emulator worker {} did not stop in time; stopping it", i);
                workers[i].requestStop();
                threads[i].join(5_000);
            }
        }
        stoppedAt = clock.getAsLong();
        Report r = report();
        LOG.info("subscriber emulator done after {} s: {} of {} established, {} completed, {} failed {}, probes sent {}"
                + " received {}", String.format(java.util.Locale.ROOT, "%.1f", r.elapsedSeconds()), r.established(),
                r.subscribers(), r.completed(), r.failed(), r.failures(), r.packetsSent(), r.packetsReceived());
        return r;
    }

    /** {@link #start()} then {@link #awaitReport()}. */
    public Report run() throws InterruptedException {
        start();
        return awaitReport();
    }

    /** The numbers so far; exact once the run ended (workers stopped or {@link #finished()} in manual mode). */
    public Report report() {
        int started = 0;
        int established = 0;
        int completed = 0;
        Map<FailureReason, Long> failures = new EnumMap<>(FailureReason.class);
        long reneg = 0;
        long rechal = 0;
        long echo = 0;
        long pSent = 0;
        long pRecv = 0;
        long reordered = 0;
        long bSent = 0;
        long bRecv = 0;
        long malformed = 0;
        long unexpected = 0;
        long sendErrors = 0;
        long authRtx = 0;
        long echoReq = 0;
        long echoFail = 0;
        long redials = 0;
        long reup = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        LatencyHistogram setup = new LatencyHistogram();
        LatencyHistogram rtt = new LatencyHistogram();
        for (Worker w : workers) {
            started += w.started;
            established += w.established;
            completed += w.completed;
            w.failures.forEach((k, v) -> failures.merge(k, v, Long::sum));
            reneg += w.renegotiations;
            rechal += w.rechallenges;
            authRtx += w.authRetransmits;
            echo += w.echoReplies;
            echoReq += w.echoRequests;
            echoFail += w.echoFailures;
            redials += w.redials;
            reup += w.reestablished;
            pSent += w.packetsSent;
            pRecv += w.packetsReceived;
            reordered += w.packetsReordered;
            bSent += w.bytesSent;
            bRecv += w.bytesReceived;
            malformed += w.malformed;
            unexpected += w.unexpected;
            sendErrors += w.sendErrors;
            first = Math.min(first, w.firstStartNanos);
            last = Math.max(last, w.lastEstablishedNanos);
            setup.add(w.setupLatency);
            rtt.add(w.roundTrip);
        }
        Map<String, Percentiles> phases = new java.util.LinkedHashMap<>();
        for (SubscriberPhase p : List.of(SubscriberPhase.PADI_SENT, SubscriberPhase.PADR_SENT, SubscriberPhase.LCP,
                SubscriberPhase.AUTH, SubscriberPhase.IPCP)) {
            LatencyHistogram h = new LatencyHistogram();
            for (Worker w : workers) {
                LatencyHistogram x = w.phaseLatencyOrNull(p);
                if (x != null) {
                    h.add(x);
                }
            }
            phases.put(PHASE_NAMES.get(p), Percentiles.of(h));
        }
        long end = stoppedAt >= 0 ? stoppedAt : clock.getAsLong();
        double elapsed = (end - t0) / 1e9;
        double rate = 0;
        if (established > 0) {
            double span = (last - first) / 1e9;
            // n sessions established over the span between the first PADI and the last one to open: (n - 1) / span.
            // One session, or all at one instant (manual clock): not measurable, reported as 0.
            rate = span > 0 && established > 1 ? (established - 1) / span : 0;
        }
        return new Report(config.count(), started, established, completed, elapsed, rate,
                Percentiles.of(setup), phases, failures, reneg, rechal, echo, pSent, pRecv, Math.max(0, pSent - pRecv),
                reordered, bSent, bRecv, Percentiles.of(rtt), malformed, unexpected, sendErrors, authRtx,
                echoReq, echoFail, redials, reup);
    }

    /**
     * Every subscriber's outcome, ordered by number. Exact once the run ended (after {@link #awaitReport()}, or when
     * {@link #finished()} in manual mode).
     */
    public List<SubscriberOutcome> outcomes() {
        SubscriberOutcome[] out = new SubscriberOutcome[config.count()];
        for (Worker w : workers) {
            for (Subscriber s : w.subs) {
                out[s.n - 1] = s.outcome();
            }
        }
        return List.of(out);
    }

    /**
     * Ends the run early and politely (Ctrl-C): established sessions are terminated (LCP Terminate-Request, PADT),
     * the others counted as {@link FailureReason#NOT_ESTABLISHED_BY_DEADLINE}. Threaded mode; returns at once, the
     * report follows from {@link #awaitReport()}.
     */
    public void endNow() {
        for (Worker w : workers) {
            w.requestEnd();
        }
    }

    /** A one-line progress summary; racy reads of the workers' counters, for display only. */
    public String progress() {
        int started = 0;
        int up = 0;
        int done = 0;
        long failed = 0;
        long sent = 0;
        long recv = 0;
        for (Worker w : workers) {
            started += w.started;
            up += w.established;
            done += w.completed;
            sent += w.packetsSent;
            recv += w.packetsReceived;
        }
        for (Worker w : workers) {
            try {
                failed += w.failures.values().stream().mapToLong(Long::longValue).sum();
            } catch (java.util.ConcurrentModificationException e) {
                failed = -1; // read while the worker was adding a reason: shown as unknown this time
            }
        }
        return "started " + started + "/" + config.count() + ", established " + up + ", completed " + done
                + ", failed " + (failed < 0 ? "?" : failed) + ", probes sent " + sent + " received " + recv;
    }

    /** Frames on the port for no subscriber of ours (broadcasts, other hosts). Not an error. */
    public long foreignFrames() { return foreignFrames.get(); }

    /** Stops the worker threads (if any). Does not close the port. */
    @Override
    public void close() {
        for (Worker w : workers) {
            w.requestStop();
        }
        if (threads != null) {
            for (Thread t : threads) {
                try {
                    t.join(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Program entry: see {@link SubscriberEmulatorCli}. */
    public static void main(String[] args) {
        System.exit(SubscriberEmulatorCli.run(args));
    }
}
