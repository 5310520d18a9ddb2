package org.lacd.daemon.session;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.lacd.daemon.config.LacdConfig;
import org.lacd.daemon.ipsec.IpsecManager;
import org.lacd.daemon.ipsec.IpsecOutcome;
import org.lacd.daemon.config.LacdConfig.LnsProfile;
import org.lacd.daemon.metrics.LacdMetrics;
import org.lacd.daemon.steering.LnsCandidate;
import org.lacd.daemon.steering.LnsSelector;
import org.lacd.l2tp.CallParameters;
import org.lacd.l2tp.L2tpEngine;
import org.lacd.l2tp.TunnelProfile;
import org.lacd.l2tp.transport.L2tpScheduler;
import org.lacd.pppoe.AuthExchange;
import org.lacd.pppoe.AuthType;
import org.lacd.pppoe.CloseReason;
import org.lacd.pppoe.SubscriberListener;
import org.lacd.pppoe.SubscriberSession;
import org.lacd.radius.AccountingService;
import org.lacd.radius.dae.SessionCriteria;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All subscriber sessions: creates one when the PPPoE side has learned a username, routes PPPoE, L2TP and
 * operator events to it, and gives each the collaborators it uses ({@link Session.Deps}): its loop, config, steering,
 * LNS selection, a way to place calls, accounting, metrics.
 */
public final class SessionManager implements SubscriberListener {
    private static final Logger LOG = LoggerFactory.getLogger(SessionManager.class);

    private final Supplier<LacdConfig> config;
    private final LacdMetrics metrics;
    private final LnsSelector selector;
    private final Steering steering;
    private final EventExecutorGroup loops;
    private final Clock clock;
    private final long bootId;
    private final SessionAccounting sessionAccounting;
    private final Session.CallPlacer placer;
    private final L2tpEngine engine;
    /** One {@link Session.Deps} per session loop, shared by the sessions on it (nothing per session to allocate). */
    private final Map<EventExecutor, Session.Deps> depsByLoop = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Session> byId = new ConcurrentHashMap<>();
    private final Map<Long, Session> byPppoe = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    public SessionManager(Supplier<LacdConfig> config, LacdMetrics metrics, LnsSelector selector, L2tpEngine engine,
                          Steering steering, Supplier<AccountingService> accounting, EventExecutorGroup loops, Clock clock) {
        this.config = config;
        this.metrics = metrics;
        this.selector = selector;
        this.steering = steering;
        this.loops = loops;
        this.clock = clock;
        this.bootId = clock.instant().getEpochSecond() & 0xffffffffL;
        this.sessionAccounting = new SessionAccounting(accounting, config, clock);
        // on the worker that receives this subscriber's frames: both directions then run on that worker's threads
        this.engine = engine;
        this.placer = (lns, s) -> engine.placeCall(tunnelProfile(lns), s.access instanceof SwitchedAccess sw
                ? sw.onward(lns.profile().accessLineAvps()) : callParameters(s), s, s.access.worker());
    }

    // ---- PPPoE events (PPPoE server thread) ----

    /**
     * The Acct-Session-Id: {@code bootId} and {@code id} in hex, each at least 8 digits ({@code %08x%08x}), without
     * {@code String.format}'s parse of its pattern for every session (the storm profile's PPPoE thread).
     */
    static String acctSessionId(long bootId, long id) {
        StringBuilder b = new StringBuilder(16);
        hex8(b, bootId);
        hex8(b, id);
        return b.toString();
    }

    private static void hex8(StringBuilder b, long v) {
        String h = Long.toHexString(v);
        for (int i = h.length(); i < 8; i++) {
            b.append('0');
        }
        b.append(h);
    }

    @Override
    public void authenticated(SubscriberSession sub, AuthExchange auth) {
        if (stopping) {
            metrics.sessionTransition(SessionState.PPPOE, null);
            sub.reject("service stopping");
            return;
        }
        long id = ids.incrementAndGet();
        Session.Deps deps = depsByLoop.computeIfAbsent(loops.next(), this::deps);
        Session s = new Session(id, acctSessionId(bootId, id), sub, auth, deps);
        for (PcapTrace t : traces) {
            if (!t.closed() && traced(t.target, s)) {
                s.trace = t;
            }
        }
        byId.put(id, s);
        byPppoe.put(sub.id(), s);
        s.start();
    }

    // ---- calls from downstream LACs (tunnel switching; the L2TP engine's event loops) ----

    /** Downstream LAC peers an operator drained (lacd drain-peer), by name; the config's {@code drain: true} adds to it. */
    private final java.util.Set<String> drainedLacPeers = ConcurrentHashMap.newKeySet();

