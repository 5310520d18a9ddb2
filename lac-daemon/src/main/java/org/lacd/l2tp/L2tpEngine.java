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
import org.lacd.wire.WireReader;
import org.lacd.wire.WireProtocol;
import org.lacd.wire.MalformedPacketException;
import org.lacd.l2tp.wire.MessageType;
import org.lacd.l2tp.wire.ErrorCode;
import org.lacd.l2tp.wire.ResultCode;
import org.lacd.l2tp.wire.StopCcnResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The L2TPv2 LAC engine on Netty UDP (epoll when available, NIO otherwise).
 * <p>Threading: per local address one UDP socket per <em>worker</em> (one by default), each bound to its own event loop;
 * every tunnel of that socket, its sessions, timers and state machines live on that loop, without locks. With several
 * workers the sockets share the address and port (SO_REUSEPORT), and a classic BPF program ({@link ReuseportSteering})
 * makes the kernel deliver each datagram to the socket that owns its tunnel: worker {@code i} gives its tunnels ids
 * {@code id % workers == i}. A call is placed on the worker its subscriber's frames arrive on, so each session's
 * traffic runs on one worker's threads both ways and is never reordered. Public methods may be called from any thread
 * and hand work over with {@code eventLoop.execute}. {@link L2tpCall#sendPpp} encapsulates on the calling thread and
 * hands the datagram to Netty.
 */
public final class L2tpEngine {
    private static final Logger LOG = LoggerFactory.getLogger(L2tpEngine.class);
    /** Largest datagram we read (control or data). */
    static final int MAX_DATAGRAM = 65_535;
    /** Largest datagram read with recvmmsg (jumbo-frame LNS links); larger ones are truncated and fail to decode. */
    static final int MAX_SLOT = 9216;
    /** Datagrams per recvmmsg call of Netty's read path (where {@link DatagramReader} is unavailable). */
    static final int RECV_BATCH = 32;
    /**
     * Whether the engine reads its sockets with its own recvmmsg ({@link DatagramReader}) where it can: epoll and JNA.
     * {@code -Dlacd.l2tp.netty-read=true} keeps Netty's read path (a fallback, and the lab's before/after).
     */
    static final boolean OWN_READ = !Boolean.getBoolean("lacd.l2tp.netty-read");
    /**
     * Datagrams read per wake-up of a worker's event loop, at most: recvmmsg batches of {@link #RECV_BATCH} follow one
     * another only while each comes back full (see {@link BatchReadAllocator}), then the subscriber side's send runs.
     */
    static final int READ_PER_WAKEUP = 4 * RECV_BATCH;
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
        /** The data header of the frame being sent, from {@link L2tpHeader#writeData}. */
        final byte[] header = new byte[L2tpHeader.MAX_DATA_HEADER_LENGTH];
        final DatagramBatch batch = DatagramBatch.available() ? new DatagramBatch() : null;
    }
    /** DoS guard and id-space bound: tunnels per socket (tunnel ids are 16 bits, 0 reserved). */
    static final int MAX_TUNNELS = 60_000;
    /** Frames written between flushes on the data path. */
    static final int FLUSH_BATCH = 64;

    private final L2tpSettings settings;
    private final L2tpStats stats;
    private final Random random = new SecureRandom();
    private final Map<InetAddress, Endpoint[]> byLocalAddress = new ConcurrentHashMap<>();
    /** Sockets asked for per local address. */
    private final int workers;
    private EventLoopGroup group;
    private boolean epoll;
    private volatile Endpoint[] defaultEndpoints;
    private volatile boolean shuttingDown;
    /** Whether the sockets ask the kernel for UDP GRO; see {@link #udpGro(boolean)}. */
    private volatile boolean udpGro;
    /** Whether queued data runs to one LNS leave as UDP GSO messages; see {@link #udpGso(boolean)}. */
    private volatile boolean udpGso = true;
    /** LNS addresses whose data never goes as a GSO run; see {@link #udpGsoOff(java.util.Set)}. */
    private volatile java.util.Set<InetAddress> udpGsoOff = java.util.Set.of();
    /** Run on an event loop after each run of datagrams it read; see {@link #onReadBatchEnd}. */
    private volatile Runnable readBatchEnd;
    /** Tunnel switching: the downstream LACs whose SCCRQs are answered; empty refuses every SCCRQ. */
    private volatile List<LacPeer> lacPeers = List.of();
    /** Tunnel switching: who takes their calls. */
    private volatile IncomingCallHandler incomingHandler = call -> null;
    /** Tunnel switching: calls per downstream LAC peer (by name), over every worker, for its {@code maxSessions}. */
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> incomingPerPeer = new ConcurrentHashMap<>();
    /** Responder tunnels per downstream LAC peer, over all event loops (its {@code max-tunnels}). */
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> tunnelsPerPeer = new ConcurrentHashMap<>();

    public L2tpEngine(L2tpSettings settings, L2tpStats stats) {
        this(settings, stats, 1);
    }

    /** @param workers UDP sockets (and event loops) per local address, 1..{@link #MAX_WORKERS} */
    public L2tpEngine(L2tpSettings settings, L2tpStats stats, int workers) {
        if (workers < 1 || workers > MAX_WORKERS) {
            throw new IllegalArgumentException("workers " + workers + " (expected: 1.." + MAX_WORKERS + ")");
        }
        this.settings = settings;
        this.stats = stats == null ? L2tpStats.NOOP : stats;
        this.workers = workers;
    }

    /** Most worker sockets per local address: tunnel ids are 16 bits, and each worker needs a share of them. */
    public static final int MAX_WORKERS = 64;

    /** Binds the default socket ({@code bindAddress:sourcePort}). */
    public synchronized void start() throws L2tpBindException {
        if (group != null) {
            throw new IllegalStateException("already started");
        }
        epoll = settings.preferEpoll() && Epoll.isAvailable();
        IoHandlerFactory f = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        group = new MultiThreadIoEventLoopGroup(Math.max(settings.eventLoopThreads(), workers), f);
        try {
            defaultEndpoints = bindWorkers(settings.bindAddress());
        } catch (L2tpBindException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            group = null;
            throw e;
        }
        LOG.info("L2TP engine listening on {} ({}{}, {} worker socket{}, UDP GSO {}, UDP GRO {})", defaultEndpoints[0].local,
                epoll ? "epoll" : "nio", defaultEndpoints[0].reader != null ? ", recvmmsg through JNA" : "",
                defaultEndpoints.length, defaultEndpoints.length == 1 ? "" : "s, steered by tunnel id",
                epoll && udpGso && DatagramBatch.available() ? "on" : "off",
                epoll && udpGro && defaultEndpoints.length == 1 ? "on" : udpGro && epoll ? "off (several worker sockets)" : "off");
    }

    /**
     * Receive buffer of each engine socket unless {@link #receiveBuffer} says otherwise, where the kernel allows it past
     * {@code net.core.rmem_max} (epoll, CAP_NET_ADMIN; {@link ReceiveBuffer}): about 20,000 small datagrams, a second of
     * a storm's answers and more.
     */
    static final int RECEIVE_BUFFER_BYTES = 32 << 20;
    private volatile int receiveBufferBytes = RECEIVE_BUFFER_BYTES;

    /**
     * The receive buffer of each engine socket (config {@code l2tp.receive-buffer-mib}; set before {@link #start}).
     * Control and data share the socket, so the size trades a storm's answers against delay: what it holds while lacd
     * is busier than the traffic it is offered is a queue every downstream frame waits in (lab.md, "Twelfth session").
     */
    public void receiveBuffer(int bytes) {
        if (bytes < 1 << 16) {
            throw new IllegalArgumentException("receive buffer " + bytes + " bytes: at least 64 KiB");
        }
        receiveBufferBytes = bytes;
    }
    private boolean receiveBufferRefusalLogged;

    /** Whether sockets bound from now on are read with the engine's own recvmmsg where they can; see {@link #OWN_READ}. */
    private volatile boolean readOwn = OWN_READ;

    /** Tests: {@code false} has Netty read the sockets this engine binds from now on (set before {@link #start}). */
    void readOwn(boolean on) {
        readOwn = on;
    }

    /** Whether the default socket is read with the engine's own recvmmsg ({@link DatagramReader}) rather than by Netty. */
    boolean readsWithRecvmmsg() {
        return defaultEndpoints[0].reader != null;
    }

    /** The receive buffer of the default socket as the kernel reports it (twice the size set), or -1 without epoll. */
    int receiveBufferBytes() {
        Channel ch = defaultEndpoints[0].channel;
        return ch instanceof EpollDatagramChannel e ? ReceiveBuffer.bytes(e.fd().intValue()) : -1;
    }

    /**
     * Datagrams the kernel dropped at worker {@code worker}'s sockets (all local addresses) because their receive
     * buffer was full ({@link ReceiveBuffer#drops}): LNS messages and downstream data lacd never saw. 0 without epoll
     * (Netty's NIO channel hides the descriptor) or before {@link #start}.
     */
    public long socketDrops(int worker) {
        long sum = socketDrops(defaultEndpoints, worker);
        for (Endpoint[] eps : byLocalAddress.values()) {
            sum += socketDrops(eps, worker);
        }
        return sum;
    }

    private static long socketDrops(Endpoint[] eps, int worker) {
        if (eps == null || worker >= eps.length || !(eps[worker].channel instanceof EpollDatagramChannel e)) {
            return 0;
        }
        return Math.max(0, ReceiveBuffer.drops(e.fd().intValue()));
    }

    /** The port the default socket is bound to (useful with source port 0). */
    public int localPort() { return defaultEndpoints[0].local.getPort(); }

    /** Worker sockets per local address actually bound: the configured count, or 1 where steering is unavailable. */
    public int workers() {
        Endpoint[] eps = defaultEndpoints;
        return eps == null ? workers : eps.length;
    }

    /**
     * {@code r} runs on an event loop each time it has handed over every datagram of a read (a recvmmsg batch):
     * the place for the layer above to send what {@link CallListener#pppFromLns} queued during it. Set before the
     * first call is placed.
     */
    public void onReadBatchEnd(Runnable r) {
        readBatchEnd = r;
    }

    public boolean usesEpoll() { return epoll; }

    /**
     * Tunnel switching (config {@code l2tp.lac-peers}): answer SCCRQs from these downstream LACs as their LNS (RFC 2661
     * 7.2.1 responder, 5.1.1 tunnel authentication) and hand their connected calls to {@code handler}. An SCCRQ from
     * any other address is refused with a StopCCN (result 4) and counted ({@link L2tpStats.Refusal#UNKNOWN_PEER}).
     * Replaces what was given before: a peer no longer listed gets no new tunnel (its tunnels stay). Thread-safe.
     */
    public void acceptIncomingCalls(List<LacPeer> peers, IncomingCallHandler handler) {
        lacPeers = List.copyOf(peers);
        incomingHandler = java.util.Objects.requireNonNull(handler, "handler");
    }

    /** Calls from the downstream LAC peer {@code name} now up or being set up. */
    public int incomingCalls(String peerName) {
        java.util.concurrent.atomic.AtomicInteger n = incomingPerPeer.get(peerName);
        return n == null ? 0 : n.get();
    }

    /**
     * Whether runs of queued data datagrams to one LNS leave as one UDP GSO message each (config
     * {@code l2tp.udp-gso}, default on; see {@code DatagramBatch}). Off sends every datagram as its own message.
     */
    public void udpGso(boolean on) {
        udpGso = on;
    }

    /**
     * LNS addresses whose data datagrams are never grouped into a UDP GSO run: those behind IPsec. Through kernel
     * ESP the kernel refuses GSO itself (EIO, and DatagramBatch falls back), but through a userspace ESP's TUN device
     * (strongSwan's kernel-libipsec) a run of datagrams that exceed the device's MTU was accepted and half of it lost
     * (IpsecForwardingBenchmark at 1400 B: 51 % loss with GSO, 0.3 % without). Replaces the set given before.
     */
    public void udpGsoOff(java.util.Set<InetAddress> peers) {
        udpGsoOff = java.util.Set.copyOf(peers);
    }

    /** Whether data to {@code peer} may join a UDP GSO run (the hot path: one emptiness check without IPsec LNSs). */
    boolean gsoTo(InetAddress peer) {
        java.util.Set<InetAddress> noGso = udpGsoOff;
        return udpGso && (noGso.isEmpty() || !noGso.contains(peer));
    }

    /**
     * Whether the engine's sockets take UDP GRO (config {@code l2tp.udp-gro}, default off; set before {@link #start}):
     * datagrams of one tunnel that the NIC driver's GRO has merged come up as one message and are cut back into
     * datagrams here ({@link DatagramReader#segment}; where Netty reads, it slices them), so the kernel's socket queue
     * and its copy to user space run once per merged run instead of once per datagram. The engine's own reader takes
     * 16 messages of up to 64 KiB per recvmmsg then; where Netty reads, reads are recvmsg (one per datagram where
     * nothing was merged), see {@link #socketOptions}. Epoll only; the kernel merges only where the
     * device does GRO. Off where an address has several worker sockets: GRO merges by UDP 5-tuple, which all
     * workers' tunnels to one LNS share, and the steering program sees only a merged run's first datagram.
     */
    public void udpGro(boolean on) {
        udpGro = on;
    }

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

    /**
     * The worker sockets of one local address: one, or {@link #workers} sharing the port with SO_REUSEPORT and steered
     * by tunnel id. Where the steering program cannot be attached (no epoll, an old kernel) the address gets one socket
     * and a log line says why: without steering a datagram could reach a socket that does not own its tunnel.
     */
    private Endpoint[] bindWorkers(InetAddress address) throws L2tpBindException {
        if (workers == 1) {
            return new Endpoint[] {bind(address, settings.sourcePort(), 0, 1, false)};
        }
        if (!epoll) {
            LOG.warn("L2TP: {} worker sockets asked for, but SO_REUSEPORT steering needs the epoll transport: using 1", workers);
            return new Endpoint[] {bind(address, settings.sourcePort(), 0, 1, false)};
        }
        Endpoint first = bind(address, settings.sourcePort(), 0, workers, true);
        String why = ReuseportSteering.attach(((EpollDatagramChannel) first.channel).fd().intValue(), workers);
        if (why != null) {
            LOG.warn("L2TP: cannot steer datagrams to {} worker sockets ({}): using 1", workers, why);
            first.count = 1;
            return new Endpoint[] {first};
        }
        Endpoint[] eps = new Endpoint[workers];
        eps[0] = first;
        int port = first.local.getPort();
        try {
            for (int i = 1; i < workers; i++) {
                eps[i] = bind(address, port, i, workers, true);
            }
        } catch (L2tpBindException e) {
            for (Endpoint ep : eps) {
                if (ep != null) {
                    ep.channel.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
                }
            }
            throw e;
        }
        return eps;
    }

    private Endpoint bind(InetAddress address, int port, int index, int count, boolean reusePort) throws L2tpBindException {
        InetSocketAddress at = address == null ? new InetSocketAddress(port) : new InetSocketAddress(address, port);
        Endpoint ep = new Endpoint(index, count);
        Class<? extends DatagramChannel> cls = epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
        Bootstrap b = new Bootstrap().group(group).channel(cls).handler(ep);
        // GRO merges by UDP 5-tuple, and the tunnels of all workers to one LNS share it: a merged run could hold
        // datagrams of another worker's tunnels, steered by its first. So GRO only where one socket has the port.
        boolean gro = udpGro && count == 1;
        socketOptions(b, epoll, gro, reusePort);
        boolean ownRead = epoll && readOwn && DatagramReader.available();
        b.option(ChannelOption.AUTO_READ, !ownRead); // read by the endpoint's own recvmmsg, not by Netty
        try {
            Channel ch = b.bind(at).sync().channel();
            ep.init(ch);
            if (ownRead) {
                try {
                    ep.readOwn(gro);
                } catch (Exception e) {
                    LOG.warn("L2TP socket {}: cannot read it with recvmmsg through JNA ({}): Netty reads it", ep.local, e.toString());
                    ch.config().setAutoRead(true);
                }
            }
            if (ch instanceof EpollDatagramChannel e) {
                String why = ReceiveBuffer.force(e.fd().intValue(), receiveBufferBytes);
                if (why != null && !receiveBufferRefusalLogged) {
                    receiveBufferRefusalLogged = true;
                    LOG.info("L2TP: socket receive buffer left at {} bytes (net.core.rmem_max): {}",
                            ReceiveBuffer.bytes(e.fd().intValue()), why);
                }
            }
            return ep;
        } catch (Exception e) {
            throw new L2tpBindException("cannot bind L2TP UDP socket to " + at + ": " + e.getMessage(), e);
        }
    }

    /**
     * The options of every engine socket: buffers, the write queue's water marks, and with epoll either recvmmsg
     * batches of {@link #RECV_BATCH} slots of {@link #MAX_SLOT} bytes or, with UDP GRO, one recvmsg per read into
     * {@link #MAX_DATAGRAM} bytes: Netty reads the GRO segment size only on its recvmsg path (its recvmmsg path hands
     * a merged run up as one datagram), and a merged run already carries many datagrams per system call.
     */
    static void socketOptions(Bootstrap b, boolean epoll, boolean gro, boolean reusePort) {
        boolean mmsg = epoll && !gro;
        b.option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .option(ChannelOption.SO_SNDBUF, 4 << 20)
                .option(ChannelOption.RECVBUF_ALLOCATOR, mmsg ? new BatchReadAllocator(MAX_SLOT * RECV_BATCH, READ_PER_WAKEUP)
                        : new FixedRecvByteBufAllocator(MAX_DATAGRAM))
                // data frames queue here when the socket is busy; past the high mark they are dropped and counted
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new io.netty.channel.WriteBufferWaterMark(1 << 20, 4 << 20));
        if (epoll) {
            // recvmmsg: several datagrams per syscall, each up to MAX_SLOT bytes (DEPENDENCIES.md); 0 = recvmsg
            b.option(io.netty.channel.epoll.EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, mmsg ? MAX_SLOT : 0);
            if (gro) {
                b.option(io.netty.channel.epoll.EpollChannelOption.UDP_GRO, true);
            }
            if (reusePort) {
                b.option(io.netty.channel.epoll.EpollChannelOption.SO_REUSEPORT, true);
            }
        }
    }

    /**
     * Netty's read loop for recvmmsg: buffers of one size, and another recvmmsg in the same wake-up only when the last one
     * filled every slot (more are likely waiting) and fewer than {@code maxPerWakeup} datagrams have been read. Netty's
     * own handles either stop after one read (a fixed allocator's default of one message per read) or, allowed more,
     * read again after any non-empty read: with traffic arriving while the loop reads, that was about two datagrams per
     * recvmmsg (and Netty's getsockopt before each) instead of one wake-up's worth.
     */
    static final class BatchReadAllocator extends io.netty.channel.DefaultMaxMessagesRecvByteBufAllocator {
        private final int bufferBytes;

        BatchReadAllocator(int bufferBytes, int maxPerWakeup) {
            super(maxPerWakeup);
            this.bufferBytes = bufferBytes;
        }

        @Override
        public Handle newHandle() {
            return new MaxMessageHandle() {
                @Override
                public int guess() { return bufferBytes; }

                @Override
                public boolean continueReading(io.netty.util.UncheckedBooleanSupplier maybeMoreData) {
                    return lastBytesRead() == attemptedBytesRead() && super.continueReading(maybeMoreData);
                }
            };
        }
    }

    /** The socket of worker {@code worker} (modulo the sockets there are) for the profile's local address. */
    private Endpoint endpointFor(TunnelProfile p, int worker) throws L2tpBindException {
        Endpoint[] eps;
        if (p.localAddress() == null) {
            eps = defaultEndpoints;
        } else {
            eps = byLocalAddress.get(p.localAddress());
            if (eps == null) {
                synchronized (this) {
                    eps = byLocalAddress.get(p.localAddress());
                    if (eps == null) {
                        eps = bindWorkers(p.localAddress());
                        byLocalAddress.put(p.localAddress(), eps);
                    }
                }
            }
        }
        return eps[Math.floorMod(worker, eps.length)];
    }

    /**
     * Places an incoming call toward the profile's LNS, on a shared tunnel when one fits. Returns at once; the listener
     * learns the outcome on the tunnel's event loop. Thread-safe.
     */
    public L2tpCall placeCall(TunnelProfile profile, CallParameters params, CallListener listener) {
        return placeCall(profile, params, listener, 0);
    }

    /**
     * {@link #placeCall(TunnelProfile, CallParameters, CallListener)} on a tunnel of worker {@code worker}: the call's
     * data is then received, and its control handled, on that worker's event loop. The PPPoE side passes the worker
     * that receives the subscriber's frames, so the session's frames stay on one worker's threads both ways.
     */
    public L2tpCall placeCall(TunnelProfile profile, CallParameters params, CallListener listener, int worker) {
        if (group == null) {
            throw new IllegalStateException("engine not started");
        }
        Endpoint ep;
        try {
            ep = endpointFor(profile, worker);
        } catch (L2tpBindException e) {
            Endpoint fallback = defaultEndpoints[0];
            Session s = new Session(fallback, profile, params, listener);
            CallDownCause c = new CallDownCause(CallDownCause.Kind.TUNNEL_FAILED, -1, -1, e.getMessage(), null);
            fallback.loop.execute(() -> listener.callDown(s, c));
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
            ep = endpointFor(profile, 0);
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

    /**
     * Closes every tunnel to {@code peer} at once without sending anything (no CDN, no StopCCN): the path to it is no
     * longer protected (its IPsec SA went down). Calls go down as on a dead tunnel. Completes when every event loop has
     * done it; returns how many tunnels were closed.
     */
    public CompletableFuture<Integer> abortTunnelsTo(InetAddress peer, String why) {
        List<Endpoint> eps = endpoints();
        CompletableFuture<?>[] all = new CompletableFuture<?>[eps.size()];
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        for (int i = 0; i < eps.size(); i++) {
            Endpoint ep = eps.get(i);
            CompletableFuture<Void> f = new CompletableFuture<>();
            all[i] = f;
            ep.loop.execute(() -> {
                for (Tunnel t : new ArrayList<>(ep.tunnels.values())) {
                    if (t.peer().getAddress().equals(peer)) {
                        n.incrementAndGet();
                        t.pathLost(why);
                    }
                }
                f.complete(null);
            });
        }
        return CompletableFuture.allOf(all).thenApply(v -> n.get());
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
        Endpoint[] d = defaultEndpoints;
        if (d != null) {
            l.addAll(List.of(d));
        }
        for (Endpoint[] eps : byLocalAddress.values()) {
            l.addAll(List.of(eps));
        }
        return l;
    }

    /** One UDP socket, its event loop and the tunnels on it. */
    private final class Endpoint extends SimpleChannelInboundHandler<DatagramPacket> implements TunnelHost {
        /** This socket's worker index among {@link #count} sockets of its address: its tunnel ids are {@code index} mod count. */
        private final int index;
        private int count;
        /** The engine's stats, with data counted on this worker. */
        private final L2tpStats workerStats;
        private Channel channel;
        private EventLoop loop;
        private InetSocketAddress local;
        private L2tpScheduler scheduler;
        private final IntObjectHashMap<Tunnel> tunnels = new IntObjectHashMap<>();
        /** (local tunnel id << 16 | local session id) -> session: the data path lookup (loop-confined, no boxing). */
        private final IntObjectHashMap<Session> sessions = new IntObjectHashMap<>();
        private final Map<TunnelProfile.Key, List<Tunnel>> byKey = new HashMap<>();
        /** Responder tunnels by (peer address and port, the peer's tunnel id): a retransmitted SCCRQ finds its tunnel. */
        private final Map<String, Tunnel> responders = new HashMap<>();
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
        /** The socket's reader where the engine reads it itself ({@link #readOwn}), else null (Netty reads). */
        private DatagramReader reader;

        Endpoint(int index, int count) {
            this.index = index;
            this.count = count;
            this.workerStats = stats.forWorker(index);
        }

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
            if (tunnels.size() >= Math.min(MAX_TUNNELS, 65535 / count - 1)) {
                return null;
            }
            // ids of this worker only (id % count == index), so that the kernel's steering delivers its datagrams here
            int choices = (65535 - index) / count + 1;
            int id;
            do {
                id = index + count * random.nextInt(choices);
            } while (id == 0 || tunnels.containsKey(id));
            Tunnel t = new Tunnel(this, p, id);
            tunnels.put(id, t);
            list.add(t);
            return t;
        }

        /**
         * Reads this socket with a {@link DatagramReader} from now on: a second descriptor of the socket (the channel
         * reads nothing, its auto-read is off) registered with the channel's event loop, level-triggered, so that
         * datagrams are handled on the thread that owns this endpoint's tunnels and sessions, as Netty's reads were.
         * The channel still sends, and its closing closes the reader. {@code gro}: the socket has UDP_GRO on.
         */
        void readOwn(boolean gro) throws Exception {
            int dupFd = DatagramReader.dup(((EpollDatagramChannel) channel).fd().intValue());
            if (dupFd < 0) {
                throw new java.io.IOException("dup of the L2TP socket failed: errno " + com.sun.jna.Native.getLastError());
            }
            OwnRead handle = new OwnRead(new io.netty.channel.unix.FileDescriptor(dupFd), new DatagramReader(gro));
            io.netty.channel.IoRegistration registration;
            try {
                registration = ((io.netty.channel.IoEventLoop) loop).register(handle).sync().getNow();
                registration.submit(io.netty.channel.epoll.EpollIoOps.EPOLLIN);
            } catch (Exception | Error e) {
                handle.close();
                throw e;
            }
            handle.registration = registration;
            reader = handle.reader;
            channel.closeFuture().addListener(f -> handle.close());
        }

        /** This endpoint's socket as the event loop's reader sees it: recvmmsg batches while the socket is readable. */
        private final class OwnRead implements io.netty.channel.epoll.EpollIoHandle {
            private final io.netty.channel.unix.FileDescriptor fd;
            private final DatagramReader reader;
            private volatile io.netty.channel.IoRegistration registration;
            private boolean errorLogged;
            private boolean closed;
            /** Inside {@link #handle}: a close from there (the handling closing the channel) waits until it returns. */
            private boolean handling;

            OwnRead(io.netty.channel.unix.FileDescriptor fd, DatagramReader reader) {
                this.fd = fd;
                this.reader = reader;
            }

            @Override
            public io.netty.channel.unix.FileDescriptor fd() { return fd; }

            /**
             * Up to {@link #READ_PER_WAKEUP} datagrams: another recvmmsg only after a full one (more are likely
             * waiting); what is left wakes the loop again (level-triggered) after its other work. A run the kernel's
             * GRO merged is cut back into its datagrams here.
             */
            @Override
            public void handle(io.netty.channel.IoRegistration r, io.netty.channel.IoEvent event) {
                if (closed) {
                    return;
                }
                handling = true;
                try {
                    readBatches();
                } finally {
                    handling = false;
                }
            }

            private void readBatches() {
                int total = 0;
                int fdValue = fd.intValue();
                while (total < READ_PER_WAKEUP) {
                    int n = reader.receive(fdValue);
                    if (n < 0) {
                        if (!errorLogged) {
                            errorLogged = true;
                            LOG.warn("L2TP socket {}: recvmmsg failed, errno {}", local, reader.lastError());
                        }
                        break;
                    }
                    for (int i = 0; i < n; i++) {
                        InetSocketAddress from = reader.sender(i);
                        if (from == null) { // not IPv4 or IPv6: a UDP socket has no other
                            stats.drop(L2tpStats.DropReason.UNKNOWN_TUNNEL);
                            total++;
                            continue;
                        }
                        if (reader.truncated(i)) {
                            stats.malformed(org.lacd.wire.CommonReason.TRUNCATED);
                            LOG.debug("L2TP datagram from {} longer than {} bytes: dropped", from, reader.length(i));
                            total++;
                            continue;
                        }
                        int len = reader.length(i);
                        int seg = reader.segment(i);
                        int at = 0;
                        do {
                            int l = Math.min(seg, len - at);
                            reader.copy(i, at, l, scratch);
                            try {
                                onDatagram(scratch, 0, l, from);
                            } catch (RuntimeException e) { // as Netty's pipeline would: logged, the next one read
                                LOG.warn("L2TP socket {}: datagram from {} not handled: {}", local, from, e.toString());
                            }
                            at += l;
                            total++;
                        } while (at < len);
                    }
                    if (n < reader.capacity()) {
                        break;
                    }
                }
                if (total > 0) {
                    endOfReadBatch();
                }
            }

            /** Deregisters, closes the second descriptor and frees the slots; idempotent, on the loop or not. */
            @Override
            public void close() {
                if (!loop.inEventLoop() || handling) { // the slots stay until no read is using them
                    loop.execute(this::close);
                    return;
                }
                if (closed) {
                    return;
                }
                closed = true;
                io.netty.channel.IoRegistration r = registration;
                if (r != null) {
                    r.cancel();
                }
                try {
                    fd.close();
                } catch (java.io.IOException e) {
                    LOG.debug("closing the L2TP reader's descriptor: {}", e.toString());
                }
                reader.close();
            }
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
            onDatagram(arr, off, len, pkt.sender());
        }

        /** One datagram from {@code sender}: data to its session, control to its tunnel, anything else counted. */
        private void onDatagram(byte[] arr, int off, int len, InetSocketAddress sender) {
            try {
                WireReader r = new WireReader(WireProtocol.L2TP, arr, off, len);
                L2tpHeader h = L2tpHeader.decode(r);
                if (!h.control()) {
                    Session s = sessions.get((h.tunnelId() << 16) | h.sessionId());
                    if (s == null || !sender.equals(s.peer())) {
                        stats.drop(L2tpStats.DropReason.UNKNOWN_SESSION);
                        return;
                    }
                    s.dataIn(arr, h.payloadOffset(), h.payloadLength(), h.ns());
                    return;
                }
                ControlMessage m = new ControlMessage(h.tunnelId(), h.sessionId(), h.ns(), h.nr(), L2tpCodec.decodeAvps(r));
                if (h.tunnelId() == 0) {
                    unsolicited(m, sender);
                    return;
                }
                Tunnel t = tunnels.get(h.tunnelId());
                if (t == null || !t.peer().getAddress().equals(sender.getAddress())) {
                    stats.drop(L2tpStats.DropReason.UNKNOWN_TUNNEL);
                    return;
                }
                // the subscriber frames this read queued go first: an LNS's last PPP frames (LCP Terminate-Request)
                // must reach the subscriber before the PADT that a CDN here leads to on another thread
                endOfReadBatch();
                t.onControl(m, sender);
            } catch (MalformedPacketException e) {
                stats.malformed(e.reason());
                LOG.debug("malformed L2TP from {}: {}", sender, e.getMessage());
            }
        }

        /**
         * Control message with tunnel id 0: an SCCRQ. From a configured downstream LAC ({@link #acceptIncomingCalls}) it
         * opens (or, retransmitted, reaches) a responder tunnel; from anyone else it is refused with a StopCCN and
         * counted. An LNS's SCCRQ crossing ours is logged (RFC 2661 4.4.3 tie breaker): a LAC takes no tunnel from it.
         */
        private void unsolicited(ControlMessage m, InetSocketAddress from) {
            if (m.messageType() == MessageType.SCCRQ && !lacPeers.isEmpty()) {
                int theirs = m.u16(AvpType.ASSIGNED_TUNNEL_ID);
                String key = from + "/" + theirs;
                Tunnel known = responders.get(key);
                if (known != null) {
                    known.onControl(m, from); // a retransmission: the channel acknowledges it again
                    return;
                }
                LacPeer lp = LacPeer.find(lacPeers, from.getAddress());
                if (lp != null) {
                    acceptSccrq(lp, key, m, from);
                    return;
                }
                LOG.info("SCCRQ from {}: not a configured LAC peer, refused", from);
                stats.refused(L2tpStats.Refusal.UNKNOWN_PEER);
                refuseStateless(m, from, theirs);
            }
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

        /** A responder tunnel for a configured downstream LAC's first SCCRQ, which it then handles. */
        private void acceptSccrq(LacPeer lp, String key, ControlMessage m, InetSocketAddress from) {
            if (shuttingDown || tunnels.size() >= Math.min(MAX_TUNNELS, 65535 / count - 1)) {
                refuseStateless(m, from, m.u16(AvpType.ASSIGNED_TUNNEL_ID));
                return;
            }
            java.util.concurrent.atomic.AtomicInteger peerTunnels = tunnelsPerPeer.computeIfAbsent(lp.name(),
                    k -> new java.util.concurrent.atomic.AtomicInteger());
            if (peerTunnels.incrementAndGet() > lp.maxTunnels() && lp.maxTunnels() > 0) {
                peerTunnels.decrementAndGet();
                LOG.info("SCCRQ from {} ({}): over its max-tunnels {}, refused", from, lp.name(), lp.maxTunnels());
                stats.refused(L2tpStats.Refusal.TUNNEL_LIMIT, lp);
                refuseStateless(m, from, m.u16(AvpType.ASSIGNED_TUNNEL_ID), StopCcnResult.GENERAL_ERROR, "too many tunnels from this peer");
                return;
            }
            int choices = (65535 - index) / count + 1;
            int id;
            do {
                id = index + count * random.nextInt(choices);
            } while (id == 0 || tunnels.containsKey(id));
            TunnelProfile p = new TunnelProfile(lp.name(), from, null, settings.localHostName(), lp.secret(), null, false,
                    0, 0, true);
            Tunnel t = new Tunnel(this, p, id, lp);
            tunnels.put(id, t);
            responders.put(key, t);
            t.onControl(m, from);
        }

        /**
         * A StopCCN (result 4, not authorized) for an SCCRQ we keep no state for, sent once: Ns 0, Nr 1 acknowledges the
         * SCCRQ (RFC 2661 5.8); its tunnel id is the one the SCCRQ assigned. Nothing is retransmitted (DoS guard).
         */
        private void refuseStateless(ControlMessage m, InetSocketAddress from, int theirTunnel) {
            refuseStateless(m, from, theirTunnel, StopCcnResult.NOT_AUTHORIZED, null);
        }

        /** The same with another result code (and a message, or null). */
        private void refuseStateless(ControlMessage m, InetSocketAddress from, int theirTunnel, StopCcnResult result, String why) {
            List<org.lacd.l2tp.wire.Avp> body = List.of(org.lacd.l2tp.wire.Avp.u16(AvpType.ASSIGNED_TUNNEL_ID, 0),
                    (why == null ? ResultCode.of(result) : ResultCode.of(result, ErrorCode.NO_ERROR, why)).toAvp());
            ControlMessage stop = ControlMessage.of(MessageType.STOPCCN, Math.max(theirTunnel, 0), 0, body);
            stop = new ControlMessage(stop.tunnelId(), 0, 0, (m.ns() + 1) & 0xffff, stop.avps());
            sendControl(from, L2tpCodec.encode(stop));
        }

        /** The end of a read (a recvmmsg batch): the layer above sends what it queued for the subscribers. */
        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            endOfReadBatch();
            ctx.fireChannelReadComplete();
        }

        private void endOfReadBatch() {
            Runnable r = readBatchEnd;
            if (r != null) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.warn("read batch end task failed on {}: {}", local, e.toString(), e);
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.warn("L2TP socket {}: {}", local, cause.toString());
        }

        // ------------------------------------------------------------ TunnelHost

        @Override public L2tpScheduler scheduler() { return scheduler; }
        @Override public L2tpSettings settings() { return settings; }
        @Override public L2tpStats stats() { return workerStats; }
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
            byte[] header = sendState().header;
            int h = L2tpHeader.writeData(header, 0, s.remoteTunnelId(), s.remoteSessionId(), seq, seq ? s.nextDataNs() : 0, 0);
            ByteBuf b = channel.alloc().directBuffer(h + 2 + len);
            b.writeBytes(header, 0, h);
            b.writeByte(0xff).writeByte(0x03);
            b.writeBytes(buf, off, len);
            DatagramPacket pkt = new DatagramPacket(b, s.peer());
            if (!channel.isWritable() || !dataOut.offer(pkt)) {
                pkt.release();
                stats.drop(L2tpStats.DropReason.SEND_QUEUE_FULL);
                return;
            }
            workerStats.dataOut(len);
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
                writeData(batch.next(socket.intValue(), workerStats, gsoTo(peer.getAddress())), s, seq, buf, off, len);
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
            workerStats.dataOut(len);
        }

        /** The L2TP data header (RFC 2661 3.1; Ns when the LNS asked for sequencing), FF 03, then the PPP frame. */
        private void writeData(java.nio.ByteBuffer b, Session s, boolean seq, byte[] buf, int off, int len) {
            byte[] header = sendState().header;
            b.put(header, 0, L2tpHeader.writeData(header, 0, s.remoteTunnelId(), s.remoteSessionId(), seq, seq ? s.nextDataNs() : 0, 0));
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
        public IncomingCallHandler incomingHandler() { return incomingHandler; }

        @Override
        public L2tpStats.Refusal admitIncoming(LacPeer peer) {
            L2tpStats.Refusal no = incomingHandler.admit(peer);
            if (no != null) {
                return no;
            }
            java.util.concurrent.atomic.AtomicInteger n = incomingPerPeer.computeIfAbsent(peer.name(),
                    k -> new java.util.concurrent.atomic.AtomicInteger());
            if (n.incrementAndGet() > peer.maxSessions() && peer.maxSessions() > 0) {
                n.decrementAndGet();
                return L2tpStats.Refusal.SESSION_LIMIT;
            }
            return null;
        }

        @Override
        public void releaseIncoming(LacPeer peer) {
            java.util.concurrent.atomic.AtomicInteger n = incomingPerPeer.get(peer.name());
            if (n != null) {
                n.decrementAndGet();
            }
        }

        @Override
        public void tunnelDestroyed(Tunnel t) {
            tunnels.remove(t.localTunnelId);
            if (t.lacPeer != null) {
                responders.values().remove(t);
                java.util.concurrent.atomic.AtomicInteger n = tunnelsPerPeer.get(t.lacPeer.name());
                if (n != null) {
                    n.decrementAndGet();
                }
            }
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
