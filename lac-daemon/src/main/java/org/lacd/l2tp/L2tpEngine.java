package org.lacd.l2tp;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.collection.IntObjectHashMap;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.lacd.l2tp.transport.L2tpScheduler;
import org.lacd.l2tp.wire.AvpType;
import org.lacd.l2tp.wire.ControlMessage;
import org.lacd.l2tp.wire.L2tpCodec;
import org.lacd.l2tp.wire.L2tpHeader;
import org.lacd.l2tp.wire.L2tpReader;
import org.lacd.l2tp.wire.MalformedPacketException;
import org.lacd.l2tp.wire.MessageType;
import org.lacd.l2tp.wire.ResultCode;
import org.lacd.l2tp.wire.StopCcnResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The L2TPv2 LAC engine on Netty UDP (epoll when available, NIO otherwise).
 * <p>Threading: one UDP socket per local address, each bound to one event loop; every tunnel of that socket, its
 * sessions, timers and state machines live on that loop, without locks. Public methods may be called from any thread
 * and hand work over with {@code eventLoop.execute}. {@link L2tpCall#sendPpp} encapsulates on the calling thread and
 * hands the datagram to Netty.
 */
public final class L2tpEngine {
    private static final Logger LOG = LoggerFactory.getLogger(L2tpEngine.class);
    /** Largest datagram we read (control or data). */
    static final int MAX_DATAGRAM = 65_535;
    /** Largest datagram read with recvmmsg (jumbo-frame LNS links); larger ones are truncated and fail to decode. */
    static final int MAX_SLOT = 9216;
    /** Datagrams per recvmmsg call. */
    static final int RECV_BATCH = 8;
    /** DoS/memory guard: data frames queued toward one socket before they are dropped. */
    static final int DATA_QUEUE = 65_536;
    /** Per sending thread: what {@code sendDirect} builds datagrams in. */
    private static final ThreadLocal<SendState> SEND_STATE = ThreadLocal.withInitial(SendState::new);

    /**
     * A thread's send state: a direct buffer for one sendto (as sendto needs one), and, where sendmmsg is available,
     * its {@link DatagramBatch}, used once the thread has called {@link #sendQueuedData()}. Remembered by each endpoint
     * with its owner so that the hot path can skip the ThreadLocal lookup.
     */
    private static final class SendState {
        final Thread owner = Thread.currentThread();
        final java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocateDirect(MAX_SLOT);
        final DatagramBatch batch = DatagramBatch.available() ? new DatagramBatch() : null;
    }
    /** DoS guard and id-space bound: tunnels per socket (tunnel ids are 16 bits, 0 reserved). */
    static final int MAX_TUNNELS = 60_000;
    /** Frames written between flushes on the data path. */
    static final int FLUSH_BATCH = 64;

    private final L2tpSettings settings;
    private final L2tpStats stats;
    private final Random random = new SecureRandom();
    private final Map<InetAddress, Endpoint> byLocalAddress = new ConcurrentHashMap<>();
    private EventLoopGroup group;
    private boolean epoll;
    private volatile Endpoint defaultEndpoint;
    private volatile boolean shuttingDown;

    public L2tpEngine(L2tpSettings settings, L2tpStats stats) {
        this.settings = settings;
        this.stats = stats == null ? L2tpStats.NOOP : stats;
    }

    /** Binds the default socket ({@code bindAddress:sourcePort}). */
    public synchronized void start() throws L2tpBindException {
        if (group != null) {
            throw new IllegalStateException("already started");
        }
        epoll = settings.preferEpoll() && Epoll.isAvailable();
        IoHandlerFactory f = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        group = new MultiThreadIoEventLoopGroup(settings.eventLoopThreads(), f);
        try {
            defaultEndpoint = bind(settings.bindAddress());
        } catch (L2tpBindException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            group = null;
            throw e;
        }
        LOG.info("L2TP engine listening on {} ({})", defaultEndpoint.local, epoll ? "epoll" : "nio");
    }

    /** The port the default socket is bound to (useful with source port 0). */
    public int localPort() { return defaultEndpoint.local.getPort(); }

    public boolean usesEpoll() { return epoll; }

    /**
     * Sends the L2TP data frames this thread has queued, with one sendmmsg. A thread that calls this promises to call
     * it again after every run of frames it forwards (lacd's PPPoE receive threads, at each libpcap batch end): from
     * its first call on, its data frames are queued rather than sent one by one. Other threads' frames go out at once.
     * Without epoll or sendmmsg, data is never queued and this does nothing.
     */
    public void sendQueuedData() {
        if (!epoll) {
            return;
        }
        DatagramBatch b = SEND_STATE.get().batch;
        if (b != null) {
            b.send();
        }
    }

    private Endpoint bind(InetAddress address) throws L2tpBindException {
        InetSocketAddress at = address == null ? new InetSocketAddress(settings.sourcePort()) : new InetSocketAddress(address, settings.sourcePort());
        Endpoint ep = new Endpoint();
        Class<? extends DatagramChannel> cls = epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
        Bootstrap b = new Bootstrap().group(group).channel(cls)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .option(ChannelOption.SO_SNDBUF, 4 << 20)
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(epoll ? MAX_SLOT * RECV_BATCH : MAX_DATAGRAM))
                // data frames queue here when the socket is busy; past the high mark they are dropped and counted
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new io.netty.channel.WriteBufferWaterMark(1 << 20, 4 << 20))
                .handler(ep);
        if (epoll) {
            // recvmmsg: several datagrams per syscall, each up to MAX_SLOT bytes (DEPENDENCIES.md)
            b.option(io.netty.channel.epoll.EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_SLOT);
        }
        try {
            Channel ch = b.bind(at).sync().channel();
            ep.init(ch);
            return ep;
        } catch (Exception e) {
            throw new L2tpBindException("cannot bind L2TP UDP socket to " + at + ": " + e.getMessage(), e);
        }
    }

    private Endpoint endpointFor(TunnelProfile p) throws L2tpBindException {
        if (p.localAddress() == null) {
            return defaultEndpoint;
        }
        Endpoint ep = byLocalAddress.get(p.localAddress());
        if (ep == null) {
            synchronized (this) {
                ep = byLocalAddress.get(p.localAddress());
                if (ep == null) {
                    ep = bind(p.localAddress());
                    byLocalAddress.put(p.localAddress(), ep);
                }
            }
        }
        return ep;
    }

    /**
     * Places an incoming call toward the profile's LNS, on a shared tunnel when one fits. Returns at once; the listener
     * learns the outcome on the tunnel's event loop. Thread-safe.
     */
    public L2tpCall placeCall(TunnelProfile profile, CallParameters params, CallListener listener) {
        if (group == null) {
            throw new IllegalStateException("engine not started");
        }
        Endpoint ep;
        try {
            ep = endpointFor(profile);
        } catch (L2tpBindException e) {
            Session s = new Session(null == defaultEndpoint ? null : defaultEndpoint, profile, params, listener);
            CallDownCause c = new CallDownCause(CallDownCause.Kind.TUNNEL_FAILED, -1, -1, e.getMessage(), null);
            defaultEndpoint.loop.execute(() -> listener.callDown(s, c));
            return s;
        }
        Session s = new Session(ep, profile, params, listener);
        ep.loop.execute(() -> {
            if (shuttingDown) {
                listener.callDown(s, new CallDownCause(CallDownCause.Kind.CLEARED_LOCALLY, -1, -1, "engine shutting down", null));
                return;
            }
            s.place();
            Tunnel t = ep.tunnelFor(profile);
            if (t == null) {
                s.tunnelDown(new CallDownCause(CallDownCause.Kind.TUNNEL_FAILED, -1, -1, "no free tunnel id on " + ep.local, null));
                return;
            }
            t.addSession(s);
        });
        return s;
    }

    /**
     * Brings up (or reuses) a tunnel for the profile without a call. The future completes when it is established, or
     * exceptionally with {@link TunnelFailedException}. An unused tunnel lingers, then closes.
     */
    public CompletableFuture<TunnelSnapshot> openTunnel(TunnelProfile profile) {
        CompletableFuture<TunnelSnapshot> f = new CompletableFuture<>();
        Endpoint ep;
        try {
            ep = endpointFor(profile);
        } catch (L2tpBindException e) {
            f.completeExceptionally(e);
            return f;
        }
        ep.loop.execute(() -> {
            Tunnel t = ep.tunnelFor(profile);
            if (t == null) {
                f.completeExceptionally(new TunnelFailedException(
                        new CallDownCause(CallDownCause.Kind.TUNNEL_FAILED, -1, -1, "no free tunnel id on " + ep.local, null)));
                return;
            }
            t.open(f);
        });
        return f;
    }

    /** Snapshots of every tunnel (waits briefly for each event loop; safe to call from a loop too). */
    public List<TunnelSnapshot> tunnels() {
        List<TunnelSnapshot> out = new ArrayList<>();
        for (Endpoint ep : endpoints()) {
            if (ep.loop.inEventLoop()) {
                for (Tunnel t : ep.tunnels.values()) {
                    out.add(t.snapshot());
                }
                continue;
            }
            CompletableFuture<List<TunnelSnapshot>> f = new CompletableFuture<>();
            ep.loop.execute(() -> {
                List<TunnelSnapshot> l = new ArrayList<>();
                for (Tunnel t : ep.tunnels.values()) {
                    l.add(t.snapshot());
                }
                f.complete(l);
            });
            try {
                out.addAll(f.get(5, TimeUnit.SECONDS));
            } catch (Exception e) {
                LOG.warn("tunnel snapshot of {} timed out", ep.local);
            }
        }
        return List.copyOf(out);
    }

    /** Closes one tunnel with StopCCN (result 1); its calls go down. Completes when the tunnel is gone. */
    public CompletableFuture<Void> clearTunnel(int localTunnelId) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        List<Endpoint> eps = endpoints();
        CompletableFuture<?>[] found = new CompletableFuture<?>[eps.size()];
        for (int i = 0; i < eps.size(); i++) {
            Endpoint ep = eps.get(i);
            CompletableFuture<Boolean> f = new CompletableFuture<>();
            found[i] = f;
            ep.loop.execute(() -> {
                Tunnel t = ep.tunnels.get(localTunnelId);
                if (t == null) {
                    f.complete(false);
                    return;
                }
                t.whenClosed(done);
                t.close(ResultCode.of(StopCcnResult.GENERAL_REQUEST_TO_CLEAR),
                        new CallDownCause(CallDownCause.Kind.CLEARED_LOCALLY, -1, -1, "tunnel cleared by operator", null));
                f.complete(true);
            });
        }
        CompletableFuture.allOf(found).thenRun(() -> {
            boolean any = false;
            for (CompletableFuture<?> f : found) {
                any |= Boolean.TRUE.equals(f.join());
            }
            if (!any) {
                done.completeExceptionally(new IllegalArgumentException("no tunnel " + localTunnelId));
            }
        });
        return done;
    }

    /**
     * CDN for every call, StopCCN for every tunnel, waits for the acknowledgements up to {@code bound}, then closes
     * the sockets and event loops.
     */
    public void shutdown(Duration bound) {
        if (group == null) {
            return;
        }
        for (Endpoint ep : endpoints()) {
            if (ep.loop.inEventLoop()) {
                throw new IllegalStateException("shutdown() must not be called from an engine event loop");
            }
        }
        shuttingDown = true;
        long deadline = System.nanoTime() + bound.toNanos();
        for (Endpoint ep : endpoints()) {
            ep.loop.execute(() -> {
                for (Tunnel t : new ArrayList<>(ep.tunnels.values())) {
                    for (Session s : new ArrayList<>(ep.sessions.values())) {
                        if (s.localTunnelId() == t.localTunnelId) {
                            s.localDisconnect(DisconnectCause.administrative("LAC shutting down"));
                        }
                    }
                    t.close(ResultCode.of(StopCcnResult.SHUTTING_DOWN),
                            new CallDownCause(CallDownCause.Kind.CLEARED_LOCALLY, -1, -1, "LAC shutting down", null));
                }
            });
        }
        while (System.nanoTime() < deadline) {
            boolean any = false;
            for (Endpoint ep : endpoints()) {
                CompletableFuture<Integer> n = new CompletableFuture<>();
                ep.loop.execute(() -> n.complete(ep.tunnels.size()));
                try {
                    any |= n.get(1, TimeUnit.SECONDS) > 0;
                } catch (Exception e) {
                    any = true;
                }
            }
            if (!any) {
                break;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Endpoint ep : endpoints()) {
            ep.channel.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        LOG.info("L2TP engine stopped");
    }

    private List<Endpoint> endpoints() {
        List<Endpoint> l = new ArrayList<>();
        if (defaultEndpoint != null) {
            l.add(defaultEndpoint);
        }
        l.addAll(byLocalAddress.values());
        return l;
    }

    /** One UDP socket, its event loop and the tunnels on it. */
    private final class Endpoint extends SimpleChannelInboundHandler<DatagramPacket> implements TunnelHost {
        private Channel channel;
        private EventLoop loop;
        private InetSocketAddress local;
        private L2tpScheduler scheduler;
        private final IntObjectHashMap<Tunnel> tunnels = new IntObjectHashMap<>();
        /** (local tunnel id << 16 | local session id) -> session: the data path lookup (loop-confined, no boxing). */
        private final IntObjectHashMap<Session> sessions = new IntObjectHashMap<>();
        private final Map<TunnelProfile.Key, List<Tunnel>> byKey = new HashMap<>();
        private final byte[] scratch = new byte[MAX_DATAGRAM];
        /** Data frames from other threads, written and flushed in batches on the loop (one wakeup per batch). */
        private final java.util.Queue<DatagramPacket> dataOut = io.netty.util.internal.PlatformDependent.newFixedMpscQueue(DATA_QUEUE);
        private final java.util.concurrent.atomic.AtomicBoolean flushScheduled = new java.util.concurrent.atomic.AtomicBoolean();
        private final Runnable flushTask = this::flushData;
        /**
         * epoll only: the channel's own socket, through which data frames are sent straight from the calling thread
         * (the PPPoE receive thread) with one sendto each. sendto on a UDP socket is thread-safe in the kernel, and
         * the loop's control messages go through the same socket. This skips the hand-off to the event loop (a buffer,
         * a DatagramPacket and a queue slot per frame, and a second thread on the same CPU): the lab measured the
         * hand-off as the upstream limit (186 kpps with 0.2-0.4 s of queueing, against 250 kpps for a bare pcap forwarder).
         */
        private io.netty.channel.unix.Socket direct;
        private volatile SendState lastSendState;

        void init(Channel ch) {
            channel = ch;
            if (ch instanceof EpollDatagramChannel e) {
                direct = (io.netty.channel.unix.Socket) e.fd();
            }
            loop = ch.eventLoop();
            local = (InetSocketAddress) ch.localAddress();
            scheduler = new L2tpScheduler() {
                @Override
                public long nanoTime() { return System.nanoTime(); }

                @Override
                public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
                    ScheduledFuture<?> f = loop.schedule(task, delay, unit);
                    return () -> f.cancel(false);
                }
            };
        }

        /** A tunnel that accepts another call for this profile, or a new one; null when the id space is exhausted. */
        Tunnel tunnelFor(TunnelProfile p) {
            List<Tunnel> list = byKey.computeIfAbsent(p.key(), k -> new ArrayList<>());
            for (Tunnel t : list) {
                if (t.accepts()) {
                    return t;
                }
            }
            if (tunnels.size() >= MAX_TUNNELS) {
                return null;
            }
            int id;
            do {
                id = 1 + random.nextInt(65535);
            } while (tunnels.containsKey(id));
            Tunnel t = new Tunnel(this, p, id);
            tunnels.put(id, t);
            list.add(t);
            return t;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket pkt) {
            ByteBuf content = pkt.content();
            int len = content.readableBytes();
            byte[] arr;
            int off;
            if (content.hasArray()) {
                arr = content.array();
                off = content.arrayOffset() + content.readerIndex();
            } else {
                content.getBytes(content.readerIndex(), scratch, 0, len);
                arr = scratch;
                off = 0;
            }
            try {
                L2tpReader r = new L2tpReader(arr, off, len);
                L2tpHeader h = L2tpHeader.decode(r);
                if (!h.control()) {
                    Session s = sessions.get((h.tunnelId() << 16) | h.sessionId());
                    if (s == null || !pkt.sender().equals(s.peer())) {
                        stats.drop(L2tpStats.DropReason.UNKNOWN_SESSION);
                        return;
                    }
                    s.dataIn(arr, h.payloadOffset(), h.payloadLength(), h.ns());
                    return;
                }
                ControlMessage m = new ControlMessage(h.tunnelId(), h.sessionId(), h.ns(), h.nr(), L2tpCodec.decodeAvps(r));
                if (h.tunnelId() == 0) {
                    unsolicited(m, pkt.sender());
                    return;
                }
                Tunnel t = tunnels.get(h.tunnelId());
                if (t == null || !t.peer().getAddress().equals(pkt.sender().getAddress())) {
                    stats.drop(L2tpStats.DropReason.UNKNOWN_TUNNEL);
                    return;
                }
                t.onControl(m, pkt.sender());
            } catch (MalformedPacketException e) {
                stats.malformed(e.reason());
                LOG.debug("malformed L2TP from {}: {}", pkt.sender(), e.getMessage());
            }
        }

        /** Control message with tunnel id 0: an SCCRQ from the LNS (RFC 2661 4.4.3 tie breaker). */
        private void unsolicited(ControlMessage m, InetSocketAddress from) {
            if (m.messageType() == MessageType.SCCRQ) {
                byte[] theirs = m.bytes(AvpType.TIE_BREAKER);
                for (Tunnel t : tunnels.values()) {
                    byte[] ours = t.pendingTieBreaker();
                    if (ours != null && theirs != null && t.peer().getAddress().equals(from.getAddress())) {
                        boolean weWin = java.util.Arrays.compareUnsigned(ours, theirs) < 0;
                        LOG.info("SCCRQ from {} crossed ours (tunnel {}): tie breaker {}", from, t.localTunnelId,
                                weWin ? "won, theirs ignored" : "lost; a LAC does not accept LNS-initiated tunnels, theirs ignored");
                    }
                }
            }
            stats.drop(L2tpStats.DropReason.UNSOLICITED_SCCRQ);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.warn("L2TP socket {}: {}", local, cause.toString());
        }

        // ------------------------------------------------------------ TunnelHost

        @Override public L2tpScheduler scheduler() { return scheduler; }
        @Override public L2tpSettings settings() { return settings; }
        @Override public L2tpStats stats() { return stats; }
        @Override public Random random() { return random; }

        @Override
        public void sendControl(InetSocketAddress peer, byte[] datagram) {
            channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(datagram), peer), channel.voidPromise());
        }

        @Override
        public void sendData(Session s, byte[] buf, int off, int len) {
            io.netty.channel.unix.Socket d = direct;
            if (d != null && d.isOpen()) {
                sendDirect(d, s, buf, off, len);
                return;
            }
            boolean seq = s.sequencing();
            ByteBuf b = channel.alloc().directBuffer((seq ? 10 : 6) + 2 + len);
            b.writeShort(seq ? L2tpHeader.S | L2tpHeader.VERSION : L2tpHeader.VERSION);
            b.writeShort(s.remoteTunnelId());
            b.writeShort(s.remoteSessionId());
            if (seq) {
                b.writeShort(s.nextDataNs());
                b.writeShort(0);
            }
            b.writeByte(0xff).writeByte(0x03);
            b.writeBytes(buf, off, len);
            DatagramPacket pkt = new DatagramPacket(b, s.peer());
            if (!channel.isWritable() || !dataOut.offer(pkt)) {
                pkt.release();
                stats.drop(L2tpStats.DropReason.SEND_QUEUE_FULL);
                return;
            }
            stats.dataOut(len);
            if (flushScheduled.compareAndSet(false, true)) {
                loop.execute(flushTask);
            }
        }

        /**
         * The calling thread's send state. Usually one PPPoE receive thread sends, so the last thread's state is kept
         * in a field and checked by identity; a ThreadLocal lookup per frame showed up in profiles (a quarter of the
         * receive thread's Java samples, mostly probing past pcap4j's own per-packet ThreadLocal).
         */
        private SendState sendState() {
            SendState o = lastSendState;
            if (o == null || o.owner != Thread.currentThread()) {
                o = SEND_STATE.get();
                lastSendState = o;
            }
            return o;
        }

        /**
         * One data frame, from the calling thread: into its {@link DatagramBatch} when the thread batches (sent at its
         * next {@link #sendQueuedData()}, or when the batch is full), otherwise with one sendto.
         */
        private void sendDirect(io.netty.channel.unix.Socket socket, Session s, byte[] buf, int off, int len) {
            boolean seq = s.sequencing();
            if ((seq ? 12 : 8) + len > MAX_SLOT) {
                stats.drop(L2tpStats.DropReason.SEND_FAILED);
                return;
            }
            SendState st = sendState();
            InetSocketAddress peer = s.peer();
            DatagramBatch batch = st.batch;
            if (batch != null && batch.batching()) {
                writeData(batch.next(socket.intValue(), stats), s, seq, buf, off, len);
                batch.commit(peer.getAddress(), peer.getPort(), len);
                return;
            }
            java.nio.ByteBuffer b = st.buffer;
            b.clear();
            writeData(b, s, seq, buf, off, len);
            int sent;
            try {
                sent = socket.sendTo(b, 0, b.position(), peer.getAddress(), peer.getPort());
            } catch (java.io.IOException e) {
                stats.drop(L2tpStats.DropReason.SEND_FAILED);
                LOG.debug("L2TP data to {} not sent: {}", peer, e.toString());
                return;
            }
            if (sent <= 0) { // EAGAIN: the socket's send buffer is full
                stats.drop(L2tpStats.DropReason.SEND_QUEUE_FULL);
                return;
            }
            stats.dataOut(len);
        }

        /** The L2TP data header (RFC 2661 3.1; Ns when the LNS asked for sequencing), FF 03, then the PPP frame. */
        private void writeData(java.nio.ByteBuffer b, Session s, boolean seq, byte[] buf, int off, int len) {
            b.putShort((short) (seq ? L2tpHeader.S | L2tpHeader.VERSION : L2tpHeader.VERSION));
            b.putShort((short) s.remoteTunnelId());
            b.putShort((short) s.remoteSessionId());
            if (seq) {
                b.putShort((short) s.nextDataNs());
                b.putShort((short) 0);
            }
            b.put((byte) 0xff).put((byte) 0x03);
            b.put(buf, off, len);
        }

        /** Drains the data queue: writes every frame, flushes every batch (epoll sends a batch with sendmmsg). */
        private void flushData() {
            flushScheduled.set(false);
            int n = 0;
            DatagramPacket p;
            while ((p = dataOut.poll()) != null) {
                channel.write(p, channel.voidPromise());
                if (++n == FLUSH_BATCH) {
                    channel.flush();
                    n = 0;
                }
            }
            if (n > 0) {
                channel.flush();
            }
        }

        @Override
        public void execute(Runnable task) { loop.execute(task); }

        @Override
        public void registerSession(Tunnel t, Session s) { sessions.put((t.localTunnelId << 16) | s.localSessionId(), s); }

        @Override
        public void unregisterSession(Tunnel t, Session s) { sessions.remove((t.localTunnelId << 16) | s.localSessionId()); }

        @Override
        public void tunnelDestroyed(Tunnel t) {
            tunnels.remove(t.localTunnelId);
            List<Tunnel> l = byKey.get(t.profile.key());
            if (l != null) {
                l.remove(t);
                if (l.isEmpty()) {
                    byKey.remove(t.profile.key());
                }
            }
        }
    }
}
