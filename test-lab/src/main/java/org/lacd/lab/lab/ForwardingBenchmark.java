package org.lacd.lab.lab;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Forwarding benchmark through the namespace lab (a program, not a timed test): {@code subs} subscribers of reseller
 * A send IPv4 probes of each size at each offered total rate; the LNS emulator reflects them, so every probe
 * crosses lacd twice (PPPoE to L2TP upstream, L2TP to PPPoE downstream). Per run: probes sent and received, loss,
 * round-trip p50/p99, and lacd's own packet counters. The emulators share the machine's two cores with lacd.
 *
 * <pre>
 * java -cp "test-lab/target/classes:$(cat test-lab/target/classpath.txt)" org.lacd.lab.lab.ForwardingBenchmark 20 64,512,1400 2000,10000,20000 15
 * </pre>
 */
public final class ForwardingBenchmark {
    private ForwardingBenchmark() {}

    public static void main(String[] args) throws Exception {
        int subs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        String[] sizes = (args.length > 1 ? args[1] : "64,512,1400").split(",");
        String[] rates = (args.length > 2 ? args[2] : "2000,10000,20000").split(",");
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 15;
        String prefix = Topology.uniquePrefix();
        List<String> rows = new ArrayList<>();
        try (Lab lab = Lab.start(Path.of("/tmp", prefix), LabOptions.defaults().withUsers(subs).withHeap("1g").withLogLevel("warn").withLockout(java.time.Duration.ofSeconds(10)).withSetupTimeout(java.time.Duration.ofSeconds(10)), prefix)) {
            for (String size : sizes) {
                for (String rate : rates) {
                    int total = Integer.parseInt(rate);
                    int perSub = Math.max(1, total / subs);
                    String m0 = lab.metrics();
                    Lab.Subscribers s = lab.startSubscribers(Lab.SubscriberRun.of("a", subs).rate(200).auth("chap")
                            .traffic(perSub, Integer.parseInt(size)).duration(seconds + "s"));
                    s.await(java.time.Duration.ofSeconds(seconds + 60L));
                    String m1 = lab.metrics();
                    JsonNode r = s.report();
                    long sent = r.path("packetsSent").asLong();
                    long recv = r.path("packetsReceived").asLong();
                    double loss = sent == 0 ? 0 : 100.0 * (sent - recv) / sent;
                    double up = Lab.sample(m1, "lacd_packets_total", "protocol=\"pppoe\"", "direction=\"rx\"")
                            - Lab.sample(m0, "lacd_packets_total", "protocol=\"pppoe\"", "direction=\"rx\"");
                    double down = Lab.sample(m1, "lacd_packets_total", "protocol=\"pppoe\"", "direction=\"tx\"")
                            - Lab.sample(m0, "lacd_packets_total", "protocol=\"pppoe\"", "direction=\"tx\"");
                    double active = (double) sent / (subs * perSub); // seconds of traffic at the offered rate
                    String row = String.format(Locale.ROOT, "| %s | %d | %d | %d | %.3f %% | %.0f | %.2f / %.2f | %.0f / %.0f |",
                            size, subs * perSub, sent, recv, loss, active > 0 ? recv / active : 0,
                            r.path("roundTrip").path("p50Ms").asDouble(), r.path("roundTrip").path("p99Ms").asDouble(), up, down);
                    rows.add(row);
                    System.out.println(row);
                    lab.awaitNoSessions(java.time.Duration.ofSeconds(30));
                }
            }
        }
        System.out.println();
        System.out.println("| IPv4 size B | offered pps (each way) | probes sent | received | loss | delivered pps (each way) | RTT p50 / p99 ms | lacd PPPoE rx / tx frames |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
    }
}
