package org.lacd.daemon.session;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.lacd.daemon.config.LacdConfig;
import org.lacd.daemon.config.LacdConfig.LnsProfile;
import org.lacd.daemon.config.LacdConfig.SteeringSource;
import org.lacd.daemon.steering.LnsCandidate;
import org.lacd.l2tp.wire.L2tpCodec;
import org.lacd.pppoe.AuthExchange;
import org.lacd.pppoe.AuthType;
import org.lacd.radius.AaaService;
import org.lacd.radius.AccessDecision;
import org.lacd.radius.AccessDecision.AcceptAttributes;
import org.lacd.radius.AccessQuery;
import org.lacd.radius.RealmRules;
import org.lacd.radius.TunnelCandidate;
import org.lacd.radius.wire.RadiusAttribute;
import org.lacd.daemon.log.WireText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers "where does this subscriber's tunnel go?": RADIUS (RFC 2868 tunnel attributes), the realm rules, or
 * RADIUS first and the rules when RADIUS names no tunnel, as {@code steering.source} says. RADIUS candidates
 * are merged with the config profile they name (by Tunnel-Client-Auth-Id or Tunnel-Assignment-Id, else by
 * server address), RADIUS values winning, as commercial LACs do.
 */
final class Steering {
    private static final Logger LOG = LoggerFactory.getLogger(Steering.class);
    /** Preference given to a RADIUS candidate that carries none (RFC 2868 3.8: absent means least preferred). */
    static final int NO_PREFERENCE = Integer.MAX_VALUE;

    /** The outcome of steering. */
    sealed interface Decision {
        /** Candidates to place the call on; {@code radius} holds the RADIUS origin of each candidate by key. */
        record Place(List<LnsCandidate> candidates, Optional<AcceptAttributes> attributes,
                     Map<String, TunnelCandidate> radius) implements Decision {}

        record Refused(SetupFailure reason, String message) implements Decision {}
    }

    private final Supplier<LacdConfig> config;
    private final Supplier<AaaService> aaa;
    private final Supplier<RealmRules> rules;

    Steering(Supplier<LacdConfig> config, Supplier<AaaService> aaa, Supplier<RealmRules> rules) {
        this.config = config;
        this.aaa = aaa;
        this.rules = rules;
    }

    /**
     * The longest user name (UTF-8 bytes, as the subscriber sent it) lacd can carry on. With RADIUS asked: the User-Name
     * attribute, 253 bytes (RFC 2865 5). Without: the Proxy Authen Name AVP of the ICCN, 1023 - 6 (AVP header) - 2 (the
     * length field of a hidden AVP, RFC 2661 4.3) = 1015 bytes, so the name fits whether or not the profile hides AVPs.
     */
    static int maxUsernameBytes(LacdConfig c) {
        boolean radius = c.radius().enabled() && c.steering().source() != SteeringSource.REALM;
        return radius ? RadiusAttribute.MAX_VALUE_LENGTH : MAX_L2TP_STRING;
    }

    /** The largest string value an AVP can carry hidden or in clear (RFC 2661 4.1 and 4.3). */
    static final int MAX_L2TP_STRING = L2tpCodec.MAX_AVP_VALUE - 2;

    CompletableFuture<Decision> decide(Session s) {
        LacdConfig c = config.get();
        AaaService radius = aaa.get();
        boolean useRadius = c.radius().enabled() && radius != null && c.steering().source() != SteeringSource.REALM;
        if (!useRadius) {
            return CompletableFuture.completedFuture(byRules(c, s, Optional.empty()));
        }
        return radius.authorize(query(c, s)).thenApply(d -> {
            if (d instanceof AccessDecision.Accept a) {
                List<LnsCandidate> cands = new ArrayList<>();
                Map<String, TunnelCandidate> origin = new HashMap<>();
                for (TunnelCandidate t : a.candidates()) {
                    fromRadius(c, t).ifPresent(lc -> {
                        cands.add(lc);
                        origin.put(lc.key(), t);
                    });
                }
                if (!cands.isEmpty()) {
                    return new Decision.Place(List.copyOf(cands), Optional.of(a.attributes()), Map.copyOf(origin));
                }
                return c.steering().source() == SteeringSource.RADIUS_THEN_REALM ? byRules(c, s, Optional.of(a.attributes()))
                        : new Decision.Refused(SetupFailure.NO_TUNNEL, "no tunnel for this user");
            }
            AccessDecision.Reject r = (AccessDecision.Reject) d;
            return switch (r.reason()) {
                case ACCESS_REJECT, CHALLENGE_UNSUPPORTED, INVALID_QUERY -> new Decision.Refused(SetupFailure.RADIUS_REJECT,
                        r.replyMessage().isEmpty() ? "authentication failed" : r.replyMessage());
                case NO_USABLE_TUNNEL -> c.steering().source() == SteeringSource.RADIUS_THEN_REALM
                        ? byRules(c, s, Optional.empty()) : new Decision.Refused(SetupFailure.NO_TUNNEL, "no tunnel for this user");
                case TIMEOUT_ALL_SERVERS, OVERLOADED, NOT_AVAILABLE -> new Decision.Refused(SetupFailure.RADIUS_UNAVAILABLE,
                        "authentication service unavailable");
            };
        });
    }

