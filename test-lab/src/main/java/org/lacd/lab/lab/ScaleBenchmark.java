package org.lacd.lab.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Scale benchmark through the namespace lab (a program, not a timed test): {@code count} concurrent subscribers (half
 * per reseller, CHAP and PAP mixed) held for {@code holdSeconds} with L2TP HELLO (lab: every 10 s) and LCP echo from the
 * LNSs (every 30 s) running; lacd's heap after a full GC and its RSS, per established session, against the same
 * measure taken before any subscriber.
 *
 * <pre>
 * java -cp "test-lab/target/classes:$(cat test-lab/target/classpath.txt)" org.lacd.lab.lab.ScaleBenchmark 64000 300 600
 * </pre>
 */
public final class ScaleBenchmark {
    private ScaleBenchmark() {}

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 64_000;
        double rate = args.length > 1 ? Double.parseDouble(args[1]) : 300;
        long hold = args.length > 2 ? Long.parseLong(args[2]) : 600;
        int half = count / 2;
        String prefix = Topology.uniquePrefix();
        try (Lab lab = Lab.start(Path.of("/tmp", prefix), LabOptions.defaults().withUsers(half).withHeap("2g").withLogLevel("warn")
                .withLockout(Duration.ofSeconds(10)).withSetupTimeout(Duration.ofSeconds(10)), prefix)) {
            for (String name : new String[] {"lns-a1", "lns-a2", "lns-b1", "lns-b2"}) {
                lab.stopLns(name);
                lab.startLns(name, "--lcp-echo-interval", "30s", "--lcp-echo-failures", "4", "--max-call-records", "100");
            }
            long pid = lab.lacd().pid();
            Thread.sleep(5000);
            long[] base = memory(pid);
            System.out.printf(Locale.ROOT, "baseline: heap after GC %d KiB, RSS %d KiB%n", base[0] / 1024, base[1] / 1024);
            long setupSeconds = (long) Math.ceil(count / rate);
            String duration = (setupSeconds + hold + 60) + "s";
            long t0 = System.nanoTime();
            Lab.Subscribers a = lab.startSubscribers(Lab.SubscriberRun.of("a", half).rate(rate / 2).duration(duration));
            Lab.Subscribers b = lab.startSubscribers(Lab.SubscriberRun.of("b", half).rate(rate / 2).duration(duration));
            long holdStart = 0;
            int established = 0;
            long[] worst = base;
            int worstSessions = 0;
            while (a.process().alive() && b.process().alive()) {
                Thread.sleep(30_000);
                String m = lab.metrics();
                established = (int) Lab.sample(m, "lacd_sessions", "state=\"forwarding\"");
                long elapsed = (System.nanoTime() - t0) / 1_000_000_000L;
                if (holdStart == 0 && established >= count * 99L / 100) {
                    holdStart = elapsed;
                }
                long[] mem = memory(pid);
                if (established > 0 && mem[0] > worst[0]) {
                    worst = mem;
                    worstSessions = established;
                }
                System.out.printf(Locale.ROOT, "t=%4d s  forwarding %6d  tunnels %2.0f  heap(after GC) %7d KiB  RSS %7d KiB  "
                                + "hello timeouts %.0f  retransmits %.0f  setups ok %.0f failed %.0f%n", elapsed, established,
                        Lab.sample(m, "lacd_tunnels", "state=\"established\""), mem[0] / 1024, mem[1] / 1024,
                        Lab.sample(m, "lacd_l2tp_hello_timeouts_total"), Lab.sample(m, "lacd_l2tp_control_retransmits_total"),
                        Lab.sample(m, "lacd_session_setups_total", "result=\"success\""),
                        Lab.sample(m, "lacd_session_setups_total", "result=\"failure\""));
                if (holdStart > 0 && elapsed - holdStart >= hold) {
                    break;
                }
            }
            // per session from the largest steady sample (taken while the sessions were all up)
            int n = Math.max(1, worstSessions);
            System.out.printf(Locale.ROOT, "%nheld %d sessions for %d s%n", established, holdStart == 0 ? 0
                    : (System.nanoTime() - t0) / 1_000_000_000L - holdStart);
            System.out.printf(Locale.ROOT, "lacd heap after GC: %d KiB -> %d KiB with %d sessions: %.0f bytes per session%n",
                    base[0] / 1024, worst[0] / 1024, worstSessions, (worst[0] - base[0]) / (double) n);
            System.out.printf(Locale.ROOT, "lacd RSS: %d KiB -> %d KiB: %.0f bytes per session%n", base[1] / 1024, worst[1] / 1024,
                    (worst[1] - base[1]) / (double) n);
            a.process().stop(Duration.ofSeconds(30));
            b.process().stop(Duration.ofSeconds(30));
        }
    }

    /** {heap used after a full GC, resident set size} of lacd, in bytes. */
    static long[] memory(long pid) throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        run(jcmd, Long.toString(pid), "GC.run");
        String info = run(jcmd, Long.toString(pid), "GC.heap_info");
        long heap = 0;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("total \\d+K, used (\\d+)K").matcher(info);
        while (m.find()) {
            heap += Long.parseLong(m.group(1)) * 1024; // young and old generation lines (G1: one "garbage-first heap" line)
            if (info.contains("garbage-first heap")) {
                break;
            }
        }
        long rss = 0;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return new long[] {heap, rss};
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }
}
