package org.lacd.lab.lab;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lab demo}: the README's main job. Brings up the namespace lab (FreeRADIUS, lacd, four LNS emulators),
 * dials subscribers of two resellers (CHAP and PAP mixed) with light traffic, prints a summary table from lacd's
 * management API and metrics and the emulators, and keeps running until Ctrl-C or {@code --duration}; then tears
 * everything down. Run through {@code test-lab/lab.sh demo}.
 */
@Command(name = "lab", mixinStandardHelpOptions = true, subcommands = {LabMain.Demo.class, LabMain.Cleanup.class},
        description = "lacd's network-namespace lab")
public final class LabMain {

    public static void main(String[] args) {
        System.exit(new CommandLine(new LabMain()).execute(args));
    }

    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "100 subscribers of two resellers through lacd to four LNSs, with a summary; until Ctrl-C or --duration.")
    static final class Demo implements Callable<Integer> {
        @Option(names = "--subscribers", defaultValue = "100", description = "subscribers in all, half per reseller (default ${DEFAULT-VALUE})")
        int subscribers;

        @Option(names = "--rate", defaultValue = "50", description = "session setups per second per reseller (default ${DEFAULT-VALUE})")
        double rate;

        @Option(names = "--traffic-pps", defaultValue = "2", description = "probe packets per second per subscriber (default ${DEFAULT-VALUE})")
        int pps;

        @Option(names = "--workers", defaultValue = "2", description = "lacd's forwarding workers on the access interface (interfaces[].workers; default ${DEFAULT-VALUE})")
        int workers;

        @Option(names = "--lns", defaultValue = "emulators", description = "emulators: four LNS emulators; l2tpns: lns-a1"
                + " (reseller A's first preference) is a real l2tpns, with its own FreeRADIUS, next to three emulators (default ${DEFAULT-VALUE})")
        String lns;

        @Option(names = "--duration", defaultValue = "0", description = "stop after this many seconds; 0 = until Ctrl-C (default ${DEFAULT-VALUE})")
        long duration;

        @Option(names = "--refresh", defaultValue = "10", description = "summary every this many seconds (default ${DEFAULT-VALUE})")
        long refresh;

        @Option(names = "--prefix", description = "namespace name prefix (default lacd-<pid>-<n>)")
        String prefix;

        @Option(names = "--dir", description = "where configs, logs and reports go (default /tmp/<prefix>)")
        Path dir;

        @Option(names = "--prometheus", description = "also run a Prometheus server in lacd's namespace (127.0.0.1:"
                + LabPrometheus.PORT + ") scraping lacd with the shipped alert rules; the summary shows its alerts")
        boolean prometheus;

        @Option(names = "--kill-lns", description = "once the subscribers are up, kill lns-a1 (reseller A's preferred LNS)"
                + " with SIGKILL: lacd finds out by HELLO; with --prometheus the summary shows LacdHelloTimeouts firing")
        boolean killLns;

        @Override
        public Integer call() throws Exception {
            String missing = Lab.missingPrerequisite();
            if (missing == null && prometheus) {
                missing = LabPrometheus.missingPrerequisite();
            }
            if (missing != null) {
                System.err.println("lab: " + missing);
                return 2;
            }
            if (!lns.equals("emulators") && !lns.equals("l2tpns")) {
                System.err.println("lab: --lns must be emulators or l2tpns, not '" + lns + "'");
                return 2;
            }
            boolean real = lns.equals("l2tpns");
            if (real && L2tpns.missing() != null) {
                System.err.println("lab: --lns l2tpns: " + L2tpns.missing());
                return 2;
            }
            String p = prefix != null ? prefix + "-1" : Topology.uniquePrefix();
            Path d = dir != null ? dir : Path.of("/tmp", p);
            int perReseller = Math.max(1, subscribers / 2);
            // with --duration the subscriber emulators end the run themselves (LCP Terminate + PADT) and report
            long emuSeconds = duration > 0 ? duration : 7 * 24 * 3600;
            CountDownLatch stop = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                stop.countDown();
                try {
                    done.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "demo-ctrl-c");
            Runtime.getRuntime().addShutdownHook(hook);
            System.out.println("lab: building the topology " + p + " (files in " + d + ")");
            LabOptions opts = LabOptions.defaults().withUsers(perReseller).withWorkers(workers);
            if (real) {
                opts = opts.withL2tpns("lns-a1");
            }
            try (Lab lab = Lab.start(d, opts, p);
                 LabPrometheus prom = prometheus ? LabPrometheus.start(lab) : null) {
                Topology t = lab.topology();
                String peers = real
                        ? "FreeRADIUS, lacd, l2tpns (lns-a1: a real LNS that terminates PPP, challenges again and assigns"
                                + " addresses from " + Lab.l2tpnsPool(0) + ") and 3 LNS emulators up"
                        : "FreeRADIUS, lacd and 4 LNS emulators up";
                System.out.println("lab: " + peers + (prom != null ? ", Prometheus scraping lacd" : "")
                        + "; dialing " + (2 * perReseller) + " subscribers (CHAP and PAP mixed)");
                long t0 = System.nanoTime();
                // with --kill-lns, reseller A's routers redial when their session is ended (pppd persist): they come back
                // through lns-a2, the backup, once lacd has found lns-a1 dead
                Lab.Subscribers a = lab.startSubscribers(Lab.SubscriberRun.of("a", perReseller).rate(rate)
                        .traffic(pps, 256).duration(emuSeconds + "s"), killLns ? new String[] {"--redial"} : new String[0]);
                Lab.Subscribers b = lab.startSubscribers(Lab.SubscriberRun.of("b", perReseller).rate(rate)
                        .traffic(pps, 256).duration(emuSeconds + "s"));
                int want = 2 * perReseller;
                boolean allUp = LabProcess.await(Duration.ofSeconds(60), () -> stop.getCount() == 0
                        || forwarding(lab) >= want || !a.process().alive() || !b.process().alive());
                double setupSeconds = (System.nanoTime() - t0) / 1e9;
                System.out.println();
                System.out.printf(Locale.ROOT, "lab: %d of %d subscribers forwarding %.1f s after the emulators started"
                        + " (JVM start included; offered %.0f/s per reseller)%n", forwarding(lab), want, setupSeconds, rate);
                System.out.println("lab: metrics:    ip netns exec " + t.lacdNamespace() + " curl -s http://127.0.0.1:"
                        + Lab.METRICS_PORT + "/metrics");
                System.out.println("lab: sessions:   ip netns exec " + t.lacdNamespace() + " java -jar " + Lab.lacdJar()
                        + " sessions --url http://127.0.0.1:" + Lab.MGMT_PORT);
                if (prom != null) {
                    System.out.println("lab: prometheus: " + prom.url() + " in namespace " + t.lacdNamespace()
                            + " only (rules " + LabPrometheus.rules() + ", data in " + prom.dir() + ")");
                    System.out.println("lab: alerts:     ip netns exec " + t.lacdNamespace() + " curl -s " + prom.url()
                            + "/api/v1/alerts   (web UI: " + prom.url() + "/alerts from inside the namespace)");
                }
                System.out.println("lab: logs:       " + d);
                if (real) {
                    System.out.println("lab: l2tpns:     " + lab.l2tpns("lns-a1").logFile() + " (its accounting: "
                            + lab.l2tpns("lns-a1").radius().detailFile() + "; LNS ipv4 in / reflected = its tun0 counters)");
                }
                System.out.println(duration > 0 ? "lab: running for " + duration + " s (Ctrl-C stops earlier)" : "lab: running until Ctrl-C");
                long end = duration > 0 ? t0 + TimeUnit.SECONDS.toNanos(duration) : Long.MAX_VALUE;
                boolean killed = false;
                while (true) {
                    summary(lab, workers);
                    printAlerts(prom);
                    if (killLns && !killed && stop.getCount() > 0) {
                        killed = true;
                        killPreferredLns(lab, prom, stop, end);
                        continue;
                    }
                    long left = end - System.nanoTime();
                    if (left <= 0 || stop.await(Math.min(left, TimeUnit.SECONDS.toNanos(refresh)), TimeUnit.NANOSECONDS)) {
                        break;
                    }
                    if (!lab.lacd().alive()) {
                        System.out.println("lab: lacd exited:\n" + lab.lacd().tail(20));
                        return 1;
                    }
                }
                boolean clean = true;
                if (stop.getCount() > 0) {
                    // --duration: the emulators hang up by themselves; show what the subscribers saw
                    for (Lab.Subscribers s : List.of(a, b)) {
                        int rc = s.await(Duration.ofSeconds(30));
                        // --kill-lns ends reseller A's calls on lns-a1 on purpose; they redial, and a subscriber whose redial
                        // was still setting up when the run ended is not a failure of the demo
                        clean &= rc == 0 || killed && s.run().reseller().equals("a");
                        printReport(s);
                    }
                    summary(lab, workers);
                    printAlerts(prom);
                }
                System.out.println("lab: stopping (lacd closes every remaining call with CDN and PADT, sends accounting Stop)");
                return allUp && clean ? 0 : 1;
            } finally {
                done.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // in the hook
                }
                System.out.println("lab: torn down; namespaces left with prefix " + p + ": "
                        + Topology.namespacesStartingWith(p + "-"));
            }
        }

        static final String KILLED_LNS = "lns-a1";

        /**
         * --kill-lns: SIGKILL to reseller A's preferred LNS (no StopCCN), then, with Prometheus, waits (at most 90 s, or
         * until Ctrl-C or the end of --duration) for the shipped rule LacdHelloTimeouts to fire and says when it did.
         */
        static void killPreferredLns(Lab lab, LabPrometheus prom, CountDownLatch stop, long end) throws InterruptedException {
            System.out.println();
            System.out.println("lab: --kill-lns: killing " + KILLED_LNS + " (reseller A's preferred LNS, Tunnel-Preference 10) with"
                    + " SIGKILL: no StopCCN, lacd finds out when its HELLOs go unanswered");
            long k0 = System.nanoTime();
            lab.killLns(KILLED_LNS);
            if (prom == null) {
                return;
            }
            long deadline = Math.min(end, k0 + TimeUnit.SECONDS.toNanos(90));
            boolean fired = LabProcess.await(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), () -> stop.getCount() == 0
                    || safeAlerts(prom).stream().anyMatch(a -> a.name().equals("LacdHelloTimeouts") && a.state().equals("firing")));
            fired &= stop.getCount() > 0;
            System.out.printf(Locale.ROOT, fired ? "lab: Prometheus: LacdHelloTimeouts firing %.1f s after %s was killed%n"
                    : "lab: Prometheus: LacdHelloTimeouts not firing %.1f s after %s was killed%n", (System.nanoTime() - k0) / 1e9,
                    KILLED_LNS);
        }

        static List<LabPrometheus.Alert> safeAlerts(LabPrometheus prom) {
            try {
                return prom.alerts();
            } catch (RuntimeException e) {
                return List.of();
            }
        }

        /** The alerts of the demo's Prometheus, from its API: firing ones, then pending ones (waiting out their for:). */
        static void printAlerts(LabPrometheus prom) {
            if (prom == null) {
                return;
            }
            try {
                List<LabPrometheus.Alert> all = prom.alerts();
                if (all.isEmpty()) {
                    System.out.println("prometheus alerts: none firing or pending (target " + prom.targetHealth() + ")");
                    return;
                }
                System.out.println("prometheus alerts (GET " + prom.url() + "/api/v1/alerts):");
                for (String state : List.of("firing", "pending")) {
                    for (LabPrometheus.Alert a : all) {
                        if (a.state().equals(state)) {
                            System.out.println("  " + a);
                        }
                    }
                }
            } catch (RuntimeException e) {
                System.out.println("prometheus alerts unavailable: " + e.getMessage());
            }
        }

        static void printReport(Lab.Subscribers s) {
            try {
                JsonNode r = s.report();
                System.out.printf(Locale.ROOT, "subscribers %s: %d of %d established, %d failed %s; setup rate %.1f/s, latency p50 %.1f ms"
                                + " p99 %.1f ms; probes sent %d received %d lost %d%n", s.run().reseller().toUpperCase(Locale.ROOT),
                        r.path("established").asInt(), r.path("subscribers").asInt(), r.path("failed").asInt(), r.path("failures"),
                        r.path("setupRate").asDouble(), r.path("setupLatency").path("p50Ms").asDouble(),
                        r.path("setupLatency").path("p99Ms").asDouble(), r.path("packetsSent").asLong(),
                        r.path("packetsReceived").asLong(), r.path("packetsLost").asLong());
                if (r.path("redials").asLong() > 0) {
                    System.out.printf(Locale.ROOT, "  redials %d, back up %d (their sessions were ended: echoes unanswered, or PADT/Terminate"
                            + " from lacd when it found the LNS dead); probes lost in the outage count above%n",
                            r.path("redials").asLong(), r.path("reestablished").asLong());
                }
                // where a setup's time goes (p50 per phase, as the subscribers saw it)
                JsonNode ph = r.path("phaseLatency");
                System.out.printf(Locale.ROOT, "  setup phases p50: PADI->PADO %.0f ms, PADR->PADS %.0f ms, LCP %.0f ms, authentication %.0f ms"
                                + " (lacd asks RADIUS, brings up the tunnel if it is the first call to that LNS, places the call;"
                                + " the LNS answers the login), IPCP %.0f ms%n",
                        ph.path("padiToPado").path("p50Ms").asDouble(), ph.path("padrToPads").path("p50Ms").asDouble(),
                        ph.path("lcp").path("p50Ms").asDouble(), ph.path("auth").path("p50Ms").asDouble(),
                        ph.path("ipcp").path("p50Ms").asDouble());
                if (ph.path("auth").path("p50Ms").asDouble() > 200) {
                    System.out.println("  authentication is slow here because these subscribers came with a cold start: the first RADIUS answer and the first"
                            + " tunnel to each LNS (SCCRQ/SCCRP/SCCCN) take hundreds of ms to a second while JVMs warm up, and every call waits for them; later ones"
                            + " take tens of ms (test-lab/BENCHMARKS.md: 1,000 setups/s once warm)");
                }
            } catch (RuntimeException e) {
                System.out.println("subscribers " + s.run().reseller() + ": no report (" + e.getMessage() + ")");
            }
        }

        static int forwarding(Lab lab) {
            try {
                int n = 0;
                for (JsonNode s : lab.sessions()) {
                    if ("FORWARDING".equalsIgnoreCase(s.path("state").asText())) {
                        n++;
                    }
                }
                return n;
            } catch (RuntimeException e) {
                return 0;
            }
        }

        static void summary(Lab lab, int workers) {
            Map<String, int[]> byLns = new TreeMap<>();
            for (String n : lab.topology().lns().keySet()) {
                byLns.put(n, new int[2]);
            }
            try {
                for (JsonNode s : lab.sessions()) {
                    int[] c = byLns.computeIfAbsent(s.path("lns").asText("-"), k -> new int[2]);
                    c[0]++;
                    if ("FORWARDING".equalsIgnoreCase(s.path("state").asText())) {
                        c[1]++;
                    }
                }
                String m = lab.metrics();
                System.out.println();
                System.out.printf(Locale.ROOT, "%-9s %-8s %9s %11s %12s %12s%n", "reseller", "LNS", "sessions", "forwarding",
                        "LNS ipv4 in", "reflected");
                int[] tot = new int[2];
                for (var e : byLns.entrySet()) {
                    long[] st = lab.lnsStatus(e.getKey());
                    String reseller = e.getKey().startsWith("lns-a") ? "A" : e.getKey().startsWith("lns-b") ? "B" : "?";
                    System.out.printf(Locale.ROOT, "%-9s %-8s %9d %11d %12d %12d%s%n", reseller, e.getKey(), e.getValue()[0],
                            e.getValue()[1], st[4], st[5], lab.l2tpns(e.getKey()) != null ? "  (l2tpns)" : "");
                    tot[0] += e.getValue()[0];
                    tot[1] += e.getValue()[1];
                }
                System.out.printf(Locale.ROOT, "%-9s %-8s %9d %11d%n", "total", "", tot[0], tot[1]);
                System.out.println("lns-a2 and lns-b2 are the backups: RADIUS gives each user two tunnels, the reseller's"
                        + " x1 LNS with Tunnel-Preference 10 and x2 with 20, so x2 carries calls only while x1 is down or locked"
                        + " out (try --kill-lns)");
                System.out.printf(Locale.ROOT, "lacd: packets PPPoE in %.0f out %.0f, L2TP in %.0f out %.0f; setups ok %.0f failed %.0f;"
                                + " tunnels up %.0f%n",
                        Lab.sample(m, "lacd_packets_total", "protocol=\"pppoe\"", "direction=\"rx\""),
                        Lab.sample(m, "lacd_packets_total", "protocol=\"pppoe\"", "direction=\"tx\""),
                        Lab.sample(m, "lacd_packets_total", "protocol=\"l2tp\"", "direction=\"rx\""),
                        Lab.sample(m, "lacd_packets_total", "protocol=\"l2tp\"", "direction=\"tx\""),
                        Lab.sample(m, "lacd_session_setups_total", "result=\"success\""),
                        Lab.sample(m, "lacd_session_setups_total") - Lab.sample(m, "lacd_session_setups_total", "result=\"success\""),
                        Lab.sample(m, "lacd_tunnels", "state=\"established\""));
                StringBuilder w = new StringBuilder("lacd workers (PPPoE in/out, L2TP in/out, ring drops, ring peak fill, L2TP socket drops):");
                for (int i = 0; i < workers; i++) {
                    String wl = "worker=\"" + i + "\"";
                    w.append(String.format(Locale.ROOT, " w%d %.0f/%.0f %.0f/%.0f %.0f %.1f%% %.0f;", i,
                            Lab.sample(m, "lacd_worker_packets_total", "protocol=\"pppoe\"", "direction=\"rx\"", wl),
                            Lab.sample(m, "lacd_worker_packets_total", "protocol=\"pppoe\"", "direction=\"tx\"", wl),
                            Lab.sample(m, "lacd_worker_packets_total", "protocol=\"l2tp\"", "direction=\"rx\"", wl),
                            Lab.sample(m, "lacd_worker_packets_total", "protocol=\"l2tp\"", "direction=\"tx\"", wl),
                            Lab.sample(m, "lacd_worker_capture_drops_total", wl),
                            100 * Lab.sample(m, "lacd_worker_ring_peak_ratio", wl),
                            Lab.sample(m, "lacd_l2tp_socket_drops_total", wl)));
                }
                w.append(String.format(Locale.ROOT, " PADI ring drops %.0f", Lab.sample(m, "lacd_pppoe_padi_ring_drops_total")));
                System.out.println(w);
            } catch (RuntimeException e) {
                System.out.println("lab: summary unavailable: " + e.getMessage());
            }
        }
    }

    @Command(name = "cleanup", mixinStandardHelpOptions = true,
            description = "Deletes lab namespaces with the given prefix (left by a killed run) and what runs in them.")
    static final class Cleanup implements Callable<Integer> {
        @Option(names = "--prefix", required = true, description = "namespace name prefix, e.g. lacd-12345")
        String prefix;

        @Override
        public Integer call() {
            List<String> l = Topology.namespacesStartingWith(prefix);
            l.forEach(Topology::deleteNamespace);
            System.out.println("lab: removed " + l);
            return 0;
        }
    }

    static boolean exists(Path p) {
        return Files.exists(p);
    }
}
