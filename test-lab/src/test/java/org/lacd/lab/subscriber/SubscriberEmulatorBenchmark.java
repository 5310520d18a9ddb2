package org.lacd.lab.subscriber;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.lacd.pppoe.port.InMemoryPort;
import org.lacd.pppoe.wire.MacAddress;

/**
 * The emulator's own ceiling against {@link FakeAcLns} over an InMemoryPort pair (real threads, real time). Not part
 * of the normal suite: runs only with {@code -Dsubemu.bench=true}; see test-lab/benchmarks/subscriber-emulator.md.
 * The fake answers on the emulator's worker thread (InMemoryPort delivers synchronously), so its work is included.
 */
class SubscriberEmulatorBenchmark {
    private static boolean enabled() { return Boolean.getBoolean("subemu.bench"); }

    private static Report once(int count, double rate, int shards, int pps) throws Exception {
        InMemoryPort[] pair = InMemoryPort.pair("sub", new MacAddress(0x02_00_00_00_00_00L), "ac",
                new MacAddress(FakeAcLns.AC_MAC));
        EmulatorConfig cfg = EmulatorConfig.builder().count(count).setupRate(rate).shards(shards)
                .lifetime(Duration.ofSeconds(2)).trafficPps(pps).drain(Duration.ofMillis(200))
                .stepTimeout(Duration.ofSeconds(3)).retries(3).duration(Duration.ofSeconds(120)).build();
        new FakeAcLns(pair[1], cfg);
        try (SubscriberEmulator emu = new SubscriberEmulator(cfg, pair[0])) {
            return emu.run();
        }
    }

    @Test
    void setupRateCeiling() throws Exception {
        Assumptions.assumeTrue(enabled(), "benchmark: run with -Dsubemu.bench=true");
        int count = Integer.getInteger("subemu.bench.count", 10_000);
        once(2_000, 1e6, 1, 0); // warm-up
        System.out.println("| offered /s | shards | established | failed | achieved /s | p50 ms | p90 ms | p99 ms | max ms |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (int shards : new int[] {1, 2}) {
            for (double rate : new double[] {1_000, 5_000, 20_000, 1e6}) {
                Report r = once(count, rate, shards, 0);
                System.out.printf(Locale.ROOT, "| %s | %d | %d | %d | %.0f | %.2f | %.2f | %.2f | %.2f |%n",
                        rate >= 1e6 ? "all at once" : String.format(Locale.ROOT, "%.0f", rate), shards,
                        r.established(), r.failed(), r.setupRate(), r.setupLatency().p50Ms(), r.setupLatency().p90Ms(),
                        r.setupLatency().p99Ms(), r.setupLatency().maxMs());
                assertEquals(count, r.established(), r.toText());
            }
        }
    }

    @Test
    void trafficCeiling() throws Exception {
        Assumptions.assumeTrue(enabled(), "benchmark: run with -Dsubemu.bench=true");
        for (int pps : new int[] {10, 50}) {
            Report r = once(10_000, 20_000, 1, pps);
            System.out.printf(Locale.ROOT, "traffic: 10000 subscribers x %d pps: sent %d received %d lost %d"
                    + " in %.2f s; rtt p50 %.3f p99 %.3f ms%n", pps, r.packetsSent(), r.packetsReceived(),
                    r.packetsLost(), r.elapsedSeconds(), r.roundTrip().p50Ms(), r.roundTrip().p99Ms());
            assertEquals(10_000, r.established(), r.toText());
        }
    }

    @Test
    void heapPerEstablishedSubscriber() throws Exception {
        Assumptions.assumeTrue(enabled(), "benchmark: run with -Dsubemu.bench=true");
        int count = 10_000;
        InMemoryPort[] pair = InMemoryPort.pair("sub", new MacAddress(0x02_00_00_00_00_00L), "ac",
                new MacAddress(FakeAcLns.AC_MAC));
        EmulatorConfig cfg = EmulatorConfig.builder().count(count).setupRate(20_000).lifetime(Duration.ZERO)
                .duration(Duration.ofSeconds(30)).build();
        FakeAcLns fake = new FakeAcLns(pair[1], cfg);
        long before = usedHeap();
        try (SubscriberEmulator emu = new SubscriberEmulator(cfg, pair[0])) {
            emu.start();
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (emu.report().established() < count && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            long after = usedHeap();
            System.out.printf(Locale.ROOT, "heap: %d subscribers up, emulator + fake retain %.0f bytes per subscriber"
                    + " (fake sessions %d)%n", emu.report().established(), (after - before) / (double) count,
                    fake.openSessions());
            assertEquals(count, emu.report().established());
        }
    }

    private static long usedHeap() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
