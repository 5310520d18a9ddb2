package org.lacd.l2tp.lns;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.lacd.l2tp.transport.L2tpScheduler;
import org.lacd.l2tp.transport.ReliableChannel;
import org.lacd.l2tp.wire.Avp;
import org.lacd.l2tp.wire.AvpType;
import org.lacd.l2tp.wire.CdnResult;
import org.lacd.l2tp.wire.ControlMessage;
import org.lacd.l2tp.wire.ErrorCode;
import org.lacd.l2tp.wire.HiddenAvps;
import org.lacd.l2tp.wire.L2tpCodec;
import org.lacd.l2tp.wire.L2tpHeader;
import org.lacd.wire.WireReader;
import org.lacd.wire.WireProtocol;
import org.lacd.wire.MalformedPacketException;
import org.lacd.l2tp.wire.MessageType;
import org.lacd.l2tp.wire.PppDisconnectCause;
import org.lacd.l2tp.wire.ResultCode;
import org.lacd.l2tp.wire.StopCcnResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small in-process LNS (RFC 2661 LNS role) on the same codec and reliable transport: accepts tunnels (with an
 * optional secret), answers ICRQ with ICRP (or refuses with CDN), records the ICCN AVPs, clears calls and tunnels on
 * demand, and hands data frames to a callback. For tests, tools and the lab's LNS emulator; one event loop, no locks.
 */
