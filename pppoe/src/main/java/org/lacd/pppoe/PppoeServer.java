package org.lacd.pppoe;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.lacd.pppoe.discovery.CookieSigner;
import org.lacd.pppoe.discovery.KeyedRateLimiter;
import org.lacd.pppoe.discovery.PadoDelay;
import org.lacd.pppoe.discovery.PadoDelayPolicy;
import org.lacd.pppoe.discovery.WorkQueueGuard;
import org.lacd.pppoe.port.EthernetPort;
import org.lacd.pppoe.port.FrameReceiver;
import org.lacd.pppoe.port.PortException;
import org.lacd.pppoe.wire.EthernetHeader;
import org.lacd.pppoe.wire.EtherType;
import org.lacd.pppoe.wire.FrameView;
import org.lacd.pppoe.wire.LcpCode;
import org.lacd.pppoe.wire.LcpPacket;
import org.lacd.pppoe.wire.LineInfo;
import org.lacd.pppoe.wire.MacAddress;
import org.lacd.wire.MalformedPacketException;
import org.lacd.pppoe.wire.PppoeCode;
import org.lacd.pppoe.wire.PppoeDiscovery;
import org.lacd.pppoe.wire.PppoeHeader;
import org.lacd.pppoe.wire.PppoeTag;
import org.lacd.pppoe.wire.TagType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PPPoE access concentrator (RFC 2516) on one or more Ethernet ports, with partial PPP up to the username.
 *
 * <p>Threading: every state machine runs on the one {@link ServerScheduler} thread. Each port's receive thread
 * parses the outer headers without allocating ({@link FrameView}); a session frame of a forwarding session goes
 * from there straight to the session's {@link PppSink} through a lock-free table per port (an
 * {@link AtomicReferenceArray} indexed by PPPoE session id, then MAC and VLANs compared). Everything else is
 * copied and handed to the scheduler thread, at most {@link PppoeSettings#discoveryQueueLimit()} at a time.
 */
public final class PppoeServer {
    /** RFC 2516 Appendix A: the tags an answer copies from its request (Host-Uniq, Relay-Session-Id). */
    private static final List<TagType> ECHOED = java.util.Arrays.stream(TagType.values()).filter(TagType::echoed).toList();

    private static final Logger LOG = LoggerFactory.getLogger(PppoeServer.class);
    /** Sweep of idle rate-limit buckets. */
    private static final long SWEEP_NANOS = 10_000_000_000L;
    /**
     * An offer (PADO) counts against {@code setups-in-flight} for one to two of these periods unless its PADR comes:
     * a host sends its PADR as soon as it has chosen a PADO (RFC 2516 5.3), within milliseconds of it.
     */
    static final long OFFER_NANOS = 1_000_000_000L;

    private final PppoeSettings settings;
    private final List<EthernetPort> ports;
    private final SubscriberListener listener;
    private final PppoeStats stats;
    private final ServerScheduler scheduler;
    private final boolean ownsScheduler;
    private final SecureRandom random = new SecureRandom();

    private final long[] portMacs;
    private final String[] portNames;
    private final List<AtomicReferenceArray<PppoeSession>> tables = new ArrayList<>();
    /** Admission to the server thread's queue: new work (PADIs) dropped before old, the busiest MACs' first. */
    private final WorkQueueGuard queue;
    /** Sessions opened and not yet forwarding nor closed (written on the server thread, read by gauges). */
    private final AtomicInteger setupsInFlight = new AtomicInteger();
    /**
     * PADOs sent whose PADR has not (yet) opened a session: each holds a setup place for one to two
     * {@link #OFFER_NANOS} periods, so that a storm's PADIs cannot all get offers before the first PADRs arrive (the
     * PADRs of those offers are never refused by pacing). Published for the receive thread's shedding check.
     */
    private final AtomicInteger openOffers = new AtomicInteger();
    /** Server thread: offers of the current and the previous period, and the current period's number. */
    private int offersNow;
    private int offersBefore;
    private long offerPeriod;
    private final AtomicLong sessionIds = new AtomicLong();
    /**
     * PADIs that found every setup place taken, waiting for one ({@code padiHold}), oldest first; server thread. At most
     * {@link #holdLimit}, one per client.
     */
    private final ArrayDeque<HeldPadi> held = new ArrayDeque<>();
    private final Map<ClientKey, HeldPadi> heldByClient = new HashMap<>();
    /** {@code held}'s size, published for the receive threads' shedding and the gauge. */
    private final AtomicInteger heldCount = new AtomicInteger();
    /** PADIs held at most: {@code maxSetupsInFlight}, or 0 when {@code padiHold} is zero. */
    private final int holdLimit;
    private final long holdNanos;
    /** Server thread: a {@link #drainHeld} is queued already. */
    private boolean drainQueued;

    // server-thread state
    private final CookieSigner cookies;
    private final KeyedRateLimiter padiLimiter;
    private final KeyedRateLimiter padrLimiter;
    private final Map<PadrKey, PppoeSession> byPadr = new HashMap<>();
    /** The session each client has in setup (from PADS until forwarding or closed): at most one per client. */
    private final Map<ClientKey, PppoeSession> setupByClient = new HashMap<>();
    private final Set<PppoeSession> sessions = new LinkedHashSet<>();
    private final Map<Long, Integer> perMac = new HashMap<>();
    private final Map<Long, Integer> perVlan = new HashMap<>();
    private final int[] perPort;
    /** The PADO delay in force; replaced whole by {@link #padoDelay(PadoDelayPolicy)} (a reload). */
    private volatile PadoDelayPolicy padoDelay;
    /** Delayed PADOs scheduled and not yet due (written on the server thread, read by gauges). */
    private final AtomicInteger pendingPados = new AtomicInteger();
    private ServerScheduler.Cancellable rotationTimer;
    private ServerScheduler.Cancellable sweepTimer;
    private ServerScheduler.Cancellable offerTimer;
    private volatile boolean running;
    /** Run on a port's receive thread after each run of frames; see {@link #onReceiveBatchEnd}. */
    private volatile Runnable batchEnd;
    /** Per port, 1 once it has reported a batch end: only such a port's receive thread queues data to send later. */
    private final AtomicIntegerArray reportsBatchEnds;

    /** A PADI waiting for a setup place; a retransmission from its client replaces the frame and keeps the place. */
    private static final class HeldPadi {
        final int portIdx;
        final ClientKey client;
        PppoeDiscovery.Frame frame;
        /** When the client last sent it: held for {@code padiHold} after that. */
        long lastSeen;

        HeldPadi(int portIdx, ClientKey client, PppoeDiscovery.Frame frame, long lastSeen) {
            this.portIdx = portIdx;
            this.client = client;
            this.frame = frame;
            this.lastSeen = lastSeen;
        }
    }

    /** Identifies a PADR so that a retransmitted one finds its session again. */
    record PadrKey(int port, long mac, int outerVlan, int innerVlan, ByteBuffer cookie, ByteBuffer hostUniq) {}

    /**
     * One PPPoE client: its line (port, MAC, VLANs) and the tags that tell clients on one line apart, Host-Uniq
     * (RFC 2516 A: a host's own tag to match answers to its requests; two PPPoE clients on one MAC use different ones)
     * and a relay's Relay-Session-Id (RFC 2516 A: many clients behind one relay MAC). A client runs one discovery at a
     * time (RFC 2516 5): a new PADR from a client whose earlier session is still in setup means it gave that one up.
     */
    record ClientKey(int port, long mac, int outerVlan, int innerVlan, ByteBuffer hostUniq, ByteBuffer relayId) {
        static ClientKey of(int port, EthernetHeader eth, PppoeDiscovery p) {
            return new ClientKey(port, eth.src(), eth.outerVlan(), eth.innerVlan(), tag(p, TagType.HOST_UNIQ),
                    tag(p, TagType.RELAY_SESSION_ID));
        }

        private static ByteBuffer tag(PppoeDiscovery p, TagType t) {
            return ByteBuffer.wrap(p.first(t).map(PppoeTag::value).orElse(new byte[0]));
        }
    }

    public PppoeServer(PppoeSettings settings, List<EthernetPort> ports, SubscriberListener listener,
                       PppoeStats stats, ServerScheduler scheduler) {
        this(settings, ports, listener, stats, scheduler, false);
    }

    /** With its own scheduler thread (stopped by {@link #stop}). */
    public PppoeServer(PppoeSettings settings, List<EthernetPort> ports, SubscriberListener listener, PppoeStats stats) {
        this(settings, ports, listener, stats, ServerScheduler.singleThread("pppoe-server"), true);
    }

    private PppoeServer(PppoeSettings settings, List<EthernetPort> ports, SubscriberListener listener,
                        PppoeStats stats, ServerScheduler scheduler, boolean ownsScheduler) {
        if (ports.isEmpty()) {
            throw new IllegalArgumentException("no ports");
        }
        this.settings = settings;
        this.holdNanos = settings.padiHold().toNanos();
        this.holdLimit = holdNanos > 0 ? settings.maxSetupsInFlight() : 0;
        this.ports = List.copyOf(ports);
        this.listener = listener;
        this.stats = stats;
        this.scheduler = scheduler;
        this.ownsScheduler = ownsScheduler;
        this.padoDelay = settings.padoDelay();
        this.queue = new WorkQueueGuard(settings.discoveryQueueLimit(), settings.discoveryQueueLimit() / 2);
        int n = ports.size();
        this.portMacs = new long[n];
        this.portNames = new String[n];
        this.perPort = new int[n];
        this.reportsBatchEnds = new AtomicIntegerArray(n);
        for (int i = 0; i < n; i++) {
            portNames[i] = ports.get(i).name();
            tables.add(new AtomicReferenceArray<>(65536));
        }
        long now = scheduler.nanoTime();
        this.cookies = new CookieSigner(random);
        this.padiLimiter = new KeyedRateLimiter(settings.padiPerMac().perSecond(), settings.padiPerMac().burst(),
                settings.padiTotal().perSecond(), settings.padiTotal().burst(), now);
        this.padrLimiter = new KeyedRateLimiter(settings.padrPerMac().perSecond(), settings.padrPerMac().burst(),
                settings.padrTotal().perSecond(), settings.padrTotal().burst(), now);
    }

    PppoeSettings settings() { return settings; }
    PppoeStats stats() { return stats; }
    ServerScheduler scheduler() { return scheduler; }
    SubscriberListener listener() { return listener; }

    /**
     * {@code r} runs on a port's receive thread each time it has handed over every frame that had arrived
     * ({@link FrameReceiver#endOfBatch()}): the place for the layer above to send what the {@link PppSink}s of that
     * run queued. On such a port it also runs before a frame's work is handed to the server thread, so that work
     * follows the frames forwarded before it. Set before {@link #start()}.
     */
    public void onReceiveBatchEnd(Runnable r) {
        batchEnd = r;
    }

    /**
     * Replaces the PADO delay (a config reload): PADIs from now on use it; PADOs already waiting keep their time.
     * Safe from any thread.
     */
    public void padoDelay(PadoDelayPolicy policy) {
        padoDelay = java.util.Objects.requireNonNull(policy);
        LOG.info("PADO delay now {}", policy);
    }

    /** The PADO delay in force. */
    public PadoDelayPolicy padoDelay() {
        return padoDelay;
    }

    /**
     * The delay a PADI with an empty Service-Name on port {@code portIdx} would get now, in nanoseconds, or
     * {@link PadoDelay#SUPPRESS} when it would get no PADO (for gauges and {@code lacd stats}: reads the session count
     * without synchronising, so it may lag by a PADR).
     */
    public long currentPadoDelayNanos(int portIdx) {
        return padoDelay.forInterface(portNames[portIdx]).delayNanos(perPort[portIdx]);
    }

    /** Delayed PADOs waiting for their time now. */
    public int pendingPados() {
        return pendingPados.get();
    }

    /** Opens every port; on a {@link PortException} the ports opened so far are closed again and it is rethrown. */
    public void start() {
        List<EthernetPort> started = new ArrayList<>();
        try {
            for (int i = 0; i < ports.size(); i++) {
                EthernetPort p = ports.get(i);
                portMacs[i] = p.mac().value();
                int idx = i;
                p.start(worker -> new FrameReceiver() {
                    /** This worker's parser and hand-off: each worker thread has its own. */
                    private final FrameView view = new FrameView();
                    private final Handoff handoff = new Handoff(idx);

                    @Override
                    public void frame(byte[] buf, int off, int len) {
                        onFrame(idx, worker, view, handoff, buf, off, len);
                        handoff.frameSeen();
                    }

                    @Override
                    public void endOfBatch() {
                        if (reportsBatchEnds.get(idx) == 0) {
                            reportsBatchEnds.set(idx, 1);
                        }
                        handoff.flush();
                    }
                });
                started.add(p);
            }
        } catch (PortException e) {
            for (EthernetPort p : started) {
                p.close();
            }
            throw e;
        }
        running = true;
        scheduler.execute(() -> {
            rotationTimer = scheduler.schedule(this::rotateCookie, settings.cookieRotation().toNanos());
            sweepTimer = scheduler.schedule(this::sweep, SWEEP_NANOS);
            offerTimer = scheduler.schedule(this::expireOffers, OFFER_NANOS);
        });
        LOG.info("PPPoE server '{}' up on {}", settings.acName(), List.of(portNames));
    }

    private void rotateCookie() {
        cookies.rotate();
        rotationTimer = scheduler.schedule(this::rotateCookie, settings.cookieRotation().toNanos());
    }

    /** Offers age out even when no discovery frame reaches this thread (the receive thread sheds by the published count). */
    private void expireOffers() {
        openOffers(scheduler.nanoTime());
        if (!held.isEmpty()) {
            dropStaleHolds(scheduler.nanoTime());
            drainHeld();
        }
        offerTimer = scheduler.schedule(this::expireOffers, OFFER_NANOS);
    }

    private void sweep() {
        long now = scheduler.nanoTime();
        padiLimiter.sweep(now);
        padrLimiter.sweep(now);
        sweepTimer = scheduler.schedule(this::sweep, SWEEP_NANOS);
    }

    /**
     * Sends LCP Terminate-Request and PADT to every session (without waiting for answers), tells the listener,
     * closes the ports. Waits at most {@code bound} for the server thread.
     */
    public void stop(Duration bound) {
        if (!running) {
            return;
        }
        running = false;
        CountDownLatch done = new CountDownLatch(1);
        scheduler.execute(() -> {
            for (PppoeSession s : new ArrayList<>(sessions)) {
                if (s.state() != SessionState.CLOSED) {
                    s.sendControl(LcpPacket.of(LcpCode.TERMINATE_REQUEST, s.lcp.nextIdentifier(), new byte[0]));
                    closeSession(s, CloseReason.SHUTDOWN, true);
                }
            }
            if (rotationTimer != null) {
                rotationTimer.cancel();
            }
            if (sweepTimer != null) {
                sweepTimer.cancel();
            }
            if (offerTimer != null) {
                offerTimer.cancel();
            }
            held.clear();
            heldByClient.clear();
            heldCount.set(0);
            done.countDown();
        });
        try {
            if (!scheduler.await(done, bound)) {
                LOG.warn("PPPoE server did not finish its shutdown within {}", bound);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (EthernetPort p : ports) {
            p.close();
        }
        if (ownsScheduler) {
            scheduler.shutdown();
        }
        LOG.info("PPPoE server '{}' stopped", settings.acName());
    }

    /** A snapshot of live sessions (reads the lock-free tables; safe from any thread). */
    public List<SubscriberSession> sessions() {
        List<SubscriberSession> out = new ArrayList<>();
        for (AtomicReferenceArray<PppoeSession> t : tables) {
            for (int i = 1; i < 0xffff; i++) {
                PppoeSession s = t.get(i);
                if (s != null) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ receive thread

    @SuppressWarnings("try") // the MDC scope is the resource
    private void onFrame(int portIdx, int worker, FrameView v, Handoff out, byte[] b, int off, int len) {
        if (!v.parse(b, off, len)) {
            stats.drop(DropReason.MALFORMED);
            return;
        }
        if (worker == EthernetPort.PADI_WORKER
                && (v.etherType != EtherType.PPPOE_DISCOVERY || v.code != PppoeCode.PADI.code())) {
            // the PADI ring's filter passes PADIs only; anything else there has no worker to belong to
            stats.drop(DropReason.MALFORMED);
            return;
        }
        if (v.etherType == EtherType.PPPOE_SESSION) {
            if (v.code != 0 || v.payloadLength < 2) {
                stats.drop(DropReason.MALFORMED);
                return;
            }
            if (v.dst != portMacs[portIdx]) {
                stats.drop(DropReason.NOT_FOR_US);
                return;
            }
            PppoeSession s = tables.get(portIdx).get(v.sessionId);
            if (s == null || s.macValue != v.src || s.outerVlan != v.outerVlan() || s.innerVlan != v.innerVlan()) {
                stats.drop(DropReason.NO_SESSION);
                return;
            }
            PppSink sink = s.sink;
            if (sink != null) {
                stats.dataIn(portNames[portIdx], worker, v.payloadLength);
                sink.ppp(b, v.payloadOffset, v.payloadLength);
                return;
            }
            if (!admit(portIdx, WorkQueueGuard.Kind.OTHER, 0)) {
                return;
            }
            byte[] ppp = new byte[v.payloadLength];
            System.arraycopy(b, v.payloadOffset, ppp, 0, ppp.length);
            out.add(WorkQueueGuard.Kind.OTHER, 0, () -> {
                try (PppoeSession.Mdc m = s.mdc()) {
                    s.onPpp(ppp);
                }
            });
        } else if (v.etherType == EtherType.PPPOE_DISCOVERY) {
            if (v.dst != portMacs[portIdx] && v.dst != MacAddress.BROADCAST.value()) {
                stats.drop(DropReason.NOT_FOR_US);
                return;
            }
            boolean padi = v.code == PppoeCode.PADI.code();
            // the setups lacd can still start, and the places left to hold PADIs for them (padiHold); the PADIs already
            // queued take their share of it (WorkQueueGuard)
            int padiRoom = padi ? settings.maxSetupsInFlight() - setupsInFlight.get() - openOffers.get()
                    + holdLimit - heldCount.get() : Integer.MAX_VALUE;
            if (padiRoom <= 0) {
                // a storm: shed here, before a copy, a queue place and a decode (onPadi checks again)
                stats.drop(DropReason.SETUP_PACING);
                return;
            }
            WorkQueueGuard.Kind kind = padi ? WorkQueueGuard.Kind.PADI : WorkQueueGuard.Kind.OTHER;
            if (v.code == PppoeCode.PADT.code()) {
                // a subscriber's hang-up is never refused by a full queue (a mass hang-up of 64,000 would otherwise
                // leave sessions nobody tears down): one place per existing session, beyond the limit
                PppoeSession s = tables.get(portIdx).get(v.sessionId);
                if (s != null && s.macValue == v.src && s.outerVlan == v.outerVlan() && s.innerVlan == v.innerVlan()
                        && !s.padtQueued) {
                    s.padtQueued = true;
                    kind = WorkQueueGuard.Kind.TEARDOWN;
                }
            }
            long key = padi ? macKey(portIdx, v.src) : 0;
            if (!admit(portIdx, kind, key, padiRoom)) {
                return;
            }
            byte[] copy = new byte[len];
            System.arraycopy(b, off, copy, 0, len);
            out.add(kind, key, () -> onDiscovery(portIdx, worker, copy));
        } else {
            stats.drop(DropReason.MALFORMED);
        }
    }

    /** Takes a place in the server thread's queue for a frame's work ({@link Handoff#add} then hands it over). */
    private boolean admit(int portIdx, WorkQueueGuard.Kind kind, long macKey) {
        return admit(portIdx, kind, macKey, Integer.MAX_VALUE);
    }

    private boolean admit(int portIdx, WorkQueueGuard.Kind kind, long macKey, int padiRoom) {
        DropReason refused = queue.admit(kind, macKey, padiRoom);
        if (refused != null) {
            stats.drop(refused); // before the frame is copied: a refused frame costs no allocation
            return false;
        }
        return true;
    }

    /** Frame work a receive thread collects before handing it over: see {@link Handoff}. */
    static final int HANDOFF_TASKS = 64;
    /** Frames, its own the first, after which collected work is handed over while the receive thread's run goes on. */
    static final int HANDOFF_FRAMES = 256;

    /**
     * One receive thread's hand-off of frame work (discovery, and the PPP frames of sessions not yet forwarding) to the
     * server thread, after {@link #admit}. On a port that reports batch ends, the work is collected and handed over at
     * the end of the thread's run of frames, when {@link #HANDOFF_TASKS} are collected, or {@link #HANDOFF_FRAMES}
     * frames after the first, whichever comes first: in one task for the server thread, and after what this thread's
     * {@link PppSink}s queued has been sent (the subscriber's LCP Terminate-Request, forwarded just before its PADT,
     * must reach the LNS ahead of the CDN that the PADT causes on the server thread). Handing each frame's work over
     * at once cost a send system call for the one datagram queued before it and a wake-up of the server thread per
     * frame: in a mass hang-up (a Terminate-Request and a PADT from every subscriber) one of each per subscriber, on
     * the thread whose ring then overflowed. (The storm benchmark did not show this alone ending those overflows; the
     * receive threads' priority did: {@code PacketRingPort.WORKER_NICE}.) On a port without batch ends
     * (its thread queues nothing to send: the batch-end task is not run on it) the work is handed over at once.
     * Owned by its receive thread.
     */
    final class Handoff {
        private final int portIdx;
        private final WorkQueueGuard.Kind[] kinds = new WorkQueueGuard.Kind[HANDOFF_TASKS];
        private final long[] keys = new long[HANDOFF_TASKS];
        private final Runnable[] tasks = new Runnable[HANDOFF_TASKS];
        private int n;
        private int frames;

        Handoff(int portIdx) {
            this.portIdx = portIdx;
        }

        /** After {@link #admit}: the work runs on the server thread, in order, and gives its place back. */
        void add(WorkQueueGuard.Kind kind, long macKey, Runnable task) {
            if (reportsBatchEnds.get(portIdx) == 0) {
                scheduler.execute(() -> {
                    queue.release(kind, macKey);
                    runGuarded(task);
                });
                return;
            }
            kinds[n] = kind;
            keys[n] = macKey;
            tasks[n] = task;
            if (++n == HANDOFF_TASKS) {
                flush();
            }
        }

        /** After each frame: work collected waits {@link #HANDOFF_FRAMES} frames at most. */
        void frameSeen() {
            if (n > 0 && ++frames >= HANDOFF_FRAMES) {
                flush();
            }
        }

        /** Sends what this thread's sinks queued, then hands the collected work over. */
        void flush() {
            sendQueued();
            if (n == 0) {
                return;
            }
            WorkQueueGuard.Kind[] k = java.util.Arrays.copyOf(kinds, n);
            long[] m = java.util.Arrays.copyOf(keys, n);
            Runnable[] t = java.util.Arrays.copyOf(tasks, n);
            java.util.Arrays.fill(tasks, 0, n, null);
            n = 0;
            frames = 0;
            scheduler.execute(() -> {
                for (int i = 0; i < t.length; i++) {
                    queue.release(k[i], m[i]);
                    runGuarded(t[i]);
                }
            });
        }
    }

    /** Server thread: offers still open at {@code now} (current and previous period). */
    private int openOffers(long now) {
        long period = now / OFFER_NANOS;
        if (period != offerPeriod) {
            offersBefore = period == offerPeriod + 1 ? offersNow : 0;
            offersNow = 0;
            offerPeriod = period;
            openOffers.set(offersBefore);
        }
        return offersBefore + offersNow;
    }

    /** Server thread: a PADO went out ({@code delta} 1) or an offer was taken up by a PADR ({@code delta} -1). */
    private void countOffer(int delta) {
        openOffers(scheduler.nanoTime());
        if (delta > 0) {
            offersNow++;
        } else if (offersNow > 0) {
            offersNow--;
        } else if (offersBefore > 0) {
            offersBefore--;
        }
        openOffers.set(offersBefore + offersNow);
    }

    /** PADOs sent whose PADR has not opened a session, as counted against {@code setups-in-flight} now. */
    public int openOffers() {
        return openOffers.get();
    }

    /** Sessions opened and not yet forwarding (the count {@code pppoe.limits.setups-in-flight} bounds). */
    public int setupsInFlight() {
        return setupsInFlight.get();
    }

    /** Frames waiting for the server thread now. */
    public int queuedWork() {
        return queue.queued();
    }

    /** Server thread: {@code s} left the set-up phases (forwarding or closed); counted once. */
    void setupEnded(PppoeSession s) {
        if (s.inSetup) {
            s.inSetup = false;
            setupsInFlight.decrementAndGet();
            setupByClient.remove(s.clientKey, s);
            if (!held.isEmpty() && !drainQueued) {
                // a place is free: the oldest held PADI gets it, after the work running now
                drainQueued = true;
                scheduler.execute(() -> runGuarded(this::drainHeld));
            }
        }
    }

    /** Receive thread: runs {@link #onReceiveBatchEnd}'s task, which sends what this thread's sinks queued. */
    private void sendQueued() {
        Runnable r = batchEnd;
        if (r != null) {
            r.run();
        }
    }

    /** A bug in one packet's handling must not go unnoticed, nor stop the server thread. */
    static void runGuarded(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.error("PPPoE server task failed: {}", e.toString(), e);
        }
    }

    /**
     * Sends what the calling thread queued with {@link SubscriberSession#queuePpp} on every port: one system call per
     * port for the run. Called by the layer above at the end of each run of frames it forwards to subscribers.
     */
    public void flushQueued() {
        for (int i = 0; i < ports.size(); i++) {
            ports.get(i).flush();
        }
    }

    /** Queues headers + payload as one frame for the calling thread's {@link #flushQueued()}: forwarding threads only. */
    void queueFrame(int portIdx, byte[] head, int headLen, byte[] body, int off, int len) {
        ports.get(portIdx).queue(head, headLen, body, off, len);
    }

    /** The ports (for their worker counts, drops and descriptions). */
    public List<EthernetPort> ports() {
        return ports;
    }

    boolean sendFrame(int portIdx, byte[] frame, int len) {
        try {
            ports.get(portIdx).send(frame, 0, len);
            return true;
        } catch (PortException e) {
            stats.drop(DropReason.SEND_FAILED);
            LOG.debug("send on {} failed: {}", portNames[portIdx], e.getMessage());
            return false;
        }
    }

    // ------------------------------------------------------------------ server thread: discovery

    private void onDiscovery(int portIdx, int worker, byte[] frame) {
        if (!running) {
            return;
        }
        PppoeDiscovery.Frame f;
        try {
            f = PppoeDiscovery.decodeFrame(frame, 0, frame.length);
        } catch (MalformedPacketException e) {
            LOG.debug("malformed discovery frame on {}: {}", portNames[portIdx], e.getMessage());
            stats.drop(DropReason.MALFORMED);
            return;
        }
        stats.discoveryReceived(f.packet().code());
        long src = f.eth().src();
        if (src == 0 || new MacAddress(src).isMulticast()) {
            stats.drop(DropReason.BAD_SOURCE_MAC);
            return;
        }
        switch (f.packet().code()) {
            case PADI -> onPadi(portIdx, f);
            case PADR -> onPadr(portIdx, worker, f);
            case PADT -> onPadt(portIdx, f);
            default -> stats.drop(DropReason.UNEXPECTED_CODE);
        }
    }

    private enum ServiceMatch { OK, UNKNOWN, MISSING }

    private ServiceMatch matchService(PppoeDiscovery p) {
        Optional<PppoeTag> sn = p.first(TagType.SERVICE_NAME);
        if (sn.isEmpty()) {
            return ServiceMatch.MISSING; // RFC 2516 5.1/5.3: exactly one Service-Name is required
        }
        String name = sn.get().asUtf8();
        return name.isEmpty() || settings.serviceNames().contains(name) ? ServiceMatch.OK : ServiceMatch.UNKNOWN;
    }

    private static long vlanKey(int port, int outer, int inner) {
        return ((long) port << 32) | ((long) (outer & 0xffff) << 16) | (inner & 0xffff);
    }

    private static long macKey(int port, long mac) {
        return ((long) port << 48) | mac;
    }

    /**
     * The reason a new session on this line would be refused, or null. {@code replaced} is 1 when the new session
     * takes the place of the client's own session in setup ({@link #supersede}), which then no longer counts.
     */
    private DropReason limitReached(int portIdx, EthernetHeader eth, int replaced) {
        if (perPort[portIdx] - replaced >= settings.maxSessionsPerInterface()) {
            return DropReason.LIMIT_PER_INTERFACE;
        }
        if (eth.outerVlan() >= 0 && perVlan.getOrDefault(vlanKey(portIdx, eth.outerVlan(), eth.innerVlan()), 0) - replaced
                >= settings.maxSessionsPerVlan()) {
            return DropReason.LIMIT_PER_VLAN;
        }
        if (perMac.getOrDefault(macKey(portIdx, eth.src()), 0) - replaced >= settings.maxSessionsPerMac()) {
            return DropReason.LIMIT_PER_MAC;
        }
        return null;
    }

    /** 1 when the client of this PADI/PADR has a session in setup that a new session of its own would replace. */
    private int replaceable(int portIdx, EthernetHeader eth, PppoeDiscovery p) {
        return setupByClient.isEmpty() || !setupByClient.containsKey(ClientKey.of(portIdx, eth, p)) ? 0 : 1;
    }

    /**
     * The client started a new session while its earlier one is still in setup (not yet forwarding): it gave that one
     * up (its PADS or LCP went unanswered long enough for it to restart discovery, RFC 2516 5 and 5.4). The earlier
     * session is closed at once with a PADT for its id (the layer above abandons its setup: CDN for a call in setup)
     * instead of holding a session place, a setup-in-flight place and a MAC place until lacd's own discovery, auth
     * or decision timeout (10-60 s) runs out: in a reconnect storm those places are the pacing budget.
     */
    @SuppressWarnings("try") // the MDC scope is the resource
    private void supersede(PppoeSession old) {
        try (PppoeSession.Mdc m = old.mdc()) {
            LOG.info("session {} superseded: the same client sent a new PADR while it was in setup", old.sessionId);
        }
        closeSession(old, CloseReason.SUPERSEDED, true);
    }

    private int grantedPayload(PppoeDiscovery p) {
        Optional<PppoeTag> t = p.first(TagType.PPP_MAX_PAYLOAD);
        if (t.isEmpty() || settings.maxPayload() <= PppoeSettings.DEFAULT_MRU) {
            return -1;
        }
        int asked = t.get().asU16();
        return asked > PppoeSettings.DEFAULT_MRU ? Math.min(asked, settings.maxPayload()) : -1;
    }

    /** Tags every answer echoes (the {@link TagType#echoed} rows, in table order; RFC 4638 PPP-Max-Payload as granted). */
    private void echoTags(PppoeDiscovery req, List<PppoeTag> out) {
        for (TagType t : ECHOED) {
            req.first(t).ifPresent(out::add);
        }
        int grant = grantedPayload(req);
        if (grant > 0) {
            out.add(PppoeTag.u16(TagType.PPP_MAX_PAYLOAD, grant));
        }
    }

    /**
     * The longest discovery answer we send: PPPoE header + tags in one untagged Ethernet payload (1500). A PADI or
     * PADR whose echoed Host-Uniq / Relay-Session-Id would make the answer longer is refused as
     * {@link DropReason#DISCOVERY_OVERSIZE}: the NIC would refuse the frame, and that is not a NIC fault
     * (RFC 2516 5.1 keeps a PADI to 1484 bytes so that a relay's Relay-Session-Id still fits).
     */
    static final int MAX_DISCOVERY_ANSWER = 1500;

    private static boolean fits(List<PppoeTag> tags) {
        int n = PppoeHeader.LENGTH;
        for (PppoeTag t : tags) {
            n += t.encodedLength();
        }
        return n <= MAX_DISCOVERY_ANSWER;
    }

    private void send(int portIdx, EthernetHeader req, PppoeDiscovery p) {
        if (p.encodedLength() > MAX_DISCOVERY_ANSWER) {
            stats.drop(DropReason.DISCOVERY_OVERSIZE);
            return;
        }
        EthernetHeader eth = req.reply(req.src(), portMacs[portIdx], EtherType.PPPOE_DISCOVERY);
        byte[] f = p.toFrame(eth);
        if (sendFrame(portIdx, f, f.length)) {
            stats.discoverySent(p.code());
        }
    }

    private void onPadi(int portIdx, PppoeDiscovery.Frame f) {
        PppoeDiscovery req = f.packet();
        EthernetHeader eth = f.eth();
        if (req.sessionId() != 0) {
            stats.drop(DropReason.MALFORMED); // RFC 2516 5.1: the SESSION_ID of a PADI MUST be 0x0000
            return;
        }
        if (!padiLimiter.admit(eth.src(), scheduler.nanoTime())) {
            stats.drop(DropReason.RATE_LIMITED);
            return;
        }
        ServiceMatch sm = matchService(req);
        if (sm == ServiceMatch.MISSING) {
            stats.drop(DropReason.MALFORMED);
            return;
        }
        List<PppoeTag> tags = acNameTags();
        if (sm == ServiceMatch.UNKNOWN) {
            stats.drop(DropReason.UNKNOWN_SERVICE);
            if (settings.unknownService() == PppoeSettings.UnknownServicePolicy.SILENT) {
                return; // RFC 2516 5.2: an AC that cannot serve the PADI does not answer
            }
            tags.add(req.first(TagType.SERVICE_NAME).orElseThrow());
            tags.add(PppoeTag.utf8(TagType.SERVICE_NAME_ERROR, "service not offered"));
            echoTags(req, tags);
            send(portIdx, eth, new PppoeDiscovery(PppoeCode.PADO, 0, tags));
            return;
        }
        int replaced = replaceable(portIdx, eth, req);
        DropReason limit = limitReached(portIdx, eth, replaced);
        if (limit != null) {
            stats.drop(limit); // no offer from a concentrator that cannot take the session
            return;
        }
        // (pacing does not look at the client: the receive thread sheds by the same count before any lookup)
        if (!held.isEmpty()) {
            drainHeld(); // PADIs held earlier take the places free now before this one
        }
        if (!placeFree()) {
            // a storm: no PADO now costs nothing; a session opened now would wait behind the others and may time out.
            // Offers not yet taken up count: otherwise every PADI that arrives before the first PADRs gets a PADO.
            // Held, the PADI is answered when a setup ends; shed, its client retransmits seconds later.
            hold(portIdx, f);
            return;
        }
        offer(portIdx, f, tags);
    }

    /**
     * Server thread: a setup place is free for one more PADO: setups in flight and offers open (and, where PADIs are
     * held, the delayed PADOs pending, so that a drain of the held PADIs does not turn them all into delayed offers).
     */
    private boolean placeFree() {
        return setupsInFlight.get() + openOffers(scheduler.nanoTime()) + (holdLimit > 0 ? pendingPados.get() : 0)
                < settings.maxSetupsInFlight();
    }

    /** Server thread: holds a PADI that found no setup place ({@code padiHold}), or sheds it. */
    private void hold(int portIdx, PppoeDiscovery.Frame f) {
        if (holdLimit == 0) {
            stats.drop(DropReason.SETUP_PACING);
            return;
        }
        long now = scheduler.nanoTime();
        ClientKey client = ClientKey.of(portIdx, f.eth(), f.packet());
        HeldPadi h = heldByClient.get(client);
        if (h != null) {
            h.frame = f; // a retransmission: one PADO for both (the same Host-Uniq), the first one's place in line
            h.lastSeen = now;
            return;
        }
        if (held.size() >= holdLimit && now - held.peekFirst().lastSeen >= holdNanos) {
            dropStaleHolds(now);
        }
        if (held.size() >= holdLimit) {
            stats.drop(DropReason.SETUP_PACING);
            return;
        }
        h = new HeldPadi(portIdx, client, f, now);
        held.addLast(h);
        heldByClient.put(client, h);
        heldCount.set(held.size());
    }

    /** Server thread: sheds the held PADIs not repeated for {@code padiHold} (their clients retransmit or gave up). */
    private void dropStaleHolds(long now) {
        held.removeIf(h -> {
            if (now - h.lastSeen < holdNanos) {
                return false;
            }
            heldByClient.remove(h.client);
            stats.drop(DropReason.SETUP_PACING);
            return true;
        });
        heldCount.set(held.size());
    }

    /** Server thread: the held PADIs get the setup places free now, oldest first, each checked as a fresh PADI is. */
    private void drainHeld() {
        drainQueued = false;
        long now = scheduler.nanoTime();
        while (!held.isEmpty()) {
            HeldPadi h = held.peekFirst();
            if (now - h.lastSeen >= holdNanos) {
                held.pollFirst();
                heldByClient.remove(h.client);
                stats.drop(DropReason.SETUP_PACING);
                continue;
            }
            if (!running || !placeFree()) {
                break;
            }
            held.pollFirst();
            heldByClient.remove(h.client);
            if (withinLimits(h.portIdx, h.frame)) {
                offer(h.portIdx, h.frame, acNameTags());
            }
        }
        heldCount.set(held.size());
    }

    /** PADIs waiting for a setup place now ({@code padiHold}). */
    public int heldPadis() {
        return heldCount.get();
    }

    /** Server thread: a PADI that passed every check and found a setup place gets its PADO, now or after its delay. */
    private void offer(int portIdx, PppoeDiscovery.Frame f, List<PppoeTag> tags) {
        PppoeDiscovery req = f.packet();
        EthernetHeader eth = f.eth();
        PppoeTag asked = req.first(TagType.SERVICE_NAME).orElseThrow();
        // After the rate limits, the service check and the session limits: a delay never costs more than an answer.
        PadoDelayPolicy policy = padoDelay;
        long delay = policy.forPadi(portNames[portIdx], asked.asUtf8()).delayNanos(perPort[portIdx]);
        if (delay == PadoDelay.SUPPRESS) {
            stats.drop(DropReason.PADO_SUPPRESSED); // RFC 2516 5.2: an AC that will not serve the PADI does not answer
            return;
        }
        if (delay > 0) {
            if (pendingPados.get() >= policy.maxPending()) {
                stats.drop(DropReason.PADO_QUEUE_FULL);
                return;
            }
            pendingPados.incrementAndGet();
            stats.padoDelayed();
            // a timer on the server thread, no thread held: the PADO is built when it is due (fresh cookie, limits)
            scheduler.schedule(() -> {
                pendingPados.decrementAndGet();
                runGuarded(() -> sendDelayedPado(portIdx, f));
            }, delay);
            return;
        }
        sendPado(portIdx, req, eth, tags, asked);
    }

    /** A delayed PADO falls due: sent unless the server stopped or the line has since reached a session limit. */
    private void sendDelayedPado(int portIdx, PppoeDiscovery.Frame f) {
        if (!running) {
            return;
        }
        if (withinLimits(portIdx, f)) {
            sendPado(portIdx, f.packet(), f.eth(), acNameTags(), f.packet().first(TagType.SERVICE_NAME).orElseThrow());
        }
    }

    /**
     * Server thread: whether a PADI answered later than it came (a delayed PADO, a held PADI) is still within the session
     * limits, which may have been reached since; counts the drop when not.
     */
    private boolean withinLimits(int portIdx, PppoeDiscovery.Frame f) {
        DropReason limit = limitReached(portIdx, f.eth(), replaceable(portIdx, f.eth(), f.packet()));
        if (limit != null) {
            stats.drop(limit);
            return false;
        }
        return true;
    }

    /** A new tag list holding the AC-Name, which every discovery answer of ours carries. */
    private List<PppoeTag> acNameTags() {
        List<PppoeTag> tags = new ArrayList<>(8);
        tags.add(PppoeTag.utf8(TagType.AC_NAME, settings.acName()));
        return tags;
    }

    /** Completes and sends a PADO offering {@code asked} (RFC 2516 5.2); {@code tags} already holds the AC-Name. */
    private void sendPado(int portIdx, PppoeDiscovery req, EthernetHeader eth, List<PppoeTag> tags, PppoeTag asked) {
        tags.add(asked);
        for (String s : settings.serviceNames()) {
            if (!s.equals(asked.asUtf8())) {
                tags.add(PppoeTag.utf8(TagType.SERVICE_NAME, s)); // RFC 2516 5.2: other services MAY be listed
            }
        }
        tags.add(PppoeTag.of(TagType.AC_COOKIE, cookies.issue(portIdx, eth.src(), eth.outerVlan(), eth.innerVlan())));
        echoTags(req, tags);
        send(portIdx, eth, new PppoeDiscovery(PppoeCode.PADO, 0, tags));
        countOffer(1);
    }

    @SuppressWarnings("try") // the MDC scope is the resource
    private void onPadr(int portIdx, int worker, PppoeDiscovery.Frame f) {
        PppoeDiscovery req = f.packet();
        EthernetHeader eth = f.eth();
        if (eth.dst() != portMacs[portIdx]) {
            stats.drop(DropReason.NOT_FOR_US); // RFC 2516 5.3: PADR is unicast to the chosen AC
            return;
        }
        if (req.sessionId() != 0) {
            stats.drop(DropReason.MALFORMED); // RFC 2516 5.3: the SESSION_ID of a PADR MUST be 0x0000
            return;
        }
        if (!padrLimiter.admit(eth.src(), scheduler.nanoTime())) {
            stats.drop(DropReason.RATE_LIMITED);
            return;
        }
        byte[] cookie = req.first(TagType.AC_COOKIE).map(PppoeTag::value).orElse(null);
        CookieSigner.Verdict verdict = cookies.verify(cookie, portIdx, eth.src(), eth.outerVlan(), eth.innerVlan());
        if (verdict != CookieSigner.Verdict.VALID) {
            stats.drop(verdict == CookieSigner.Verdict.STALE ? DropReason.STALE_COOKIE : DropReason.BAD_COOKIE);
            return;
        }
        ServiceMatch sm = matchService(req);
        if (sm == ServiceMatch.MISSING) {
            stats.drop(DropReason.MALFORMED);
            return;
        }
        if (sm == ServiceMatch.UNKNOWN) {
            stats.drop(DropReason.UNKNOWN_SERVICE);
            if (settings.unknownService() == PppoeSettings.UnknownServicePolicy.SERVICE_NAME_ERROR) {
                // RFC 2516 5.4: PADS with Service-Name-Error and SESSION_ID 0
                List<PppoeTag> tags = new ArrayList<>();
                tags.add(PppoeTag.utf8(TagType.SERVICE_NAME_ERROR, "service not offered"));
                echoTags(req, tags);
                send(portIdx, eth, new PppoeDiscovery(PppoeCode.PADS, 0, tags));
            }
            return;
        }
        List<PppoeTag> padsTags = new ArrayList<>(6);
        padsTags.add(req.first(TagType.SERVICE_NAME).orElseThrow());
        padsTags.add(PppoeTag.utf8(TagType.AC_NAME, settings.acName()));
        echoTags(req, padsTags);
        if (!fits(padsTags)) {
            stats.drop(DropReason.DISCOVERY_OVERSIZE); // before a session id is taken for a PADS we could not send
            return;
        }
        PadrKey key = new PadrKey(portIdx, eth.src(), eth.outerVlan(), eth.innerVlan(), ByteBuffer.wrap(cookie),
                ByteBuffer.wrap(req.first(TagType.HOST_UNIQ).map(PppoeTag::value).orElse(new byte[0])));
        PppoeSession existing = byPadr.get(key);
        if (existing != null) {
            // a retransmitted PADR (our PADS was lost): same session, same PADS (RFC 2516 5.4)
            if (sendFrame(portIdx, existing.padsFrame, existing.padsFrame.length)) {
                stats.discoverySent(PppoeCode.PADS);
            }
            return;
        }
        ClientKey client = ClientKey.of(portIdx, eth, req);
        PppoeSession earlier = setupByClient.get(client);
        DropReason limit = limitReached(portIdx, eth, earlier != null ? 1 : 0);
        if (limit == null && earlier != null) {
            supersede(earlier);
        }
        int sid = limit == null ? allocateSessionId(portIdx) : 0;
        if (limit == null && sid == 0) {
            limit = DropReason.NO_SESSION_ID_FREE;
        }
        if (limit != null) {
            stats.drop(limit);
            List<PppoeTag> tags = new ArrayList<>();
            tags.add(PppoeTag.utf8(TagType.AC_SYSTEM_ERROR, "session limit reached"));
            echoTags(req, tags);
            send(portIdx, eth, new PppoeDiscovery(PppoeCode.PADS, 0, tags)); // RFC 2516 5.4: SESSION_ID 0 on error
            return;
        }
        LineInfo line = LineInfo.EMPTY;
        Optional<PppoeTag> vendor = req.first(TagType.VENDOR_SPECIFIC);
        if (vendor.isPresent()) {
            try {
                line = LineInfo.fromVendorTag(vendor.get().value()).orElse(LineInfo.EMPTY);
            } catch (MalformedPacketException e) {
                stats.drop(DropReason.MALFORMED);
                return;
            }
        }
        int grant = grantedPayload(req);
        int mru = grant > 0 ? grant : PppoeSettings.DEFAULT_MRU;
        String service = req.first(TagType.SERVICE_NAME).orElseThrow().asUtf8();
        EthernetHeader toSub = eth.reply(eth.src(), portMacs[portIdx], EtherType.PPPOE_DISCOVERY);
        byte[] pads = new PppoeDiscovery(PppoeCode.PADS, sid, padsTags).toFrame(toSub);
        PppoeSession s = new PppoeSession(this, sessionIds.incrementAndGet(), portIdx, worker, portNames[portIdx], toSub, sid,
                service, line, mru, key, pads, settings, random);
        tables.get(portIdx).set(sid, s);
        byPadr.put(key, s);
        sessions.add(s);
        s.inSetup = true;
        s.clientKey = client;
        setupByClient.put(client, s);
        setupsInFlight.incrementAndGet();
        countOffer(-1);
        perPort[portIdx]++;
        perMac.merge(macKey(portIdx, eth.src()), 1, Integer::sum);
        if (eth.outerVlan() >= 0) {
            perVlan.merge(vlanKey(portIdx, eth.outerVlan(), eth.innerVlan()), 1, Integer::sum);
        }
        stats.sessionOpened();
        if (sendFrame(portIdx, pads, pads.length)) {
            stats.discoverySent(PppoeCode.PADS);
        }
        try (PppoeSession.Mdc m = s.mdc()) {
            LOG.info("session {} opened on {} for {} vlan {}/{} service '{}' mru {}", sid, portNames[portIdx],
                    new MacAddress(eth.src()), eth.outerVlan(), eth.innerVlan(), service, mru);
            s.start();
        }
    }

    /** A free session id in 1..0xfffe (RFC 2516 5.4: 0 is for errors, 0xffff reserved), or 0 when none is free. */
    private int allocateSessionId(int portIdx) {
        AtomicReferenceArray<PppoeSession> t = tables.get(portIdx);
        int start = 1 + random.nextInt(0xfffe);
        for (int i = 0; i < 0xfffe; i++) {
            int sid = 1 + (start - 1 + i) % 0xfffe;
            if (t.get(sid) == null) {
                return sid;
            }
        }
        return 0;
    }

    private void onPadt(int portIdx, PppoeDiscovery.Frame f) {
        PppoeSession s = tables.get(portIdx).get(f.packet().sessionId());
        EthernetHeader eth = f.eth();
        if (s == null || s.macValue != eth.src() || s.outerVlan != eth.outerVlan() || s.innerVlan != eth.innerVlan()) {
            stats.drop(DropReason.NO_SESSION);
            return;
        }
        closeSession(s, CloseReason.PADT_FROM_SUBSCRIBER, false);
    }

    /** Removes a session: optional PADT, tables, limits, listener. Server thread. */
    @SuppressWarnings("try") // the MDC scope is the resource
    void closeSession(PppoeSession s, CloseReason reason, boolean sendPadt) {
        boolean tell;
        try (PppoeSession.Mdc m = s.mdc()) {
            tell = s.markClosed(reason);
        }
        if (!sessions.remove(s)) {
            return;
        }
        setupEnded(s);
        if (sendPadt) {
            PppoeDiscovery padt = new PppoeDiscovery(PppoeCode.PADT, s.sessionId, acNameTags());
            byte[] f = padt.toFrame(padtHeader(s));
            if (sendFrame(s.portIndex, f, f.length)) {
                stats.discoverySent(PppoeCode.PADT);
            }
        }
        tables.get(s.portIndex).compareAndSet(s.sessionId, s, null);
        byPadr.remove(s.padrKey, s);
        perPort[s.portIndex]--;
        perMac.computeIfPresent(macKey(s.portIndex, s.macValue), (k, v) -> v <= 1 ? null : v - 1);
        if (s.outerVlan >= 0) {
            perVlan.computeIfPresent(vlanKey(s.portIndex, s.outerVlan, s.innerVlan), (k, v) -> v <= 1 ? null : v - 1);
        }
        stats.sessionClosed(reason);
        if (tell) {
            try {
                listener.sessionClosed(s, reason);
            } catch (RuntimeException e) {
                LOG.error("listener failed in sessionClosed(): {}", e.toString(), e);
            }
        }
    }

    private EthernetHeader padtHeader(PppoeSession s) {
        // Same tags as the PADS (kept in the stored PADS frame)
        try {
            return PppoeDiscovery.decodeFrame(s.padsFrame, 0, s.padsFrame.length).eth();
        } catch (MalformedPacketException e) {
            throw new IllegalStateException("own PADS undecodable", e);
        }
    }

    /** Live sessions counted on the server thread (tests, gauges). */
    public int sessionCount() {
        int n = 0;
        for (int c : perPort) {
            n += c;
        }
        return n;
    }
}
