package org.lacd.radius.dae;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.lacd.radius.RadiusSettings;
import org.lacd.radius.RadiusSettings.DaeClient;
import org.lacd.radius.RadiusStats;
import org.lacd.radius.RadiusStats.DaeResult;
import org.lacd.radius.TerminateCause;
import org.lacd.radius.wire.Attr;
import org.lacd.radius.wire.MalformedPacketException;
import org.lacd.radius.wire.RadiusAttribute;
import org.lacd.radius.wire.RadiusCode;
import org.lacd.radius.wire.RadiusCrypto;
import org.lacd.radius.wire.RadiusPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RFC 5176 Dynamic Authorization server.
 *
 * <p>Disconnect-Request: identified by Acct-Session-Id, User-Name, Calling-Station-Id and/or NAS-Port-Id (all present must
 * match); ACK when every matching session could be ended, else NAK with Error-Cause: 402 Missing-Attribute (no
 * identification), 503 Session-Context-Not-Found, 504 Session-Context-Not-Removable, 401 Unsupported-Attribute (an
 * attribute lacd does not handle), 403 NAS-Identification-Mismatch (NAS-Identifier / NAS-IP-Address not ours),
 * 404 Invalid-Request (an identification attribute twice or empty).
 *
 * <p>CoA-Request: lacd cannot change an L2TP-forwarded session's authorization, so every CoA is NAKed: 402 / 503 / 403 as
 * above, 405 Unsupported-Service with a Service-Type (e.g. Authorize-Only), 401 Unsupported-Attribute when it carries
 * attributes to change, 404 Invalid-Request when it carries nothing to change.
 *
 * <p>Dropped and counted, never answered: unknown client address, bad Request Authenticator, bad Message-Authenticator
 * (or a missing one when required), malformed packets, an Event-Timestamp more than 300 s off (replay). A handler that
 * throws gives NAK 506 Resources-Unavailable. A retransmitted request (same client, port, identifier and
 * authenticator within {@link #DUPLICATE_WINDOW_MILLIS}) gets the cached answer without acting twice (RFC 5176 s2.3).
 *
 * <p>Threading: one dedicated event loop thread; the handler is called there.
 */
public final class DynamicAuthServer<S> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DynamicAuthServer.class);
    static final long DUPLICATE_WINDOW_MILLIS = 30_000;
    /** DoS guard: cached answers for retransmissions. */
    static final int MAX_CACHED_ANSWERS = 1024;
    static final int SERVICE_TYPE_AUTHORIZE_ONLY = 17;
    /** RFC 5176 s3.4: the Event-Timestamp window (the RFC's example: 300 seconds). */
    static final long EVENT_TIMESTAMP_WINDOW_SECONDS = 300;

    private final RadiusSettings settings;
    private final DisconnectHandler<S> handler;
    private final RadiusStats stats;
    private final Map<InetAddress, byte[]> secrets = new HashMap<>();
    private final LinkedHashMap<String, Object[]> answered = new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Object[]> e) {
            return size() > MAX_CACHED_ANSWERS;
        }
    };
    private EventLoopGroup group;
    private Channel channel;

    public DynamicAuthServer(RadiusSettings settings, DisconnectHandler<S> handler, RadiusStats stats) {
        this.settings = settings;
        this.handler = handler;
        this.stats = stats;
        for (DaeClient c : settings.dae().clients()) {
            secrets.put(c.address(), RadiusCrypto.secret(c.secret()));
        }
    }

    /** Binds the listener; does nothing when no port is configured. */
    public void start() throws InterruptedException {
        if (settings.dae().port().isEmpty()) {
            return;
        }
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("lacd-dae", true), NioIoHandler.newFactory());
        channel = new Bootstrap().group(group).channel(NioDatagramChannel.class)
            .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket msg) {
                    byte[] out = onRequest(msg.sender(), ByteBufUtil.getBytes(msg.content()));
                    if (out != null) {
                        ctx.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(out), msg.sender()));
                    }
                }
            }).bind(new InetSocketAddress(settings.dae().listenAddress(), settings.dae().port().getAsInt())).sync().channel();
        LOG.info("RADIUS Dynamic Authorization listening on {} for {} client(s)", channel.localAddress(), secrets.size());
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    public void stop() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
            channel = null;
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            group = null;
        }
    }

    @Override
    public void close() { stop(); }

    /** Handles one datagram. @return the answer, or null to drop */
    byte[] onRequest(InetSocketAddress from, byte[] data) {
        byte[] secret = secrets.get(from.getAddress());
        if (secret == null) {
            stats.dae(DaeResult.DROPPED_UNKNOWN_CLIENT);
            LOG.debug("DAE: dropped request from unknown client {}", from);
            return null;
        }
        RadiusPacket req;
        try {
            req = RadiusPacket.decode(data);
        } catch (MalformedPacketException e) {
            stats.dae(DaeResult.DROPPED_MALFORMED);
            LOG.debug("DAE: malformed request from {}: {}", from, e.getMessage());
            return null;
        }
        if (req.code() != RadiusCode.DISCONNECT_REQUEST && req.code() != RadiusCode.COA_REQUEST) {
            stats.dae(DaeResult.DROPPED_MALFORMED);
            LOG.debug("DAE: unexpected code {} from {}", req.code(), from);
            return null;
        }
        int len = req.encodedLength();
        if (!RadiusCrypto.verifyComputedRequestAuthenticator(data, len, secret)) {
            stats.dae(DaeResult.DROPPED_BAD_AUTHENTICATOR);
            LOG.debug("DAE: bad Request Authenticator from {}", from);
            return null;
        }
        RadiusCrypto.MaCheck ma = RadiusCrypto.verifyMessageAuthenticator(data, len, new byte[16], secret);
        if (ma == RadiusCrypto.MaCheck.INVALID || (ma == RadiusCrypto.MaCheck.ABSENT && settings.dae().requireMessageAuthenticator())) {
            stats.dae(DaeResult.DROPPED_BAD_AUTHENTICATOR);
            LOG.debug("DAE: Message-Authenticator {} from {}", ma, from);
            return null;
        }
        long now = System.currentTimeMillis();
        Optional<RadiusAttribute> ts = req.first(Attr.EVENT_TIMESTAMP);
        if (ts.isPresent() && Math.abs(now / 1000 - ts.get().asInt()) > EVENT_TIMESTAMP_WINDOW_SECONDS) {
            // RFC 5176 s3.4 / RFC 5080: a request outside the window is a replay (or a badly wrong clock): drop it.
            stats.dae(DaeResult.DROPPED_STALE);
            LOG.debug("DAE: Event-Timestamp {} from {} outside the {} s window", ts.get().asInt(), from, EVENT_TIMESTAMP_WINDOW_SECONDS);
            return null;
        }
        String key = from + "/" + req.identifier() + "/" + Arrays.toString(req.authenticator());
        Object[] cached = answered.get(key);
        if (cached != null && now - (Long) cached[0] < DUPLICATE_WINDOW_MILLIS) {
            LOG.debug("DAE: retransmission from {} id {}: cached answer", from, req.identifier());
            return (byte[]) cached[1];
        }
        boolean disconnect = req.code() == RadiusCode.DISCONNECT_REQUEST;
        ErrorCause error;
        try {
            error = disconnect ? handleDisconnect(req, from) : handleCoa(req, from);
        } catch (RuntimeException e) {
            LOG.warn("DAE: handler failed for request from {}: {}", from, e.toString());
            error = ErrorCause.RESOURCES_UNAVAILABLE;
        }
        List<RadiusAttribute> attrs = new ArrayList<>();
        if (error != null) {
            attrs.add(RadiusAttribute.integer(Attr.ERROR_CAUSE, error.code()));
        }
        // RFC 5176 s3: Proxy-State attributes are copied into the answer, in order.
        attrs.addAll(req.all(Attr.PROXY_STATE));
        RadiusCode code = disconnect ? (error == null ? RadiusCode.DISCONNECT_ACK : RadiusCode.DISCONNECT_NAK) : RadiusCode.COA_NAK;
        stats.dae(disconnect ? (error == null ? DaeResult.DISCONNECT_ACK : DaeResult.DISCONNECT_NAK) : DaeResult.COA_NAK);
        byte[] out = RadiusCrypto.encodeResponse(code, req.identifier(), req.authenticator(), attrs, secret,
            ma == RadiusCrypto.MaCheck.VALID);
        answered.put(key, new Object[] {now, out});
        return out;
    }

    private record Parsed(SessionCriteria criteria, ErrorCause error, Optional<TerminateCause> cause, boolean hasChange, boolean serviceType) { }

    private Parsed parse(RadiusPacket req, boolean disconnect) {
        Map<Attr, String> ident = new java.util.EnumMap<>(Attr.class);
        ErrorCause error = null;
        TerminateCause cause = null;
        boolean change = false;
        boolean serviceType = false;
        for (RadiusAttribute a : req.attributes()) {
            Attr row = Attr.of(a);
            switch (row == null ? Attr.VENDOR_SPECIFIC : row) { // an unknown attribute goes where an unknown vendor's does: default
                case ACCT_SESSION_ID, USER_NAME, CALLING_STATION_ID, NAS_PORT_ID -> {
                    if (a.length() == 0 || ident.put(row, a.asString()) != null) {
                        error = first(error, ErrorCause.INVALID_REQUEST);
                    }
                }
                case NAS_IDENTIFIER -> {
                    if (!a.asString().equals(settings.nasIdentifier())) {
                        error = first(error, ErrorCause.NAS_IDENTIFICATION_MISMATCH);
                    }
                }
                case NAS_IP_ADDRESS -> {
                    if (settings.nasIpAddress().isPresent() && !Arrays.equals(settings.nasIpAddress().get().getAddress(), a.value())) {
                        error = first(error, ErrorCause.NAS_IDENTIFICATION_MISMATCH);
                    }
                }
                case NAS_IPV6_ADDRESS -> {
                    if (settings.nasIpv6Address().isPresent() && !Arrays.equals(settings.nasIpv6Address().get().getAddress(), a.value())) {
                        error = first(error, ErrorCause.NAS_IDENTIFICATION_MISMATCH);
                    }
                }
                case MESSAGE_AUTHENTICATOR, EVENT_TIMESTAMP, PROXY_STATE -> { }
                case ACCT_TERMINATE_CAUSE -> {
                    if (disconnect) {
                        cause = TerminateCause.fromCode((int) a.asInt());
                        if (cause == null) {
                            error = first(error, ErrorCause.INVALID_ATTRIBUTE_VALUE);
                        }
                    } else {
                        change = true;
                    }
                }
                case SERVICE_TYPE -> serviceType = true;
                default -> {
                    if (disconnect) {
                        error = first(error, ErrorCause.UNSUPPORTED_ATTRIBUTE);
                    } else {
                        change = true;
                    }
                }
            }
        }
        SessionCriteria c = new SessionCriteria(Optional.ofNullable(ident.get(Attr.ACCT_SESSION_ID)), Optional.ofNullable(ident.get(Attr.USER_NAME)),
            Optional.ofNullable(ident.get(Attr.CALLING_STATION_ID)), Optional.ofNullable(ident.get(Attr.NAS_PORT_ID)));
        if (disconnect && serviceType) {
            error = first(error, ErrorCause.UNSUPPORTED_SERVICE);
        }
        return new Parsed(c, error, Optional.ofNullable(cause), change, serviceType);
    }

    private static ErrorCause first(ErrorCause existing, ErrorCause e) {
        return existing != null ? existing : e;
    }

    private ErrorCause handleDisconnect(RadiusPacket req, InetSocketAddress from) {
        Parsed p = parse(req, true);
        if (p.error() != null) {
            LOG.info("DAE: Disconnect-Request from {} NAKed: {}", from, p.error());
            return p.error();
        }
        if (p.criteria().isEmpty()) {
            LOG.info("DAE: Disconnect-Request from {} without session identification", from);
            return ErrorCause.MISSING_ATTRIBUTE;
        }
        List<S> sessions = handler.find(p.criteria());
        if (sessions.isEmpty()) {
            LOG.info("DAE: Disconnect-Request from {}: no session for {}", from, p.criteria());
            return ErrorCause.SESSION_CONTEXT_NOT_FOUND;
        }
        boolean all = true;
        TerminateCause cause = p.cause().orElse(TerminateCause.ADMIN_RESET);
        for (S s : sessions) {
            all &= handler.disconnect(s, cause);
        }
        LOG.info("DAE: Disconnect-Request from {}: {} session(s) for {} ended{}", from, sessions.size(), p.criteria(),
            all ? "" : " (some could not be)");
        return all ? null : ErrorCause.SESSION_CONTEXT_NOT_REMOVABLE;
    }

    private ErrorCause handleCoa(RadiusPacket req, InetSocketAddress from) {
        Parsed p = parse(req, false);
        ErrorCause e;
        if (p.error() != null) {
            e = p.error();
        } else if (p.criteria().isEmpty()) {
            e = ErrorCause.MISSING_ATTRIBUTE;
        } else if (handler.find(p.criteria()).isEmpty()) {
            e = ErrorCause.SESSION_CONTEXT_NOT_FOUND;
        } else if (p.serviceType()) {
            e = ErrorCause.UNSUPPORTED_SERVICE;
        } else if (p.hasChange()) {
            e = ErrorCause.UNSUPPORTED_ATTRIBUTE;
        } else {
            e = ErrorCause.INVALID_REQUEST;
        }
        LOG.info("DAE: CoA-Request from {} for {} NAKed: {}", from, p.criteria(), e);
        return e;
    }
}
