package org.lacd.daemon.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lacd.daemon.config.ConfigLoader;
import org.lacd.daemon.config.LacdConfig;
import org.lacd.daemon.config.LacdConfig.LnsProfile;
import org.lacd.daemon.ipsec.IpsecManager;
import org.lacd.daemon.ipsec.IpsecOutcome;
import org.lacd.daemon.metrics.LacdMetrics;
import org.lacd.daemon.session.Session.Action;
import org.lacd.daemon.session.Session.Event;
import org.lacd.daemon.session.Session.Guard;
import org.lacd.daemon.session.Session.Row;
import org.lacd.daemon.session.Steering.Decision;
import org.lacd.daemon.steering.LnsCandidate;
import org.lacd.daemon.steering.LnsSelector;
import org.lacd.l2tp.CallDownCause;
import org.lacd.l2tp.CallState;
import org.lacd.l2tp.DisconnectCause;
import org.lacd.l2tp.L2tpCall;
import org.lacd.l2tp.TunnelProfile;
import org.lacd.l2tp.transport.ManualScheduler;
import org.lacd.pppoe.AuthExchange;
import org.lacd.pppoe.AuthType;
import org.lacd.pppoe.CloseReason;
import org.lacd.pppoe.PppSink;
import org.lacd.pppoe.SubscriberSession;
import org.lacd.pppoe.wire.LineInfo;
import org.lacd.pppoe.wire.MacAddress;
import org.lacd.radius.AcctSession;

/**
 * The subscriber session's transition table, as the tunnel's is tested (TunnelStateMachineTest): the table itself
 * (every row, and by its exact content every (state, event) that must have none), then each row driven through the
 * session's receive handlers with fake PPPoE, steering, calls and accounting, its timers on a {@link ManualScheduler}.
 * No sockets, no sleeping; the session's executor runs tasks at once.
 */
class SessionTableTest {
    static final Path SAMPLE = Path.of("../packaging/lacd.yaml");
    static final Instant T0 = Instant.parse("2026-12-07T00:00:00Z");

