package org.lacd.lab.lns;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.lacd.l2tp.lns.LnsPeer;
import org.lacd.l2tp.wire.AvpType;
import org.lacd.l2tp.wire.CdnResult;
import org.lacd.l2tp.wire.ControlMessage;
import org.lacd.l2tp.wire.ErrorCode;
import org.lacd.l2tp.wire.PppDisconnectCause;
import org.lacd.l2tp.wire.ResultCode;
import org.lacd.l2tp.wire.StopCcnResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An L2TPv2 LNS for the lab and for tests: lacd's own {@link LnsPeer} (codec, reliable transport, tunnel
 * authentication, AVP hiding) for the control plane, and per call an {@link LnsPppSession} that checks the proxy LCP
 * and proxy authentication AVPs, authenticates per {@link Mode}, assigns an address with IPCP, answers LCP echo and
 * reflects the subscriber's IPv4 traffic.
 *
 * <p>Threading: everything runs on the LnsPeer's one event loop; the public methods may be called from any thread
 * and wait (bounded) for the loop. {@link #main} runs it as a program (see {@link LnsEmulatorCli}).
 */
public final class LnsEmulator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LnsEmulator.class);

    /** One call: the L2TP side, its PPP session and the ICRQ facts for the report. Loop-confined. */
    private static final class Entry {
        final LnsPeer.Call call;
        final LnsPppSession session;

        Entry(LnsPeer.Call call, LnsPppSession session) {
            this.call = call;
            this.session = session;
        }

        CallReport report() {
            ControlMessage icrq = call.icrq;
            LnsPppSession s = session;
            return new CallReport(call.tunnel.lnsTunnelId, call.lnsSessionId, call.tunnel.lacTunnelId, call.lacSessionId, s.user(),
                    icrq.string(AvpType.CALLING_NUMBER), icrq.string(AvpType.AGENT_CIRCUIT_ID), icrq.string(AvpType.AGENT_REMOTE_ID),
                    s.result(), s.detail(), s.proxyCheck().name(), s.address() == 0 ? null : AddressPool.toString(s.address()),
                    s.setupMillis(), s.wasUp(), s.framesIn, s.framesOut, s.ipv4In, s.ipv4Out, s.echoReplies, s.proxy());
        }
    }

    private final LnsEmulatorConfig cfg;
    private final LnsPeer peer;
    private final AddressPool pool;
    private final Random random = new SecureRandom();
    private final LnsPppSession.Settings pppSettings;
    private final long startNanos = System.nanoTime();
    // loop-confined state
    private final Map<LnsPeer.Call, Entry> live = new HashMap<>();
    private final ArrayDeque<Entry> kept = new ArrayDeque<>();
    private final EnumMap<CallResult, Long> ended = new EnumMap<>(CallResult.class);
    private final java.util.Set<Integer> establishedIds = new java.util.HashSet<>();
    private long tunnelsEstablished;
    private long tunnelAuthFailures;
    private long tunnelsClosed;
    private long totalCalls;
    private long everUp;
    private long droppedNoCall;
    /** PAP Requests / CHAP Responses of calls that were not connected yet (no ICCN): dropped, as a real LNS does. */
    private long loginsBeforeConnected;
    // traffic of ended sessions (live ones are summed at report time)
    private long framesIn;
    private long framesOut;
    private long bytesIn;
    private long bytesOut;
    private long ipv4In;
    private long ipv4Out;
    private long echoReplies;
    private long echoRequestsSent;
    private long echoRepliesReceived;
    private long lcpRestarts;
    private long dropped;
    private long malformed;
    private volatile boolean closed;

    private LnsEmulator(LnsEmulatorConfig cfg) throws InterruptedException {
        this.cfg = cfg;
        this.pool = new AddressPool(cfg.pool());
        this.pppSettings = new LnsPppSession.Settings(cfg.restart().toMillis(), cfg.maxConfigure(), cfg.setupTimeout().toMillis(),
                cfg.hostName(), cfg.echoInterval().toMillis(), cfg.echoFailures());
        this.peer = LnsPeer.start(new LnsPeer.Config(cfg.listen().getAddress(), cfg.listen().getPort(), cfg.hostName(), cfg.secret(),
                cfg.hideAvps(), cfg.channel()));
        peer.retainCalls(false);
        peer.onEvents(new Events());
        peer.onData(this::frame);
        LOG.info("LNS emulator listening on {} (mode {}, pool {}, tunnel secret {})", peer.address(), cfg.mode().cliName(), pool.cidr(),
                cfg.secret() == null ? "none" : "set");
    }

    /** Binds the UDP socket and starts answering. */
    public static LnsEmulator start(LnsEmulatorConfig cfg) throws InterruptedException { return new LnsEmulator(cfg); }

    /** Runs the emulator as a program; see {@link LnsEmulatorCli} for the options. */
    public static void main(String[] args) { System.exit(LnsEmulatorCli.run(args)); }

    public InetSocketAddress address() { return peer.address(); }

    public LnsEmulatorConfig config() { return cfg; }

    // ------------------------------------------------------------------ control

    /** Refuse every new call (ICRQ answered with CDN result 4, temporary lack of resources) or accept again. */
    public void refuseCalls(boolean refuse) { peer.refuseCalls(refuse ? CdnResult.TEMPORARY_NO_FACILITIES : null); }

    /** Refuse every new call with this CDN result; null accepts again. */
    public void refuseCalls(CdnResult result) { peer.refuseCalls(result); }

    /** Silent: neither receive nor send anything (the LNS vanished: failover tests). */
    public void silent(boolean silent) { peer.silent(silent); }

    /** Do not answer SCCRQ (no new tunnels) while the established tunnels keep working. */
    public void ignoreNewTunnels(boolean ignore) { peer.ignoreNewTunnels(ignore); }

    /** Clears one call with a CDN (result 3, administrative). Returns false when there is no such live call. */
    public boolean clearCall(int lnsTunnelId, int lnsSessionId) {
        return clearCalls(e -> e.call.tunnel.lnsTunnelId == lnsTunnelId && e.call.lnsSessionId == lnsSessionId) == 1;
    }

    /** Clears every live call of this user (Proxy Authen Name or fresh auth name). Returns how many. */
    public int clearCallsOf(String user) { return clearCalls(e -> user.equals(e.session.user())); }

    /** Clears every live call. Returns how many. */
    public int clearAllCalls() { return clearCalls(e -> true); }

    private int clearCalls(Predicate<Entry> which) {
        return onLoop(() -> {
            int n = 0;
            for (Entry e : new ArrayList<>(live.values())) {
                if (which.test(e)) {
                    peer.disconnect(e.call, ResultCode.of(CdnResult.ADMINISTRATIVE, ErrorCode.NO_ERROR, "cleared by the LNS emulator"),
                            new PppDisconnectCause(PppDisconnectCause.ADMINISTRATIVE, 0, PppDisconnectCause.Direction.AT_LOCAL, null));
                    e.session.ended(CallResult.CLEARED_BY_LNS);
                    n++;
                }
            }
            return n;
        });
    }

    /** Closes one tunnel with StopCCN (result 1); its calls end. Returns false when there is no such tunnel. */
    public boolean stopTunnel(int lnsTunnelId) {
        return stopTunnels(t -> t.lnsTunnelId == lnsTunnelId, StopCcnResult.GENERAL_REQUEST_TO_CLEAR, "cleared by the LNS emulator") == 1;
    }

    /** Closes every tunnel with StopCCN. Returns how many. */
    public int stopAllTunnels(StopCcnResult result) { return stopTunnels(t -> true, result, "LNS emulator: " + result); }

    private int stopTunnels(Predicate<LnsPeer.Tunnel> which, StopCcnResult result, String message) {
        return onLoop(() -> {
            int n = 0;
            for (LnsPeer.Tunnel t : peer.tunnels()) {
                if (!t.closed() && which.test(t)) {
                    for (Entry e : new ArrayList<>(live.values())) {
                        if (e.call.tunnel == t) {
                            e.session.ended(CallResult.CLEARED_BY_LNS);
                        }
                    }
                    peer.stopTunnel(t, result, message);
                    n++;
                }
            }
            return n;
        });
    }

    /** Ids of the live tunnels (our ids). */
    public List<Integer> tunnelIds() {
        return onLoop(() -> peer.tunnels().stream().filter(t -> !t.closed()).map(t -> t.lnsTunnelId).toList());
    }

    // ------------------------------------------------------------------ reports

    /** A consistent snapshot with every kept call, taken on the loop. */
    public Report report() { return onLoop(() -> buildReport(true)); }

    /** Counters only (empty call list): cheap enough to poll with many calls. */
    public Report summary() { return onLoop(() -> buildReport(false)); }

    /** Waits until {@code n} calls are up (IPCP opened); false on timeout. */
    public boolean awaitUp(int n, Duration timeout) throws InterruptedException {
        return awaitSummary(r -> r.sessions().up() >= n, timeout);
    }

    /** Waits until the full report satisfies the condition; false on timeout. Polls every 10 ms. */
    public boolean await(Predicate<Report> cond, Duration timeout) throws InterruptedException {
        return poll(cond, timeout, true);
    }

    /** Waits until the {@link #summary()} satisfies the condition; false on timeout. */
    public boolean awaitSummary(Predicate<Report> cond, Duration timeout) throws InterruptedException {
        return poll(cond, timeout, false);
    }

    private boolean poll(Predicate<Report> cond, Duration timeout, boolean withCalls) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (cond.test(withCalls ? report() : summary())) {
                return true;
            }
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(10);
        }
    }

    private Report buildReport(boolean withCalls) {
        long fi = framesIn;
        long fo = framesOut;
        long bi = bytesIn;
        long bo = bytesOut;
        long ii = ipv4In;
        long io = ipv4Out;
        long er = echoReplies;
        long es = echoRequestsSent;
        long err = echoRepliesReceived;
        long lr = lcpRestarts;
        long dr = dropped + droppedNoCall;
        long ma = malformed;
        EnumMap<CallResult, Long> byResult = new EnumMap<>(ended);
        int up = 0;
        for (Entry e : live.values()) {
            LnsPppSession s = e.session;
            fi += s.framesIn;
            fo += s.framesOut;
            bi += s.bytesIn;
            bo += s.bytesOut;
            ii += s.ipv4In;
            io += s.ipv4Out;
            er += s.echoReplies;
            es += s.echoRequestsSent;
            err += s.echoRepliesReceived;
            lr += s.lcpRestarts;
            dr += s.dropped;
            ma += s.malformed;
            byResult.merge(s.result(), 1L, Long::sum);
            if (s.result() == CallResult.UP) {
                up++;
            }
        }
        List<CallReport> calls = new ArrayList<>(withCalls ? kept.size() : 0);
        List<Long> setup = new ArrayList<>();
        for (Entry e : kept) {
            if (withCalls) {
                calls.add(e.report());
            }
            if (e.session.wasUp()) {
                setup.add(e.session.setupMillis());
            }
        }
        long[] st = setup.stream().mapToLong(Long::longValue).sorted().toArray();
        int tunnelsNow = (int) peer.tunnels().stream().filter(t -> !t.closed()).count();
        return new Report(peer.address().getAddress().getHostAddress() + ":" + peer.address().getPort(), cfg.mode().cliName(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
                new Report.Tunnels(tunnelsNow, tunnelsEstablished, tunnelAuthFailures, tunnelsClosed),
                new Report.Sessions(live.size(), up, totalCalls, everUp, byResult, percentile(st, 50), percentile(st, 99)),
                new Report.Traffic(fi, fo, bi, bo, ii, io, er, es, err, lr, dr, ma, peer.dataFrames.get(), peer.malformed.get(),
                        loginsBeforeConnected),
                calls);
    }

    static long percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return -1;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    // ------------------------------------------------------------------ shutdown

    /**
     * StopCCN (result 6, shutting down) on every tunnel, waits up to {@code bound} for them to go, closes the socket.
     * @return the final report (taken after the tunnels went, before the socket closed); null if already closed
     */
    public Report shutdown(Duration bound) {
        if (closed) {
            return null;
        }
        closed = true;
        Report last = null;
        try {
            peer.silent(false);
            stopAllTunnels(StopCcnResult.SHUTTING_DOWN);
            long end = System.nanoTime() + bound.toNanos();
            while (System.nanoTime() < end && !peer.tunnels().isEmpty()) {
                Thread.sleep(20);
            }
            last = report();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("LNS emulator shutdown: {}", e.toString());
        }
        peer.close();
        LOG.info("LNS emulator on {} stopped", cfg.listen());
        return last;
    }

    @Override
    public void close() { shutdown(Duration.ofSeconds(3)); }

    // ------------------------------------------------------------------ loop side

    private <T> T onLoop(java.util.concurrent.Callable<T> c) {
        if (peer.inLoop()) {
            try {
                return c.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        peer.execute(() -> {
            try {
                f.complete(c.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException("LNS emulator loop: " + e, e);
        }
    }

    private void frame(LnsPeer.Call call, byte[] payload) {
        Entry e = live.get(call);
        if (e == null) {
            droppedNoCall++;
            if (isLogin(payload)) {
                loginsBeforeConnected++;
            }
            return;
        }
        e.session.receive(payload, 0, payload.length);
    }

    /** A PAP (0xc023) or CHAP (0xc223) packet, FF 03 optional. */
    static boolean isLogin(byte[] p) {
        int off = p.length >= 2 && p[0] == (byte) 0xff && p[1] == 0x03 ? 2 : 0;
        if (p.length < off + 2) {
            return false;
        }
        int proto = (p[off] & 0xff) << 8 | (p[off + 1] & 0xff);
        return proto == 0xc023 || proto == 0xc223;
    }

    private void keep(Entry e) {
        kept.add(e);
        if (kept.size() > cfg.maxCallRecords()) {
            Iterator<Entry> it = kept.iterator();
            while (it.hasNext() && kept.size() > cfg.maxCallRecords()) {
                if (it.next().session.result().terminal()) {
                    it.remove();
                }
            }
        }
    }

    private void sessionEnded(Entry e) {
        if (live.remove(e.call) == null) {
            return;
        }
        LnsPppSession s = e.session;
        ended.merge(s.result(), 1L, Long::sum);
        framesIn += s.framesIn;
        framesOut += s.framesOut;
        bytesIn += s.bytesIn;
        bytesOut += s.bytesOut;
        ipv4In += s.ipv4In;
        ipv4Out += s.ipv4Out;
        echoReplies += s.echoReplies;
        echoRequestsSent += s.echoRequestsSent;
        echoRepliesReceived += s.echoRepliesReceived;
        lcpRestarts += s.lcpRestarts;
        dropped += s.dropped;
        malformed += s.malformed;
    }

    /** LnsPeer events, on the loop. */
    private final class Events implements LnsPeer.Events {
        @Override
        public void tunnelUp(LnsPeer.Tunnel t) {
            tunnelsEstablished++;
            establishedIds.add(t.lnsTunnelId);
            LOG.debug("tunnel {} up from {}", t.lnsTunnelId, t.lac);
        }

        @Override
        public void tunnelAuthFailed(LnsPeer.Tunnel t) {
            tunnelAuthFailures++;
            LOG.info("tunnel from {}: wrong challenge response (secret mismatch)", t.lac);
        }

        @Override
        public void tunnelDown(LnsPeer.Tunnel t) {
            tunnelsClosed++;
            boolean wasUp = establishedIds.remove(t.lnsTunnelId);
            if (!wasUp && t.lacStopResult() != null && t.lacStopResult().result() == StopCcnResult.NOT_AUTHORIZED.code()) {
                tunnelAuthFailures++; // the LAC found our challenge response wrong (secret mismatch seen from its side)
            }
            for (Entry e : new ArrayList<>(live.values())) {
                if (e.call.tunnel == t) {
                    e.session.ended(CallResult.TUNNEL_CLOSED);
                }
            }
        }

        @Override
        public void callRefused(LnsPeer.Tunnel t, ControlMessage icrq) {
            totalCalls++;
            ended.merge(CallResult.REFUSED, 1L, Long::sum);
        }

        @Override
        public void callConnected(LnsPeer.Call c) {
            totalCalls++;
            boolean seq = c.iccn().has(AvpType.SEQUENCING_REQUIRED);
            Entry[] self = new Entry[1];
            LnsPppSession.Link link = new LnsPppSession.Link() {
                @Override
                public void sendPpp(byte[] frame, int off, int len) {
                    peer.sendPpp(c, frame, off, len, seq || c.sequencedData());
                }

                @Override
                public void clear(ResultCode result, PppDisconnectCause cause) {
                    peer.disconnect(c, result, cause);
                }

                @Override
                public void up(LnsPppSession s) {
                    if (s.ups() == 1) {
                        everUp++;
                    }
                    LOG.debug("session {} up: {}", s.user(), AddressPool.toString(s.address()));
                }

                @Override
                public void ended(LnsPppSession s) {
                    sessionEnded(self[0]);
                }
            };
            LnsPppSession s = new LnsPppSession(cfg.mode(), pppSettings, peer.scheduler(), random, cfg.passwords(), pool, pool.lnsAddress(),
                    ProxyValues.of(c.iccn()), link);
            Entry e = new Entry(c, s);
            self[0] = e;
            live.put(c, e);
            keep(e);
            s.start();
        }

        @Override
        public void callCleared(LnsPeer.Call c) {
            Entry e = live.get(c);
            if (e != null) {
                e.session.ended(CallResult.CLEARED_BY_LAC);
            }
        }
    }

    @Override
    public String toString() { return "LnsEmulator" + Arrays.asList(cfg.listen(), cfg.mode()); }
}