    private Decision byRules(LacdConfig c, Session s, Optional<AcceptAttributes> attrs) {
        Optional<List<RealmRules.ProfileRef>> refs = rules.get().match(s.auth.username(), s.access.serviceName());
        if (refs.isEmpty()) {
            return new Decision.Refused(SetupFailure.NO_TUNNEL, "unknown realm");
        }
        List<LnsCandidate> out = new ArrayList<>();
        for (RealmRules.ProfileRef r : refs.get()) {
            c.l2tp().profile(r.lnsProfileName()).ifPresent(p -> out.add(new LnsCandidate(p.name(), p, r.preference(), r.weight())));
        }
        return out.isEmpty() ? new Decision.Refused(SetupFailure.NO_TUNNEL, "unknown realm")
                : new Decision.Place(List.copyOf(out), attrs, Map.of());
    }

    /** A RADIUS tunnel candidate as an LNS candidate, merged over the config profile it names. */
    static Optional<LnsCandidate> fromRadius(LacdConfig c, TunnelCandidate t) {
        Optional<LnsProfile> base = t.clientAuthId().flatMap(n -> c.l2tp().profile(n))
                .or(() -> t.assignmentId().flatMap(n -> c.l2tp().profile(n)));
        InetAddress address;
        try {
            address = literal(t.serverHost());
        } catch (IllegalArgumentException e) {
            LOG.warn("RADIUS tunnel candidate tag {}: Tunnel-Server-Endpoint '{}' is not an IP address; candidate dropped", t.tag(),
                    WireText.escape(t.serverHost()));
            return Optional.empty();
        }
        int port = t.serverPort().orElse(base.map(LnsProfile::port).orElse(1701));
        if (base.isEmpty()) {
            base = c.l2tp().lns().stream().filter(p -> p.address().equals(address) && p.port() == port).findFirst();
        }
        LnsProfile b = base.orElse(null);
        String hostname = t.clientAuthId().filter(x -> b == null || !x.equals(b.name())).orElse(b != null ? b.hostname() : c.l2tp().hostname());
        LnsProfile merged = new LnsProfile(
                b != null ? b.name() : address.getHostAddress() + ":" + port,
                address, port,
                t.password().or(() -> b != null ? b.secret() : Optional.empty()),
                hostname,
                b != null ? b.localAddress() : Optional.empty(),
                t.assignmentId().or(() -> b != null ? b.assignmentId() : Optional.empty()),
                b != null && b.hideAvps() && t.password().or(() -> b.secret()).isPresent(),
                b != null ? b.maxSessions() : 0,
                b != null ? b.sessionsPerTunnel() : c.l2tp().sessionsPerTunnel(),
                b != null ? b.weight() : 1,
                b != null && b.drain(),
                b != null && b.replayAuth(),
                b == null || b.accessLineAvps(),
                // the profile's IPsec requirement stays whatever RADIUS says: an LNS that needs IPsec never goes out in clear
                b != null ? b.ipsec() : LacdConfig.Ipsec.OFF);
        int pref = t.preference() == TunnelCandidate.NO_PREFERENCE || t.preference() > Integer.MAX_VALUE
                ? NO_PREFERENCE : (int) t.preference();
        return Optional.of(new LnsCandidate(merged.name(), merged, pref, merged.weight()));
    }

    /**
     * An IPv4 or IPv6 literal, never a name to resolve. Compiled once: {@code String.matches} compiled it for every
     * tunnel candidate of every Access-Accept, 12 % of the RADIUS thread's samples in a storm (lab.md, "Fourteenth
     * session").
     */
    private static final java.util.regex.Pattern ADDRESS_LITERAL =
            java.util.regex.Pattern.compile("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

    static InetAddress literal(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!ADDRESS_LITERAL.matcher(h).matches()) {
            throw new IllegalArgumentException(host);
        }
        try {
            return InetAddress.getByName(h);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(host);
        }
    }

    static AccessQuery query(LacdConfig c, Session s) {
        Access sub = s.access;
        AuthExchange a = s.auth;
        AccessQuery.AuthType type = a.type() == AuthType.CHAP_MD5 ? AccessQuery.AuthType.CHAP_MD5 : AccessQuery.AuthType.PAP;
        Optional<AccessQuery.LineInfo> li = lineInfo(sub);
        return new AccessQuery(a.username(), type, a.chapId(),
                type == AccessQuery.AuthType.CHAP_MD5 ? a.chapChallenge() : null,
                type == AccessQuery.AuthType.CHAP_MD5 ? a.chapResponse() : null,
                type == AccessQuery.AuthType.PAP ? new String(a.papPassword(), java.nio.charset.StandardCharsets.ISO_8859_1) : null,
                sub.interfaceName(), vlan(sub.outerVlan()), vlan(sub.innerVlan()), sub.macBytes(), sub.serviceName(),
                s.acctSessionId, sub.pppoeSessionId(), li, sub.callingStationId(), sub.nasPortType());
    }

    /** The subscriber's TR-101 line tags in the RADIUS module's terms. */
    static Optional<AccessQuery.LineInfo> lineInfo(Access sub) {
        var line = sub.lineInfo();
        return line.isEmpty() ? Optional.empty() : Optional.of(new AccessQuery.LineInfo(
                line.circuitId(), line.remoteId(), rate(line.actualRateUp()), rate(line.actualRateDown()),
                rate(line.minRateUp()), rate(line.minRateDown())));
    }

    private static java.util.OptionalLong rate(long v) {
        return v < 0 ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(v);
    }

    private static OptionalInt vlan(int v) {
        return v < 0 ? OptionalInt.empty() : OptionalInt.of(v);
    }

    static InetSocketAddress peer(LnsProfile p) {
        return new InetSocketAddress(p.address(), p.port());
    }
}
