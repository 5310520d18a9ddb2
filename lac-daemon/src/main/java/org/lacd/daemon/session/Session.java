package org.lacd.daemon.session;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.lacd.daemon.config.LacdConfig;
import org.lacd.daemon.ipsec.IpsecManager;
import org.lacd.daemon.ipsec.IpsecOutcome;
import org.lacd.daemon.session.Steering.Decision;
import org.lacd.daemon.steering.LnsCandidate;
import org.lacd.l2tp.CallDownCause;
import org.lacd.l2tp.CallListener;
import org.lacd.l2tp.CallState;
import org.lacd.l2tp.DisconnectCause;
import org.lacd.l2tp.L2tpCall;
import org.lacd.pppoe.AuthExchange;
import org.lacd.pppoe.CloseReason;
import org.lacd.pppoe.PppSink;
import org.lacd.pppoe.SubscriberSession;
import org.lacd.radius.AcctSession;
import org.lacd.daemon.log.WireText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One subscriber, from "username learned" to gone: owns the links between its PPPoE session, its steering
 * decision, its L2TP call and its accounting. Every state change goes through {@link #transitionTo}; every
 * control event runs on the session's own executor, so no field below needs a lock. The data path is the
 * exception: frames go straight from the PPPoE receive thread into the call and from the L2TP event loop to
 * the PPPoE port, touching only the atomic counters.
 */
final class Session implements CallListener {
    private static final Logger LOG = LoggerFactory.getLogger(Session.class);
    /** Guard: state changes kept for the management timeline. */
    static final int MAX_TIMELINE = 32;

    /** Allowed transitions; anything else is a bug and is logged and torn down. */
    private static final Map<SessionState, Set<SessionState>> ALLOWED = new EnumMap<>(SessionState.class);

    static {
        ALLOWED.put(SessionState.AUTH, EnumSet.of(SessionState.DECIDING, SessionState.TEARDOWN));
        ALLOWED.put(SessionState.DECIDING, EnumSet.of(SessionState.TUNNEL_SETUP, SessionState.TEARDOWN));
        // after a failed attempt the next candidate is tried: TUNNEL_SETUP -> TUNNEL_SETUP
        ALLOWED.put(SessionState.TUNNEL_SETUP, EnumSet.of(SessionState.TUNNEL_SETUP, SessionState.FORWARDING, SessionState.TEARDOWN));
        ALLOWED.put(SessionState.FORWARDING, EnumSet.of(SessionState.TEARDOWN));
        ALLOWED.put(SessionState.TEARDOWN, EnumSet.noneOf(SessionState.class));
    }

    final long id;
    final SubscriberSession sub;
    final AuthExchange auth;
    /** The user name as it may appear in a log line or the MDC: it came from the wire (WireText). */
    private final String userForLog;
    final String acctSessionId;
    private final SessionManager ctx;
    final EventExecutor loop;

    private SessionState state = SessionState.AUTH;
    private final Deque<Views.Change> timeline = new ArrayDeque<>();
    private List<LnsCandidate> plan = List.of();
    private int attempt;
    private final List<String> tried = new ArrayList<>();
    private volatile LnsCandidate current;
    private volatile L2tpCall call;
    /**
     * The call the subscriber's frames go to: set on the tunnel's event loop the moment a call comes up, which can be
     * before the session executor has even stored the handle {@code placeCall} returned (LNSs on loopback are fast).
     */
    private volatile L2tpCall forwardTo;
    /** An operator's pcap trace of this subscriber ({@code lacd trace}), or null: the data path checks it per frame. */
    volatile PcapTrace trace;
    private ScheduledFuture<?> timer;
    private ScheduledFuture<?> interimTimer;
    private ScheduledFuture<?> sessionTimeout;
    private volatile Instant upSince;
    private Decision decision;
    private AcctSession acct;

    private final java.util.concurrent.atomic.AtomicBoolean forwardingStarted = new java.util.concurrent.atomic.AtomicBoolean();
    final AtomicLong bytesUp = new AtomicLong();
    final AtomicLong packetsUp = new AtomicLong();
    final AtomicLong bytesDown = new AtomicLong();
    final AtomicLong packetsDown = new AtomicLong();

    /** Subscriber to LNS, straight from the PPPoE receive thread into the current call. */
    private final PppSink upstream = (buf, off, len) -> {
        L2tpCall c = forwardTo;
        if (c != null) {
            PcapTrace t = trace;
            if (t != null) {
                t.frame(PcapTrace.FROM_SUBSCRIBER, buf, off, len);
            }
            packetsUp.incrementAndGet();
            bytesUp.addAndGet(len);
            c.sendPpp(buf, off, len);
        }
    };

    Session(long id, SubscriberSession sub, AuthExchange auth, SessionManager ctx, EventExecutor loop) {
        this.id = id;
        this.sub = sub;
        this.auth = auth;
        this.userForLog = WireText.escape(auth.username());
        this.ctx = ctx;
        this.loop = loop;
        this.acctSessionId = String.format("%08x%08x", ctx.bootId(), id);
        timeline.add(new Views.Change(SessionState.AUTH, sub.createdAt()));
        // the PPPoE server counted it as "pppoe" when it opened; from here the session object owns the gauge
        ctx.metrics().sessionTransition(SessionState.PPPOE, SessionState.AUTH);
    }

    SessionState state() {
        return state;
    }

    LnsCandidate lns() {
        return current;
    }

    L2tpCall call() {
        return call;
    }

    Instant upSince() {
        return upSince;
    }

    List<Views.Change> timeline() {
        return List.copyOf(timeline);
    }

    List<String> tried() {
        return List.copyOf(tried);
    }

    // ---- the state funnel ----

    private void transitionTo(SessionState next) {
        SessionState from = state;
        if (!ALLOWED.get(from).contains(next)) {
            LOG.error("session {}: no transition {} -> {}; tearing down", id, from, next);
            next = SessionState.TEARDOWN;
        }
        state = next;
        if (timeline.size() == MAX_TIMELINE) {
            timeline.removeFirst();
        }
        timeline.add(new Views.Change(next, ctx.clock().instant()));
        ctx.metrics().sessionTransition(from, next);
        LOG.debug("session {} {}: {} -> {}", id, userForLog, from, next);
    }

    private void withMdc(Runnable r) {
        MDC.put("user", userForLog);
        MDC.put("mac", sub.mac().toString());
        MDC.put("pppoe", Integer.toHexString(sub.pppoeSessionId()));
        L2tpCall c = call;
        if (c != null) {
            MDC.put("tunnel", Integer.toString(c.localTunnelId()));
            MDC.put("call", Integer.toString(c.localSessionId()));
        }
        try {
            r.run();
        } finally {
            MDC.clear();
        }
    }

    private void run(Runnable r) {
        loop.execute(() -> withMdc(r));
    }

    // ---- setup ----

    /** Username known: ask where the tunnel goes. */
    void start() {
        run(() -> {
            if (ctx.usernameTooLong(this)) {
                // Refused here, at once: it could be neither asked of RADIUS nor carried to an LNS, and neither
                // should be blamed (radius_reject, all_lns_failed, lockout) for a name the subscriber chose.
                fail(SetupFailure.USERNAME_TOO_LONG, "user name too long");
                return;
            }
            transitionTo(SessionState.DECIDING);
            Duration bound = ctx.config().radius().timeout().multipliedBy((ctx.config().radius().retries() + 1L)
                    * Math.max(1, ctx.config().radius().authServers().size())).plusSeconds(2);
            timer = loop.schedule(() -> withMdc(() -> {
                if (state == SessionState.DECIDING) {
                    fail(SetupFailure.RADIUS_UNAVAILABLE, "no answer from the authentication service");
                }
            }), bound.toMillis(), TimeUnit.MILLISECONDS);
            ctx.steering().decide(this).whenComplete((d, err) -> run(() -> onDecision(d, err)));
        });
    }

    private void onDecision(Decision d, Throwable err) {
        if (state != SessionState.DECIDING) {
            return;
        }
        cancelTimer();
        if (err != null) {
            LOG.warn("session {}: steering failed: {}", id, err.toString());
            fail(SetupFailure.RADIUS_UNAVAILABLE, "authentication service error");
            return;
        }
        decision = d;
        if (d instanceof Decision.Refused r) {
            fail(r.reason(), r.message());
            return;
        }
        List<LnsCandidate> candidates = ((Decision.Place) d).candidates();
        plan = ctx.selector().plan(candidates);
        if (plan.isEmpty()) {
            fail(SetupFailure.NO_USABLE_LNS, "no LNS available");
            return;
        }
        tryNext();
    }

    private void tryNext() {
        if (attempt >= plan.size()) {
            fail(SetupFailure.ALL_LNS_FAILED, "service temporarily unavailable");
            return;
        }
        LnsCandidate c = plan.get(attempt++);
        current = c;
        tried.add(c.key());
        transitionTo(SessionState.TUNNEL_SETUP);
        LOG.info("session {} {}: placing call on LNS {} (attempt {} of {})", id, userForLog, c.key(), attempt, plan.size());
        Duration bound = ctx.config().l2tp().setupTimeout();
        timer = loop.schedule(() -> withMdc(() -> attemptTimedOut(c)), bound.toMillis(), TimeUnit.MILLISECONDS);
        LacdConfig.Ipsec ipsec = c.profile().ipsec();
        if (ipsec.required()) {
            // L2TP/IPsec: nothing goes to this LNS until its SA is up and covers it (brought up on demand); the setup
            // timer above bounds the wait, and a late answer for an abandoned attempt is ignored
            int thisAttempt = attempt;
            IpsecManager m = ctx.ipsec();
            CompletableFuture<IpsecManager.Result> up = m == null
                    ? CompletableFuture.completedFuture(new IpsecManager.Result(IpsecOutcome.CONTROL_UNREACHABLE, false, "no IPsec manager"))
                    // charon's own bound a quarter below ours: a peer that never answers is then charon's answer
                    // (initiate_failed, counted), not a setup timeout
                    : m.ensureUp(ipsec, c.profile().address(), c.profile().port(), bound.multipliedBy(3).dividedBy(4));
            up.whenComplete((r, err) -> run(() -> ipsecChecked(c, thisAttempt, r != null ? r
                    : new IpsecManager.Result(IpsecOutcome.CONTROL_UNREACHABLE, false, String.valueOf(err)))));
            return;
        }
        placeCall(c);
    }

    private void placeCall(LnsCandidate c) {
        // on the worker that receives this subscriber's frames: both directions then run on that worker's threads
        call = ctx.engine().placeCall(ctx.tunnelProfile(c), ctx.callParameters(this), this, sub.worker());
    }

    /** The IPsec check of attempt {@code thisAttempt} answered: place the call, or fail the LNS over like a dead tunnel. */
    private void ipsecChecked(LnsCandidate c, int thisAttempt, IpsecManager.Result r) {
        if (state != SessionState.TUNNEL_SETUP || current != c || attempt != thisAttempt) {
            return; // timed out (and counted) already, or the subscriber left
        }
        ctx.ipsecChecked(c.key(), r);
        if (r.outcome() == IpsecOutcome.UP) {
            LOG.debug("session {}: IPsec to LNS {} up ({})", id, c.key(), r.detail());
            placeCall(c);
            return;
        }
        cancelTimer();
        LOG.info("session {}: LNS {} refused, its IPsec SA is not up: {} ({}); nothing sent to it", id, c.key(),
                r.outcome().label(), r.detail());
        ctx.lnsFailed(c.key());
        tryNext();
    }

    /** The IPsec SA under this session's LNS went down: end it at once, sending nothing more to the LNS. */
    void ipsecLost() {
        run(() -> {
            if (state == SessionState.FORWARDING) {
                LOG.info("session {} {}: IPsec SA to LNS {} lost", id, userForLog, current.key());
                finishForwarding(TeardownCause.IPSEC_LOST, false);
                sub.terminate(CloseReason.UPSTREAM_DOWN);
            }
            // in TUNNEL_SETUP the tunnel is aborted right after: the call fails and the next candidate is tried
        });
    }

    private void attemptTimedOut(LnsCandidate c) {
        if (state != SessionState.TUNNEL_SETUP || current != c) {
            return;
        }
        L2tpCall stale = call;
        call = null;
        // Lock the LNS out only when its tunnel never came up. A slow answer on an established tunnel (a busy LNS,
        // or this box overloaded) skips the LNS for this subscriber only: locking it out for everyone would turn a
        // burst of slow calls into every LNS locked out and every subscriber refused.
        boolean tunnelDown = stale == null || stale.state() == CallState.IDLE || stale.state() == CallState.WAIT_TUNNEL;
        LOG.info("session {}: LNS {} did not bring the call up within {} ({})", id, c.key(), ctx.config().l2tp().setupTimeout(),
                tunnelDown ? "no tunnel: LNS locked out" : "tunnel up, no answer to the call: next candidate");
        if (stale != null) {
            stale.disconnect(DisconnectCause.administrative("setup timeout"));
        }
        if (tunnelDown) {
            ctx.lnsFailed(c.key());
        }
        tryNext();
    }

    // ---- L2TP callbacks (event-loop threads) ----

    @Override
    public void callUp(L2tpCall c) {
        // Open the upstream path here, on the tunnel's event loop, before the engine can hand us the LNS's first
        // frame: an LNS that accepts the proxy authentication answers at once, and the subscriber's reply (IPCP)
        // must find the path open, not wait for the session executor to catch up.
        forwardTo = c;
        startForwarding();
        run(() -> {
            if (c != call || state != SessionState.TUNNEL_SETUP) {
                if (forwardTo == c) {
                    forwardTo = call;
                }
                c.disconnect(DisconnectCause.administrative("session gone"));
                return;
            }
            cancelTimer();
            LnsCandidate lns = current;
            ctx.selector().succeeded(lns.key());
            ctx.selector().sessionUp(lns.key());
            ctx.metrics().sessionsOnLns(lns.key(), 1);
            upSince = ctx.clock().instant();
            startForwarding(); // no-op when the event loop did it already
            transitionTo(SessionState.FORWARDING);
            if (lns.profile().replayAuth()) {
                byte[] raw = auth.rawPacket();
                c.sendPpp(raw, 0, raw.length);
            }
            ctx.metrics().setupSucceeded(Duration.between(sub.createdAt(), upSince));
            LOG.info("session {} {} up on LNS {} (tunnel {}, call {})", id, userForLog, lns.key(), c.localTunnelId(),
                    c.localSessionId());
            acct = ctx.accountingStart(this, decision);
            Duration interim = ctx.interimInterval(decision);
            if (acct != null && !interim.isZero()) {
                interimTimer = loop.scheduleAtFixedRate(() -> withMdc(() -> ctx.accountingInterim(acct)), interim.toMillis(),
                        interim.toMillis(), TimeUnit.MILLISECONDS);
            }
            ctx.sessionTimeout(decision).ifPresent(t -> sessionTimeout = loop.schedule(
                    () -> withMdc(() -> teardown(TeardownCause.SESSION_TIMEOUT)), t.toMillis(), TimeUnit.MILLISECONDS));
            // Up: what remains is kept by the accounting record and the timers. The RADIUS answer and the other
            // candidates would cost about a kilobyte per established session for nothing.
            decision = null;
            plan = List.of();
        });
    }

    @Override
    public void callDown(L2tpCall c, CallDownCause cause) {
        run(() -> {
            if (forwardTo == c) {
                forwardTo = null;
            }
            if (c != call) {
                return;
            }
            call = null;
            if (state == SessionState.TUNNEL_SETUP) {
                cancelTimer();
                LOG.info("session {}: LNS {} failed the call: {} (result {}, error {}{})", id, current.key(), cause.kind(),
                        cause.resultCode(), cause.errorCode(), cause.message() == null ? "" : ", " + WireText.escape(cause.message()));
                if (cause.kind() != CallDownCause.Kind.CLEARED_LOCALLY) {
                    ctx.lnsFailed(current.key()); // tunnel failed, or the LNS refused or cleared the call: locked out
                }
                tryNext();
            } else if (state == SessionState.FORWARDING) {
                TeardownCause t = cause.tunnelFailure() ? TeardownCause.TUNNEL_LOST : TeardownCause.LNS_DISCONNECT;
                if (cause.tunnelFailure()) {
                    ctx.lnsFailed(current.key());
                }
                LOG.info("session {} {}: LNS {} ended the call: {} (result {}, error {})", id, userForLog, current.key(),
                        cause.kind(), cause.resultCode(), cause.errorCode());
                finishForwarding(t, false);
                sub.terminate(CloseReason.UPSTREAM_DOWN);
            }
        });
    }

    /**
     * Switches the PPPoE side to forwarding, exactly once (a second switch would undo the first). Safe from any
     * thread; {@link #upstream} always targets the current call, so doing it for a call that turns out stale is
     * harmless.
     */
    private void startForwarding() {
        if (forwardingStarted.compareAndSet(false, true)) {
            sub.startForwarding(upstream);
        }
    }

    @Override
    public void pppFromLns(L2tpCall c, byte[] buf, int off, int len) {
        PcapTrace t = trace;
        if (t != null) {
            t.frame(PcapTrace.TO_SUBSCRIBER, buf, off, len);
        }
        packetsDown.incrementAndGet();
        bytesDown.addAndGet(len);
        // on the engine's read path: the frame leaves with the read's batch (L2tpEngine.onReadBatchEnd)
        sub.queuePpp(buf, off, len);
    }

    // ---- subscriber side and operator ----

    /** The PPPoE side closed (PADT, LCP Terminate, timeout, or our own terminate coming back). */
    void subscriberClosed(CloseReason reason) {
        run(() -> {
            switch (state) {
                case FORWARDING -> {
                    TeardownCause t = switch (reason) {
                        case PADT_FROM_SUBSCRIBER -> TeardownCause.SUBSCRIBER_PADT;
                        case LCP_TERMINATE_FROM_SUBSCRIBER -> TeardownCause.SUBSCRIBER_TERMINATE;
                        case SHUTDOWN -> TeardownCause.SHUTDOWN;
                        case ADMIN -> TeardownCause.ADMIN;
                        default -> TeardownCause.SUBSCRIBER_LOST;
                    };
                    finishForwarding(t, true);
                }
                case AUTH, DECIDING, TUNNEL_SETUP -> abortSetup(SetupFailure.SUBSCRIBER_LEFT, false);
                default -> { }
            }
        });
    }

    /** Operator kick, RADIUS Disconnect-Request, or daemon stop. */
    void teardown(TeardownCause cause) {
        run(() -> {
            switch (state) {
                case FORWARDING -> {
                    finishForwarding(cause, true);
                    sub.terminate(cause == TeardownCause.SHUTDOWN ? CloseReason.SHUTDOWN : CloseReason.ADMIN);
                }
                case AUTH, DECIDING, TUNNEL_SETUP -> abortSetup(cause == TeardownCause.SHUTDOWN ? SetupFailure.SHUTDOWN
                        : SetupFailure.ADMIN, true);
                default -> { }
            }
        });
    }

    private void finishForwarding(TeardownCause cause, boolean sendCdn) {
        L2tpCall c = call;
        call = null;
        forwardTo = null;
        if (sendCdn && c != null) {
            c.disconnect(cause == TeardownCause.SHUTDOWN || cause == TeardownCause.ADMIN || cause == TeardownCause.RADIUS_DISCONNECT
                    || cause == TeardownCause.SESSION_TIMEOUT ? DisconnectCause.administrative(cause.name().toLowerCase())
                    : DisconnectCause.subscriberHangup());
        }
        cancelTimer();
        if (interimTimer != null) {
            interimTimer.cancel(false);
        }
        if (sessionTimeout != null) {
            sessionTimeout.cancel(false);
        }
        ctx.selector().sessionDown(current.key());
        ctx.metrics().sessionsOnLns(current.key(), -1);
        ctx.metrics().teardown(cause);
        if (acct != null) {
            ctx.accountingStop(acct, cause);
        }
        LOG.info("session {} {} down: {} (up {} s, {} B up, {} B down)", id, userForLog, cause,
                Duration.between(upSince, ctx.clock().instant()).toSeconds(), bytesUp.get(), bytesDown.get());
        transitionTo(SessionState.TEARDOWN);
        ctx.removed(this);
    }

    private void abortSetup(SetupFailure reason, boolean closeSubscriber) {
        cancelTimer();
        L2tpCall c = call;
        call = null;
        forwardTo = null;
        if (c != null) {
            c.disconnect(DisconnectCause.administrative(reason.name().toLowerCase()));
        }
        ctx.metrics().setupFailed(reason);
        LOG.info("session {} {}: setup abandoned: {}", id, userForLog, reason);
        transitionTo(SessionState.TEARDOWN);
        if (closeSubscriber) {
            sub.terminate(reason == SetupFailure.SHUTDOWN ? CloseReason.SHUTDOWN : CloseReason.ADMIN);
        }
        ctx.removed(this);
    }

    /** Refuse the subscriber: CHAP Failure / PAP Nak with a short message, LCP Terminate, PADT. */
    private void fail(SetupFailure reason, String message) {
        cancelTimer();
        ctx.metrics().setupFailed(reason);
        LOG.info("session {} {} refused: {}{}", id, userForLog, reason, message == null || message.isEmpty() ? "" : " (" + WireText.escape(message) + ")");
        transitionTo(SessionState.TEARDOWN);
        if (forwardingStarted.get()) {
            sub.terminate(CloseReason.REJECTED); // a stale call had come up and opened the path: no auth failure to send now
        } else {
            sub.reject(message == null || message.isEmpty() ? "access denied" : message);
        }
        ctx.accountingReject(this, reason);
        ctx.removed(this);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** Management views hold copies of these; see {@link SessionManager}. */
    static final class Views {
        private Views() {}

        record Change(SessionState state, Instant at) {}
    }
}
