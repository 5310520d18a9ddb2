package org.lacd.lab.lab;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reconnect storm (issue 20), a program, not a timed test: lacd is started cold (a fresh JVM, as after a reboot of the
 * access box), a few hundred "established" subscribers come up with a probe flow, then {@code count} subscribers
 * (half per reseller, CHAP and PAP mixed) dial at once at {@code rate} per second offered (default 20,000/s: as fast as
 * the emulator goes, see subscriber-emulator.md), real FreeRADIUS, emulated LNSs, everything in namespaces. When all
 * are up the storm's subscribers hang up; a second storm then runs on the same (now warm) JVM.
 *
 * <p>Per storm it prints: the time from the first PADI until every storm subscriber forwards, the setup-rate curve
 * (lacd's {@code lacd_session_setups_total{result="success"}} per second), the subscribers' failures and
 * retransmissions by reason (emulator reports) and lacd's drops and sheds by reason ({@code lacd_drops_total}),
 * lacd's process CPU per setup (utime + stime from {@code /proc/<pid>/stat} over the storm, including the metrics
 * scrapes of this program: one per second) and the emulators' own CPU (a generator at 100 % of a core measures the
 * generator), and the probe subscribers' lost probe packets (sessions established before the storm, which the storm
 * must not disturb).
 *
 * <pre>
 * java -cp "test-lab/target/classes:$(cat test-lab/target/classpath.txt)" org.lacd.lab.lab.StormBenchmark 64000 20000
 * java -cp "test-lab/target/classes:$(cat test-lab/target/classpath.txt)" org.lacd.lab.lab.StormBenchmark 10000 2000
 * </pre>
 * Arguments: subscribers (64000), offered rate per second (20000), probe subscribers (300; 0 for none), storms
 * (2: cold, then warm), emulator retries per step (100, 3 s apart: a CPE that keeps dialling, as pppd's persist).
 * lacd's JVM takes extra options from {@code -Dlab.lacd.jvm="..."} (e.g. a JFR recording), another lacd build from
 * {@code -Dlab.lacd.jar=...}, and lacd's RADIUS timeout and retries from {@code -Dlab.radius.timeout=3s} and
 * {@code -Dlab.radius.retries=2} (the lab's default 1s and 1), and the LNSs' LCP echo interval from {@code -Dlab.lns.echo=20s}
 * (3 unanswered end a call; 0s for none, as before the second round of issue 20), and lacd's
 * {@code l2tp.calls-in-setup-per-tunnel} from {@code -Dlab.l2tp.calls-in-setup=N} (default 0: one tunnel per LNS), and
 * {@code pppoe.limits.setups-in-flight} from {@code -Dlab.pppoe.setups-in-flight=N} (lacd's default 2,000), more keys of
 * {@code pppoe.limits} from {@code -Dlab.pppoe.limits="padi-hold: 0s"} (YAML flow pairs), and more keys of
 * lacd's access interface from {@code -Dlab.access="ring-mib: 64"} (YAML flow pairs), and more keys of its {@code l2tp}
 * section from {@code -Dlab.l2tp="receive-buffer-mib: 4"} (one {@code key: value} per line).
 *
 * <p>"Cold" is lacd cold, as after a reboot of the access box, with its peers running: a first storm of
 * {@code -Dlab.storm.warm-peers=N} subscribers (16,000) goes through a throwaway lacd to warm the LNS emulators' JVMs
 * and FreeRADIUS, then lacd is stopped and started afresh before the probe subscribers and the cold storm. With
 * {@code -Dlab.storm.warm-peers=0} the cold storm also meets cold LNS emulators (the eighth session's runs).
 */
public final class StormBenchmark {
    private StormBenchmark() {}

    /** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux x86). */
    private static final double TICKS = 100.0;

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 64_000;
        double rate = args.length > 1 ? Double.parseDouble(args[1]) : 20_000;
        int probes = args.length > 2 ? Integer.parseInt(args[2]) : 300;
        int storms = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        int retries = args.length > 4 ? Integer.parseInt(args[4]) : 100;
        int half = count / 2;
        String prefix = Topology.uniquePrefix();
        long tStart = System.nanoTime();
        // per reseller: the warm-up's half too (a 10,000 storm's warm-up of 16,000 had 3,000 users per reseller refused)
        int warmHalf = Integer.getInteger("lab.storm.warm-peers", 16_000) / 2;
        try (Lab lab = Lab.start(Path.of("/tmp", prefix), LabOptions.defaults().withUsers(Math.max(Math.max(half, warmHalf), probes)).withHeap("2g")
                .withLogLevel("warn").withLockout(Duration.ofSeconds(10)).withSetupTimeout(Duration.ofSeconds(10))
                .withL2tpExtra("calls-in-setup-per-tunnel: " + Integer.getInteger("lab.l2tp.calls-in-setup", 0) + "\n"
                        + System.getProperty("lab.l2tp", ""))
                .withAccessExtra(System.getProperty("lab.access", "")), prefix)) {
            // The LNSs keep their sessions alive as real LNSs do (LCP echo, RFC 1661 5.8): a session whose hang-up was
            // lost (the mass hang-up of a storm sends 2 frames per subscriber at once) is then ended by its LNS instead
            // of holding an interface place in lacd for ever (issue 20, second round: the warm storm's limit_per_interface)
            String echo = System.getProperty("lab.lns.echo", "20s");
            if (!echo.equals("0s")) {
                for (String lns : lab.topology().lns().keySet()) {
                    lab.stopLns(lns);
                    lab.startLns(lns, "--lcp-echo-interval", echo, "--lcp-echo-failures", "3");
                }
            }
            List<java.util.function.DoubleFunction<String>> summary = new ArrayList<>();
            // After a reboot of the access box only lacd is cold: the LNSs and RADIUS servers have been running all along.
            // The lab's LNS emulators are JVMs started with the lab, so a first storm through a throwaway lacd warms them
            // (and FreeRADIUS) before lacd is restarted cold; -Dlab.storm.warm-peers=0 storms everything cold at once.
            int warmPeers = warmHalf;
            String inFlight = System.getProperty("lab.pppoe.setups-in-flight", "");
            String limits = System.getProperty("lab.pppoe.limits", "");
            if (!inFlight.isEmpty()) {
                limits = "setups-in-flight: " + Integer.parseInt(inFlight) + (limits.isEmpty() ? "" : ", " + limits);
            }
            if (warmPeers > 0) {
                System.out.printf(Locale.ROOT, "warming the LNS emulators and FreeRADIUS through a throwaway lacd (pid %d)%n", lab.lacd().pid());
                String row = storm(lab, "peers' warm-up", warmPeers, rate, 0, retries, lab.lacd().pid(), 0).apply(0);
                summary.add(x -> row);
            }
            if (warmPeers > 0 || !limits.isEmpty()) {
                lab.stopLacd(Duration.ofSeconds(60));
                lab.restartLacdWithConfig(withPppoeLimits(lab.lacdConfig(), limits));
            }
            long pid = lab.lacd().pid();
            System.out.println("lacd " + lab.lacdConfig().lines().filter(l -> l.startsWith("interfaces:")).findFirst().orElse(""));
            System.out.printf(Locale.ROOT, "lab up in %.1f s; lacd pid %d (cold%s), JVM start CPU %.2f s; load average %s%n",
                    (System.nanoTime() - tStart) / 1e9, pid, limits.isEmpty() ? "" : ", pppoe limits " + limits,
                    cpuSeconds(pid), loadAverage());
            Lab.Subscribers probe = null;
            if (probes > 0) {
                // established before the storm, 10 probes/s each through their LNS's reflector, held through every storm
                probe = lab.startSubscribers(Lab.SubscriberRun.of("a", probes).rate(200).traffic(10, 128).duration("3600s"));
                LabProcess.await(Duration.ofSeconds(60), () -> forwarding(lab) >= probes);
                System.out.println("probe subscribers up: " + forwarding(lab) + " of " + probes + " (10 packets/s each)");
            }
            int up = Math.max(0, forwarding(lab)); // the probe sessions that came up (a loaded machine may fail a few)
            // lacd's CPU with only the probe flow (and this program's scrapes) running: subtracted from each storm's
            Thread.sleep(5000);
            double idlePerSecond = probeFlowCpu(lab, pid);
            System.out.printf(Locale.ROOT, "lacd CPU with the probe flow only: %.3f s/s%n", idlePerSecond);
            for (int k = 1; k <= storms; k++) {
                summary.add(storm(lab, k == 1 ? "cold" : "warm " + (k - 1), half, rate, up, retries, pid, idlePerSecond));
            }
            // the probe flow's CPU again, on the warm JVM: right after a cold start it includes the JIT's first work
            double idleAfter = probeFlowCpu(lab, pid);
            double probeFlow = Math.min(idlePerSecond, idleAfter);
            System.out.printf(Locale.ROOT, "lacd CPU with the probe flow only, after the storms: %.3f s/s (the table subtracts %.3f)%n",
                    idleAfter, probeFlow);
            if (probe != null) {
                probe.process().stop(Duration.ofSeconds(30));
                JsonNode r = probe.report();
                System.out.printf(Locale.ROOT, "probe subscribers: %d established, %d failed %s; probes sent %d, received %d, lost %d;"
                                + " LCP echo failures %d%n", r.path("established").asInt(), r.path("failed").asInt(), r.path("failures"),
                        r.path("packetsSent").asLong(), r.path("packetsReceived").asLong(), r.path("packetsLost").asLong(),
                        r.path("echoFailures").asLong());
                // per session: the gaps in each probe subscriber's reply sequence (the last probes in flight at the
                // stop are not gaps, so "sent minus received" above counts a few more than were lost)
                long lossy = 0;
                long missing = 0;
                for (JsonNode o : probe.outcomes()) {
                    long m = o.path("probesMissing").asLong();
                    missing += m;
                    lossy += m > 0 ? 1 : 0;
                }
                System.out.printf(Locale.ROOT, "established sessions that lost a probe over the storms and hang-ups: %d of %d"
                        + " (%d probes missing in their reply sequences)%n", lossy, r.path("established").asInt(), missing);
            }
            System.out.println();
            System.out.println("| storm | subscribers | offered /s | all up after s | up | failed | peak setups/s | mean setups/s |"
                    + " lacd CPU s | lacd CPU ms/setup | same less probe flow | emulators CPU s | load avg |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            summary.forEach(f -> System.out.println(f.apply(probeFlow)));
        }
    }

    /** Runs one storm and prints its lines; returns its summary row given the probe flow's CPU per second to subtract. */
    private static java.util.function.DoubleFunction<String> storm(Lab lab, String name, int half, double rate, int probes, int retries,
                                                                   long pid, double idlePerSecond)
            throws Exception {
        int count = 2 * half;
        System.out.printf(Locale.ROOT, "%n== storm %s: %d subscribers offered at %.0f/s, load average %s%n", name, count, rate, loadAverage());
        Map<String, Double> drops0 = SetupRateBenchmark.drops(lab);
        Map<String, Double> failures0 = labelled(lab.metrics(), "lacd_session_failures_total");
        String m0 = lab.metrics();
        double ok0 = Lab.sample(m0, "lacd_session_setups_total", "result=\"success\"");
        double fail0 = Lab.sample(m0, "lacd_session_setups_total", "result=\"failure\"");
        double ring0 = Lab.sample(m0, "lacd_pppoe_capture_drops_total");
        double padiRing0 = Lab.sample(m0, "lacd_pppoe_padi_ring_drops_total");
        double sendDrops0 = Lab.sample(m0, "lacd_pppoe_send_drops_total");
        Map<String, Long> kernel0 = kernelDrops(lab);
        Map<String, Double> phases0 = phaseSums(m0);
        // sessions of an earlier storm still in lacd (their hang-up lost, and no LNS keepalive ended them) take
        // interface places (pppoe.interfaces[].max-sessions) from this storm
        System.out.println("lacd sessions at the start: " + labelled(m0, "lacd_sessions") + " (probe subscribers: " + probes + ")");
        double cpu0 = cpuSeconds(pid);
        long[] machine0 = machineTicks();
        double peers0 = peersCpu(lab, "lns") + peersCpu(lab, "radius");
        double lns0 = peersCpu(lab, "lns");
        Map<String, Double> threads0 = threadCpu(pid);
        long t0 = System.nanoTime();
        String duration = "3600s"; // ended by SIGTERM once every subscriber is up (or after the bound below)
        Lab.Subscribers a = lab.startSubscribers(Lab.SubscriberRun.of("a", half).rate(rate / 2).retries(retries).duration(duration));
        Lab.Subscribers b = lab.startSubscribers(Lab.SubscriberRun.of("b", half).rate(rate / 2).retries(retries).duration(duration));
        double emu0 = cpuSeconds(a.process().pid()) + cpuSeconds(b.process().pid());
        List<Integer> curve = new ArrayList<>();
        double lastOk = ok0;
        double allUp = -1;
        double lastSetup = -1; // when the last of this storm's setups succeeded (seconds after the start)
        double cpuUp = 0;
        double okUp = 0;
        int idleSeconds = 0;
        long bound = System.nanoTime() + Duration.ofSeconds(Math.max(180, (long) (count / 500.0) + 60)).toNanos();
        long next = t0 + 1_000_000_000L;
        while (System.nanoTime() < bound && (a.process().alive() || b.process().alive())) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            next += 1_000_000_000L;
            String m;
            try {
                m = lab.metrics();
            } catch (RuntimeException e) {
                curve.add(-1);
                continue;
            }
            double ok = Lab.sample(m, "lacd_session_setups_total", "result=\"success\"");
            curve.add((int) Math.round(ok - lastOk));
            if (ok > lastOk) {
                lastSetup = (System.nanoTime() - t0) / 1e9;
            }
            lastOk = ok;
            // this storm's own setups: sessions of an earlier storm still being torn down must not count
            if (ok - ok0 >= count) {
                allUp = (System.nanoTime() - t0) / 1e9;
                cpuUp = cpuSeconds(pid) - cpu0;
                okUp = ok - ok0;
                break;
            }
            idleSeconds = ok > ok0 && curve.get(curve.size() - 1) == 0 ? idleSeconds + 1 : 0;
            if (idleSeconds >= 15) {
                break; // no setup for 15 s after the first: the rest will not come up (their failures say why)
            }
        }
        double emuCpu = cpuSeconds(a.process().pid()) + cpuSeconds(b.process().pid()) - emu0;
        long[] machine1 = machineTicks();
        double lnsCpu = peersCpu(lab, "lns") - lns0;
        double radiusCpu = peersCpu(lab, "lns") + peersCpu(lab, "radius") - peers0 - lnsCpu;
        double lacdCpu = cpuSeconds(pid) - cpu0;
        Map<String, Double> threads = threadCpu(pid);
        threads0.forEach((k, v) -> threads.merge(k, -v, Double::sum));
        StringBuilder byThread = new StringBuilder();
        threads.entrySet().stream().filter(e -> e.getValue() >= 0.05).sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> byThread.append(String.format(Locale.ROOT, "%s %.2f s, ", e.getKey(), e.getValue())));
        String m1 = lab.metrics();
        double ok1 = Lab.sample(m1, "lacd_session_setups_total", "result=\"success\"") - ok0;
        double fail1 = Lab.sample(m1, "lacd_session_setups_total", "result=\"failure\"") - fail0;
        double elapsed = allUp < 0 ? (System.nanoTime() - t0) / 1e9 : allUp;
        if (allUp < 0) {
            cpuUp = cpuSeconds(pid) - cpu0;
            okUp = ok1;
        }
        double cpuNet = cpuUp - idlePerSecond * elapsed;
        Map<String, Long> stormDrops = SetupRateBenchmark.minus(SetupRateBenchmark.drops(lab), drops0);
        String load = loadAverage();
        a.process().stop(Duration.ofSeconds(60));
        b.process().stop(Duration.ofSeconds(60));
        JsonNode ra = a.report();
        JsonNode rb = b.report();
        int est = ra.path("established").asInt() + rb.path("established").asInt();
        int failed = ra.path("failed").asInt() + rb.path("failed").asInt();
        System.out.println("setups per second (lacd): " + curve);
        System.out.printf(Locale.ROOT, "all %d up after %s; lacd setups %.0f ok, %.0f failed; lacd CPU %.2f s over %.1f s = %.3f ms per setup;"
                        + " less the probe flow's %.3f s/s: %.3f ms per setup; emulators' CPU %.1f s (%.0f %% of a core)%n", count,
                allUp < 0 ? String.format(Locale.ROOT, "(not all up; the last setup at %.0f s)", lastSetup)
                        : String.format(Locale.ROOT, "%.1f s", allUp), ok1, fail1, cpuUp, elapsed,
                okUp > 0 ? cpuUp * 1000 / okUp : Double.NaN, idlePerSecond, okUp > 0 ? cpuNet * 1000 / okUp : Double.NaN,
                emuCpu, 100 * emuCpu / Math.max(1e-9, elapsed));
        System.out.println("lacd CPU by thread (digits folded): " + byThread);
        // whether the machine's cores were the bound (a setup waits for CPU) or the pacing was (cores left idle)
        double all = Math.max(1, machine1[0] - machine0[0]);
        System.out.printf(Locale.ROOT, "machine over the storm: %.0f %% busy, %.0f %% idle, %.1f %% stolen by the host (%d cores)%n",
                100 * (machine1[1] - machine0[1]) / all, 100 * (machine1[2] - machine0[2]) / all, 100 * (machine1[3] - machine0[3]) / all,
                Runtime.getRuntime().availableProcessors());
        double busy = (machine1[1] - machine0[1]) / TICKS;
        System.out.printf(Locale.ROOT, "CPU seconds over the storm: lacd %.1f, subscriber emulators %.1f, LNS emulators %.1f, FreeRADIUS %.1f,"
                        + " the rest (kernel softirq, this program, other processes) %.1f; busy %.1f of %.1f available%n",
                lacdCpu, emuCpu, lnsCpu, radiusCpu, busy - lacdCpu - emuCpu - lnsCpu - radiusCpu, busy, (machine1[0] - machine0[0]) / TICKS);
        System.out.println("subscribers: established " + est + ", failed " + failed + " " + ra.path("failures") + " " + rb.path("failures")
                + "; auth retransmissions (the emulator counts no other step's) "
                + (ra.path("authRetransmits").asLong() + rb.path("authRetransmits").asLong()));
        // the subscribers' view (reseller a's emulator; b's is alike): PADI to IPCP opened, and per phase (padiToPado
        // includes the PADIs shed by pacing and the 3 s retransmissions after them; auth includes RADIUS, L2TP and the LNS)
        System.out.println("subscriber setup latency (ms, reseller a): " + ra.path("setupLatency") + "; by phase: " + ra.path("phaseLatency"));
        System.out.println("lacd drops and sheds during the storm: " + stormDrops);
        System.out.println("setup time by phase (mean s, of this storm's setups; lacd_session_setup_phase_seconds): "
                + phaseMeans(phases0, phaseSums(m1)));
        System.out.println("lacd setup failures by reason: " + SetupRateBenchmark.minus(labelled(m1, "lacd_session_failures_total"), failures0)
                + "; setups at their end: " + labelled(m1, "lacd_pppoe_setups_in_flight") + " in flight; frames lost in lacd's receive ring: "
                + Math.round(Lab.sample(m1, "lacd_pppoe_capture_drops_total") - ring0)
                + "; PADIs dropped in its PADI ring: " + Math.round(Lab.sample(m1, "lacd_pppoe_padi_ring_drops_total") - padiRing0)
                + "; frames to subscribers its batched send lost: " + Math.round(Lab.sample(m1, "lacd_pppoe_send_drops_total") - sendDrops0)
                + "; receive ring's peak fill since lacd started: " + ringPeak(m1));
        Map<String, Long> kernel1 = kernelDrops(lab);
        System.out.println("kernel drops during the storm (where probes can vanish outside lacd): " + minusLong(kernel1, kernel0));
        Map<String, Double> dropsAtEnd = SetupRateBenchmark.drops(lab);
        long h0 = System.nanoTime();
        if (!LabProcess.await(Duration.ofSeconds(300), () -> Lab.sample(lab.metrics(), "lacd_sessions") <= probes)) {
            String m2 = lab.metrics();
            System.out.println("  (storm sessions still in lacd 300 s after the hang-up: " + labelled(m2, "lacd_sessions")
                    + "; frames lost in lacd's receive ring since the storm's end: "
                    + Math.round(Lab.sample(m2, "lacd_pppoe_capture_drops_total") - Lab.sample(m1, "lacd_pppoe_capture_drops_total")) + ")");
        } else {
            System.out.printf(Locale.ROOT, "storm sessions gone %.1f s after the hang-up%n", (System.nanoTime() - h0) / 1e9);
        }
        // the hang-up's own drops (a Stop per session: accounting records a full spool discards show here), and what
        // waits in the accounting spool now
        String m3 = lab.metrics();
        System.out.println("lacd drops during the hang-up: " + SetupRateBenchmark.minus(SetupRateBenchmark.drops(lab), dropsAtEnd)
                + "; accounting records spooled now: " + Math.round(Lab.sample(m3, "lacd_accounting_spool_records"))
                + "; frames lost in lacd's receive ring during the hang-up: "
                + Math.round(Lab.sample(m3, "lacd_pppoe_capture_drops_total") - Lab.sample(m1, "lacd_pppoe_capture_drops_total"))
                + "; kernel drops during the hang-up: " + minusLong(kernelDrops(lab), kernel1)
                + "; receive ring's peak fill since lacd started: " + ringPeak(m3));
        int peak = curve.stream().mapToInt(Integer::intValue).max().orElse(0);
        double mean = okUp / elapsed;
        String upAfter = allUp < 0 ? String.format(Locale.ROOT, "not all (last up at %.0f)", lastSetup) : String.format(Locale.ROOT, "%.1f", allUp);
        double cpuUpF = cpuUp;
        double okUpF = okUp;
        return flow -> String.format(Locale.ROOT, "| %s | %d | %.0f | %s | %d | %d | %d | %.0f | %.2f | %.3f | %.3f | %.1f | %s |", name, count,
                rate, upAfter, est, failed, peak, mean, cpuUpF, okUpF > 0 ? cpuUpF * 1000 / okUpF : Double.NaN,
                okUpF > 0 ? (cpuUpF - flow * elapsed) * 1000 / okUpF : Double.NaN, emuCpu, load);
    }

    /** lacd's CPU seconds per second over 10 s with only the probe flow and this program's scrapes (one per second). */
    /** The highest lacd_worker_ring_peak_ratio over the workers, in per cent of the ring's slots. */
    private static String ringPeak(String metrics) {
        double max = 0;
        for (int w = 0; w < 64; w++) {
            max = Math.max(max, Lab.sample(metrics, "lacd_worker_ring_peak_ratio", "worker=\"" + w + "\""));
        }
        return String.format(Locale.ROOT, "%.1f %%", 100 * max);
    }

    private static double probeFlowCpu(Lab lab, long pid) throws InterruptedException {
        double c0 = cpuSeconds(pid);
        long t0 = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            Thread.sleep(1000);
            lab.metrics();
        }
        return (cpuSeconds(pid) - c0) / ((System.nanoTime() - t0) / 1e9);
    }

    /** {@code cfg} with {@code pppoe.limits.setups-in-flight: n}, or unchanged for an empty {@code n}. */
    /** The lab's lacd config with more {@code pppoe.limits} keys ({@code extra}: YAML flow pairs, may be empty). */
    static String withPppoeLimits(String cfg, String extra) {
        if (extra.isEmpty()) {
            return cfg;
        }
        String limits = "limits: {padi-per-second: 100000, padr-per-second: 100000}";
        if (!cfg.contains(limits)) {
            throw new IllegalStateException("lab config without its pppoe limits");
        }
        return cfg.replace(limits, limits.replace("}", ", " + extra + "}"));
    }

    /** Sum and count of each setup phase (and of the whole setup, as "total"). */
    static Map<String, Double> phaseSums(String metrics) {
        Map<String, Double> m = new java.util.TreeMap<>();
        labelled(metrics, "lacd_session_setup_phase_seconds_sum").forEach((k, v) -> m.put(k + " sum", v));
        labelled(metrics, "lacd_session_setup_phase_seconds_count").forEach((k, v) -> m.put(k + " count", v));
        m.put("total sum", Lab.sample(metrics, "lacd_session_setup_seconds_sum"));
        m.put("total count", Lab.sample(metrics, "lacd_session_setup_seconds_count"));
        return m;
    }

    static String phaseMeans(Map<String, Double> before, Map<String, Double> after) {
        StringBuilder b = new StringBuilder();
        for (String k : after.keySet()) {
            if (k.endsWith(" sum")) {
                String name = k.substring(0, k.length() - 4);
                double n = after.getOrDefault(name + " count", 0.0) - before.getOrDefault(name + " count", 0.0);
                double sum = after.get(k) - before.getOrDefault(k, 0.0);
                b.append(String.format(Locale.ROOT, "%s %.3f (%d), ", name.replace("phase=", ""), n > 0 ? sum / n : Double.NaN, (long) n));
            }
        }
        return b.toString();
    }

    /** Every sample of {@code name} by its label set. */
    static Map<String, Double> labelled(String metrics, String name) {
        Map<String, Double> m = new java.util.TreeMap<>();
        java.util.regex.Matcher x = java.util.regex.Pattern.compile("^" + name + "(?:\\{([^}]*)\\})?\\s+(\\S+)$", java.util.regex.Pattern.MULTILINE)
                .matcher(metrics);
        while (x.find()) {
            m.put(x.group(1) == null ? "" : x.group(1).replace("\"", ""), Double.parseDouble(x.group(2)));
        }
        return m;
    }

    static int forwarding(Lab lab) {
        try {
            return (int) Lab.sample(lab.metrics(), "lacd_sessions", "state=\"forwarding\"");
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** utime + stime of a process, in seconds. */
    /**
     * Kernel drop counters that can swallow a probe outside lacd: the CPUs' input backlog (softnet_stat, all
     * namespaces), and per lab namespace each interface's receive and send drops (/proc/net/dev) and UDP's
     * receive-buffer and input errors (/proc/net/snmp: the LNS emulators' and lacd's L2TP sockets).
     */
    static Map<String, Long> kernelDrops(Lab lab) {
        Map<String, Long> out = new java.util.TreeMap<>();
        out.put("softnet backlog", ForwardingCeilingBenchmark.softnetDrops());
        for (String ns : lab.topology().namespaces()) {
            Sh.Result r = lab.topology().exec(ns, 10, "cat", "/proc/net/dev", "/proc/net/snmp");
            if (r.exit() != 0) {
                continue;
            }
            String where = ns.substring(ns.lastIndexOf('-') + 1);
            // each UDP socket's own drops (skmem d<N>): which socket of the namespace overflowed
            Sh.Result ss = lab.topology().exec(ns, 10, "ss", "-uanm");
            String local = null;
            for (String line : ss.exit() == 0 ? ss.out().split("\n") : new String[0]) {
                String t = line.trim();
                int d = t.indexOf(",d");
                if (t.startsWith("skmem:(") && local != null && d > 0) {
                    long drops = Long.parseLong(t.substring(d + 2, t.indexOf(')', d)));
                    out.merge(where + " udp socket " + local + " drops", drops, Long::sum);
                    local = null;
                } else if (t.startsWith("UNCONN") || t.startsWith("ESTAB")) {
                    String[] f = t.split("\\s+");
                    local = f.length > 3 ? f[3] : null;
                }
            }
            String[] udpHeader = null;
            for (String line : r.out().split("\n")) {
                String t = line.trim();
                int colon = t.indexOf(':');
                if (t.startsWith("Udp:")) {
                    String[] f = t.substring(4).trim().split("\\s+");
                    if (udpHeader == null) {
                        udpHeader = f;
                    } else {
                        for (int i = 0; i < f.length && i < udpHeader.length; i++) {
                            if (udpHeader[i].equals("RcvbufErrors") || udpHeader[i].equals("InErrors")) {
                                out.merge(where + " udp " + udpHeader[i], Long.parseLong(f[i]), Long::sum);
                            }
                        }
                    }
                } else if (colon > 0 && !t.startsWith("Inter-") && !t.startsWith("face") && !t.contains("|")
                        && !Character.isUpperCase(t.charAt(0))) {
                    String[] f = t.substring(colon + 1).trim().split("\\s+");
                    if (f.length >= 12) {
                        String dev = t.substring(0, colon);
                        out.merge(where + " " + dev + " rx_drop", Long.parseLong(f[3]), Long::sum);
                        out.merge(where + " " + dev + " tx_drop", Long.parseLong(f[11]), Long::sum);
                    }
                }
            }
        }
        return out;
    }

    /** {@code after - before}, the entries that moved only. */
    static Map<String, Long> minusLong(Map<String, Long> after, Map<String, Long> before) {
        Map<String, Long> out = new java.util.TreeMap<>();
        after.forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            if (d != 0) {
                out.put(k, d);
            }
        });
        return out;
    }

    static double cpuSeconds(long pid) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": state is field 3, utime 14, stime 15 (1-based) -> index 11 and 12 here
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** utime + stime per thread of {@code pid}, in seconds, summed over threads whose names differ only in digits. */
    static Map<String, Double> threadCpu(long pid) {
        Map<String, Double> m = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String s = Files.readString(t.resolve("stat"));
                    String name = s.substring(s.indexOf('(') + 1, s.lastIndexOf(')')).replaceAll("[0-9]+", "#");
                    String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
                    m.merge(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS, Double::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            // the process ended
        }
        return m;
    }

    /** CPU seconds so far of the lab's LNS emulators ({@code "lns"}) or FreeRADIUS servers ({@code "radius"}), summed. */
    static double peersCpu(Lab lab, String which) {
        double sum = 0;
        if (which.equals("lns")) {
            for (String name : lab.topology().lns().keySet()) {
                try {
                    sum += cpuSeconds(lab.lns(name).pid());
                } catch (RuntimeException e) {
                    // not an emulator (l2tpns) or not running
                }
            }
        } else {
            for (var r : lab.radius()) {
                sum += r.process() == null ? 0 : cpuSeconds(r.process().pid());
            }
        }
        return sum;
    }

    /** The machine's CPU ticks from /proc/stat: all, busy (user, nice, system, irq, softirq), idle (with iowait), steal. */
    static long[] machineTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long[] t = new long[9];
            for (int i = 0; i < t.length && i + 1 < f.length; i++) {
                t[i] = Long.parseLong(f[i + 1]);
            }
            long busy = t[0] + t[1] + t[2] + t[5] + t[6];
            long idle = t[3] + t[4];
            return new long[] {busy + idle + t[7], busy, idle, t[7]};
        } catch (IOException | RuntimeException e) {
            return new long[4];
        }
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }
}