public final class LnsPeer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LnsPeer.class);

    /**
     * @param bind         local address (loopback in tests)
     * @param port         UDP port, 0 for ephemeral
     * @param hostName     Host Name AVP
     * @param secret       tunnel secret, null for none
     * @param hideAvps     hide Assigned Session ID in ICRP (exercises the LAC's unhiding)
     * @param channel      reliable channel timers
     */
    public record Config(InetAddress bind, int port, String hostName, String secret, boolean hideAvps, ReliableChannel.Config channel) {
        public static Config loopback(String secret) {
            return new Config(InetAddress.getLoopbackAddress(), 0, "lns-test", secret, false, ReliableChannel.Config.defaults());
        }

        public Config withHideAvps(boolean h) { return new Config(bind, port, hostName, secret, h, channel); }

        public Config withChannel(ReliableChannel.Config c) { return new Config(bind, port, hostName, secret, hideAvps, c); }
    }

    /** Receives PPP frames (as carried, FF 03 included if the LAC sent it). Runs on the LNS loop. */
    public interface DataHandler {
        void frame(Call call, byte[] payload);
    }

    /**
     * Tunnel and call events for a program built on this peer (the lab's LNS emulator). Delivered on the LNS loop;
     * never block in them. Every method has an empty default.
     */
    public interface Events {
        /** SCCCN accepted (with the right challenge response when a secret is set): the tunnel is established. */
        default void tunnelUp(Tunnel t) {}

        /** The LAC's SCCCN carried a wrong or no challenge response; StopCCN (not authorized) was sent. */
        default void tunnelAuthFailed(Tunnel t) {}

        /** The tunnel is gone (StopCCN either way, or the LAC stopped answering); its calls are gone with it. */
        default void tunnelDown(Tunnel t) {}

        /** An ICRQ was refused with a CDN because of {@link #refuseCalls}. */
        default void callRefused(Tunnel t, ControlMessage icrq) {}

        /** ICCN received: {@link Call#iccn()} holds its revealed AVPs. */
        default void callConnected(Call c) {}

        /** The LAC cleared the call with a CDN ({@link Call#cdn()}). */
        default void callCleared(Call c) {}
    }

    /** Data headers a call keeps (a bound: benchmarks send millions of frames). */
    public static final int KEPT_DATA_HEADERS = 64;

    /** One call as seen by the LNS. Fields are written on the LNS loop and published through volatile state. */
    public static final class Call {
        public final Tunnel tunnel;
        public final int lnsSessionId;
        public final int lacSessionId;
        public final ControlMessage icrq;
        private volatile ControlMessage iccn;
        private volatile ControlMessage cdn;
        private volatile boolean sequenced;
        private int dataNs;
        /** The headers of the first {@link #KEPT_DATA_HEADERS} data messages from the LAC, in arrival order. */
        public final List<L2tpHeader> dataHeaders = java.util.Collections.synchronizedList(new ArrayList<>());

        Call(Tunnel tunnel, int lnsSessionId, int lacSessionId, ControlMessage icrq) {
            this.tunnel = tunnel;
            this.lnsSessionId = lnsSessionId;
            this.lacSessionId = lacSessionId;
            this.icrq = icrq;
        }

        /** The ICCN with its AVPs revealed, null until connected. */
        public ControlMessage iccn() { return iccn; }

        /** The LAC's CDN, if it cleared the call. */
        public ControlMessage cdn() { return cdn; }

        public boolean connected() { return iccn != null && cdn == null; }

        public boolean sequencedData() { return sequenced; }
    }

    /** One tunnel as seen by the LNS. */
    public final class Tunnel implements ReliableChannel.Listener {
        public final int lnsTunnelId;
        public final int lacTunnelId;
        public final InetSocketAddress lac;
        public final ControlMessage sccrq;
        private final ReliableChannel channel;
        private final Map<Integer, Call> calls = new HashMap<>();
        private byte[] challenge;
        private volatile boolean established;
        private volatile boolean closed;
        private boolean downReported;
        private boolean stopping;
        private volatile ResultCode lacStopResult;

        Tunnel(int id, ControlMessage sccrq, InetSocketAddress lac) {
            this.lnsTunnelId = id;
            this.lacTunnelId = sccrq.u16(AvpType.ASSIGNED_TUNNEL_ID);
            this.lac = lac;
            this.sccrq = sccrq;
            this.channel = new ReliableChannel(cfg.channel(), scheduler, this);
            channel.setPeerTunnelId(lacTunnelId);
            int rws = sccrq.u16(AvpType.RECEIVE_WINDOW_SIZE);
            if (rws > 0) {
                channel.setPeerWindow(rws);
            }
        }

        public boolean established() { return established; }

        public boolean closed() { return closed; }

        /** The result code of the LAC's StopCCN, if it sent one. */
        public ResultCode lacStopResult() { return lacStopResult; }

        public long retransmits() { return channel.retransmits(); }

        @Override
        public void transmit(byte[] datagram) {
            if (!silent) {
                channel().writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(datagram), lac));
            }
        }

        @Override
        public void deliver(ControlMessage m) {
            try {
                handle(this, m);
            } catch (RuntimeException e) {
                LOG.warn("LNS: failed handling {}", m, e);
            }
        }

        @Override
        public void allAcknowledged() {
            if (stopping) {
                destroy(); // our StopCCN is acknowledged: nothing left to retransmit (RFC 2661 5.7)
            }
        }

        @Override
        public void gaveUp(ControlMessage unacked) {
            LOG.info("LNS tunnel {}: LAC gone", lnsTunnelId);
            destroy();
        }

        void send(MessageType t, int sessionId, List<Avp> body) {
            List<Avp> avps = ControlMessage.of(t, lacTunnelId, sessionId, body).avps();
            if (cfg.hideAvps() && secretBytes != null && t == MessageType.ICRP) {
                byte[] rv = new byte[16];
                random.nextBytes(rv);
                avps = HiddenAvps.hide(avps, secretBytes, rv, a -> a.is(AvpType.ASSIGNED_SESSION_ID));
            }
            channel.send(new ControlMessage(lacTunnelId, sessionId, 0, 0, avps));
        }

        void destroy() {
            closed = true;
            established = false;
            channel.close();
            for (Call c : calls.values()) {
                sessions.remove(key(lnsTunnelId, c.lnsSessionId));
            }
            calls.clear();
            tunnels.remove(lnsTunnelId);
            if (!downReported) {
                downReported = true;
                events.tunnelDown(this);
            }
        }
    }

    private final Config cfg;
    private final byte[] secretBytes;
    private final SecureRandom random = new SecureRandom();
    private final EventLoopGroup group;
    private final Channel channel;
    private final L2tpScheduler scheduler;
    private final Map<Integer, Tunnel> tunnels = new HashMap<>();
    private final Map<Integer, Call> sessions = new HashMap<>();
    private final List<Call> allCalls = new ArrayList<>();
    private volatile DataHandler dataHandler = (c, p) -> { };
    private volatile CdnResult refuseWith;
    private volatile boolean silent;
    private volatile boolean ignoreSccrq;
    private volatile boolean retainCalls = true;
    private volatile Events events = new Events() { };
    public final AtomicLong malformed = new AtomicLong();
    public final AtomicLong dataFrames = new AtomicLong();

    private LnsPeer(Config cfg) throws InterruptedException {
        this.cfg = cfg;
        this.secretBytes = cfg.secret() == null ? null : cfg.secret().getBytes(StandardCharsets.UTF_8);
        // epoll where available, for its file descriptor: the socket's buffer is then forced past rmem_max as lacd's
        // (ReceiveBuffer); with 4 MiB (rmem_max here) the lab's LNS emulators lost 3,000-16,000 datagrams per storm
        boolean epoll = io.netty.channel.epoll.Epoll.isAvailable();
        this.group = new MultiThreadIoEventLoopGroup(1,
                epoll ? io.netty.channel.epoll.EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.channel = new Bootstrap().group(group)
                .channel(epoll ? io.netty.channel.epoll.EpollDatagramChannel.class : NioDatagramChannel.class).handler(new Handler())
                .option(io.netty.channel.ChannelOption.SO_RCVBUF, 4 << 20)
                .bind(new InetSocketAddress(cfg.bind(), cfg.port())).sync().channel();
        if (channel instanceof io.netty.channel.epoll.EpollDatagramChannel e) {
            org.lacd.l2tp.ReceiveBuffer.force(e.fd().intValue(), 32 << 20); // refused without CAP_NET_ADMIN: 4 MiB stays
        }
        this.scheduler = new L2tpScheduler() {
            @Override
            public long nanoTime() { return System.nanoTime(); }

            @Override
            public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
                ScheduledFuture<?> f = channel.eventLoop().schedule(task, delay, unit);
                return () -> f.cancel(false);
            }
        };
    }

    public static LnsPeer start(Config cfg) throws InterruptedException { return new LnsPeer(cfg); }

    private Channel channel() { return channel; }

    public InetSocketAddress address() { return (InetSocketAddress) channel.localAddress(); }

    public void onData(DataHandler h) { dataHandler = h; }

    /** Refuse every new call with this CDN result (null accepts). */
    public void refuseCalls(CdnResult result) { refuseWith = result; }

    /** Silent: receive nothing, send nothing (the LAC sees the LNS vanish). */
    public void silent(boolean s) { silent = s; }

    /** Ignore every SCCRQ (no new tunnels) while established tunnels keep working. */
    public void ignoreNewTunnels(boolean ignore) { ignoreSccrq = ignore; }

    /** Whether {@link #calls()} keeps every call ever placed (default) or only the current ones (long runs). */
    public void retainCalls(boolean retain) { retainCalls = retain; }

    public void onEvents(Events e) { events = e; }

    /** The LNS loop's clock and timers (tasks run on the loop). */
    public L2tpScheduler scheduler() { return scheduler; }

    /** Runs a task on the LNS loop. */
    public void execute(Runnable task) { channel.eventLoop().execute(task); }

    public boolean inLoop() { return channel.eventLoop().inEventLoop(); }

    private <T> T onLoop(Callable<T> c) {
        if (channel.eventLoop().inEventLoop()) {
            try {
                return c.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        channel.eventLoop().execute(() -> {
            try {
                f.complete(c.call());
            } catch (Exception e) {
                f.completeExceptionally(e);
            }
        });
        try {
            return f.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public List<Tunnel> tunnels() { return onLoop(() -> new ArrayList<>(tunnels.values())); }

    public List<Call> calls() {
        return onLoop(() -> retainCalls ? new ArrayList<>(allCalls) : new ArrayList<>(sessions.values()));
    }

    public long establishedTunnels() { return onLoop(() -> tunnels.values().stream().filter(t -> t.established).count()); }

    public long connectedCalls() { return onLoop(() -> sessions.values().stream().filter(Call::connected).count()); }

    /** Clears a call from the LNS side: CDN with the result and an RFC 3145 cause. */
    public void disconnect(Call c, CdnResult result, PppDisconnectCause cause) {
        disconnect(c, ResultCode.of(result), cause);
    }

    /** Clears a call from the LNS side with a full Result Code (result, error, message) and an optional RFC 3145 cause. */
    public void disconnect(Call c, ResultCode result, PppDisconnectCause cause) {
        onLoop(() -> {
            List<Avp> body = new ArrayList<>();
            body.add(result.toAvp());
            body.add(Avp.u16(AvpType.ASSIGNED_SESSION_ID, c.lnsSessionId));
            if (cause != null) {
                body.add(cause.toAvp());
            }
            c.tunnel.send(MessageType.CDN, c.lacSessionId, body);
            c.tunnel.calls.remove(c.lnsSessionId);
            sessions.remove(key(c.tunnel.lnsTunnelId, c.lnsSessionId));
            return null;
        });
    }

    /** Closes a tunnel from the LNS side with StopCCN. */
    public void stopTunnel(Tunnel t, StopCcnResult result, String message) {
        onLoop(() -> {
            t.send(MessageType.STOPCCN, 0, List.of(Avp.u16(AvpType.ASSIGNED_TUNNEL_ID, t.lnsTunnelId),
                    ResultCode.of(result, ErrorCode.NO_ERROR, message).toAvp()));
            t.established = false;
            t.stopping = true;
            scheduler.schedule(t::destroy, 2, TimeUnit.SECONDS);
            return null;
        });
    }

    /** Sends a PPP frame to the LAC (FF 03 prepended). */
    public void sendPpp(Call c, byte[] ppp, boolean sequenced) { sendPpp(c, ppp, 0, ppp.length, sequenced); }

    /**
     * Sends a PPP frame (protocol field first) to the LAC with FF 03 prepended; with {@code sequenced} the data
     * message carries Ns (counting per call, RFC 2661 5.4) and Nr 0. Call it on the LNS loop when sequencing.
     */
    public void sendPpp(Call c, byte[] buf, int off, int len, boolean sequenced) {
        if (silent) {
            return;
        }
        byte[] hdr = new byte[10];
        int ns = sequenced ? c.dataNs++ & 0xffff : 0;
        int h = L2tpHeader.writeData(hdr, 0, c.tunnel.lacTunnelId, c.lacSessionId, sequenced, ns, 0);
        ByteBuf b = Unpooled.buffer(h + 2 + len);
        b.writeBytes(hdr, 0, h).writeByte(0xff).writeByte(0x03).writeBytes(buf, off, len);
        channel.writeAndFlush(new DatagramPacket(b, c.tunnel.lac), channel.voidPromise());
    }

    private static int key(int tunnel, int session) { return (tunnel << 16) | session; }

    private final class Handler extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket pkt) {
            if (silent) {
                return;
            }
            byte[] buf = ByteBufUtil.getBytes(pkt.content());
            try {
                WireReader r = new WireReader(WireProtocol.L2TP, buf, 0, buf.length);
                L2tpHeader h = L2tpHeader.decode(r);
                if (!h.control()) {
                    Call c = sessions.get(key(h.tunnelId(), h.sessionId()));
                    if (c != null) {
                        c.sequenced |= h.sequenced();
                        if (c.dataHeaders.size() < KEPT_DATA_HEADERS) {
                            c.dataHeaders.add(h);
                        }
                        dataFrames.incrementAndGet();
                        dataHandler.frame(c, java.util.Arrays.copyOfRange(buf, h.payloadOffset(), h.payloadOffset() + h.payloadLength()));
                    }
                    return;
                }
                ControlMessage m = new ControlMessage(h.tunnelId(), h.sessionId(), h.ns(), h.nr(), L2tpCodec.decodeAvps(r));
                if (!m.isZlb()) {
                    m = new ControlMessage(m.tunnelId(), m.sessionId(), m.ns(), m.nr(), HiddenAvps.reveal(m.avps(), secretBytes));
                }
                Tunnel t;
                if (h.tunnelId() == 0) {
                    if (m.messageType() != MessageType.SCCRQ || ignoreSccrq) {
                        return;
                    }
                    t = findBySccrq(m, pkt.sender());
                    if (t == null) {
                        int id;
                        do {
                            id = 1 + random.nextInt(65535);
                        } while (tunnels.containsKey(id));
                        t = new Tunnel(id, m, pkt.sender());
                        tunnels.put(id, t);
                    }
                } else {
                    t = tunnels.get(h.tunnelId());
                    if (t == null) {
                        return;
                    }
                }
                t.channel.receive(m);
            } catch (MalformedPacketException e) {
                malformed.incrementAndGet();
            }
        }
    }

    private Tunnel findBySccrq(ControlMessage m, InetSocketAddress from) {
        int lacId = m.u16(AvpType.ASSIGNED_TUNNEL_ID);
        for (Tunnel t : tunnels.values()) {
            if (t.lacTunnelId == lacId && t.lac.equals(from)) {
                return t;
            }
        }
        return null;
    }

    private void handle(Tunnel t, ControlMessage m) {
        MessageType type = m.messageType();
        if (type == null || t.closed) {
            return;
        }
        switch (type) {
            case SCCRQ -> {
                List<Avp> body = new ArrayList<>();
                body.add(Avp.of(AvpType.PROTOCOL_VERSION, new byte[] {1, 0}));
                body.add(Avp.string(AvpType.HOST_NAME, cfg.hostName()));
                body.add(Avp.u32(AvpType.FRAMING_CAPABILITIES, 3));
                body.add(Avp.u16(AvpType.ASSIGNED_TUNNEL_ID, t.lnsTunnelId));
                body.add(Avp.u16(AvpType.RECEIVE_WINDOW_SIZE, cfg.channel().localWindow()));
                byte[] lacChallenge = m.bytes(AvpType.CHALLENGE);
                if (secretBytes != null) {
                    if (lacChallenge != null) {
                        body.add(Avp.of(AvpType.CHALLENGE_RESPONSE, HiddenAvps.challengeResponse(MessageType.SCCRP, secretBytes, lacChallenge)));
                    }
                    t.challenge = new byte[16];
                    random.nextBytes(t.challenge);
                    body.add(Avp.of(AvpType.CHALLENGE, t.challenge));
                }
                t.send(MessageType.SCCRP, 0, body);
            }
            case SCCCN -> {
                if (t.challenge != null) {
                    byte[] resp = m.bytes(AvpType.CHALLENGE_RESPONSE);
                    if (resp == null || !MessageDigest.isEqual(resp, HiddenAvps.challengeResponse(MessageType.SCCCN, secretBytes, t.challenge))) {
                        LOG.info("LNS tunnel {}: LAC challenge response wrong", t.lnsTunnelId);
                        t.send(MessageType.STOPCCN, 0, List.of(Avp.u16(AvpType.ASSIGNED_TUNNEL_ID, t.lnsTunnelId),
                                ResultCode.of(StopCcnResult.NOT_AUTHORIZED).toAvp()));
                        scheduler.schedule(t::destroy, 2, TimeUnit.SECONDS);
                        events.tunnelAuthFailed(t);
                        return;
                    }
                }
                t.established = true;
                events.tunnelUp(t);
            }
            case STOPCCN -> {
                Avp rc = m.find(AvpType.RESULT_CODE);
                try {
                    t.lacStopResult = rc == null ? null : ResultCode.parse(rc);
                } catch (MalformedPacketException e) {
                    t.lacStopResult = null;
                }
                t.established = false;
                t.channel.sendZlb();
                scheduler.schedule(t::destroy, 1, TimeUnit.SECONDS);
            }
            case ICRQ -> {
                int lacSession = m.u16(AvpType.ASSIGNED_SESSION_ID);
                CdnResult refuse = refuseWith;
                if (refuse != null) {
                    t.send(MessageType.CDN, lacSession, List.of(ResultCode.of(refuse, ErrorCode.NO_ERROR, "refused by test LNS").toAvp(),
                            Avp.u16(AvpType.ASSIGNED_SESSION_ID, 0)));
                    events.callRefused(t, m);
                    return;
                }
                int id;
                do {
                    id = 1 + random.nextInt(65535);
                } while (t.calls.containsKey(id));
                Call c = new Call(t, id, lacSession, m);
                t.calls.put(id, c);
                sessions.put(key(t.lnsTunnelId, id), c);
                if (retainCalls) {
                    allCalls.add(c);
                }
                t.send(MessageType.ICRP, lacSession, List.of(Avp.u16(AvpType.ASSIGNED_SESSION_ID, id)));
            }
            case ICCN -> {
                Call c = t.calls.get(m.sessionId());
                if (c != null && c.iccn == null) {
                    c.iccn = m;
                    events.callConnected(c);
                }
            }
            case CDN -> {
                Call c = t.calls.remove(m.sessionId());
                if (c != null) {
                    c.cdn = m;
                    sessions.remove(key(t.lnsTunnelId, c.lnsSessionId));
                    events.callCleared(c);
                }
            }
            default -> { } // HELLO, WEN, SLI: acknowledged by the channel
        }
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
