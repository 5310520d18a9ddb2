package org.lacd.radius;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.lacd.radius.RadiusSettings.MessageAuthenticatorMode;
import org.lacd.radius.RadiusSettings.Server;
import org.lacd.radius.RadiusStats.DropReason;
import org.lacd.radius.RadiusStats.RequestType;
import org.lacd.wire.MalformedPacketException;
import org.lacd.radius.wire.RadiusCode;
import org.lacd.radius.wire.RadiusCrypto;
import org.lacd.radius.wire.RadiusCrypto.MaCheck;
import org.lacd.radius.wire.RadiusPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pool of RADIUS servers of one kind (authentication or accounting) behind one UDP socket.
 *
 * <p>Threading: all state lives on one Netty event loop (no locks). {@link #send} may be called from any thread; the
 * returned future completes on the event loop, so callers must not block in its callbacks (nor call {@link #stop} there).
 * Time and timers (timeouts, retransmits, hold-down, probes) come from the injected {@link RadiusScheduler}, whose
 * timer tasks run on the same loop.
 *
 * <p>Behaviour: servers are tried in configured order (FAILOVER) or rotated per request (ROUND_ROBIN); each try waits
 * {@code timeout} and is retransmitted {@code retries} times; a server that exhausts its tries is marked dead for
 * {@code deadHoldDown} and skipped; after the hold-down it gets the next request again (that request is the probe).
 * When every server is dead they are still tried once each, so a recovered server is found without waiting; the last
 * of them is waited for as long as all its tries would take, without sending it more: with no server left to turn
 * to, a late answer is worth waiting for (a single server that fell behind in a reconnect storm and was marked dead
 * had every request of its hold-down refused after one timeout), while retransmissions would only add to the load of
 * a server that is behind (measured: sending the last one all its tries made a storm slower).
 * At most {@code maxInFlight} requests are outstanding; more wait in a bounded FIFO ({@link #MAX_QUEUED}).
 * An answer is accepted only from the server's address, for an outstanding identifier, with a valid Response
 * Authenticator and (for Access answers) a Message-Authenticator as the server's mode demands; anything else is
 * dropped and counted.
 */
public final class RadiusClient implements AutoCloseable {
    /** SO_RCVBUF asked for the client's socket (see {@link #start()}). */
    static final int RECEIVE_BUFFER_BYTES = 4 << 20;
    private static final Logger LOG = LoggerFactory.getLogger(RadiusClient.class);
    /** DoS guard: requests waiting for an in-flight slot. */
    public static final int MAX_QUEUED = 10_000;
    private static final int MAX_DATAGRAM = RadiusPacket.MAX_LENGTH;
    /** Earlier requests per identifier whose late answers are recognised as such (16 KiB per server). */
    static final int EARLIER_REQUESTS = 4;

    /** Builds the bytes of one transmission. Called on the event loop. */
    public interface RequestFactory {
        /** @param delaySeconds seconds since the request was first submitted (for Acct-Delay-Time) */
        Encoded encode(Server server, int identifier, long delaySeconds);

        /** Whether a retransmission to the same server is re-encoded (new identifier), e.g. for a new Acct-Delay-Time. */
        default boolean reencodeOnRetry() { return false; }
    }

    public record Encoded(byte[] bytes, byte[] requestAuthenticator) { }

    /** An accepted answer. */
    public record Response(Server server, RadiusPacket packet, byte[] requestAuthenticator, byte[] raw) { }

    private final RequestType type;
    private final RadiusSettings settings;
    private final RadiusStats stats;
    private final List<ServerState> servers = new ArrayList<>();
    private final Map<InetSocketAddress, ServerState> byAddress = new HashMap<>();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final EventLoopGroup group;
    private final boolean ownGroup;
    private final RadiusScheduler sched;
    private EventLoop loop;
    private Channel channel;
    private int inFlight;
    private int rr;
    private volatile boolean stopped = true;

    private static final class ServerState {
        final Server server;
        final InetSocketAddress address;
        /** {@link Server#label()}, made once: it names the server in every request's metrics and log lines. */
        final String label;
        final Pending[] slots = new Pending[256];
        /**
         * The Request Authenticators of the last {@link #EARLIER_REQUESTS} requests that held each identifier, to tell a
         * late answer from a forged one: a server seconds behind in a storm answers requests whose identifier has come
         * round more than once since (one kept: 32 such answers in one hang-up were counted as forged).
         */
        final byte[][][] earlierAuthenticators = new byte[256][EARLIER_REQUESTS][];
        /** Where each identifier's next earlier authenticator goes in {@link #earlierAuthenticators}. */
        final int[] earlierNext = new int[256];
        int nextId;
        long deadUntilNanos;
        boolean dead;
        boolean maSeen;

        ServerState(Server server) {
            this.server = server;
            this.address = server.address();
            this.label = server.label();
            this.nextId = (int) (Math.random() * 256);
        }
    }

    private final class Pending {
        final RequestFactory factory;
        final CompletableFuture<Response> future = new CompletableFuture<>();
        final long submittedNanos = sched.nanoTime();
        List<ServerState> order;
        int serverIndex;
        int attempt;
        int maxAttempts;
        /** How long each attempt waits for its answer. */
        long attemptNanos;
        ServerState current;
        int id = -1;
        Encoded encoded;
        long sentNanos;
        RadiusScheduler.Cancellable timer;
        boolean probe;

        Pending(RequestFactory factory) { this.factory = factory; }
    }

    public RadiusClient(RequestType type, List<Server> servers, RadiusSettings settings, RadiusStats stats) {
        this(type, servers, settings, stats, null);
    }

    public RadiusClient(RequestType type, List<Server> servers, RadiusSettings settings, RadiusStats stats, EventLoopGroup group) {
        this(type, servers, settings, stats, group, RadiusScheduler.SYSTEM);
    }

    /** @param sched time source and timers (timeouts, retransmits, hold-down, probes); tests pass a manual one */
    public RadiusClient(RequestType type, List<Server> servers, RadiusSettings settings, RadiusStats stats, EventLoopGroup group,
                        RadiusScheduler sched) {
        this.sched = sched;
        this.type = type;
        this.settings = settings;
        this.stats = stats;
        for (Server s : servers) {
            ServerState st = new ServerState(s);
            this.servers.add(st);
            byAddress.put(st.address, st);
        }
        this.ownGroup = group == null;
        this.group = group != null ? group
            : new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("lacd-radius-" + type.name().toLowerCase(java.util.Locale.ROOT), true),
                NioIoHandler.newFactory());
    }

    public synchronized void start() throws InterruptedException {
        if (!stopped) {
            return;
        }
        loop = group.next();
        channel = new Bootstrap().group(loop).channel(NioDatagramChannel.class)
            // room for every answer of a full window (max-in-flight, each answer ~1 KiB of buffer accounting in the
            // kernel) while this loop is busy: with the default (rmem_default, ~208 KiB) a storm's answers overflowed
            // it and each lost answer cost a retransmission 3 s later (the lab: ~500 in one 16,000 storm). The kernel
            // caps the size at net.core.rmem_max.
            .option(ChannelOption.SO_RCVBUF, RECEIVE_BUFFER_BYTES)
            .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket msg) {
                    onDatagram(msg.sender(), ByteBufUtil.getBytes(msg.content()));
                }
            }).bind(0).sync().channel();
        sched.started(loop);
        stopped = false;
    }

    /** The socket's receive buffer as the kernel reports it (twice the size set), or -1 when not started. */
    int receiveBufferBytes() {
        Channel ch = channel;
        return ch == null ? -1 : ch.config().getOption(ChannelOption.SO_RCVBUF);
    }

    @Override
    public void close() {
        stop();
    }

    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        if (loop != null) {
            try {
                loop.submit(this::failAll).sync();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
        if (ownGroup) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    public boolean hasServers() { return !servers.isEmpty(); }

    public CompletableFuture<Response> send(RequestFactory factory) {
        Pending p = new Pending(factory);
        if (stopped || servers.isEmpty()) {
            p.future.completeExceptionally(new RadiusTimeoutException(RadiusTimeoutException.Kind.STOPPED, "RADIUS " + type + " not running"));
            return p.future;
        }
        loop.execute(() -> submit(p));
        return p.future;
    }

    private void submit(Pending p) {
        if (stopped) {
            p.future.completeExceptionally(new RadiusTimeoutException(RadiusTimeoutException.Kind.STOPPED, "stopped"));
            return;
        }
        if (inFlight < settings.maxInFlight()) {
            inFlight++;
            begin(p);
        } else if (queue.size() < MAX_QUEUED) {
            queue.add(p);
        } else {
            p.future.completeExceptionally(new RadiusTimeoutException(RadiusTimeoutException.Kind.OVERLOADED,
                "RADIUS " + type + " queue full (" + MAX_QUEUED + ")"));
        }
    }

    private void begin(Pending p) {
        long now = sched.nanoTime();
        List<ServerState> alive = new ArrayList<>();
        List<ServerState> dead = new ArrayList<>();
        for (ServerState s : servers) {
            if (s.dead && (statusServerProbes() || now - s.deadUntilNanos < 0)) {
                dead.add(s);
            } else {
                alive.add(s);
            }
        }
        if (settings.strategy() == RadiusSettings.Strategy.ROUND_ROBIN && alive.size() > 1) {
            int k = Math.floorMod(rr++, alive.size());
            List<ServerState> rot = new ArrayList<>(alive.subList(k, alive.size()));
            rot.addAll(alive.subList(0, k));
            alive = rot;
        }
        dead.sort((a, b) -> Long.compare(a.deadUntilNanos - now, b.deadUntilNanos - now));
        // Dead servers come last and only matter when every live one failed: then they get one try each, and the last
        // one's try waits as long as all its tries would.
        List<ServerState> order = new ArrayList<>(alive);
        order.addAll(dead);
        p.order = order;
        p.serverIndex = -1;
        nextServer(p);
    }

    private void nextServer(Pending p) {
        releaseId(p);
        p.serverIndex++;
        while (p.serverIndex < p.order.size()) {
            ServerState s = p.order.get(p.serverIndex);
            boolean inHoldDown = s.dead && (statusServerProbes() || sched.nanoTime() - s.deadUntilNanos < 0);
            boolean last = p.serverIndex == p.order.size() - 1;
            p.current = s;
            p.attempt = 0;
            p.maxAttempts = inHoldDown ? 1 : 1 + settings.retries();
            p.attemptNanos = settings.timeout().toNanos() * (inHoldDown && last ? 1 + settings.retries() : 1);
            p.encoded = null;
            if (transmit(p)) {
                return;
            }
            p.serverIndex++;
        }
        finish(p, null, new RadiusTimeoutException(RadiusTimeoutException.Kind.ALL_SERVERS_FAILED,
            "no RADIUS " + type.name().toLowerCase(java.util.Locale.ROOT) + " server answered"));
    }

    /** @return false when the server has no free identifier */
    private boolean transmit(Pending p) {
        ServerState s = p.current;
        boolean retry = p.attempt > 0;
        if (p.encoded == null || p.factory.reencodeOnRetry()) {
            releaseId(p);
            int id = allocateId(s);
            if (id < 0) {
                LOG.warn("RADIUS {}: no free identifier for {}", type, s.label);
                return false;
            }
            p.id = id;
            s.slots[id] = p;
            long delay = TimeUnit.NANOSECONDS.toSeconds(sched.nanoTime() - p.submittedNanos);
            try {
                p.encoded = p.factory.encode(s.server, id, delay);
            } catch (RuntimeException e) {
                // An attribute that cannot be encoded (too long, ...): no server will take it, fail the request now.
                LOG.warn("RADIUS {}: request cannot be encoded: {}", type, e.toString());
                p.serverIndex = p.order.size();
                finish(p, null, e);
                return true;
            }
        }
        p.sentNanos = sched.nanoTime();
        stats.sent(s.label, type, retry);
        if (LOG.isDebugEnabled()) {
            LOG.debug("RADIUS {} -> {} id {} attempt {} ({} bytes)", type, s.label, p.id, p.attempt + 1, p.encoded.bytes().length);
        }
        channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(p.encoded.bytes()), s.address));
        p.timer = sched.schedule(loop, () -> onTimeout(p), p.attemptNanos);
        return true;
    }

    private int allocateId(ServerState s) {
        for (int i = 0; i < 256; i++) {
            int id = (s.nextId + i) & 0xFF;
            if (s.slots[id] == null) {
                s.nextId = (id + 1) & 0xFF;
                return id;
            }
        }
        return -1;
    }

    private void releaseId(Pending p) {
        if (p.id >= 0 && p.current != null && p.current.slots[p.id] == p) {
            p.current.slots[p.id] = null;
            if (p.encoded != null) {
                ServerState s = p.current;
                int k = s.earlierNext[p.id];
                s.earlierAuthenticators[p.id][k] = p.encoded.requestAuthenticator();
                s.earlierNext[p.id] = k + 1 == EARLIER_REQUESTS ? 0 : k + 1;
            }
        }
        p.id = -1;
    }

    private void onTimeout(Pending p) {
        if (p.future.isDone()) {
            return;
        }
        stats.tryTimedOut(p.current.label, type);
        p.attempt++;
        if (p.attempt < p.maxAttempts) {
            if (!transmit(p)) {
                nextServer(p);
            }
            return;
        }
        ServerState s = p.current;
        if (!s.dead) {
            s.dead = true;
            LOG.warn("RADIUS {} server {} did not answer {} tries: marked dead, {} every {} ms", type, s.label, p.maxAttempts,
                statusServerProbes() ? "probed with Status-Server" : "tried again", settings.deadHoldDown().toMillis());
            stats.serverDown(s.label);
            if (statusServerProbes()) {
                sched.schedule(loop, () -> probeLoop(s), settings.deadHoldDown().toNanos());
            }
        }
        s.deadUntilNanos = sched.nanoTime() + settings.deadHoldDown().toNanos();
        nextServer(p);
    }

    private boolean statusServerProbes() {
        return settings.probe() == RadiusSettings.ProbeMode.STATUS_SERVER;
    }

    /** While the server is dead: one Status-Server per hold-down. Runs on the loop. */
    private void probeLoop(ServerState s) {
        if (stopped || !s.dead) {
            return;
        }
        startStatusServer(s);
        sched.schedule(loop, () -> probeLoop(s), settings.deadHoldDown().toNanos());
    }

    /**
     * Sends one RFC 5997 Status-Server to the server (Message-Authenticator included, as s3 requires). Answered with
     * Access-Accept on an authentication port, Accounting-Response on an accounting port; checked like any answer.
     */
    CompletableFuture<Response> statusServer(int serverIndex) {
        CompletableFuture<Response> f = new CompletableFuture<>();
        loop.execute(() -> startStatusServer(servers.get(serverIndex)).whenComplete((r, e) -> {
            if (e != null) {
                f.completeExceptionally(e);
            } else {
                f.complete(r);
            }
        }));
        return f;
    }

    private CompletableFuture<Response> startStatusServer(ServerState s) {
        Pending p = new Pending((server, id, delay) -> {
            byte[] auth = RadiusCrypto.randomAuthenticator();
            byte[] pkt = RadiusCrypto.encodeAccessRequest(id, auth,
                List.of(org.lacd.radius.wire.RadiusAttribute.string(org.lacd.radius.wire.Attr.NAS_IDENTIFIER, settings.nasIdentifier())),
                RadiusCrypto.secret(server.secret()));
            pkt[0] = (byte) RadiusCode.STATUS_SERVER.code();
            // The code is covered by the Message-Authenticator: recompute it for the Status-Server code.
            pkt = RadiusCrypto.resign(pkt, auth, RadiusCrypto.secret(server.secret()));
            return new Encoded(pkt, auth);
        });
        p.probe = true;
        p.order = List.of(s);
        p.serverIndex = -1;
        inFlight++;
        nextServer(p);
        return p.future;
    }

    private void onDatagram(InetSocketAddress sender, byte[] data) {
        ServerState s = byAddress.get(sender);
        if (s == null) {
            drop(sender.toString(), DropReason.UNKNOWN_SERVER, "from unknown address");
            return;
        }
        String label = s.label;
        RadiusPacket pkt;
        try {
            pkt = RadiusPacket.decode(data);
        } catch (MalformedPacketException e) {
            drop(label, DropReason.MALFORMED, e.getMessage());
            return;
        }
        int len = pkt.encodedLength();
        byte[] secret = RadiusCrypto.secret(s.server.secret());
        Pending p = s.slots[pkt.identifier()];
        if (p == null) {
            drop(label, answersEarlierRequest(s, pkt.identifier(), data, len, secret) ? DropReason.LATE_ANSWER : DropReason.UNKNOWN_IDENTIFIER,
                "identifier " + pkt.identifier());
            return;
        }
        boolean access = type == RequestType.ACCESS;
        RadiusCode c = pkt.code();
        boolean expected = access ? (c == RadiusCode.ACCESS_ACCEPT || c == RadiusCode.ACCESS_REJECT || c == RadiusCode.ACCESS_CHALLENGE)
            : c == RadiusCode.ACCOUNTING_RESPONSE;
        if (!expected) {
            drop(label, DropReason.UNEXPECTED_CODE, "code " + c);
            return;
        }
        byte[] reqAuth = p.encoded.requestAuthenticator();
        if (!RadiusCrypto.verifyResponseAuthenticator(data, len, reqAuth, secret)) {
            // At 1,000 requests a second a server's 256 identifiers come round every quarter second, so a late answer
            // often meets a newer request holding its identifier.
            drop(label, answersEarlierRequest(s, pkt.identifier(), data, len, secret) ? DropReason.LATE_ANSWER : DropReason.BAD_AUTHENTICATOR,
                "identifier " + pkt.identifier());
            return;
        }
        MaCheck ma = RadiusCrypto.verifyMessageAuthenticator(data, len, reqAuth, secret);
        if (ma == MaCheck.INVALID) {
            drop(label, DropReason.BAD_MESSAGE_AUTHENTICATOR, "identifier " + pkt.identifier());
            return;
        }
        if (access) {
            MessageAuthenticatorMode mode = s.server.messageAuthenticator();
            if (ma == MaCheck.ABSENT && (mode == MessageAuthenticatorMode.REQUIRED || (mode == MessageAuthenticatorMode.AUTO && s.maSeen))) {
                drop(label, DropReason.MISSING_MESSAGE_AUTHENTICATOR, "identifier " + pkt.identifier() + " (mode " + mode
                    + (s.maSeen ? ", server sent one before" : "") + ")");
                return;
            }
            if (ma == MaCheck.VALID && mode == MessageAuthenticatorMode.AUTO && !s.maSeen) {
                s.maSeen = true;
                LOG.info("RADIUS server {} sent a valid Message-Authenticator: required from it from now on", label);
            }
        }
        if (s.dead) {
            s.dead = false;
            LOG.info("RADIUS {} server {} answers again", type, label);
            stats.serverUp(label);
        }
        finish(p, new Response(s.server, pkt, reqAuth, data), null);
    }

    /** A genuine answer to a request that held {@code id} before: a duplicate or late answer, not a forged one. */
    private static boolean answersEarlierRequest(ServerState s, int id, byte[] data, int len, byte[] secret) {
        for (byte[] earlier : s.earlierAuthenticators[id]) {
            if (earlier != null && RadiusCrypto.verifyResponseAuthenticator(data, len, earlier, secret)) {
                return true;
            }
        }
        return false;
    }

    private void drop(String server, DropReason reason, String detail) {
        stats.answerDropped(server, reason);
        LOG.debug("RADIUS {}: dropped answer from {}: {} {}", type, server, reason, detail);
    }

    private void finish(Pending p, Response r, Throwable t) {
        if (p.timer != null) {
            p.timer.cancel();
        }
        releaseId(p);
        double secs = (sched.nanoTime() - (r != null ? p.sentNanos : p.submittedNanos)) / 1e9;
        String label = p.current != null && (r == null || r.server() == p.current.server) ? p.current.label
                : r != null ? r.server().label() : "-";
        RadiusStats.Result res;
        if (r == null) {
            res = RadiusStats.Result.TIMEOUT;
        } else {
            res = switch (r.packet().code()) {
                case ACCESS_ACCEPT -> RadiusStats.Result.ACCEPT;
                case ACCESS_REJECT -> RadiusStats.Result.REJECT;
                case ACCESS_CHALLENGE -> RadiusStats.Result.CHALLENGE;
                default -> RadiusStats.Result.ACCOUNTING_RESPONSE;
            };
        }
        if (!p.probe) {
            stats.completed(label, type, res, secs);
        } else {
            LOG.debug("RADIUS {}: Status-Server to {}: {}", type, label, r != null ? "answered" : "no answer");
        }
        inFlight--;
        if (r != null) {
            p.future.complete(r);
        } else {
            p.future.completeExceptionally(t);
        }
        while (inFlight < settings.maxInFlight() && !queue.isEmpty() && !stopped) {
            inFlight++;
            begin(queue.poll());
        }
    }

    private void failAll() {
        RadiusTimeoutException ex = new RadiusTimeoutException(RadiusTimeoutException.Kind.STOPPED, "RADIUS client stopped");
        for (ServerState s : servers) {
            for (int i = 0; i < 256; i++) {
                Pending p = s.slots[i];
                if (p != null) {
                    s.slots[i] = null;
                    if (p.timer != null) {
                        p.timer.cancel();
                    }
                    p.future.completeExceptionally(ex);
                }
            }
        }
        Pending q;
        while ((q = queue.poll()) != null) {
            q.future.completeExceptionally(ex);
        }
        inFlight = 0;
    }

    /** Runs a task on this client's event loop (for owners that keep state there too). */
    EventLoop eventLoop() { return loop; }

    /** The time source and timers this client runs on (for owners that keep timers on its loop too). */
    RadiusScheduler scheduler() { return sched; }
}
