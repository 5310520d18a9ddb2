package org.lacd.daemon.session;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.lacd.daemon.config.LacdConfig;
import org.lacd.daemon.ipsec.IpsecManager;
import org.lacd.daemon.ipsec.IpsecOutcome;
import org.lacd.daemon.log.WireText;
import org.lacd.daemon.metrics.LacdMetrics;
import org.lacd.daemon.session.Steering.Decision;
import org.lacd.daemon.steering.LnsCandidate;
import org.lacd.daemon.steering.LnsSelector;
import org.lacd.l2tp.CallDownCause;
import org.lacd.l2tp.CallListener;
import org.lacd.l2tp.CallState;
import org.lacd.l2tp.DisconnectCause;
import org.lacd.l2tp.L2tpCall;
import org.lacd.l2tp.transport.L2tpScheduler;
import org.lacd.pppoe.AuthExchange;
import org.lacd.pppoe.CloseReason;
import org.lacd.pppoe.PppSink;
import org.lacd.pppoe.SubscriberSession;
import org.lacd.radius.AcctSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One subscriber, from "username learned" to gone: owns the links between its PPPoE session, its steering
 * decision, its L2TP call and its accounting. A transition table of (state, event[, guard]) -> (action, next state)
 * in the style of {@code l2tp.Tunnel} and {@code LcpTransitions}: every event goes through {@link #fire}, which alone
 * changes the state ({@link #transitionTo}); an event with no row is dropped, counted
 * ({@code lacd_session_events_dropped_total{state,event}}) and logged, never thrown at its caller. Every control event
 * runs on the session's own executor and every timer on its scheduler (the same loop), so no field below needs a
 * lock. The data path is the exception: frames go straight from the PPPoE receive thread into the call and from the
 * L2TP event loop to the PPPoE port, touching only the atomic counters.
 */
final class Session implements CallListener {
    private static final Logger LOG = LoggerFactory.getLogger(Session.class);
    /** Guard: state changes kept for the management timeline. */
    static final int MAX_TIMELINE = 32;

    /** What the session observes; the receive handlers below decide which event a callback is. */
    enum Event {
        /** The PPPoE side learned the user name (CHAP Response, PAP Authenticate-Request) and lacd can carry it. */
        USERNAME,
        /** ... and it is longer than a RADIUS User-Name or an L2TP Proxy Authen Name can carry. */
        USERNAME_TOO_LONG,
        /** Steering named candidates and the selector has at least one usable. */
        DECISION_PLACE,
        /** Steering refused (Access-Reject, no tunnel, no usable LNS, error). */
        DECISION_REFUSED,
        /** No steering answer within the RADIUS retry budget. */
        DECISION_TIMEOUT,
        /** The current call's tunnel is established and its ICRQ has left ({@link CallListener#callPlacing}). */
        TUNNEL_UP,
        /** The current call is up (ICRP accepted, ICCN sent). */
        CALL_UP,
        /** The current call went down (CDN, tunnel failure, refused, cleared). */
        CALL_DOWN,
        /** The current attempt did not bring its call up within {@code l2tp.setup-timeout}. */
        SETUP_TIMEOUT,
        /** A callback of a call this session no longer holds (an earlier attempt's). */
        STALE_CALL,
        /** The PPPoE side closed: PADT, LCP Terminate, timeout, or our own terminate coming back. */
        SUBSCRIBER_LEFT,
        /** Operator kick, RADIUS Disconnect-Request, daemon stop. */
        OPERATOR_TEARDOWN,
        /** RADIUS Session-Timeout reached. */
        SESSION_TIMEOUT,
        /** Acct-Interim-Interval elapsed. */
        INTERIM_DUE,
        /** The IPsec SA the current attempt's LNS requires is up and covers UDP to it (checked, or initiated on demand). */
        IPSEC_UP,
        /** ... could not be had: charon unreachable, the initiate failed, or the SA does not cover the LNS. */
        IPSEC_REFUSED,
        /** The CHILD_SA protecting this session's LNS went down (charon's child-updown / ike-updown). */
        IPSEC_LOST
    }

    /** A condition on the session's data that picks between rows of the same (state, event). */
    enum Guard {
        ALWAYS,
        /** Another LNS candidate of the plan is left to try, and its profile does not require IPsec. */
        NEXT_IN_CLEAR,
        /** Another LNS candidate of the plan is left to try, and its profile says {@code ipsec: required}. */
        NEXT_NEEDS_IPSEC,
        /** Every candidate of the plan has been tried. */
        NO_CANDIDATE_LEFT
    }

    /** What a row does, after the state has changed. */
    enum Action {
        /** Arm the decision timer and ask steering. */
        ASK_STEERING,
        /** Place a call on the first candidate of the plan, arming the attempt timer. */
        PLACE_CALL,
        /** Take the plan; arm the attempt timer for its first candidate and ask charon for the SA it requires. */
        CHECK_IPSEC,
        /** The SA is up: place the call on the current candidate (the attempt timer runs already). */
        PLACE_PROTECTED,
        /** Nothing but the state change. */
        NONE,
        /** Open the path both ways, accounting Start, interim and Session-Timeout timers. */
        FORWARD,
        /** Release the failed attempt (CDN on timeout, lockout where due), place a call on the next candidate. */
        NEXT_CANDIDATE,
        /** Release the failed attempt, arm the timer for the next candidate and ask charon for the SA it requires. */
        NEXT_CANDIDATE_IPSEC,
        /** Release the failed attempt, refuse the subscriber with all_lns_failed. */
        GIVE_UP,
        /** Refuse the subscriber: CHAP Failure / PAP Nak, LCP Terminate, PADT; failure counted and accounted. */
        REFUSE,
        /** Setup abandoned because the subscriber left: CDN for a call in setup, nothing to the subscriber. */
        ABANDON,
        /** Setup abandoned by the operator: CDN for a call in setup, terminate the subscriber. */
        ABANDON_AND_CLOSE,
        /** The LNS ended the call: terminate the subscriber, accounting Stop. */
        END_BY_LNS,
        /** The subscriber ended: CDN, accounting Stop. */
        END_BY_SUBSCRIBER,
        /** lacd ends it (operator, Disconnect-Request, Session-Timeout, stop): CDN, terminate, accounting Stop. */
        END_BY_LACD,
        /** The SA under the session is gone: no CDN (it could only leave in clear), terminate, accounting Stop. */
        END_BY_IPSEC_LOST,
        /** Accounting Interim-Update, next interim timer. */
        SEND_INTERIM,
        /** A stale call that came up is cleared with CDN; a stale call that went down needs nothing. */
        CLEAR_STALE
    }

    /** One row of the transition table. */
    record Row(SessionState from, Event event, Guard guard, SessionState to, Action action, String ref) {}

    private static final String DESIGN = "DESIGN.md";

    static final List<Row> TABLE = buildTable();

    private static List<Row> buildTable() {
        SessionState auth = SessionState.AUTH;
        SessionState deciding = SessionState.DECIDING;
        SessionState tunnel = SessionState.TUNNEL_SETUP;
        SessionState callSetup = SessionState.CALL_SETUP;
        SessionState fwd = SessionState.FORWARDING;
        SessionState down = SessionState.TEARDOWN;
        List<Row> t = new ArrayList<>();
        // AUTH: the PPPoE side handed the session over with the user's name
        t.add(new Row(auth, Event.USERNAME, Guard.ALWAYS, deciding, Action.ASK_STEERING,
                DESIGN + " step 3: user learned (RFC 1994 4.1 Response / RFC 1334 2.2.1 Authenticate-Request): ask RADIUS (RFC 2865 4.1) or the realm rules"));
        t.add(new Row(auth, Event.USERNAME_TOO_LONG, Guard.ALWAYS, down, Action.REFUSE,
                "RFC 2865 5.1 User-Name max 253 / RFC 2661 4.4.5 Proxy Authen Name: refused at once, no server or LNS blamed"));
        // DECIDING: RADIUS or the rules are asked
        t.add(new Row(deciding, Event.DECISION_PLACE, Guard.NEXT_IN_CLEAR, tunnel, Action.PLACE_CALL,
                "RFC 2868 3.1-3.8 tunnel attributes, ranked by Tunnel-Preference: RFC 2661 7.4.1 incoming call on the first"));
        t.add(new Row(deciding, Event.DECISION_PLACE, Guard.NEXT_NEEDS_IPSEC, tunnel, Action.CHECK_IPSEC,
                "RFC 3193 4.2 / RFC 4301 5.1: the first LNS requires IPsec: its CHILD_SA over UDP 1701 first (on demand), nothing in clear"));
        t.add(new Row(deciding, Event.DECISION_REFUSED, Guard.ALWAYS, down, Action.REFUSE,
                "RFC 2865 4.3 Access-Reject (or no tunnel): RFC 1994 4.2 Failure / RFC 1334 2.2.2 Nak, RFC 2516 5.5 PADT"));
        t.add(new Row(deciding, Event.DECISION_TIMEOUT, Guard.ALWAYS, down, Action.REFUSE,
                "RFC 2865 2.4 retransmissions to every server exhausted: refuse (radius_unavailable)"));
        // TUNNEL_SETUP: waiting for the tunnel to the candidate (SCCRQ/SCCRP/SCCCN)
        t.add(new Row(tunnel, Event.TUNNEL_UP, Guard.ALWAYS, callSetup, Action.NONE,
                "RFC 2661 7.4.1 tunnel established: ICRQ sent, call setup under way"));
        // L2TP/IPsec (RFC 3193): the SA the candidate requires answered while the attempt timer runs
        t.add(new Row(tunnel, Event.IPSEC_UP, Guard.ALWAYS, tunnel, Action.PLACE_PROTECTED,
                "RFC 3193 4.2 CHILD_SA protecting UDP 1701 to the LNS installed (RFC 4301 5.1 PROTECT): RFC 2661 7.2.1 SCCRQ may leave"));
        t.add(new Row(tunnel, Event.IPSEC_REFUSED, Guard.NEXT_IN_CLEAR, tunnel, Action.NEXT_CANDIDATE,
                "RFC 4301 5.1 no SA for PROTECT traffic: nothing sent; RFC 2868 3.8 next preference (LNS locked out)"));
        t.add(new Row(tunnel, Event.IPSEC_REFUSED, Guard.NEXT_NEEDS_IPSEC, tunnel, Action.NEXT_CANDIDATE_IPSEC,
                "RFC 4301 5.1 no SA for PROTECT traffic: nothing sent; RFC 2868 3.8 next preference, RFC 3193 4.2 its SA first"));
        t.add(new Row(tunnel, Event.IPSEC_REFUSED, Guard.NO_CANDIDATE_LEFT, down, Action.GIVE_UP,
                "RFC 4301 5.1 no SA for PROTECT traffic on the last candidate: refuse (all_lns_failed)"));
        // TUNNEL_SETUP and CALL_SETUP (ICRQ/ICRP/ICCN) fail the same way: next candidate, or give up
        for (SessionState s : List.of(tunnel, callSetup)) {
            t.add(new Row(s, Event.CALL_DOWN, Guard.NEXT_IN_CLEAR, tunnel, Action.NEXT_CANDIDATE,
                    "RFC 2661 7.2.1 tunnel failed / 7.4.1 CDN: RFC 2868 3.8 next preference (LNS locked out)"));
            t.add(new Row(s, Event.CALL_DOWN, Guard.NEXT_NEEDS_IPSEC, tunnel, Action.NEXT_CANDIDATE_IPSEC,
                    "RFC 2661 7.2.1 tunnel failed / 7.4.1 CDN: RFC 2868 3.8 next preference, RFC 3193 4.2 its SA first"));
            t.add(new Row(s, Event.CALL_DOWN, Guard.NO_CANDIDATE_LEFT, down, Action.GIVE_UP,
                    "RFC 2661 7.4.1 CDN on the last candidate: refuse (all_lns_failed)"));
            t.add(new Row(s, Event.SETUP_TIMEOUT, Guard.NEXT_IN_CLEAR, tunnel, Action.NEXT_CANDIDATE,
                    "RFC 2661 7.4.1 local close (CDN) after l2tp.setup-timeout: next candidate"));
            t.add(new Row(s, Event.SETUP_TIMEOUT, Guard.NEXT_NEEDS_IPSEC, tunnel, Action.NEXT_CANDIDATE_IPSEC,
                    "RFC 2661 7.4.1 local close (CDN) after l2tp.setup-timeout: next candidate, RFC 3193 4.2 its SA first"));
            t.add(new Row(s, Event.SETUP_TIMEOUT, Guard.NO_CANDIDATE_LEFT, down, Action.GIVE_UP,
                    "RFC 2661 7.4.1 local close (CDN) after l2tp.setup-timeout on the last candidate: refuse"));
            // the SA under a call in setup went down: the tunnel closes silently (Tunnel PATH_LOST) and its CALL_DOWN
            // moves the session on; nothing to do here
            t.add(new Row(s, Event.IPSEC_LOST, Guard.ALWAYS, s, Action.NONE,
                    "RFC 3193 3.1 SA teardown under a call in setup: its tunnel's CALL_DOWN (RFC 2661 5.8) moves on"));
        }
        t.add(new Row(callSetup, Event.CALL_UP, Guard.ALWAYS, fwd, Action.FORWARD,
                "RFC 2661 7.4.1 ICRP accepted, ICCN sent: data both ways; RFC 2866 5.1 Acct-Status-Type Start"));
        // the subscriber or the operator ends a session in setup
        for (SessionState s : List.of(auth, deciding, tunnel, callSetup)) {
            t.add(new Row(s, Event.SUBSCRIBER_LEFT, Guard.ALWAYS, down, Action.ABANDON,
                    "RFC 2516 5.5 PADT / RFC 1661 5.5 Terminate-Request before the call is up: CDN (RFC 2661 7.4.1) for a call in setup"));
            t.add(new Row(s, Event.OPERATOR_TEARDOWN, Guard.ALWAYS, down, Action.ABANDON_AND_CLOSE,
                    "operator / RFC 5176 3 Disconnect-Request / stop during setup: CDN, LCP Terminate, PADT"));
        }
        // FORWARDING
        t.add(new Row(fwd, Event.CALL_DOWN, Guard.ALWAYS, down, Action.END_BY_LNS,
                "RFC 2661 7.4.1 receive CDN (or 5.8 tunnel lost): LCP Terminate, PADT (RFC 2516 5.5); RFC 2866 Stop"));
        t.add(new Row(fwd, Event.SUBSCRIBER_LEFT, Guard.ALWAYS, down, Action.END_BY_SUBSCRIBER,
                "RFC 2516 5.5 PADT / RFC 1661 5.5 Terminate-Request: CDN with RFC 3145 cause (RFC 2661 7.4.1); RFC 2866 Stop"));
        t.add(new Row(fwd, Event.OPERATOR_TEARDOWN, Guard.ALWAYS, down, Action.END_BY_LACD,
                "operator / RFC 5176 3 Disconnect-Request / stop: CDN, LCP Terminate, PADT; RFC 2866 Stop"));
        t.add(new Row(fwd, Event.SESSION_TIMEOUT, Guard.ALWAYS, down, Action.END_BY_LACD,
                "RFC 2865 5.27 Session-Timeout: CDN, LCP Terminate, PADT; RFC 2866 5.10 Acct-Terminate-Cause 5"));
        t.add(new Row(fwd, Event.IPSEC_LOST, Guard.ALWAYS, down, Action.END_BY_IPSEC_LOST,
                "RFC 3193 3.1 SA teardown: no CDN in clear (RFC 4301 5.1), LCP Terminate, PADT; RFC 2866 5.10 Lost-Service"));
        t.add(new Row(fwd, Event.INTERIM_DUE, Guard.ALWAYS, fwd, Action.SEND_INTERIM,
                "RFC 2869 5.16 Acct-Interim-Interval: RFC 2866 5.1 Interim-Update"));
        // a call of an earlier attempt, in any state from the first call on (TEARDOWN included: its CDN must still go)
        for (SessionState s : List.of(tunnel, callSetup, fwd, down)) {
            t.add(new Row(s, Event.STALE_CALL, Guard.ALWAYS, s, Action.CLEAR_STALE,
                    "RFC 2661 7.4.1 local close: CDN for a call no session uses"));
        }
        return List.copyOf(t);
    }

    private static final Map<SessionState, Map<Event, List<Row>>> LOOKUP = new EnumMap<>(SessionState.class);

    static {
        for (Row r : TABLE) {
            LOOKUP.computeIfAbsent(r.from(), k -> new EnumMap<>(Event.class)).computeIfAbsent(r.event(), k -> new ArrayList<>()).add(r);
        }
    }

    /** Places a call for {@code s} (the session is the call's listener) on {@code lns}, on the session's worker. */
    @FunctionalInterface
    interface CallPlacer {
        L2tpCall place(LnsCandidate lns, Session s);
    }

    /** Checks, and brings up on demand within {@code bound}, the IPsec SA that {@code lns} requires. */
    @FunctionalInterface
    interface IpsecCheck {
        CompletableFuture<IpsecManager.Result> ensureUp(LnsCandidate lns, Duration bound);
    }

    /**
     * What a session uses, and nothing else: its executor and timers (one loop), the clock, metrics, config, steering,
     * the LNS selector, a way to place calls, the IPsec check, accounting, and whom to tell when it is gone.
     */
    record Deps(Executor executor, L2tpScheduler timers, Clock clock, LacdMetrics metrics, Supplier<LacdConfig> config,
                Function<Session, CompletableFuture<Decision>> steering, LnsSelector selector, CallPlacer calls,
                IpsecCheck ipsec, SessionAccounting accounting, Consumer<Session> removed) {}

    /** What an event carries to its action. */
    sealed interface Input {
        Input NONE = new Nothing();

        record Nothing() implements Input {}

        record Refusal(SetupFailure reason, String message) implements Input {}

        record Placement(Decision decision, List<LnsCandidate> plan) implements Input {}

        /** The call went down ({@code cause} non-null) or its attempt timed out ({@code cause} null). */
        record Failed(LnsCandidate lns, CallDownCause cause) implements Input {}

        record Up(L2tpCall call) implements Input {}

        record Stale(L2tpCall call, boolean up) implements Input {}

        record Ending(TeardownCause cause) implements Input {}

        /** What the IPsec check of the attempt on {@code lns} found. */
        record IpsecAnswer(LnsCandidate lns, IpsecManager.Result result) implements Input {}
    }

    final long id;
    /** The access side: a PPPoE subscriber, or a switched call from a downstream LAC. */
    final Access access;
    final AuthExchange auth;
    /** The user name as it may appear in a log line or the MDC: it came from the wire (WireText). */
    private final String userForLog;
    final String acctSessionId;
    private final Deps deps;

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
    /** The decision or attempt timer, whichever the state has. */
    private L2tpScheduler.Cancellable timer;
    private L2tpScheduler.Cancellable interimTimer;
    private L2tpScheduler.Cancellable sessionTimeout;
    private volatile Instant upSince;
    private Decision decision;
    private AcctSession acct;

    private final AtomicBoolean forwardingStarted = new AtomicBoolean();
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
        } else {
            frameForEndedCall();
        }
    };

    /** A subscriber's frame after its call has gone (teardown under way): counted, as the call counts one it cannot send. */
    private void frameForEndedCall() {
        deps.metrics().drop(LacdMetrics.Protocol.L2TP, org.lacd.l2tp.L2tpStats.DropReason.SESSION_NOT_ESTABLISHED);
    }

    Session(long id, String acctSessionId, SubscriberSession sub, AuthExchange auth, Deps deps) {
        this(id, acctSessionId, new PppoeAccess(sub, auth), deps);
    }

    Session(long id, String acctSessionId, Access access, Deps deps) {
        this.id = id;
        this.access = access;
        AuthExchange auth = access.auth();
        this.auth = auth;
        this.userForLog = WireText.escape(auth.username());
        this.deps = deps;
        this.acctSessionId = acctSessionId;
        timeline.add(new Views.Change(SessionState.AUTH, access.createdAt()));
        // the PPPoE server counted it as "pppoe" when it opened; from here the session object owns the gauge
        deps.metrics().sessionTransition(SessionState.PPPOE, SessionState.AUTH);
        if (access instanceof PppoeAccess) { // a switched call had no PPPoE phase here: its setup began at the ICRQ
            recordPhase(SessionState.PPPOE, access.createdAt(), deps.clock().instant());
        }
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

    /** The row for (state, event) whose guard holds now, or null. */
    private Row row(Event e, Input in) {
        List<Row> rows = LOOKUP.getOrDefault(state, Map.of()).get(e);
        if (rows != null) {
            for (Row r : rows) {
                if (holds(r.guard(), in)) {
                    return r;
                }
            }
        }
        return null;
    }

    private boolean holds(Guard g, Input in) {
        LnsCandidate next = nextCandidate(in);
        return switch (g) {
            case ALWAYS -> true;
            case NEXT_IN_CLEAR -> next != null && !next.profile().ipsec().required();
            case NEXT_NEEDS_IPSEC -> next != null && next.profile().ipsec().required();
            case NO_CANDIDATE_LEFT -> next == null;
        };
    }

    /** The candidate the next attempt would take: the first of a new plan, else the next of the current one, or null. */
    private LnsCandidate nextCandidate(Input in) {
        if (in instanceof Input.Placement p) {
            return p.plan().get(0); // never empty: an empty plan is a refusal (onDecision)
        }
        return attempt < plan.size() ? plan.get(attempt) : null;
    }

    /**
     * Every event goes through here: the row moves the state, then its action runs. No row: the event is dropped and
     * counted (a finished session drops late events silently: its PPPoE side and calls report their own ends after it).
     */
    private void fire(Event e, Input in) {
        Row r = row(e, in);
        if (r == null) {
            if (state == SessionState.TEARDOWN) {
                LOG.debug("session {}: {} ignored in TEARDOWN", id, e);
                return;
            }
            deps.metrics().sessionEventDropped(state, e.name());
            LOG.warn("session {} {}: event {} has no row in {}: dropped", id, userForLog, e, state);
            return;
        }
        transitionTo(r.to(), e, r.action());
        perform(r.action(), in);
    }

    private void transitionTo(SessionState next, Event cause, Action action) {
        SessionState from = state;
        if (from == next && action != Action.NEXT_CANDIDATE && action != Action.NEXT_CANDIDATE_IPSEC) {
            return; // a self-row; TUNNEL_SETUP -> TUNNEL_SETUP to the next candidate is shown as such in the timeline
        }
        state = next;
        Instant now = deps.clock().instant();
        recordPhase(from, timeline.peekLast().at(), now);
        if (timeline.size() == MAX_TIMELINE) {
            timeline.removeFirst();
        }
        timeline.add(new Views.Change(next, now));
        deps.metrics().sessionTransition(from, next);
        LOG.debug("session {} {}: {} -> {} on {}", id, userForLog, from, next, cause);
    }

    /** lacd_session_setup_phase_seconds: the time spent in setup phase {@code phase} (other states are ignored). */
    private void recordPhase(SessionState phase, Instant since, Instant now) {
        if (!now.isBefore(since)) {
            deps.metrics().setupPhase(phase, Duration.between(since, now));
        }
    }

    private void perform(Action a, Input in) {
        switch (a) {
            case ASK_STEERING -> askSteering();
            case PLACE_CALL -> {
                Input.Placement p = (Input.Placement) in;
                cancelTimer();
                decision = p.decision();
                plan = p.plan();
                placeNext();
            }
            case CHECK_IPSEC -> {
                Input.Placement p = (Input.Placement) in;
                cancelTimer();
                decision = p.decision();
                plan = p.plan();
                checkIpsecNext();
            }
            case PLACE_PROTECTED -> {
                IpsecManager.Result r = ((Input.IpsecAnswer) in).result();
                if (r.initiated()) {
                    deps.metrics().lnsIpsecSetup(current.key());
                }
                LOG.debug("session {}: IPsec to LNS {} up ({})", id, current.key(), r.detail());
                // on the worker that receives this subscriber's frames: both directions then run on that worker's threads
                call = deps.calls().place(current, this);
            }
            case NONE -> { }
            case FORWARD -> forward(((Input.Up) in).call());
            case NEXT_CANDIDATE -> {
                release(in);
                placeNext();
            }
            case NEXT_CANDIDATE_IPSEC -> {
                release(in);
                checkIpsecNext();
            }
            case GIVE_UP -> {
                release(in);
                refuse(SetupFailure.ALL_LNS_FAILED, "service temporarily unavailable");
            }
            case REFUSE -> {
                Input.Refusal r = (Input.Refusal) in;
                refuse(r.reason(), r.message());
            }
            case ABANDON -> abortSetup(SetupFailure.SUBSCRIBER_LEFT, false);
            case ABANDON_AND_CLOSE -> abortSetup(((Input.Ending) in).cause() == TeardownCause.SHUTDOWN ? SetupFailure.SHUTDOWN
                    : SetupFailure.ADMIN, true);
            case END_BY_LNS -> endByLns((Input.Failed) in);
            case END_BY_SUBSCRIBER -> finishForwarding(((Input.Ending) in).cause(), true);
            case END_BY_LACD -> {
                TeardownCause cause = ((Input.Ending) in).cause();
                finishForwarding(cause, true);
                access.terminate(cause == TeardownCause.SHUTDOWN ? CloseReason.SHUTDOWN : CloseReason.ADMIN);
            }
            case END_BY_IPSEC_LOST -> {
                LOG.info("session {} {}: IPsec SA to LNS {} lost", id, userForLog, current.key());
                finishForwarding(TeardownCause.IPSEC_LOST, false);
                access.terminate(CloseReason.UPSTREAM_DOWN);
            }
            case SEND_INTERIM -> {
                deps.accounting().interim(acct);
                scheduleInterim(interimEvery);
            }
            case CLEAR_STALE -> {
                Input.Stale s = (Input.Stale) in;
                if (s.up()) {
                    if (forwardTo == s.call()) {
                        forwardTo = call;
                    }
                    s.call().disconnect(DisconnectCause.administrative("session gone"));
                }
            }
        }
    }

    private void withMdc(Runnable r) {
        MDC.put("user", userForLog);
        MDC.put("mac", access.macText());
        MDC.put("pppoe", Integer.toHexString(access.pppoeSessionId()));
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
        deps.executor().execute(() -> withMdc(r));
    }

    private L2tpScheduler.Cancellable schedule(Runnable r, Duration after) {
        return deps.timers().schedule(() -> withMdc(r), after.toMillis(), TimeUnit.MILLISECONDS);
    }

    // ---- receive handlers: each decides which event it is ----

    /** Username known: ask where the tunnel goes. */
    void start() {
        run(() -> {
            // Too long: refused at once, as it could be neither asked of RADIUS nor carried to an LNS, and neither
            // should be blamed (radius_reject, all_lns_failed, lockout) for a name the subscriber chose.
            if (SessionManager.usernameTooLong(deps.config().get(), this)) {
                fire(Event.USERNAME_TOO_LONG, new Input.Refusal(SetupFailure.USERNAME_TOO_LONG, "user name too long"));
            } else {
                fire(Event.USERNAME, Input.NONE);
            }
        });
    }

    private void onDecision(Decision d, Throwable err) {
        if (err != null) {
            LOG.warn("session {}: steering failed: {}", id, err.toString());
            fire(Event.DECISION_REFUSED, new Input.Refusal(SetupFailure.RADIUS_UNAVAILABLE, "authentication service error"));
        } else if (d instanceof Decision.Refused r) {
            fire(Event.DECISION_REFUSED, new Input.Refusal(r.reason(), r.message()));
        } else {
            List<LnsCandidate> p = deps.selector().plan(((Decision.Place) d).candidates());
            if (p.isEmpty()) {
                fire(Event.DECISION_REFUSED, new Input.Refusal(SetupFailure.NO_USABLE_LNS, "no LNS available"));
            } else {
                fire(Event.DECISION_PLACE, new Input.Placement(d, p));
            }
        }
    }

    /** The IPsec check of attempt {@code thisAttempt} (on {@code c}) answered. */
    private void ipsecAnswered(LnsCandidate c, int thisAttempt, IpsecManager.Result r) {
        if (current != c || attempt != thisAttempt) {
            return; // the answer for an attempt already left (timed out, and counted as such)
        }
        fire(r.outcome() == IpsecOutcome.UP ? Event.IPSEC_UP : Event.IPSEC_REFUSED, new Input.IpsecAnswer(c, r));
    }

    private void attemptTimedOut(LnsCandidate c) {
        if (current != c) {
            return; // the timer of an attempt already left (cancelled, but a cancel can race a due task)
        }
        fire(Event.SETUP_TIMEOUT, new Input.Failed(c, null));
    }

    // ---- L2TP callbacks (event-loop threads) ----

    @Override
    public void callPlacing(L2tpCall c) {
        run(() -> fire(c == call ? Event.TUNNEL_UP : Event.STALE_CALL, c == call ? Input.NONE : new Input.Stale(c, false)));
    }

    @Override
    public void callUp(L2tpCall c) {
        // Open the upstream path here, on the tunnel's event loop, before the engine can hand us the LNS's first
        // frame: an LNS that accepts the proxy authentication answers at once, and the subscriber's reply (IPCP)
        // must find the path open, not wait for the session executor to catch up.
        forwardTo = c;
        startForwarding();
        run(() -> fire(c == call ? Event.CALL_UP : Event.STALE_CALL, c == call ? new Input.Up(c) : new Input.Stale(c, true)));
    }

    @Override
    public void callDown(L2tpCall c, CallDownCause cause) {
        run(() -> {
            if (forwardTo == c) {
                forwardTo = null;
            }
            fire(c == call ? Event.CALL_DOWN : Event.STALE_CALL, c == call ? new Input.Failed(current, cause) : new Input.Stale(c, false));
        });
    }

    /**
     * Switches the PPPoE side to forwarding, exactly once (a second switch would undo the first). Safe from any
     * thread; {@link #upstream} always targets the current call, so doing it for a call that turns out stale is
     * harmless.
     */
    private void startForwarding() {
        if (forwardingStarted.compareAndSet(false, true)) {
            access.startForwarding(upstream);
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
        access.queuePpp(buf, off, len);
    }

    // ---- subscriber side and operator ----

    /** The PPPoE side closed (PADT, LCP Terminate, timeout, or our own terminate coming back). */
    void subscriberClosed(CloseReason reason) {
        TeardownCause t = switch (reason) {
            case PADT_FROM_SUBSCRIBER -> TeardownCause.SUBSCRIBER_PADT;
            case LCP_TERMINATE_FROM_SUBSCRIBER -> TeardownCause.SUBSCRIBER_TERMINATE;
            case SHUTDOWN -> TeardownCause.SHUTDOWN;
            case ADMIN -> TeardownCause.ADMIN;
            default -> TeardownCause.SUBSCRIBER_LOST;
        };
        run(() -> fire(Event.SUBSCRIBER_LEFT, new Input.Ending(t)));
    }

    /** Operator kick, RADIUS Disconnect-Request, or daemon stop. */
    void teardown(TeardownCause cause) {
        run(() -> fire(Event.OPERATOR_TEARDOWN, new Input.Ending(cause)));
    }

    /** The IPsec SA protecting this session's LNS went down (SessionManager, from charon's event stream). */
    void ipsecLost() {
        run(() -> fire(Event.IPSEC_LOST, new Input.Ending(TeardownCause.IPSEC_LOST)));
    }

    // ---- actions ----

    private void askSteering() {
        LacdConfig c = deps.config().get();
        Duration bound = c.radius().timeout().multipliedBy((c.radius().retries() + 1L)
                * Math.max(1, c.radius().authServers().size())).plusSeconds(2);
        timer = schedule(() -> fire(Event.DECISION_TIMEOUT,
                new Input.Refusal(SetupFailure.RADIUS_UNAVAILABLE, "no answer from the authentication service")), bound);
        deps.steering().apply(this).whenComplete((d, err) -> run(() -> onDecision(d, err)));
    }

    /** Starts the attempt on the next candidate of the plan (the guard of the row that got here says there is one). */
    private LnsCandidate nextAttempt() {
        LnsCandidate c = plan.get(attempt++);
        current = c;
        tried.add(c.key());
        LOG.info("session {} {}: placing call on LNS {} (attempt {} of {})", id, userForLog, c.key(), attempt, plan.size());
        timer = schedule(() -> attemptTimedOut(c), deps.config().get().l2tp().setupTimeout());
        return c;
    }

    /** Places a call on the next candidate of the plan. */
    private void placeNext() {
        LnsCandidate c = nextAttempt();
        // on the worker that receives this subscriber's frames: both directions then run on that worker's threads
        call = deps.calls().place(c, this);
    }

    /**
     * L2TP/IPsec: nothing goes to the next candidate until its SA is up and covers it. The attempt timer bounds the
     * wait; the answer comes back as IPSEC_UP or IPSEC_REFUSED.
     */
    private void checkIpsecNext() {
        LnsCandidate c = nextAttempt();
        int thisAttempt = attempt;
        // charon's own bound a quarter below ours: a peer that never answers is then charon's answer
        // (initiate_failed, counted), not a setup timeout
        Duration bound = deps.config().get().l2tp().setupTimeout().multipliedBy(3).dividedBy(4);
        CompletableFuture<IpsecManager.Result> up;
        try {
            up = deps.ipsec().ensureUp(c, bound);
        } catch (RuntimeException e) {
            up = CompletableFuture.failedFuture(e);
        }
        up.whenComplete((r, err) -> run(() -> ipsecAnswered(c, thisAttempt, r != null ? r
                : new IpsecManager.Result(IpsecOutcome.CONTROL_UNREACHABLE, false, String.valueOf(err)))));
    }

    /** The current attempt failed, by its call or its timer ({@link Input.Failed}) or by its IPsec check. */
    private void release(Input in) {
        if (in instanceof Input.IpsecAnswer a) {
            cancelTimer();
            LnsCandidate c = a.lns();
            IpsecManager.Result r = a.result();
            deps.metrics().lnsIpsecFailure(c.key(), r.outcome().label());
            LOG.info("session {}: LNS {} refused, its IPsec SA is not up: {} ({}); nothing sent to it", id, c.key(),
                    r.outcome().label(), WireText.escape(r.detail()));
            deps.selector().failed(c.key()); // as a tunnel that failed: failover and lockout
        } else {
            releaseAttempt((Input.Failed) in);
        }
    }

    /** The current attempt failed: forget its call, clear it with CDN if it timed out, lock its LNS out where due. */
    private void releaseAttempt(Input.Failed f) {
        cancelTimer();
        LnsCandidate c = f.lns();
        L2tpCall stale = call;
        call = null;
        if (f.cause() == null) {
            // Lock the LNS out only when its tunnel never came up. A slow answer on an established tunnel (a busy LNS,
            // or this box overloaded) skips the LNS for this subscriber only: locking it out for everyone would turn a
            // burst of slow calls into every LNS locked out and every subscriber refused.
            boolean tunnelDown = stale == null || stale.state() == CallState.IDLE || stale.state() == CallState.WAIT_TUNNEL;
            LOG.info("session {}: LNS {} did not bring the call up within {} ({})", id, c.key(), deps.config().get().l2tp().setupTimeout(),
                    tunnelDown ? "no tunnel: LNS locked out" : "tunnel up, no answer to the call: next candidate");
            if (stale != null) {
                stale.disconnect(DisconnectCause.administrative("setup timeout"));
            }
            if (tunnelDown) {
                deps.selector().failed(c.key());
            }
        } else {
            CallDownCause cause = f.cause();
            LOG.info("session {}: LNS {} failed the call: {} (result {}, error {}{})", id, c.key(), cause.kind(),
                    cause.resultCode(), cause.errorCode(), cause.message() == null ? "" : ", " + WireText.escape(cause.message()));
            if (cause.kind() != CallDownCause.Kind.CLEARED_LOCALLY) {
                deps.selector().failed(c.key()); // tunnel failed, or the LNS refused or cleared the call: locked out
            }
        }
    }

    /** The interim interval, kept after the call is up (the decision it came from is dropped then). */
    private Duration interimEvery;

    private void forward(L2tpCall c) {
        cancelTimer();
        LnsCandidate lns = current;
        deps.selector().succeeded(lns.key());
        deps.selector().sessionUp(lns.key());
        deps.metrics().sessionsOnLns(lns.key(), 1);
        upSince = deps.clock().instant();
        startForwarding(); // no-op when the event loop did it already
        if (lns.profile().replayAuth()) {
            byte[] raw = auth.rawPacket();
            c.sendPpp(raw, 0, raw.length);
        }
        deps.metrics().setupSucceeded(Duration.between(access.createdAt(), upSince));
        LOG.info("session {} {} up on LNS {} (tunnel {}, call {})", id, userForLog, lns.key(), c.localTunnelId(),
                c.localSessionId());
        acct = deps.accounting().start(this, decision);
        Duration interim = deps.accounting().interimInterval(decision);
        if (acct != null && !interim.isZero()) {
            interimEvery = interim;
            scheduleInterim(interim);
        }
        deps.accounting().sessionTimeout(decision).ifPresent(t -> sessionTimeout = schedule(
                () -> fire(Event.SESSION_TIMEOUT, new Input.Ending(TeardownCause.SESSION_TIMEOUT)), t));
        // Up: what remains is kept by the accounting record and the timers. The RADIUS answer and the other
        // candidates would cost about a kilobyte per established session for nothing.
        decision = null;
        plan = List.of();
    }

    private void scheduleInterim(Duration every) {
        interimTimer = schedule(() -> fire(Event.INTERIM_DUE, Input.NONE), every);
    }

    private void endByLns(Input.Failed f) {
        CallDownCause cause = f.cause();
        TeardownCause t = cause.tunnelFailure() ? TeardownCause.TUNNEL_LOST : TeardownCause.LNS_DISCONNECT;
        if (cause.tunnelFailure()) {
            deps.selector().failed(current.key());
        }
        LOG.info("session {} {}: LNS {} ended the call: {} (result {}, error {})", id, userForLog, current.key(),
                cause.kind(), cause.resultCode(), cause.errorCode());
        call = null;
        finishForwarding(t, false);
        access.terminate(CloseReason.UPSTREAM_DOWN, cause);
    }

    private void finishForwarding(TeardownCause cause, boolean sendCdn) {
        L2tpCall c = call;
        call = null;
        forwardTo = null;
        if (sendCdn && c != null) {
            c.disconnect(cause == TeardownCause.SHUTDOWN || cause == TeardownCause.ADMIN || cause == TeardownCause.RADIUS_DISCONNECT
                    || cause == TeardownCause.SESSION_TIMEOUT ? DisconnectCause.administrative(cause.name().toLowerCase())
                    : access.hangupCause());
        }
        cancelTimer();
        if (interimTimer != null) {
            interimTimer.cancel();
        }
        if (sessionTimeout != null) {
            sessionTimeout.cancel();
        }
        deps.selector().sessionDown(current.key());
        deps.metrics().sessionsOnLns(current.key(), -1);
        deps.metrics().teardown(cause);
        if (acct != null) {
            deps.accounting().stop(acct, cause);
        }
        LOG.info("session {} {} down: {} (up {} s, {} B up, {} B down)", id, userForLog, cause,
                Duration.between(upSince, deps.clock().instant()).toSeconds(), bytesUp.get(), bytesDown.get());
        deps.removed().accept(this);
    }

    private void abortSetup(SetupFailure reason, boolean closeSubscriber) {
        cancelTimer();
        L2tpCall c = call;
        call = null;
        forwardTo = null;
        if (c != null) {
            c.disconnect(DisconnectCause.administrative(reason.name().toLowerCase()));
        }
        deps.metrics().setupFailed(reason);
        LOG.info("session {} {}: setup abandoned: {}", id, userForLog, reason);
        if (closeSubscriber) {
            access.terminate(reason == SetupFailure.SHUTDOWN ? CloseReason.SHUTDOWN : CloseReason.ADMIN);
        }
        deps.removed().accept(this);
    }

    /** Refuse the subscriber: CHAP Failure / PAP Nak with a short message, LCP Terminate, PADT. */
    private void refuse(SetupFailure reason, String message) {
        cancelTimer();
        deps.metrics().setupFailed(reason);
        LOG.info("session {} {} refused: {}{}", id, userForLog, reason, message == null || message.isEmpty() ? "" : " (" + WireText.escape(message) + ")");
        if (forwardingStarted.get()) {
            access.terminate(CloseReason.REJECTED); // a stale call had come up and opened the path: no auth failure to send now
        } else {
            access.reject(message == null || message.isEmpty() ? "access denied" : message);
        }
        deps.accounting().reject(this, reason);
        deps.removed().accept(this);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    /** Management views hold copies of these; see {@link SessionManager}. */
    static final class Views {
        private Views() {}

        record Change(SessionState state, Instant at) {}
    }
}