    /** Whether new calls from the peer are refused: drained by an operator or in the running config. */
    public boolean lacPeerDrained(String peer) {
        return drainedLacPeers.contains(peer)
                || config.get().l2tp().lacPeers().stream().anyMatch(p -> p.name().equals(peer) && p.drain());
    }

    /** lacd drain-peer / undrain-peer: until the next restart; the config's {@code drain: true} still holds. */
    public void drainLacPeer(String peer, boolean drain) {
        if (drain) {
            drainedLacPeers.add(peer);
        } else {
            drainedLacPeers.remove(peer);
        }
    }

    /**
     * What the L2TP engine hands calls from downstream LACs to ({@code l2tp.lac-peers}): each connected call becomes a
     * session like a PPPoE subscriber's, its user the ICCN's Proxy Authen Name, steered and placed toward an LNS the
     * same way. While lacd stops, or the peer is drained ({@link #lacPeerDrained}), new calls are refused (CDN result 4,
     * counted as draining); calls up stay.
     */
    public org.lacd.l2tp.IncomingCallHandler incomingCalls() {
        return new org.lacd.l2tp.IncomingCallHandler() {
            @Override
            public org.lacd.l2tp.L2tpStats.Refusal admit(org.lacd.l2tp.LacPeer peer) {
                return stopping || lacPeerDrained(peer.name()) ? org.lacd.l2tp.L2tpStats.Refusal.DRAINING : null;
            }

            @Override
            public org.lacd.l2tp.CallListener connected(org.lacd.l2tp.IncomingCall call) {
                if (stopping) {
                    return null;
                }
                SwitchedAccess a = new SwitchedAccess(call, clock.instant());
                // counted as a PPPoE session opening is, so that the session's own PPPOE -> AUTH move balances
                metrics.sessionTransition(null, SessionState.PPPOE);
                long id = ids.incrementAndGet();
                Session.Deps deps = depsByLoop.computeIfAbsent(loops.next(), SessionManager.this::deps);
                Session s = new Session(id, acctSessionId(bootId, id), a, deps);
                a.onClosed(s::subscriberClosed);
                for (PcapTrace t : traces) {
                    if (!t.closed() && traced(t.target, s)) {
                        s.trace = t;
                    }
                }
                byId.put(id, s);
                s.start();
                return a;
            }
        };
    }

    @Override
    public void sessionClosed(SubscriberSession sub, CloseReason reason) {
        // The PPPoE server counted this close as a "pppoe" session ending (EngineStats), but it tells the listener
        // only about sessions it handed over, whose gauge the session object settles: give the count back.
        metrics.sessionTransition(null, SessionState.PPPOE);
        Session s = byPppoe.get(sub.id());
        if (s != null) {
            s.subscriberClosed(reason);
        }
    }

    // ---- what a session is given ----

