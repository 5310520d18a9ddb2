package org.lacd.radius;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.lacd.radius.AccessDecision.AcceptAttributes;
import org.lacd.radius.AccessDecision.Reject;
import org.lacd.radius.AccessDecision.RejectReason;
import org.lacd.radius.RadiusSettings.Server;
import org.lacd.radius.wire.Attr;
import org.lacd.radius.wire.RadiusAttribute;
import org.lacd.radius.wire.RadiusCrypto;
import org.lacd.radius.wire.RadiusPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the authentication servers who a subscriber is and where the tunnel goes (RFC 2865 Access-Request,
 * RFC 2868 tunnel attributes in the answer). Futures complete on the RADIUS event loop: hand work over to your own
 * loop, do not block in callbacks.
 */
public final class AaaService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AaaService.class);
    /** RFC 2865 s5.6 Service-Type Framed-User; s5.7 Framed-Protocol PPP. */
    static final int SERVICE_TYPE_FRAMED = 2;
    static final int FRAMED_PROTOCOL_PPP = 1;

    private final RadiusSettings settings;
    private final RadiusClient client;

    public AaaService(RadiusSettings settings, RadiusStats stats) {
        this(settings, stats, RadiusScheduler.SYSTEM);
    }

    /** @param sched time source and timers of the client (timeouts, retries, hold-down, probes); tests pass a manual one */
    public AaaService(RadiusSettings settings, RadiusStats stats, RadiusScheduler sched) {
        this.settings = settings;
        this.client = new RadiusClient(RadiusStats.RequestType.ACCESS, settings.authServers(), settings, stats, null, sched);
    }

    public void start() throws InterruptedException {
        client.start();
        LOG.info("RADIUS authentication client started with {} server(s), strategy {}", settings.authServers().size(), settings.strategy());
    }

    public void stop() {
        client.stop();
    }

    @Override
    public void close() { stop(); }

    /** Whether any authentication server is configured (otherwise use realm rules only). */
    public boolean configured() { return client.hasServers(); }

    public CompletableFuture<AccessDecision> authorize(AccessQuery q) {
        List<RadiusAttribute> common;
        try {
            common = requestAttributes(q);
        } catch (IllegalArgumentException e) {
            LOG.info("RADIUS: cannot build an Access-Request for user {}: {}", q.userName(), e.getMessage());
            return CompletableFuture.completedFuture(new Reject(RejectReason.INVALID_QUERY, ""));
        }
        RadiusClient.RequestFactory factory = (server, id, delay) -> {
            byte[] auth = RadiusCrypto.randomAuthenticator();
            byte[] secret = RadiusCrypto.secret(server.secret());
            List<RadiusAttribute> attrs = new ArrayList<>(common.size() + 1);
            attrs.addAll(common);
            attrs.addAll(credentialAttributes(q, secret, auth));
            return new RadiusClient.Encoded(RadiusCrypto.encodeAccessRequest(id, auth, attrs, secret), auth);
        };
        return client.send(factory).handle((resp, err) -> {
            if (err != null) {
                Throwable t = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                RejectReason r = t instanceof RadiusTimeoutException rt ? switch (rt.kind()) {
                    case ALL_SERVERS_FAILED -> RejectReason.TIMEOUT_ALL_SERVERS;
                    case OVERLOADED -> RejectReason.OVERLOADED;
                    case STOPPED -> RejectReason.NOT_AVAILABLE;
                } : t instanceof IllegalArgumentException ? RejectReason.INVALID_QUERY : RejectReason.NOT_AVAILABLE;
                LOG.info("RADIUS: no decision for user {}: {}", q.userName(), t.getMessage());
                return new Reject(r, "");
            }
            return decide(q.userName(), resp.packet(), resp.server(), resp.requestAuthenticator());
        });
    }

    static AccessDecision decide(String user, RadiusPacket p, Server server, byte[] requestAuth) {
        String reply = String.join("\n", p.all(Attr.REPLY_MESSAGE).stream().map(RadiusAttribute::asString).toList());
        switch (p.code()) {
            case ACCESS_REJECT -> {
                LOG.info("RADIUS: user {} rejected by {}{}", user, server.label(), reply.isEmpty() ? "" : ": " + reply);
                return new Reject(RejectReason.ACCESS_REJECT, reply);
            }
            case ACCESS_CHALLENGE -> {
                LOG.info("RADIUS: user {}: Access-Challenge from {} is not supported", user, server.label());
                return new Reject(RejectReason.CHALLENGE_UNSUPPORTED, reply);
            }
            default -> { }
        }
        TunnelAttributes.Result tr = TunnelAttributes.parse(p.attributes(), RadiusCrypto.secret(server.secret()), requestAuth);
        if (tr.anyTunnelAttribute() && tr.candidates().isEmpty()) {
            LOG.info("RADIUS: user {} accepted by {} but no usable tunnel ({} group(s) dropped)", user, server.label(), tr.dropped().size());
            return new Reject(RejectReason.NO_USABLE_TUNNEL, reply);
        }
        List<byte[]> classes = p.all(Attr.CLASS).stream().map(RadiusAttribute::value).toList();
        AcceptAttributes aa = new AcceptAttributes(intAttr(p, Attr.SESSION_TIMEOUT), intAttr(p, Attr.IDLE_TIMEOUT),
            intAttr(p, Attr.ACCT_INTERIM_INTERVAL), classes, p.first(Attr.USER_NAME).map(RadiusAttribute::asString), p.attributes());
        if (LOG.isDebugEnabled()) { // label() concatenates: not per Access-Accept when nobody reads it
            LOG.debug("RADIUS: user {} accepted by {} with {} tunnel candidate(s)", user, server.label(), tr.candidates().size());
        }
        return new AccessDecision.Accept(tr.candidates(), reply, aa);
    }

    private static OptionalLong intAttr(RadiusPacket p, Attr type) {
        Optional<RadiusAttribute> a = p.first(type);
        if (a.isEmpty() || a.get().asInt() < 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(a.get().asInt());
    }

    /** Every attribute but the credentials (which depend on the server's secret and the authenticator). */
    List<RadiusAttribute> requestAttributes(AccessQuery q) {
        List<RadiusAttribute> a = new ArrayList<>();
        a.add(RadiusAttribute.string(Attr.USER_NAME, q.userName()));
        settings.nasIpAddress().filter(ip -> ip instanceof Inet4Address)
            .ifPresent(ip -> a.add(new RadiusAttribute(Attr.NAS_IP_ADDRESS, ip.getAddress())));
        settings.nasIpv6Address().filter(ip -> ip instanceof Inet6Address)
            .ifPresent(ip -> a.add(new RadiusAttribute(Attr.NAS_IPV6_ADDRESS, ip.getAddress())));
        a.add(RadiusAttribute.string(Attr.NAS_IDENTIFIER, settings.nasIdentifier()));
        a.add(RadiusAttribute.integer(Attr.NAS_PORT, q.nasPort()));
        String portId = settings.nasPortId(q.interfaceName(), q.outerVlan(), q.innerVlan());
        if (!portId.isEmpty()) {
            a.add(RadiusAttribute.string(Attr.NAS_PORT_ID, portId));
        }
        a.add(RadiusAttribute.integer(Attr.NAS_PORT_TYPE, q.nasPortType().orElse(settings.nasPortType()).code()));
        a.add(RadiusAttribute.integer(Attr.SERVICE_TYPE, SERVICE_TYPE_FRAMED));
        a.add(RadiusAttribute.integer(Attr.FRAMED_PROTOCOL, FRAMED_PROTOCOL_PPP));
        callingStation(settings, q.callingStationId(), q.callingMac()).ifPresent(a::add);
        if (q.serviceName() != null && !q.serviceName().isEmpty()) {
            a.add(RadiusAttribute.string(Attr.CALLED_STATION_ID, q.serviceName()));
        }
        if (q.acctSessionId() != null && !q.acctSessionId().isEmpty()) {
            a.add(RadiusAttribute.string(Attr.ACCT_SESSION_ID, q.acctSessionId()));
        }
        q.lineInfo().ifPresent(li -> a.addAll(lineAttributes(li)));
        return a;
    }

    /** Calling-Station-Id (RFC 2865 5.31): the given octets as they are, else the MAC in the configured format, else none. */
    static Optional<RadiusAttribute> callingStation(RadiusSettings settings, byte[] given, byte[] mac) {
        if (given != null) {
            return Optional.of(new RadiusAttribute(Attr.CALLING_STATION_ID, given));
        }
        return mac == null ? Optional.empty()
            : Optional.of(RadiusAttribute.string(Attr.CALLING_STATION_ID, settings.callingStationIdFormat().format(mac)));
    }

    /** Where an attribute of the access line gets its value from the query's {@link AccessQuery.LineInfo}. */
    record LineSource(Attr attr, Function<AccessQuery.LineInfo, Optional<?>> value) { }

    /**
     * RFC 4679 s3 DSL Forum vendor-specific attributes, sent in Access-Requests and accounting records: one line per
     * {@link Attr} row. The row says how the value is encoded; this line says where it comes from.
     */
    static final List<LineSource> LINE_SOURCES = List.of(
        new LineSource(Attr.DSL_AGENT_CIRCUIT_ID, AccessQuery.LineInfo::agentCircuitId),
        new LineSource(Attr.DSL_AGENT_REMOTE_ID, AccessQuery.LineInfo::agentRemoteId),
        new LineSource(Attr.DSL_ACTUAL_DATA_RATE_UP, li -> boxed(li.actualRateUp())),
        new LineSource(Attr.DSL_ACTUAL_DATA_RATE_DOWN, li -> boxed(li.actualRateDown())),
        new LineSource(Attr.DSL_MIN_DATA_RATE_UP, li -> boxed(li.minRateUp())),
        new LineSource(Attr.DSL_MIN_DATA_RATE_DOWN, li -> boxed(li.minRateDown())));

    static List<RadiusAttribute> lineAttributes(AccessQuery.LineInfo li) {
        List<RadiusAttribute> a = new ArrayList<>();
        for (LineSource s : LINE_SOURCES) {
            s.value().apply(li).ifPresent(v -> a.add(s.attr().value(v)));
        }
        return a;
    }

    private static Optional<Long> boxed(OptionalLong v) {
        return v.isPresent() ? Optional.of(v.getAsLong()) : Optional.empty();
    }

    private List<RadiusAttribute> credentialAttributes(AccessQuery q, byte[] secret, byte[] auth) {
        if (!settings.authenticateAtLac() || q.authType() == AccessQuery.AuthType.NONE) {
            // Steering only: the LNS's RADIUS checks the real credentials (carried in the L2TP proxy authentication AVPs).
            return List.of(new RadiusAttribute(Attr.USER_PASSWORD,
                RadiusCrypto.hideUserPassword(settings.steeringPassword().getBytes(StandardCharsets.UTF_8), secret, auth)));
        }
        if (q.authType() == AccessQuery.AuthType.PAP) {
            return List.of(new RadiusAttribute(Attr.USER_PASSWORD,
                RadiusCrypto.hideUserPassword(q.papPassword().getBytes(StandardCharsets.UTF_8), secret, auth)));
        }
        return List.of(new RadiusAttribute(Attr.CHAP_PASSWORD, RadiusCrypto.chapPassword(q.chapId(), q.chapResponse())),
            new RadiusAttribute(Attr.CHAP_CHALLENGE, q.chapChallenge()));
    }
}
