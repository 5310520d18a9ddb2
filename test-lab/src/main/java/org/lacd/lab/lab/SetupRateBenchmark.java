package org.lacd.lab.lab;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Setup-rate benchmark through the namespace lab (a program, not a timed test): {@code count} subscribers (half per
 * reseller, CHAP and PAP mixed) offered at each rate in turn; per rate: sessions established, failures, the
 * emulators' measured setup rate and setup latency (PADI to IPCP up) p50/p99, lacd's heap after the run. A warm-up of
 * 1,000 subscribers at 200/s runs first and is not recorded.
 *
 * <pre>
 * java -cp "test-lab/target/classes:$(cat test-lab/target/classpath.txt)" org.lacd.lab.lab.SetupRateBenchmark 10000 250,500,1000
 * </pre>
 * Optional third and fourth arguments: the LNS emulators' mode (default accept-proxy) and YAML lines added to every
 * LNS profile of lacd's config, e.g. {@code SetupRateBenchmark 2000 500 expect-auth-packet "replay-auth: true"}: an
 * LNS that ignores the proxy authentication and needs the replayed login (issue 14). Each run then also prints the
 * subscribers' authentication retransmissions and the logins the LNSs dropped because they came before the ICCN.
 */
public final class SetupRateBenchmark {
    private SetupRateBenchmark() {}

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        List<Double> rates = new ArrayList<>();
        for (String r : (args.length > 1 ? args[1] : "250,500,1000").split(",")) {
            rates.add(Double.parseDouble(r));
        }
        String lnsMode = args.length > 2 ? args[2] : "accept-proxy";
        String extraLns = args.length > 3 ? args[3] : "";
        int half = count / 2;
        String prefix = Topology.uniquePrefix();
        List<String> rows = new ArrayList<>();
        try (Lab lab = Lab.start(Path.of("/tmp", prefix), LabOptions.defaults().withUsers(half).withHeap("2g").withLogLevel("warn").withLockout(java.time.Duration.ofSeconds(10)).withSetupTimeout(java.time.Duration.ofSeconds(10))
                .withLnsMode(lnsMode).withExtraLns(extraLns), prefix)) {
            System.out.println("LNS mode " + lnsMode + (extraLns.isBlank() ? "" : ", LNS profiles + " + extraLns));
            // warm-up, not recorded: JIT compilation in lacd and the emulators, FreeRADIUS's first requests
            Lab.Subscribers wa = lab.startSubscribers(Lab.SubscriberRun.of("a", Math.min(half, 500)).rate(100).duration("20s"));
            Lab.Subscribers wb = lab.startSubscribers(Lab.SubscriberRun.of("b", Math.min(half, 500)).rate(100).duration("20s"));
            wa.await(Duration.ofSeconds(60));
            wb.await(Duration.ofSeconds(60));
            lab.awaitNoSessions(Duration.ofSeconds(30));
            for (double rate : rates) {
                long seconds = (long) Math.ceil(count / rate) + 30;
                long t0 = System.nanoTime();
                Lab.Subscribers a = lab.startSubscribers(Lab.SubscriberRun.of("a", half).rate(rate / 2).duration(seconds + "s"));
                Lab.Subscribers b = lab.startSubscribers(Lab.SubscriberRun.of("b", half).rate(rate / 2).duration(seconds + "s"));
                int peak = 0;
                Map<String, Double> before = drops(lab);
                long earlyBefore = loginsBeforeConnected(lab);
                Map<String, Double> allUp = null;
                while (a.process().alive() || b.process().alive()) {
                    try {
                        peak = Math.max(peak, countForwarding(lab));
                        if (allUp == null && peak == count) {
                            allUp = drops(lab); // every subscriber up: what follows is the hang-up at the run's end
                        }
                    } catch (RuntimeException e) {
                        // API busy: try again
                    }
                    Thread.sleep(2000);
                }
                JsonNode ra = a.report();
                JsonNode rb = b.report();
                int est = ra.path("established").asInt() + rb.path("established").asInt();
                int failed = ra.path("failed").asInt() + rb.path("failed").asInt();
                double measured = ra.path("setupRate").asDouble() + rb.path("setupRate").asDouble();
                double p50 = Math.max(ra.path("setupLatency").path("p50Ms").asDouble(), rb.path("setupLatency").path("p50Ms").asDouble());
                double p99 = Math.max(ra.path("setupLatency").path("p99Ms").asDouble(), rb.path("setupLatency").path("p99Ms").asDouble());
                String row = String.format(Locale.ROOT, "| %.0f | %d | %d | %d | %s %s | %.0f | %.0f | %.0f | %d | %.0f s |", rate, count, est, failed,
                        ra.path("failures"), rb.path("failures"), measured, p50, p99, peak, (System.nanoTime() - t0) / 1e9);
                rows.add(row);
                System.out.println(row);
                System.out.println("  subscriber authentication retransmissions: " + (ra.path("authRetransmits").asLong()
                        + rb.path("authRetransmits").asLong()) + "; logins the LNSs dropped as before the ICCN: "
                        + (loginsBeforeConnected(lab) - earlyBefore));
                lab.awaitNoSessions(Duration.ofSeconds(30));
                Map<String, Double> after = drops(lab);
                System.out.println("  lacd drops while setting up: " + (allUp == null ? "(not every subscriber was up at once)" : minus(allUp, before))
                        + "; from then to the last session down: " + minus(after, allUp == null ? before : allUp));
            }
            System.out.println();
            System.out.println("| offered /s | subscribers | established | failed | failures (A, B) | measured setup rate /s | p50 ms | p99 ms | peak forwarding | run |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|");
            rows.forEach(System.out::println);
            String m = lab.metrics();
            long[] mem = ScaleBenchmark.memory(lab.lacd().pid());
            System.out.printf(Locale.ROOT, "lacd: setups ok %.0f, failures %.0f, frames lost in its receive ring %.0f, drops %.0f;"
                            + " heap after a full GC %d MiB; RSS %d MiB%n",
                    Lab.sample(m, "lacd_session_setups_total", "result=\"success\""),
                    Lab.sample(m, "lacd_session_failures_total"),
                    Lab.sample(m, "lacd_pppoe_capture_drops_total"),
                    Lab.sample(m, "lacd_drops_total"), mem[0] >> 20, mem[1] >> 20);
        }
    }

    /** Logins (PAP/CHAP) the LNS emulators received for calls not yet connected, all LNSs together, so far. */
    static long loginsBeforeConnected(Lab lab) {
        long n = 0;
        for (String name : lab.topology().lns().keySet()) {
            try {
                n += lab.lnsControl(name, "GET", "/report").path("traffic").path("loginsBeforeConnected").asLong();
            } catch (RuntimeException e) {
                System.out.println("  (no report from " + name + ": " + e.getMessage() + ")");
            }
        }
        return n;
    }

    /** lacd_drops_total by its labels ({@code protocol=..,reason=..}). */
    static Map<String, Double> drops(Lab lab) {
        Map<String, Double> m = new TreeMap<>();
        java.util.regex.Matcher x = java.util.regex.Pattern.compile("^lacd_drops_total\\{([^}]*)\\}\\s+(\\S+)$", java.util.regex.Pattern.MULTILINE)
                .matcher(lab.metrics());
        while (x.find()) {
            m.put(x.group(1).replace("\"", ""), Double.parseDouble(x.group(2)));
        }
        return m;
    }

    /** What grew from {@code from} to {@code to}, without the labels that did not. */
    static Map<String, Long> minus(Map<String, Double> to, Map<String, Double> from) {
        Map<String, Long> m = new TreeMap<>();
        to.forEach((k, v) -> {
            long d = Math.round(v - from.getOrDefault(k, 0.0));
            if (d != 0) {
                m.put(k, d);
            }
        });
        return m;
    }

    static int countForwarding(Lab lab) {
        int n = 0;
        for (JsonNode s : lab.sessions()) {
            if ("forwarding".equalsIgnoreCase(s.path("state").asText())) {
                n++;
            }
        }
        return n;
    }
}