    /** A session's collaborators: its loop as executor and as timer scheduler, and the shared services it uses. */
    private Session.Deps deps(EventExecutor loop) {
        L2tpScheduler timers = new L2tpScheduler() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
                ScheduledFuture<?> f = loop.schedule(task, delay, unit);
                return () -> f.cancel(false);
            }
        };
        return new Session.Deps(loop, timers, clock, metrics, config, steering::decide, selector, placer, this::ensureUp,
                sessionAccounting, this::removed);
    }

    private void removed(Session s) {
        byId.remove(s.id);
        if (s.access instanceof PppoeAccess p) {
            byPppoe.remove(p.sub().id());
        }
        metrics.sessionTransition(s.state(), null);
    }

    /** The IPsec side: null until {@link #useIpsec} (no LNS requires IPsec). */
    private volatile IpsecManager ipsec;

    /** Hands over the manager that checks and watches the IPsec SAs of LNSs that require it. */
    public void useIpsec(IpsecManager m) {
        this.ipsec = m;
    }

    IpsecManager ipsec() {
        return ipsec;
    }

    /** A session's IPsec check: the manager's, or "control unreachable" while there is none. */
    private java.util.concurrent.CompletableFuture<IpsecManager.Result> ensureUp(LnsCandidate c, Duration bound) {
        IpsecManager m = ipsec;
        if (m == null) {
            return java.util.concurrent.CompletableFuture.completedFuture(
                    new IpsecManager.Result(IpsecOutcome.CONTROL_UNREACHABLE, false, "no IPsec manager"));
        }
        return m.ensureUp(c.profile().ipsec(), c.profile().address(), c.profile().port(), bound);
    }

    /**
     * A CHILD_SA went down (charon's event stream): every session on an LNS it protected ends with
     * {@link TeardownCause#IPSEC_LOST}, the LNS counts as failed (lockout), and the tunnels to it close without sending
     * anything, as nothing may reach the LNS unprotected. Sessions in setup on such a tunnel see it fail and move to
     * their next candidate.
     */
    public void ipsecLost(String connection, String child) {
        java.util.Set<String> keys = new java.util.HashSet<>();
        java.util.Set<InetAddress> peers = new java.util.HashSet<>();
        for (Session s : byId.values()) {
            LnsCandidate c = s.lns();
            if (c != null && protectedBy(c.profile(), connection, child)) {
                keys.add(c.key());
                peers.add(c.profile().address());
                s.ipsecLost(); // queued on the session's executor before the tunnels' call-down callbacks
            }
        }
        for (LnsProfile p : config.get().l2tp().lns()) {
            if (protectedBy(p, connection, child)) {
                peers.add(p.address()); // tunnels without sessions (lingering) too
            }
        }
        for (String k : keys) {
            metrics.lnsIpsecFailure(k, IpsecOutcome.SA_LOST.label());
            selector.failed(k);
        }
        for (InetAddress a : peers) {
            engine.abortTunnelsTo(a, "IPsec SA " + child + " of " + connection + " down");
        }
    }

    private static boolean protectedBy(LnsProfile p, String connection, String child) {
        return p.ipsec().required() && p.ipsec().connection().equals(connection) && p.ipsec().child().equals(child);
    }

    TunnelProfile tunnelProfile(LnsCandidate c) {
        LnsProfile p = c.profile();
        return new TunnelProfile(p.name(), new InetSocketAddress(p.address(), p.port()), p.localAddress().orElse(null),
                p.hostname(), p.secret().orElse(null), p.assignmentId().orElse(null), p.hideAvps(), p.sessionsPerTunnel(),
                config.get().l2tp().receiveWindow(), p.accessLineAvps());
    }

    CallParameters callParameters(Session s) {
        LacdConfig c = config.get();
        Access sub = s.access;
        AuthExchange a = s.auth;
        var line = sub.lineInfo();
        long down = line.actualRateDown() > 0 ? line.actualRateDown() * 1000 : c.l2tp().connectSpeed();
        long up = line.actualRateUp() > 0 ? line.actualRateUp() * 1000 : c.l2tp().connectSpeed();
        CallParameters.Builder b = CallParameters.builder()
                .callingNumber(template(c.l2tp().callingNumber(), s))
                .calledNumber(sub.serviceName())
                .connectSpeeds(down, up)
                .physicalChannelId(sub.pppoeSessionId())
                .proxyLcp(sub.initialReceivedConfReq(), sub.lastSentConfReq(), sub.lastReceivedConfReq());
        line.circuitId().ifPresent(b::agentCircuitId);
        line.remoteId().ifPresent(b::agentRemoteId);
        if (line.actualRateUp() > 0 || line.actualRateDown() > 0) {
            b.actualRates(line.actualRateUp(), line.actualRateDown());
        }
        if (line.minRateUp() > 0 || line.minRateDown() > 0) {
            b.minimumRates(line.minRateUp(), line.minRateDown());
        }
        if (a.type() == AuthType.CHAP_MD5) {
            b.proxyAuth(CallParameters.AUTHEN_CHAP, a.username(), a.chapChallenge(), a.chapId(), a.chapResponse());
        } else {
            b.proxyAuth(CallParameters.AUTHEN_PAP, a.username(), null, a.chapId(), a.papPassword());
        }
        return b.build();
    }

    /**
     * Whether this subscriber's user name is longer than lacd can carry on: the RADIUS User-Name or the L2TP Proxy
     * Authen Name ({@link Steering#maxUsernameBytes}), or a Calling Number whose template holds {@code {user}}.
     * Measured in the UTF-8 bytes that would be sent.
     */
    static boolean usernameTooLong(LacdConfig c, Session s) {
        if (utf8Length(s.auth.username()) > Steering.maxUsernameBytes(c)) {
            return true;
        }
        String calling = c.l2tp().callingNumber();
        return calling.contains("{user}") && utf8Length(template(calling, s)) > Steering.MAX_L2TP_STRING;
    }

    private static int utf8Length(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    static String template(String t, Session s) {
        Access sub = s.access;
        return t.replace("{mac}", sub.macText())
                .replace("{circuit-id}", sub.lineInfo().circuitId().orElse(""))
                .replace("{remote-id}", sub.lineInfo().remoteId().orElse(""))
                .replace("{interface}", sub.interfaceName())
                .replace("{outer-vlan}", sub.outerVlan() < 0 ? "" : Integer.toString(sub.outerVlan()))
                .replace("{inner-vlan}", sub.innerVlan() < 0 ? "" : Integer.toString(sub.innerVlan()))
                .replace("{service}", sub.serviceName())
                .replace("{user}", s.auth.username());
    }

    private static OptionalInt vlan(int v) {
        return v < 0 ? OptionalInt.empty() : OptionalInt.of(v);
    }

    // ---- operators, RADIUS Disconnect, stop ----

    public List<Session> sessions() {
        return new ArrayList<>(byId.values());
    }

    public int count() {
        return byId.size();
    }

    Optional<Session> session(long id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** RFC 5176: the sessions a Disconnect-Request names (every given attribute must match). */
    List<Session> find(SessionCriteria c, org.lacd.radius.RadiusSettings rs) {
        if (c.isEmpty()) {
            return List.of();
        }
        Optional<byte[]> mac = c.callingMac();
        return byId.values().stream()
                .filter(s -> s.state() == SessionState.FORWARDING)
                .filter(s -> c.acctSessionId().map(s.acctSessionId::equals).orElse(true))
                .filter(s -> c.userName().map(s.auth.username()::equals).orElse(true))
                .filter(s -> callingStationMatches(c, mac, s))
                .filter(s -> c.nasPortId().map(p -> p.equals(rs.nasPortId(s.access.interfaceName(), vlan(s.access.outerVlan()),
                        vlan(s.access.innerVlan())))).orElse(true))
                .toList();
    }

    /**
     * Whether the request's Calling-Station-Id (if it names one) is the session's: a switched call's Calling Number as
     * the downstream LAC sent it (the octets lacd put in its own Access-Request), else the subscriber's MAC in any of
     * the usual spellings.
     */
    private static boolean callingStationMatches(SessionCriteria c, Optional<byte[]> mac, Session s) {
        if (c.callingStationId().isEmpty()) {
            return true;
        }
        byte[] asSent = s.access.callingStationId();
        if (asSent != null) {
            return java.util.Arrays.equals(asSent, c.callingStationId().get().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return mac.map(m -> java.util.Arrays.equals(m, s.access.macBytes())).orElse(false);
    }

    /** Ends every session matching {@code which}; returns how many. */
    int teardown(Predicate<Session> which, TeardownCause cause) {
        int n = 0;
        for (Session s : byId.values()) {
            if (which.test(s)) {
                s.teardown(cause);
                n++;
            }
        }
        return n;
    }

    // ---- lacd trace ----

    /** Guard: traces running at once. */
    static final int MAX_TRACES = 16;
    private final List<PcapTrace> traces = new java.util.concurrent.CopyOnWriteArrayList<>();

    private static boolean traced(String target, Session s) {
        return target.equals(s.auth.username()) || LacManagement.sameMac(target, s.access.mac());
    }

    /** Starts a pcap of one subscriber's frames (user name or MAC), for its current and coming sessions, bounded. */
    public org.lacd.daemon.mgmt.Views.Result trace(String target, java.nio.file.Path file, int seconds, long maxBytes) {
        traces.removeIf(PcapTrace::closed);
        if (traces.size() >= MAX_TRACES) {
            return new org.lacd.daemon.mgmt.Views.Result(false, MAX_TRACES + " traces are running already", 0);
        }
        PcapTrace t;
        try {
            t = new PcapTrace(target, file, maxBytes, clock.instant().plusSeconds(seconds), clock);
        } catch (java.io.IOException e) {
            return new org.lacd.daemon.mgmt.Views.Result(false, "cannot write " + file + ": " + e.getMessage(), 0);
        }
        traces.add(t);
        int n = 0;
        for (Session s : byId.values()) {
            if (traced(target, s)) {
                s.trace = t;
                n++;
            }
        }
        loops.next().schedule(t::close, seconds, java.util.concurrent.TimeUnit.SECONDS);
        LOG.info("trace {} started: {} for {} s or {} bytes, {} session(s) now", target, file, seconds, maxBytes, n);
        return new org.lacd.daemon.mgmt.Views.Result(true, "tracing " + target + " into " + file + " (" + n
                + " session(s) now, later ones too) for " + seconds + " s or " + maxBytes + " bytes", n);
    }

    /** Daemon stop: CDN + PADT + accounting Stop for every session, waiting at most {@code budget}. */
    public void stop(Duration budget) {
        stopping = true;
        long t0 = System.nanoTime();
        int n = teardown(s -> true, TeardownCause.SHUTDOWN);
        long deadline = System.nanoTime() + budget.toNanos();
        while (!byId.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        traces.forEach(PcapTrace::close);
        LOG.info("sessions stopped: {} torn down, {} left, in {} ms", n, byId.size(), (System.nanoTime() - t0) / 1_000_000);
    }

    static String hex(byte[] b) {
        return b == null ? "" : HexFormat.of().formatHex(b);
    }
}
