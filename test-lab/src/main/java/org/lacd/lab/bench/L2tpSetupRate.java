package org.lacd.lab.bench;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.lacd.l2tp.CallDownCause;
import org.lacd.l2tp.CallListener;
import org.lacd.l2tp.CallParameters;
import org.lacd.l2tp.CountingL2tpStats;
import org.lacd.l2tp.DisconnectCause;
import org.lacd.l2tp.L2tpCall;
import org.lacd.l2tp.L2tpEngine;
import org.lacd.l2tp.L2tpSettings;
import org.lacd.l2tp.TunnelProfile;
import org.lacd.l2tp.lns.LnsPeer;

/**
 * Timed runs (not JMH): call setup rate on one shared tunnel, tunnel+call setup rate (one tunnel per call), and the
 * data path rate LAC -> in-process LNS over loopback UDP.
 * Usage: L2tpSetupRate [calls] [tunnels] [dataFrames]
 */
public final class L2tpSetupRate {
    private L2tpSetupRate() {}

    static final class Waiter implements CallListener {
        final CountDownLatch up;
        final CountDownLatch down;
        final AtomicInteger failed = new AtomicInteger();

        Waiter(int n) {
            up = new CountDownLatch(n);
            down = new CountDownLatch(n);
        }

        @Override
        public void callUp(L2tpCall c) { up.countDown(); }

        @Override
        public void callDown(L2tpCall c, CallDownCause cause) {
            if (up.getCount() > 0 && cause.kind() != CallDownCause.Kind.CLEARED_LOCALLY) {
                failed.incrementAndGet();
                up.countDown();
            }
            down.countDown();
        }

        @Override
        public void pppFromLns(L2tpCall c, byte[] buf, int off, int len) {}
    }

    static CallParameters params(int i) {
        return CallParameters.builder().callingNumber("02:00:00:00:" + (i >> 8 & 0xff) + ":" + (i & 0xff)).connectSpeeds(100_000_000L, 40_000_000L)
                .proxyLcp(new byte[] {1, 4, 5, (byte) 0xd4}, new byte[] {1, 4, 5, (byte) 0xd4, 3, 5, (byte) 0xc2, 0x23, 5}, new byte[] {1, 4, 5, (byte) 0xd4})
                .proxyAuth(CallParameters.AUTHEN_CHAP, "user" + i, new byte[16], 1, new byte[16]).build();
    }

    public static void main(String[] args) throws Exception {
        if (org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(ch.qos.logback.classic.Level.valueOf(System.getProperty("bench.log", "WARN"))); // per-packet DEBUG logging would dominate the numbers
        }
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int tunnels = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        int frames = args.length > 2 ? Integer.parseInt(args[2]) : 500_000;
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (LnsPeer lns = LnsPeer.start(LnsPeer.Config.loopback("bench"))) {
            CountingL2tpStats stats = new CountingL2tpStats();
            L2tpEngine engine = new L2tpEngine(L2tpSettings.defaults().withSourcePort(0).withBindAddress(lo)
                    .withTunnelLinger(Duration.ofSeconds(30)), stats);
            engine.start();
            try {
                TunnelProfile shared = TunnelProfile.of("bench", lns.address(), "lac-bench", "bench");
                // warm-up
                run(engine, shared, 200, false);
                double rate = run(engine, shared, calls, false);
                System.out.printf("calls on one shared tunnel: %d calls, %.0f calls/s (ICRQ/ICRP/ICCN, RWS 16)%n", calls, rate);
                double trate = run(engine, shared, tunnels, true);
                System.out.printf("tunnel+call (one new authenticated tunnel per call): %d setups, %.0f setups/s%n", tunnels, trate);
                dataRate(engine, lns, shared, frames, stats);
            } finally {
                engine.shutdown(Duration.ofSeconds(5));
            }
        }
    }

    static double run(L2tpEngine engine, TunnelProfile base, int n, boolean tunnelPerCall) throws InterruptedException {
        Waiter w = new Waiter(n);
        List<L2tpCall> placed = new ArrayList<>(n);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            TunnelProfile p = tunnelPerCall ? base.withAssignmentId("t" + i + "-" + t0) : base;
            placed.add(engine.placeCall(p, params(i), w));
        }
        if (!w.up.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("setup timed out, " + w.up.getCount() + " left");
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        if (w.failed.get() > 0) {
            System.out.println("  failed: " + w.failed.get());
        }
        System.out.printf("  %d %s in %.3f s%n", n, tunnelPerCall ? "tunnel+call setups" : "call setups", secs);
        long t1 = System.nanoTime();
        for (L2tpCall c : placed) {
            c.disconnect(DisconnectCause.administrative("bench"));
        }
        w.down.await(120, TimeUnit.SECONDS);
        System.out.printf("  %d CDNs in %.3f s%n", n, (System.nanoTime() - t1) / 1e9);
        return n / secs;
    }

    static void dataRate(L2tpEngine engine, LnsPeer lns, TunnelProfile p, int frames, CountingL2tpStats stats) throws InterruptedException {
        Waiter w = new Waiter(1);
        L2tpCall c = engine.placeCall(p, params(0), w);
        if (!w.up.await(30, TimeUnit.SECONDS) || w.failed.get() > 0) {
            throw new IllegalStateException("data call not up: " + c.state() + " tunnel " + c.localTunnelId() + " "
                    + engine.tunnels().stream().filter(t -> t.localTunnelId() == c.localTunnelId()).toList()
                    + " lns tunnels " + lns.tunnels().size() + " lns calls " + lns.connectedCalls());
        }
        byte[] frame = new byte[100];
        frame[0] = 0x00;
        frame[1] = 0x21; // IPv4
        long before = lns.dataFrames.get();
        long outBefore = stats.packetsOut.sum();
        long dropBefore = stats.drops(org.lacd.l2tp.L2tpStats.DropReason.SEND_QUEUE_FULL);
        long t0 = System.nanoTime();
        for (int i = 0; i < frames; i++) {
            c.sendPpp(frame, 0, frame.length);
        }
        long sendNs = System.nanoTime() - t0;
        Thread.sleep(1000);
        long got = lns.dataFrames.get() - before;
        long accepted = stats.packetsOut.sum() - outBefore;
        System.out.printf("data LAC->LNS, 100-byte PPP frames from one caller thread: sendPpp %.0f calls/s, %d accepted (%.0f/s),"
                + " %d dropped (queue full), in-process LNS (single NIO thread) received %d%n",
                frames / (sendNs / 1e9), accepted, accepted / (sendNs / 1e9),
                stats.drops(org.lacd.l2tp.L2tpStats.DropReason.SEND_QUEUE_FULL) - dropBefore, got);
        c.disconnect(DisconnectCause.administrative("bench"));
    }
}