    final ManualScheduler sched = new ManualScheduler();
    /** The wall clock the session stamps its timeline with, moved by the manual scheduler. */
    final Clock clock = new Clock() {
        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return T0.plusNanos(sched.nanoTime()); }
    };
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final LacdMetrics metrics = new LacdMetrics(registry);
    LacdConfig config;
    LnsSelector selector;
    final List<CompletableFuture<Decision>> asked = new ArrayList<>();
    final List<FakeCall> calls = new ArrayList<>();
    /** The IPsec checks the session asked for, answered by the test. */
    final List<IpsecAsk> ipsecAsked = new ArrayList<>();

    record IpsecAsk(LnsCandidate lns, Duration bound, CompletableFuture<IpsecManager.Result> answer) {}
    final RecordingAccounting accounting = new RecordingAccounting();
    final List<Session> removed = new ArrayList<>();
    final FakeSubscriber sub = new FakeSubscriber();
    Duration sessionTimeout = Duration.ZERO;
    Duration interim = Duration.ofMinutes(5);
    String user = "alice@example.net";
    Session session;

    final LnsCandidate lnsA = candidate("lns-a", 1);
    final LnsCandidate lnsB = candidate("lns-b", 2);
    /** LNSs whose profiles say {@code ipsec: required}. */
    final LnsCandidate secA = ipsecCandidate("sec-a", 1);
    final LnsCandidate secB = ipsecCandidate("sec-b", 2);

    static LnsCandidate ipsecCandidate(String name, int preference) {
        try {
            LnsProfile p = new LnsProfile(name, InetAddress.getByName("192.0.2." + (10 + preference)), 1701, Optional.empty(), "lac",
                    Optional.empty(), Optional.empty(), false, 0, 0, 1, false, false, false,
                    new LacdConfig.Ipsec(LacdConfig.IpsecMode.REQUIRED, "lns-" + name, "l2tp"));
            return new LnsCandidate(name, p, preference, 1);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static LnsCandidate candidate(String name, int preference) {
        try {
            LnsProfile p = new LnsProfile(name, InetAddress.getByName("192.0.2." + preference), 1701, Optional.empty(), "lac",
                    Optional.empty(), Optional.empty(), false, 0, 0, 1, false, false, false);
            return new LnsCandidate(name, p, preference, 1);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        config = ConfigLoader.load(SAMPLE);
        selector = new LnsSelector(Duration.ofMinutes(5), LacdConfig.Spread.WEIGHT, clock, new Random(1), new LnsSelector.Listener() {
            @Override public void lockedOut(String key, Duration duration) {}
            @Override public void usable(String key) {}
        });
    }

    // ---------------------------------------------------------------- fakes

    final class FakeSubscriber implements SubscriberSession {
        final List<String> rejected = new ArrayList<>();
        final List<CloseReason> terminated = new ArrayList<>();
        PppSink upstream;

        @Override public long id() { return 1; }
        @Override public String interfaceName() { return "eth1"; }
        @Override public MacAddress mac() { return MacAddress.parse("02:00:00:00:00:01"); }
        @Override public int outerVlan() { return -1; }
        @Override public int innerVlan() { return -1; }
        @Override public int pppoeSessionId() { return 0x11; }
        @Override public String serviceName() { return ""; }
        @Override public LineInfo lineInfo() { return LineInfo.EMPTY; }
        @Override public int mru() { return 1492; }
        @Override public int peerMru() { return 1492; }
        @Override public byte[] initialReceivedConfReq() { return new byte[0]; }
        @Override public byte[] lastSentConfReq() { return new byte[0]; }
        @Override public byte[] lastReceivedConfReq() { return new byte[0]; }
        @Override public Instant createdAt() { return T0; }
        @Override public org.lacd.pppoe.SessionState state() { return org.lacd.pppoe.SessionState.AWAITING_DECISION; }
        @Override public void reject(String message) { rejected.add(message); }
        @Override public void startForwarding(PppSink upstream) { this.upstream = upstream; }
        @Override public void sendPpp(byte[] buf, int off, int len) {}
        @Override public void terminate(CloseReason reason) { terminated.add(reason); }
    }

    static final class FakeCall implements L2tpCall {
        final LnsCandidate lns;
        CallState state = CallState.WAIT_TUNNEL;
        final List<DisconnectCause> disconnects = new ArrayList<>();
        int framesSent;

        FakeCall(LnsCandidate lns) { this.lns = lns; }

        @Override public void sendPpp(byte[] buf, int off, int len) { framesSent++; }
        @Override public void disconnect(DisconnectCause cause) { disconnects.add(cause); }
        @Override public CallState state() { return state; }
        @Override public TunnelProfile profile() { return null; }
        @Override public int localTunnelId() { return 7; }
        @Override public int localSessionId() { return 9; }
        @Override public int remoteSessionId() { return 99; }
        @Override public boolean sequencing() { return false; }
    }

    /** Records what the session asks of accounting; the RADIUS side of it is AccountingService's own tests. */
    final class RecordingAccounting extends SessionAccounting {
        final List<String> log = new ArrayList<>();

        RecordingAccounting() { super(() -> null, () -> config, clock); }

        @Override
        AcctSession start(Session s, Decision d) {
            log.add("start " + s.lns().key());
            return new AcctSession(s.acctSessionId, s.auth.username(), new byte[6], "eth1", OptionalInt.empty(), OptionalInt.empty(),
                    0, "", s.upSince(), () -> AcctSession.Counters.ZERO, Optional.empty(), List.of(), OptionalInt.empty(),
                    AcctSession.AUTHENTIC_RADIUS, Optional.empty());
        }

        @Override void interim(AcctSession a) { log.add("interim"); }
        @Override void stop(AcctSession a, TeardownCause cause) { log.add("stop " + cause); }
        @Override void reject(Session s, SetupFailure reason) { log.add("reject " + reason); }
        @Override Duration interimInterval(Decision d) { return interim; }
        @Override Optional<Duration> sessionTimeout(Decision d) {
            return sessionTimeout.isZero() ? Optional.empty() : Optional.of(sessionTimeout);
        }
    }

    Session newSession() {
        AuthExchange auth = new AuthExchange(AuthType.PAP, user, 1, new byte[0], new byte[0], "pw".getBytes(), new byte[] {1, 2, 3});
        Session.Deps deps = new Session.Deps(Runnable::run, sched, clock, metrics, () -> config, s -> {
            CompletableFuture<Decision> f = new CompletableFuture<>();
            asked.add(f);
            return f;
        }, selector, (lns, s) -> {
            FakeCall c = new FakeCall(lns);
            calls.add(c);
            return c;
        }, (lns, bound) -> {
            CompletableFuture<IpsecManager.Result> f = new CompletableFuture<>();
            ipsecAsked.add(new IpsecAsk(lns, bound, f));
            return f;
        }, accounting, removed::add);
        session = new Session(1, "0000000100000001", sub, auth, deps);
        return session;
    }

    // ---------------------------------------------------------------- driving into each state

    Session inAuth() {
        return newSession();
    }

    Session inDeciding() {
        newSession().start();
        assertEquals(SessionState.DECIDING, session.state());
        return session;
    }

    Session inTunnelSetup(LnsCandidate... candidates) {
        inDeciding();
        asked.get(asked.size() - 1).complete(new Decision.Place(List.of(candidates), Optional.empty(), Map.of()));
        assertEquals(SessionState.TUNNEL_SETUP, session.state());
        return session;
    }

    Session inCallSetup(LnsCandidate... candidates) {
        inTunnelSetup(candidates);
        lastCall().state = CallState.WAIT_REPLY;
        session.callPlacing(lastCall());
        assertEquals(SessionState.CALL_SETUP, session.state());
        return session;
    }

    Session inForwarding() {
        inCallSetup(lnsA);
        lastCall().state = CallState.ESTABLISHED;
        session.callUp(lastCall());
        assertEquals(SessionState.FORWARDING, session.state());
        return session;
    }

    FakeCall lastCall() {
        return calls.get(calls.size() - 1);
    }

    double counter(String name, String... tags) {
        Counter c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    double dropped(SessionState s, Event e) {
        return counter("lacd.session.events.dropped", "state", s.name().toLowerCase(), "event", e.name().toLowerCase());
    }

    static CallDownCause cause(CallDownCause.Kind kind) {
        return new CallDownCause(kind, 2, -1, "from the LNS", null);
    }

    boolean lockedOut(LnsCandidate c) {
        return selector.state(c.key()).lockedUntil().isAfter(clock.instant());
    }

    Duration decisionBound() {
        var r = config.radius();
        return r.timeout().multipliedBy((r.retries() + 1L) * Math.max(1, r.authServers().size())).plusSeconds(2);
    }

    // ================================================================ the table itself

    /** The whole table, row by row: a row added, changed or dropped fails here first. */
    static final List<String> EXPECTED = List.of(
            "AUTH USERNAME ALWAYS -> DECIDING ASK_STEERING",
            "AUTH USERNAME_TOO_LONG ALWAYS -> TEARDOWN REFUSE",
            "DECIDING DECISION_PLACE NEXT_IN_CLEAR -> TUNNEL_SETUP PLACE_CALL",
            "DECIDING DECISION_PLACE NEXT_NEEDS_IPSEC -> TUNNEL_SETUP CHECK_IPSEC",
            "DECIDING DECISION_REFUSED ALWAYS -> TEARDOWN REFUSE",
            "DECIDING DECISION_TIMEOUT ALWAYS -> TEARDOWN REFUSE",
            "TUNNEL_SETUP TUNNEL_UP ALWAYS -> CALL_SETUP NONE",
            "TUNNEL_SETUP IPSEC_UP ALWAYS -> TUNNEL_SETUP PLACE_PROTECTED",
            "TUNNEL_SETUP IPSEC_REFUSED NEXT_IN_CLEAR -> TUNNEL_SETUP NEXT_CANDIDATE",
            "TUNNEL_SETUP IPSEC_REFUSED NEXT_NEEDS_IPSEC -> TUNNEL_SETUP NEXT_CANDIDATE_IPSEC",
            "TUNNEL_SETUP IPSEC_REFUSED NO_CANDIDATE_LEFT -> TEARDOWN GIVE_UP",
            "TUNNEL_SETUP CALL_DOWN NEXT_IN_CLEAR -> TUNNEL_SETUP NEXT_CANDIDATE",
            "TUNNEL_SETUP CALL_DOWN NEXT_NEEDS_IPSEC -> TUNNEL_SETUP NEXT_CANDIDATE_IPSEC",
            "TUNNEL_SETUP CALL_DOWN NO_CANDIDATE_LEFT -> TEARDOWN GIVE_UP",
            "TUNNEL_SETUP SETUP_TIMEOUT NEXT_IN_CLEAR -> TUNNEL_SETUP NEXT_CANDIDATE",
            "TUNNEL_SETUP SETUP_TIMEOUT NEXT_NEEDS_IPSEC -> TUNNEL_SETUP NEXT_CANDIDATE_IPSEC",
            "TUNNEL_SETUP SETUP_TIMEOUT NO_CANDIDATE_LEFT -> TEARDOWN GIVE_UP",
            "TUNNEL_SETUP IPSEC_LOST ALWAYS -> TUNNEL_SETUP NONE",
            "CALL_SETUP CALL_DOWN NEXT_IN_CLEAR -> TUNNEL_SETUP NEXT_CANDIDATE",
            "CALL_SETUP CALL_DOWN NEXT_NEEDS_IPSEC -> TUNNEL_SETUP NEXT_CANDIDATE_IPSEC",
            "CALL_SETUP CALL_DOWN NO_CANDIDATE_LEFT -> TEARDOWN GIVE_UP",
            "CALL_SETUP SETUP_TIMEOUT NEXT_IN_CLEAR -> TUNNEL_SETUP NEXT_CANDIDATE",
            "CALL_SETUP SETUP_TIMEOUT NEXT_NEEDS_IPSEC -> TUNNEL_SETUP NEXT_CANDIDATE_IPSEC",
            "CALL_SETUP SETUP_TIMEOUT NO_CANDIDATE_LEFT -> TEARDOWN GIVE_UP",
            "CALL_SETUP IPSEC_LOST ALWAYS -> CALL_SETUP NONE",
            "CALL_SETUP CALL_UP ALWAYS -> FORWARDING FORWARD",
            "AUTH SUBSCRIBER_LEFT ALWAYS -> TEARDOWN ABANDON",
            "AUTH OPERATOR_TEARDOWN ALWAYS -> TEARDOWN ABANDON_AND_CLOSE",
            "DECIDING SUBSCRIBER_LEFT ALWAYS -> TEARDOWN ABANDON",
            "DECIDING OPERATOR_TEARDOWN ALWAYS -> TEARDOWN ABANDON_AND_CLOSE",
            "TUNNEL_SETUP SUBSCRIBER_LEFT ALWAYS -> TEARDOWN ABANDON",
            "TUNNEL_SETUP OPERATOR_TEARDOWN ALWAYS -> TEARDOWN ABANDON_AND_CLOSE",
            "CALL_SETUP SUBSCRIBER_LEFT ALWAYS -> TEARDOWN ABANDON",
            "CALL_SETUP OPERATOR_TEARDOWN ALWAYS -> TEARDOWN ABANDON_AND_CLOSE",
            "FORWARDING CALL_DOWN ALWAYS -> TEARDOWN END_BY_LNS",
            "FORWARDING SUBSCRIBER_LEFT ALWAYS -> TEARDOWN END_BY_SUBSCRIBER",
            "FORWARDING OPERATOR_TEARDOWN ALWAYS -> TEARDOWN END_BY_LACD",
            "FORWARDING SESSION_TIMEOUT ALWAYS -> TEARDOWN END_BY_LACD",
            "FORWARDING IPSEC_LOST ALWAYS -> TEARDOWN END_BY_IPSEC_LOST",
            "FORWARDING INTERIM_DUE ALWAYS -> FORWARDING SEND_INTERIM",
            "TUNNEL_SETUP STALE_CALL ALWAYS -> TUNNEL_SETUP CLEAR_STALE",
            "CALL_SETUP STALE_CALL ALWAYS -> CALL_SETUP CLEAR_STALE",
            "FORWARDING STALE_CALL ALWAYS -> FORWARDING CLEAR_STALE",
            "TEARDOWN STALE_CALL ALWAYS -> TEARDOWN CLEAR_STALE");

    static String text(Row r) {
        return r.from() + " " + r.event() + " " + r.guard() + " -> " + r.to() + " " + r.action();
    }

    @Test
    void tableIsExactlyTheseRows() {
        assertEquals(new TreeSet<>(EXPECTED), new TreeSet<>(Session.TABLE.stream().map(SessionTableTest::text).toList()));
        assertEquals(EXPECTED.size(), Session.TABLE.size(), "no duplicate rows");
    }

    @Test
    void everyRowCitesItsSourceAndGuardsOfOnePairAreExclusive() {
        Set<String> seen = new HashSet<>();
        for (Row r : Session.TABLE) {
            assertTrue(r.ref().contains("RFC") || r.ref().contains("DESIGN"), "cites an RFC or the design: " + r);
            assertTrue(seen.add(r.from() + "/" + r.event() + "/" + r.guard()), "duplicate " + r);
        }
        // the candidate guards come as a full set: in clear, needs IPsec, none left (DECISION_PLACE always has one)
        for (Row r : Session.TABLE) {
            if (r.guard() != Guard.ALWAYS) {
                String pair = r.from() + "/" + r.event() + "/";
                assertTrue(seen.contains(pair + Guard.NEXT_IN_CLEAR) && seen.contains(pair + Guard.NEXT_NEEDS_IPSEC), "complement of " + r);
                assertEquals(r.event() != Event.DECISION_PLACE, seen.contains(pair + Guard.NO_CANDIDATE_LEFT), "complement of " + r);
                assertFalse(seen.contains(pair + Guard.ALWAYS), "ALWAYS beside a guard: " + r);
            }
        }
        // every row that starts an attempt on an LNS requiring IPsec asks for its SA first, and only those
        for (Row r : Session.TABLE) {
            boolean ipsecAction = r.action() == Action.CHECK_IPSEC || r.action() == Action.NEXT_CANDIDATE_IPSEC;
            assertEquals(r.guard() == Guard.NEXT_NEEDS_IPSEC, ipsecAction, "IPsec first: " + r);
            if (r.event().name().startsWith("IPSEC_") || ipsecAction || r.action() == Action.PLACE_PROTECTED
                    || r.action() == Action.END_BY_IPSEC_LOST) {
                assertTrue(r.ref().contains("RFC 3193") || r.ref().contains("RFC 4301"), "cites RFC 3193 / 4301: " + r);
            }
        }
    }

    /** The rows that must NOT exist: events a state ignores, where a row would be a bug. */
    @Test
    void rowsThatMustNotExist() {
        Set<String> pairs = new HashSet<>();
        Session.TABLE.forEach(r -> pairs.add(r.from() + "/" + r.event()));
        // a finished session takes nothing but a late call's CDN
        for (Event e : Event.values()) {
            assertEquals(e == Event.STALE_CALL, pairs.contains("TEARDOWN/" + e), "TEARDOWN/" + e);
        }
        // the session object is made at handover: PPPoE-side phases are not its states
        for (Event e : Event.values()) {
            assertFalse(pairs.contains("PPPOE/" + e), "PPPOE/" + e);
        }
        for (String none : List.of(
                "TUNNEL_SETUP/CALL_UP",        // ICRP before ICRQ: the call must be seen placing first
                "DECIDING/CALL_UP", "AUTH/CALL_UP",
                "FORWARDING/TUNNEL_UP",        // the tunnel came up long ago
                "FORWARDING/SETUP_TIMEOUT",    // setup bound after the call is up
                "FORWARDING/DECISION_TIMEOUT", "TUNNEL_SETUP/DECISION_TIMEOUT", "CALL_SETUP/DECISION_TIMEOUT",
                "TUNNEL_SETUP/DECISION_PLACE", "FORWARDING/DECISION_PLACE", "TUNNEL_SETUP/DECISION_REFUSED",
                "DECIDING/USERNAME", "FORWARDING/USERNAME",  // one user name per session
                "DECIDING/CALL_DOWN",          // no call yet
                "AUTH/STALE_CALL", "DECIDING/STALE_CALL",
                "CALL_SETUP/SESSION_TIMEOUT", "TUNNEL_SETUP/SESSION_TIMEOUT", "DECIDING/SESSION_TIMEOUT",
                "CALL_SETUP/INTERIM_DUE", "TUNNEL_SETUP/INTERIM_DUE",
                // the IPsec check answers an attempt that has not placed its call yet
                "CALL_SETUP/IPSEC_UP", "CALL_SETUP/IPSEC_REFUSED", "FORWARDING/IPSEC_UP", "FORWARDING/IPSEC_REFUSED",
                "DECIDING/IPSEC_UP", "DECIDING/IPSEC_REFUSED", "AUTH/IPSEC_UP", "AUTH/IPSEC_REFUSED",
                // no LNS yet, so no SA to lose
                "AUTH/IPSEC_LOST", "DECIDING/IPSEC_LOST")) {
            assertFalse(pairs.contains(none), none);
        }
    }

    // ================================================================ AUTH

    @Test
    void authUsernameAsksSteeringAndArmsTheDecisionTimer() {
        inAuth().start();
        assertEquals(SessionState.DECIDING, session.state());
        assertEquals(1, asked.size());
        assertEquals(1, sched.pendingTasks(), "the decision timer");
        assertEquals(1, metrics.sessions(SessionState.DECIDING));
    }

    @Test
    void authUsernameTooLongIsRefusedAtOnceWithoutAskingAnyone() {
        user = "u".repeat(300); // over RADIUS User-Name's 253 bytes (the sample config asks RADIUS)
        inAuth().start();
        assertEquals(SessionState.TEARDOWN, session.state());
        assertEquals(List.of("user name too long"), sub.rejected);
        assertEquals(0, asked.size());
        assertEquals(1, counter("lacd.session.failures", "reason", "username_too_long"));
        assertEquals(List.of("reject USERNAME_TOO_LONG"), accounting.log);
        assertEquals(List.of(session), removed);
    }

    @Test
    void authSubscriberLeftAbandonsWithoutClosingTheSubscriberAgain() {
        inAuth().subscriberClosed(CloseReason.PADT_FROM_SUBSCRIBER);
        assertEquals(SessionState.TEARDOWN, session.state());
        assertEquals(List.of(), sub.terminated);
        assertEquals(1, counter("lacd.session.failures", "reason", "subscriber_left"));
        assertEquals(List.of(session), removed);
    }

    @Test
    void authOperatorTeardownClosesTheSubscriber() {
        inAuth().teardown(TeardownCause.ADMIN);
        assertEquals(SessionState.TEARDOWN, session.state());
        assertEquals(List.of(CloseReason.ADMIN), sub.terminated);
        assertEquals(1, counter("lacd.session.failures", "reason", "admin"));
    }

    // ================================================================ DECIDING

    @Test
    void decidingPlaceCallsTheFirstCandidateAndSwapsTheDecisionTimerForTheAttemptTimer() {
        inTunnelSetup(lnsB, lnsA); // preference 1 (lnsA) goes first whatever the order RADIUS gave
        assertEquals(1, calls.size());
        assertSame(lnsA, calls.get(0).lns);
        assertEquals(List.of("lns-a"), session.tried());
        assertEquals(1, sched.pendingTasks(), "attempt timer only: the decision timer is cancelled");
        assertEquals(1, metrics.sessions(SessionState.TUNNEL_SETUP));
        assertEquals(0, metrics.sessions(SessionState.DECIDING));
    }

    @Test
    void decidingRefusedRejectsTheSubscriberWithTheReason() {
        inDeciding();
        asked.get(0).complete(new Decision.Refused(SetupFailure.RADIUS_REJECT, "bad password"));
        assertEquals(SessionState.TEARDOWN, session.state());
        assertEquals(List.of("bad password"), sub.rejected);
        assertEquals(1, counter("lacd.session.failures", "reason", "radius_reject"));
        assertEquals(List.of("reject RADIUS_REJECT"), accounting.log);
        assertEquals(0, sched.pendingTasks(), "decision timer cancelled");
    }

    @Test
    void decidingSteeringErrorAndNoUsableLnsAreRefusals() {
        inDeciding();
        asked.get(0).completeExceptionally(new IllegalStateException("boom"));
        assertEquals(SessionState.TEARDOWN, session.state());
        assertEquals(1, counter("lacd.session.failures", "reason", "radius_unavailable"));

        selector.setDrain("lns-a", true);
        asked.clear();
        inDeciding();
        asked.get(0).complete(new Decision.Place(List.of(lnsA), Optional.empty(), Map.of()));
        assertEquals(SessionState.TEARDOWN, session.state());
        assertEquals(1, counter("lacd.session.failures", "reason", "no_usable_lns"));
        assertEquals(0, calls.size());
    }

    @Test
    void decidingTimeoutFiresOnTheManualClockAndALateAnswerIsIgnored() {
        inDeciding();
        sched.advance(decisionBound().minusMillis(1));
        assertEquals(SessionState.DECIDING, session.state());
        sched.advance(Duration.ofMillis(1));
        assertEquals(SessionState.TEARDOWN, session.state());
        assertEquals(List.of("no answer from the authentication service"), sub.rejected);
        assertEquals(1, counter("lacd.session.failures", "reason", "radius_unavailable"));
        // the answer comes after all: TEARDOWN has no row for it, nothing is placed, nothing counted as dropped
        asked.get(0).complete(new Decision.Place(List.of(lnsA), Optional.empty(), Map.of()));
        assertEquals(0, calls.size());
        assertEquals(SessionState.TEARDOWN, session.state());
    }

    @Test
    void decidingSubscriberLeftAndOperatorTeardown() {
        inDeciding().subscriberClosed(CloseReason.LCP_TERMINATE_FROM_SUBSCRIBER);
        assertEquals(SessionState.TEARDOWN, session.state());
        assertEquals(List.of(), sub.terminated);
        assertEquals(0, sched.pendingTasks());

        inDeciding().teardown(TeardownCause.SHUTDOWN);
        assertEquals(SessionState.TEARDOWN, session.state());
        assertEquals(List.of(CloseReason.SHUTDOWN), sub.terminated);
        assertEquals(1, counter("lacd.session.failures", "reason", "shutdown"));
    }

    // ================================================================ TUNNEL_SETUP and CALL_SETUP

    @Test
    void tunnelUpEntersCallSetup() {
        inTunnelSetup(lnsA);
        session.callPlacing(lastCall());
        assertEquals(SessionState.CALL_SETUP, session.state());
        assertEquals(1, metrics.sessions(SessionState.CALL_SETUP), "lacd_sessions{state=\"call_setup\"}");
        assertEquals(0, metrics.sessions(SessionState.TUNNEL_SETUP));
        assertEquals(List.of(SessionState.AUTH, SessionState.DECIDING, SessionState.TUNNEL_SETUP, SessionState.CALL_SETUP),
                session.timeline().stream().map(Session.Views.Change::state).toList());
    }

    /** Where a setup's time goes (issue 20, second round): each setup phase is timed on the injected clock. */
    @Test
    void setupPhasesAreTimedOnTheManualClock() {
        sched.advance(Duration.ofMillis(2000)); // PADS at T0, username 2 s later
        newSession().start();
        sched.advance(Duration.ofMillis(300)); // RADIUS
        asked.get(0).complete(new Decision.Place(List.of(lnsA), Optional.empty(), Map.of()));
        sched.advance(Duration.ofMillis(100)); // tunnel and window until the ICRQ is queued
        lastCall().state = CallState.WAIT_REPLY;
        session.callPlacing(lastCall());
        sched.advance(Duration.ofMillis(1500)); // ICRQ to ICRP
        lastCall().state = CallState.ESTABLISHED;
        session.callUp(lastCall());
        assertEquals(SessionState.FORWARDING, session.state());
        assertEquals(2000, phaseMillis("pppoe"));
        assertEquals(300, phaseMillis("deciding"));
        assertEquals(100, phaseMillis("tunnel_setup"));
        assertEquals(1500, phaseMillis("call_setup"));
        assertEquals(null, registry.find("lacd.session.setup.phase").tags("phase", "forwarding").timer(), "not a setup phase");
    }

    double phaseMillis(String phase) {
        io.micrometer.core.instrument.Timer t = registry.find("lacd.session.setup.phase").tags("phase", phase).timer();
        assertEquals(1, t.count(), phase + " timed once");
        return t.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Test
    void callDownWithACandidateLeftLocksOutAndTriesTheNext() {
        for (boolean inCallSetup : new boolean[] {false, true}) {
            calls.clear();
            setUpSelector();
            if (inCallSetup) {
                inCallSetup(lnsA, lnsB);
            } else {
                inTunnelSetup(lnsA, lnsB);
            }
            FakeCall first = lastCall();
            session.callDown(first, cause(CallDownCause.Kind.REFUSED));
            assertEquals(SessionState.TUNNEL_SETUP, session.state());
            assertTrue(lockedOut(lnsA), "refused: locked out");
            assertEquals(2, calls.size());
            assertSame(lnsB, lastCall().lns);
            assertEquals(List.of("lns-a", "lns-b"), session.tried());
            assertEquals(List.of(), first.disconnects, "it is down already: no CDN");
            assertEquals(1, sched.pendingTasks(), "one attempt timer");
            session.teardown(TeardownCause.ADMIN);
            assertEquals(0, sched.pendingTasks(), "attempt timer cancelled");
        }
    }

    void setUpSelector() {
        selector = new LnsSelector(Duration.ofMinutes(5), LacdConfig.Spread.WEIGHT, clock, new Random(1), new LnsSelector.Listener() {
            @Override public void lockedOut(String key, Duration duration) {}
            @Override public void usable(String key) {}
        });
    }

    @Test
    void callClearedLocallyDoesNotLockTheLnsOut() {
        inTunnelSetup(lnsA, lnsB);
        session.callDown(lastCall(), cause(CallDownCause.Kind.CLEARED_LOCALLY));
        assertEquals(SessionState.TUNNEL_SETUP, session.state());
        assertFalse(lockedOut(lnsA));
    }

    @Test
    void callDownOnTheLastCandidateGivesUp() {
        for (boolean inCallSetup : new boolean[] {false, true}) {
            if (inCallSetup) {
                inCallSetup(lnsA);
            } else {
                inTunnelSetup(lnsA);
            }
            session.callDown(lastCall(), cause(CallDownCause.Kind.TUNNEL_FAILED));
            assertEquals(SessionState.TEARDOWN, session.state());
            assertEquals("service temporarily unavailable", sub.rejected.get(sub.rejected.size() - 1));
            assertEquals(0, sched.pendingTasks());
        }
        assertEquals(2, counter("lacd.session.failures", "reason", "all_lns_failed"));
    }

    @Test
    void setupTimeoutWithoutTunnelClearsTheCallLocksOutAndTriesTheNext() {
        inTunnelSetup(lnsA, lnsB);
        FakeCall first = lastCall();
        Duration bound = config.l2tp().setupTimeout();
        sched.advance(bound.minusMillis(1));
        assertEquals(1, calls.size());
        sched.advance(Duration.ofMillis(1));
        assertEquals(SessionState.TUNNEL_SETUP, session.state());
        assertEquals(1, first.disconnects.size(), "CDN / local clear of the timed-out call");
        assertTrue(lockedOut(lnsA), "no tunnel within the bound: locked out");
        assertSame(lnsB, lastCall().lns);
        // a late callback of the first call is stale now
        session.callUp(first);
        assertEquals(SessionState.TUNNEL_SETUP, session.state());
        assertEquals(2, first.disconnects.size(), "a stale call that came up is cleared");
    }

    @Test
    void setupTimeoutInCallSetupSkipsTheLnsWithoutLockingItOut() {
        inCallSetup(lnsA, lnsB);
        sched.advance(config.l2tp().setupTimeout());
        assertEquals(SessionState.TUNNEL_SETUP, session.state());
        assertFalse(lockedOut(lnsA), "its tunnel is up: a slow answer is skipped for this subscriber only");
        assertSame(lnsB, lastCall().lns);
        assertEquals(1, calls.get(0).disconnects.size());
    }

    @Test
    void setupTimeoutOnTheLastCandidateGivesUp() {
        for (boolean inCallSetup : new boolean[] {false, true}) {
            sub.rejected.clear();
            if (inCallSetup) {
                inCallSetup(lnsA);
            } else {
                inTunnelSetup(lnsA);
            }
            sched.advance(config.l2tp().setupTimeout());
            assertEquals(SessionState.TEARDOWN, session.state());
            assertEquals(List.of("service temporarily unavailable"), sub.rejected);
            assertEquals(1, lastCall().disconnects.size());
            assertEquals(0, metrics.sessions(SessionState.CALL_SETUP));
            assertEquals(0, metrics.sessions(SessionState.TUNNEL_SETUP));
        }
        assertEquals(2, counter("lacd.session.failures", "reason", "all_lns_failed"));
    }

    @Test
    void callUpForwardsAndStartsAccounting() {
        sessionTimeout = Duration.ofHours(1);
        inForwarding();
        assertTrue(sub.upstream != null, "PPPoE side switched to forwarding");
        sub.upstream.ppp(new byte[] {(byte) 0xc0, 0x21, 1}, 0, 3);
        assertEquals(1, lastCall().framesSent, "subscriber frames go to the call");
        assertEquals(List.of("start lns-a"), accounting.log);
        assertEquals(1, selector.state("lns-a").sessions());
        assertEquals(1, counter("lacd.session.setups", "result", "success"));
        assertEquals(2, sched.pendingTasks(), "interim and Session-Timeout; the attempt timer is cancelled");
        assertEquals(1, metrics.sessions(SessionState.FORWARDING));
        assertEquals(0, metrics.sessions(SessionState.CALL_SETUP));
    }

    @Test
    void setupStatesEndOnSubscriberOrOperatorWithACdnForTheCallInSetup() {
        for (boolean inCallSetup : new boolean[] {false, true}) {
            for (boolean operator : new boolean[] {false, true}) {
                sub.terminated.clear();
                if (inCallSetup) {
                    inCallSetup(lnsA);
                } else {
                    inTunnelSetup(lnsA);
                }
                if (operator) {
                    session.teardown(TeardownCause.RADIUS_DISCONNECT);
                } else {
                    session.subscriberClosed(CloseReason.PADT_FROM_SUBSCRIBER);
                }
                String where = (inCallSetup ? "call setup" : "tunnel setup") + (operator ? ", operator" : ", subscriber");
                assertEquals(SessionState.TEARDOWN, session.state(), where);
                assertEquals(1, lastCall().disconnects.size(), where);
                assertEquals(operator ? List.of(CloseReason.ADMIN) : List.of(), sub.terminated, where);
                assertEquals(0, sched.pendingTasks(), where);
            }
        }
        assertEquals(2, counter("lacd.session.failures", "reason", "subscriber_left"));
        assertEquals(2, counter("lacd.session.failures", "reason", "admin"));
    }

    // ================================================================ FORWARDING

    @Test
    void forwardingCallDownByTheLnsTerminatesTheSubscriber() {
        inForwarding();
        session.callDown(lastCall(), cause(CallDownCause.Kind.REFUSED));
        assertEquals(SessionState.TEARDOWN, session.state());
        assertEquals(List.of(CloseReason.UPSTREAM_DOWN), sub.terminated);
        assertEquals(List.of(), lastCall().disconnects, "no CDN back to the LNS that sent one");
        assertEquals(1, counter("lacd.session.teardowns", "cause", "lns_disconnect"));
        assertEquals(List.of("start lns-a", "stop LNS_DISCONNECT"), accounting.log);
        assertFalse(lockedOut(lnsA));
        assertEquals(0, selector.state("lns-a").sessions());
        assertEquals(0, sched.pendingTasks(), "interim timer cancelled");
    }

    @Test
    void forwardingTunnelLostLocksTheLnsOut() {
        inForwarding();
        session.callDown(lastCall(), cause(CallDownCause.Kind.TUNNEL_FAILED));
        assertEquals(1, counter("lacd.session.teardowns", "cause", "tunnel_lost"));
        assertTrue(lockedOut(lnsA));
    }

    @Test
    void forwardingSubscriberLeftSendsCdn() {
        inForwarding();
        session.subscriberClosed(CloseReason.PADT_FROM_SUBSCRIBER);
        assertEquals(SessionState.TEARDOWN, session.state());
        assertEquals(1, lastCall().disconnects.size());
        assertEquals(List.of(), sub.terminated, "the subscriber is gone already");
        assertEquals(1, counter("lacd.session.teardowns", "cause", "subscriber_padt"));
        assertEquals(List.of("start lns-a", "stop SUBSCRIBER_PADT"), accounting.log);
    }

    @Test
    void forwardingOperatorTeardownClearsBothSides() {
        inForwarding();
        session.teardown(TeardownCause.ADMIN);
        assertEquals(SessionState.TEARDOWN, session.state());
        assertEquals(1, lastCall().disconnects.size());
        assertEquals(List.of(CloseReason.ADMIN), sub.terminated);
        assertEquals(1, counter("lacd.session.teardowns", "cause", "admin"));
    }

    @Test
    void forwardingSessionTimeoutOnTheManualClock() {
        sessionTimeout = Duration.ofMinutes(30);
        inForwarding();
        sched.advance(Duration.ofMinutes(30).minusMillis(1));
        assertEquals(SessionState.FORWARDING, session.state());
        sched.advance(Duration.ofMillis(1));
        assertEquals(SessionState.TEARDOWN, session.state());
        assertEquals(1, counter("lacd.session.teardowns", "cause", "session_timeout"));
        assertEquals(List.of(CloseReason.ADMIN), sub.terminated);
        assertEquals(1, lastCall().disconnects.size());
    }

    @Test
    void forwardingInterimEveryIntervalUntilTheSessionEnds() {
        inForwarding();
        sched.advance(interim.minusMillis(1));
        assertEquals(List.of("start lns-a"), accounting.log);
        sched.advance(Duration.ofMillis(1));
        sched.advance(interim);
        assertEquals(List.of("start lns-a", "interim", "interim"), accounting.log);
        session.subscriberClosed(CloseReason.PADT_FROM_SUBSCRIBER);
        sched.advance(interim.multipliedBy(3));
        assertEquals(List.of("start lns-a", "interim", "interim", "stop SUBSCRIBER_PADT"), accounting.log);
        assertEquals(0, sched.pendingTasks());
    }

    // ================================================================ stale calls

    @Test
    void staleCallsAreClearedInEveryStateIncludingTeardown() {
        inTunnelSetup(lnsA, lnsB);
        FakeCall first = lastCall();
        session.callDown(first, cause(CallDownCause.Kind.REFUSED));
        session.callPlacing(first); // stale: not the call of this attempt
        assertEquals(SessionState.TUNNEL_SETUP, session.state());
        session.callDown(first, cause(CallDownCause.Kind.REFUSED)); // stale down: nothing
        assertEquals(2, calls.size());
        assertEquals(List.of(), first.disconnects);
        session.callUp(first);
        assertEquals(1, first.disconnects.size(), "stale call up: cleared");
        assertEquals(SessionState.TUNNEL_SETUP, session.state());

        // after the session ended, a call that comes up is still cleared
        FakeCall second = lastCall();
        session.subscriberClosed(CloseReason.PADT_FROM_SUBSCRIBER);
        assertEquals(1, second.disconnects.size());
        session.callUp(second);
        assertEquals(2, second.disconnects.size());
        assertEquals(SessionState.TEARDOWN, session.state());
        assertEquals(0, dropped(SessionState.TUNNEL_SETUP, Event.STALE_CALL));
    }

    @Test
    void aStaleCallThatComesUpInCallSetupOrForwardingIsClearedAndTheSessionStays() {
        inCallSetup(lnsA, lnsB);
        FakeCall first = lastCall();
        sched.advance(config.l2tp().setupTimeout()); // first attempt abandoned: CDN, next candidate
        assertEquals(1, first.disconnects.size());
        FakeCall second = lastCall();
        second.state = CallState.WAIT_REPLY;
        session.callPlacing(second);
        assertEquals(SessionState.CALL_SETUP, session.state());
        session.callUp(first); // the first LNS answers after all
        assertEquals(SessionState.CALL_SETUP, session.state());
        assertEquals(2, first.disconnects.size(), "cleared again: no session uses it");
        session.callUp(second);
        assertEquals(SessionState.FORWARDING, session.state());
        sub.upstream.ppp(new byte[] {1}, 0, 1);
        assertEquals(1, second.framesSent, "frames go to the call the session forwards on, not the stale one");
        assertEquals(0, first.framesSent);
        session.callUp(first);
        assertEquals(SessionState.FORWARDING, session.state());
        assertEquals(3, first.disconnects.size());
        sub.upstream.ppp(new byte[] {1}, 0, 1);
        assertEquals(2, second.framesSent, "a stale call up does not take the data path");
        assertEquals(List.of(), second.disconnects);
    }

    // ================================================================ events without a row

    @Test
    void callUpBeforeTheCallIsPlacingIsDroppedAndCounted() {
        inTunnelSetup(lnsA);
        session.callUp(lastCall());
        assertEquals(SessionState.TUNNEL_SETUP, session.state(), "no row TUNNEL_SETUP/CALL_UP");
        assertEquals(1, dropped(SessionState.TUNNEL_SETUP, Event.CALL_UP));
        assertEquals(List.of(), accounting.log);
    }

    @Test
    void aSecondUsernameOrTunnelUpIsDroppedAndCounted() {
        inDeciding().start();
        assertEquals(1, asked.size(), "steering asked once");
        assertEquals(1, dropped(SessionState.DECIDING, Event.USERNAME));
        asked.clear();
        inForwarding();
        session.callPlacing(lastCall());
        assertEquals(SessionState.FORWARDING, session.state());
        assertEquals(1, dropped(SessionState.FORWARDING, Event.TUNNEL_UP));
    }

    @Test
    void eventsAfterTeardownAreIgnoredWithoutEffect() {
        inForwarding();
        session.teardown(TeardownCause.ADMIN);
        List<String> acct = List.copyOf(accounting.log);
        int disconnects = lastCall().disconnects.size();
        session.subscriberClosed(CloseReason.ADMIN); // our own terminate coming back
        session.teardown(TeardownCause.SHUTDOWN);
        session.callDown(lastCall(), cause(CallDownCause.Kind.CLEARED_LOCALLY));
        assertEquals(SessionState.TEARDOWN, session.state());
        assertEquals(acct, accounting.log, "no second Stop");
        assertEquals(disconnects, lastCall().disconnects.size());
        assertEquals(List.of(session), removed, "removed once");
        assertEquals(1, counter("lacd.session.teardowns", "cause", "admin"));
        assertEquals(0, counter("lacd.session.teardowns", "cause", "shutdown"));
        assertNull(registry.find("lacd.session.events.dropped").tag("state", "teardown").counter(), "late events are normal");
        for (SessionState s : SessionState.values()) {
            if (s != SessionState.PPPOE) {
                // SessionManager takes a removed session off the TEARDOWN gauge; here "removed" only records it
                assertEquals(s == SessionState.TEARDOWN ? 1 : 0, metrics.sessions(s), "gauge " + s);
            }
        }
    }

    // ================================================================ L2TP/IPsec (issue 17)

    static IpsecManager.Result ipsec(IpsecOutcome o, boolean initiated) {
        return new IpsecManager.Result(o, initiated, "from charon: \u001b[31m");
    }

    IpsecAsk lastAsk() {
        return ipsecAsked.get(ipsecAsked.size() - 1);
    }

    double ipsecFailures(LnsCandidate c, IpsecOutcome o) {
        return counter("lacd.lns.ipsec.failures", "lns", c.key(), "reason", o.label());
    }

    @Test
    void anLnsThatRequiresIpsecGetsNothingUntilItsSaIsUp() {
        inTunnelSetup(secA, lnsB);
        assertEquals(List.of(), calls, "no call (no SCCRQ) before the SA is up");
        assertEquals(1, ipsecAsked.size());
        assertSame(secA, lastAsk().lns());
        assertEquals(config.l2tp().setupTimeout().multipliedBy(3).dividedBy(4), lastAsk().bound(), "charon's bound below ours");
        assertEquals(1, sched.pendingTasks(), "the attempt timer bounds the wait");
        lastAsk().answer().complete(ipsec(IpsecOutcome.UP, true));
        assertEquals(SessionState.TUNNEL_SETUP, session.state());
        assertEquals(1, calls.size());
        assertSame(secA, lastCall().lns);
        assertEquals(1, counter("lacd.lns.ipsec.setups", "lns", "sec-a"), "brought up on demand: counted");
        assertEquals(List.of(SessionState.AUTH, SessionState.DECIDING, SessionState.TUNNEL_SETUP),
                session.timeline().stream().map(Session.Views.Change::state).toList(), "IPSEC_UP is no new attempt");
        lastCall().state = CallState.WAIT_REPLY;
        session.callPlacing(lastCall());
        lastCall().state = CallState.ESTABLISHED;
        session.callUp(lastCall());
        assertEquals(SessionState.FORWARDING, session.state());
    }

    @Test
    void anSaAlreadyUpIsNotCountedAsASetup() {
        inTunnelSetup(secA);
        lastAsk().answer().complete(ipsec(IpsecOutcome.UP, false));
        assertEquals(1, calls.size());
        assertEquals(0, counter("lacd.lns.ipsec.setups", "lns", "sec-a"));
    }

    @Test
    void ipsecRefusedLocksTheLnsOutAndFailsOverToTheNextInClear() {
        inTunnelSetup(secA, lnsB);
        lastAsk().answer().complete(ipsec(IpsecOutcome.INITIATE_FAILED, false));
        assertEquals(SessionState.TUNNEL_SETUP, session.state());
        assertTrue(lockedOut(secA), "as a tunnel that failed: locked out");
        assertEquals(1, calls.size(), "nothing to sec-a, a call to lns-b");
        assertSame(lnsB, lastCall().lns);
        assertEquals(List.of("sec-a", "lns-b"), session.tried());
        assertEquals(1, ipsecFailures(secA, IpsecOutcome.INITIATE_FAILED));
        assertEquals(1, ipsecAsked.size(), "lns-b needs no SA");
        assertEquals(1, sched.pendingTasks(), "one attempt timer");
    }

    @Test
    void ipsecRefusedWithAnotherIpsecLnsNextAsksForItsSaFirst() {
        inTunnelSetup(secA, secB);
        lastAsk().answer().complete(ipsec(IpsecOutcome.NOT_COVERED, false));
        assertEquals(2, ipsecAsked.size());
        assertSame(secB, lastAsk().lns());
        assertEquals(List.of(), calls);
        assertEquals(1, ipsecFailures(secA, IpsecOutcome.NOT_COVERED));
        lastAsk().answer().complete(ipsec(IpsecOutcome.UP, false));
        assertSame(secB, lastCall().lns);
    }

    @Test
    void ipsecRefusedOnTheLastCandidateGivesUp() {
        inTunnelSetup(secA);
        lastAsk().answer().completeExceptionally(new java.io.IOException("connection refused"));
        assertEquals(SessionState.TEARDOWN, session.state());
        assertEquals(List.of("service temporarily unavailable"), sub.rejected);
        assertEquals(1, ipsecFailures(secA, IpsecOutcome.CONTROL_UNREACHABLE), "a broken check is charon unreachable");
        assertEquals(List.of("reject ALL_LNS_FAILED"), accounting.log);
        assertEquals(0, sched.pendingTasks());
        assertEquals(List.of(), calls);
    }

    @Test
    void aFailedCallFailsOverToAnIpsecLnsThroughItsSa() {
        for (boolean timeout : new boolean[] {false, true}) {
            calls.clear();
            ipsecAsked.clear();
            setUpSelector();
            inCallSetup(lnsA, secB);
            if (timeout) {
                sched.advance(config.l2tp().setupTimeout());
            } else {
                session.callDown(lastCall(), cause(CallDownCause.Kind.REFUSED));
            }
            assertEquals(SessionState.TUNNEL_SETUP, session.state());
            assertEquals(1, calls.size(), "no call to sec-b yet");
            assertEquals(1, ipsecAsked.size());
            assertSame(secB, lastAsk().lns());
            lastAsk().answer().complete(ipsec(IpsecOutcome.UP, false));
            assertSame(secB, lastCall().lns);
        }
    }

    @Test
    void aLateIpsecAnswerForAnAttemptThatTimedOutIsIgnored() {
        inTunnelSetup(secA, lnsB);
        IpsecAsk first = lastAsk();
        sched.advance(config.l2tp().setupTimeout());
        assertSame(lnsB, lastCall().lns);
        assertTrue(lockedOut(secA), "no tunnel within the bound");
        first.answer().complete(ipsec(IpsecOutcome.UP, true));
        assertEquals(1, calls.size(), "no call to sec-a after all");
        assertEquals(SessionState.TUNNEL_SETUP, session.state());
        assertEquals(0, counter("lacd.lns.ipsec.setups", "lns", "sec-a"));
        assertEquals(0, dropped(SessionState.TUNNEL_SETUP, Event.IPSEC_UP));
    }

    @Test
    void anIpsecAnswerAfterTheSubscriberLeftIsIgnored() {
        inTunnelSetup(secA);
        session.subscriberClosed(CloseReason.PADT_FROM_SUBSCRIBER);
        lastAsk().answer().complete(ipsec(IpsecOutcome.UP, true));
        assertEquals(SessionState.TEARDOWN, session.state());
        assertEquals(List.of(), calls);
        assertEquals(List.of(session), removed);
    }

    @Test
    void ipsecLostWhileForwardingEndsTheSessionWithoutACdnInClear() {
        inTunnelSetup(secA);
        lastAsk().answer().complete(ipsec(IpsecOutcome.UP, false));
        lastCall().state = CallState.WAIT_REPLY;
        session.callPlacing(lastCall());
        lastCall().state = CallState.ESTABLISHED;
        session.callUp(lastCall());
        assertEquals(SessionState.FORWARDING, session.state());
        session.ipsecLost();
        assertEquals(SessionState.TEARDOWN, session.state());
        assertEquals(List.of(), lastCall().disconnects, "no CDN: it could only leave in clear");
        assertEquals(List.of(CloseReason.UPSTREAM_DOWN), sub.terminated);
        assertEquals(List.of("start sec-a", "stop IPSEC_LOST"), accounting.log);
        assertEquals(1, counter("lacd.session.teardowns", "cause", "ipsec_lost"));
        assertEquals(0, selector.state("sec-a").sessions());
        assertEquals(0, sched.pendingTasks());
        // the tunnel's own CALL_DOWN that follows is a late event
        session.callDown(lastCall(), cause(CallDownCause.Kind.TUNNEL_FAILED));
        assertEquals(List.of("start sec-a", "stop IPSEC_LOST"), accounting.log);
        assertEquals(List.of(session), removed);
    }

    @Test
    void ipsecLostDuringSetupWaitsForTheTunnelsCallDown() {
        inCallSetup(lnsA, lnsB);
        session.ipsecLost();
        assertEquals(SessionState.CALL_SETUP, session.state(), "the call is not ended by the session itself");
        assertEquals(0, dropped(SessionState.CALL_SETUP, Event.IPSEC_LOST), "a row, not a drop");
        assertEquals(List.of(), lastCall().disconnects);
        session.callDown(lastCall(), cause(CallDownCause.Kind.TUNNEL_FAILED));
        assertSame(lnsB, lastCall().lns);
        inTunnelSetup(secA);
        session.ipsecLost();
        assertEquals(SessionState.TUNNEL_SETUP, session.state());
        assertEquals(0, dropped(SessionState.TUNNEL_SETUP, Event.IPSEC_LOST));
        lastAsk().answer().complete(ipsec(IpsecOutcome.UP, false));
        assertSame(secA, lastCall().lns, "a check still under way answers as before");
    }
}
