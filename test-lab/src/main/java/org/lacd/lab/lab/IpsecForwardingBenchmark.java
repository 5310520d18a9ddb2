package org.lacd.lab.lab;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Forwarding with and without IPsec through the same namespace lab (issue 17; a program, not a timed test): an
 * {@link IpsecLab} (lns-a1 behind a strongSwan peer, userspace ESP through kernel-libipsec on both sides), and
 * {@code subs} subscribers of reseller A sending IPv4 probes of each size at each offered total rate, reflected by the
 * LNS. Each (size, rate) runs twice: through lns-a1 over IPsec, then with lns-a1 drained, through lns-a2 in clear.
 * The emulators, lacd and both charons share the machine's two cores: userspace ESP is this machine's limit, not a
 * deployment's (kernel ESP, or ESP offload, on a real box).
 *
 * <pre>
 * java -cp "test-lab/target/classes:$(cat test-lab/target/classpath.txt)" org.lacd.lab.lab.IpsecForwardingBenchmark 10 64,1400 1000,4000,8000 10
 * </pre>
 */
public final class IpsecForwardingBenchmark {
    private IpsecForwardingBenchmark() {}

    public static void main(String[] args) throws Exception {
        int subs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        String[] sizes = (args.length > 1 ? args[1] : "64,1400").split(",");
        String[] rates = (args.length > 2 ? args[2] : "1000,4000,8000").split(",");
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        String missing = StrongSwan.missingPrerequisite();
        if (missing != null) {
            throw new LabException(missing);
        }
        String prefix = Topology.uniquePrefix();
        List<String> rows = new ArrayList<>();
        try (Lab lab = Lab.start(Path.of("/tmp", prefix), LabOptions.defaults().withUsers(subs).withHeap("1g").withLogLevel("warn")
                .withLockout(Duration.ofSeconds(10)).withSetupTimeout(Duration.ofSeconds(10))
                // e.g. -Dlab.l2tp.extra="udp-gso: false" to compare lacd's upstream send modes through ESP
                .withL2tpExtra(System.getProperty("lab.l2tp.extra", "")), prefix);
             IpsecLab ipsec = IpsecLab.start(lab)) {
            for (String size : sizes) {
                for (String rate : rates) {
                    for (boolean protectedPath : new boolean[] {true, false}) {
                        lab.apiPost("lns/" + IpsecLab.LNS + (protectedPath ? "/undrain" : "/drain"));
                        String lns = protectedPath ? IpsecLab.LNS : "lns-a2";
                        int total = Integer.parseInt(rate);
                        int perSub = Math.max(1, total / subs);
                        Lab.Subscribers s = lab.startSubscribers(Lab.SubscriberRun.of("a", subs).rate(100).auth("chap")
                                .traffic(perSub, Integer.parseInt(size)).duration(seconds + "s"));
                        LabProcess.await(Duration.ofSeconds(30), () -> lab.sessionsByLns("forwarding").getOrDefault(lns, 0) == subs);
                        int onLns = lab.sessionsByLns("forwarding").getOrDefault(lns, 0);
                        s.await(Duration.ofSeconds(seconds + 60L));
                        JsonNode r = s.report();
                        long sent = r.path("packetsSent").asLong();
                        long recv = r.path("packetsReceived").asLong();
                        double loss = sent == 0 ? 0 : 100.0 * (sent - recv) / sent;
                        double active = (double) sent / (subs * perSub);
                        String row = String.format(Locale.ROOT, "| %s | %s | %d | %d | %d | %d | %.3f %% | %.0f | %.2f / %.2f |",
                                protectedPath ? "IPsec (lns-a1)" : "clear (lns-a2)", size, onLns, subs * perSub, sent, recv, loss,
                                active > 0 ? recv / active : 0, r.path("roundTrip").path("p50Ms").asDouble(),
                                r.path("roundTrip").path("p99Ms").asDouble());
                        rows.add(row);
                        System.out.println(row);
                        lab.awaitNoSessions(Duration.ofSeconds(30));
                    }
                }
            }
            System.out.println(ipsec.lacCharon().listSas());
        }
        System.out.println();
        System.out.println("| path | IPv4 size B | sessions on the LNS | offered pps (each way) | probes sent | received | loss | delivered pps (each way) | RTT p50 / p99 ms |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
    }
}
