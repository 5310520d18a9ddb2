package org.lacd.daemon.session;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;
import org.lacd.daemon.config.LacdConfig;
import org.lacd.daemon.session.Steering.Decision;
import org.lacd.daemon.steering.LnsCandidate;
import org.lacd.radius.AccountingService;
import org.lacd.radius.AcctSession;
import org.lacd.radius.TerminateCause;
import org.lacd.radius.TunnelCandidate;

/**
 * A subscriber session's accounting (RFC 2866, RFC 2867 tunnel records) and the timers RADIUS sets for it
 * (Acct-Interim-Interval, Session-Timeout). Moved out of {@link SessionManager} so a {@link Session} is given this and
 * nothing else of the manager (issue 15). With accounting off ({@code accounting} supplies null) every call is a no-op.
 * Not final: the session table's unit test records what a session asks of it.
 */
class SessionAccounting {
    private final Supplier<AccountingService> accounting;
    private final Supplier<LacdConfig> config;
    private final Clock clock;

    SessionAccounting(Supplier<AccountingService> accounting, Supplier<LacdConfig> config, Clock clock) {
        this.accounting = accounting;
        this.config = config;
        this.clock = clock;
    }

    /** Accounting-Start (and Tunnel-Link-Start when configured) for a session just up; null with accounting off. */
    AcctSession start(Session s, Decision d) {
        AccountingService acct = accounting.get();
        if (acct == null) {
            return null;
        }
        Decision.Place place = (Decision.Place) d;
        LnsCandidate lns = s.lns();
        String connection = s.call() == null ? "" : s.call().localTunnelId() + "/" + s.call().localSessionId();
        TunnelCandidate origin = place.radius().get(lns.key());
        AcctSession.TunnelInfo tunnel = origin != null ? AcctSession.TunnelInfo.of(origin, null, connection)
                : AcctSession.TunnelInfo.l2tp(lns.profile().address().getHostAddress(), null, connection);
        List<byte[]> classes = place.attributes().map(x -> x.classes()).orElse(List.of());
        AcctSession a = new AcctSession(s.acctSessionId, s.auth.username(), s.access.macBytes(), s.access.interfaceName(),
                vlan(s.access.outerVlan()), vlan(s.access.innerVlan()), s.access.pppoeSessionId(), s.access.serviceName(), s.upSince(),
                () -> new AcctSession.Counters(s.bytesUp.get(), s.bytesDown.get(), s.packetsUp.get(), s.packetsDown.get()),
                Optional.of(tunnel), classes, OptionalInt.empty(),
                place.attributes().isPresent() ? AcctSession.AUTHENTIC_RADIUS : AcctSession.AUTHENTIC_LOCAL,
                Steering.lineInfo(s.access), s.access.callingStationId(), s.access.nasPortType());
        acct.start(a);
        if (config.get().radius().accounting().tunnelRecords()) {
            acct.tunnelLinkStart(a);
        }
        return a;
    }

    void interim(AcctSession a) {
        AccountingService acct = accounting.get();
        if (acct != null) {
            acct.interim(a);
        }
    }

    void stop(AcctSession a, TeardownCause cause) {
        AccountingService acct = accounting.get();
        if (acct != null) {
            acct.stop(a, cause.acctTerminateCause());
            if (config.get().radius().accounting().tunnelRecords()) {
                acct.tunnelLinkStop(a, cause.acctTerminateCause());
            }
        }
    }

    void reject(Session s, SetupFailure reason) {
        // Rejects are accounted only when configured; a Stop without a Start is what operators ask for here.
        AccountingService acct = accounting.get();
        if (acct == null || !config.get().radius().accounting().recordRejects() || reason == SetupFailure.USERNAME_TOO_LONG) {
            // a name too long for User-Name would make the Stop unencodable: nothing to account
            return;
        }
        AcctSession a = new AcctSession(s.acctSessionId, s.auth.username(), s.access.macBytes(), s.access.interfaceName(),
                vlan(s.access.outerVlan()), vlan(s.access.innerVlan()), s.access.pppoeSessionId(), s.access.serviceName(), clock.instant(),
                () -> AcctSession.Counters.ZERO, Optional.empty(), List.of(), OptionalInt.empty(), AcctSession.AUTHENTIC_RADIUS,
                Steering.lineInfo(s.access), s.access.callingStationId(), s.access.nasPortType());
        acct.stop(a, reason == SetupFailure.RADIUS_REJECT ? TerminateCause.USER_ERROR : TerminateCause.SERVICE_UNAVAILABLE);
    }

    /** RFC 2869 5.16 Acct-Interim-Interval from RADIUS (at least 60 s), else the configured interval; zero: none. */
    Duration interimInterval(Decision d) {
        if (d instanceof Decision.Place p && p.attributes().isPresent() && p.attributes().get().acctInterimInterval().isPresent()) {
            return Duration.ofSeconds(Math.max(60, p.attributes().get().acctInterimInterval().getAsLong()));
        }
        return config.get().radius().accounting().interimInterval();
    }

    /** RFC 2865 5.27 Session-Timeout from RADIUS, when positive. */
    Optional<Duration> sessionTimeout(Decision d) {
        if (d instanceof Decision.Place p && p.attributes().isPresent() && p.attributes().get().sessionTimeout().isPresent()) {
            long t = p.attributes().get().sessionTimeout().getAsLong();
            return t > 0 ? Optional.of(Duration.ofSeconds(t)) : Optional.empty();
        }
        return Optional.empty();
    }

    private static OptionalInt vlan(int v) {
        return v < 0 ? OptionalInt.empty() : OptionalInt.of(v);
    }
}
