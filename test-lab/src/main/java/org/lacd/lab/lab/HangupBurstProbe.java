package org.lacd.lab.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Diagnostic program: {@code n} subscribers come up and hang up together at the end of their run; a capture on
 * lacd's access interface counts the PADTs that reached lacd, and lacd's API shows what it still lists.
 *
 * <pre>
 * java -cp "test-lab/target/classes:$(cat test-lab/target/classpath.txt)" org.lacd.lab.lab.HangupBurstProbe 2000 400
 * </pre>
 */
public final class HangupBurstProbe {
    private HangupBurstProbe() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        double rate = args.length > 1 ? Double.parseDouble(args[1]) : 400;
        String prefix = Topology.uniquePrefix();
        Path dir = Path.of("/tmp", prefix);
        try (Lab lab = Lab.start(dir, LabOptions.defaults().withUsers(n).withLogLevel("warn")
                .withLockout(Duration.ofSeconds(10)).withSetupTimeout(Duration.ofSeconds(10)), prefix)) {
            Path pcap = dir.resolve("access.pcap");
            Path sent = dir.resolve("subscriber.pcap");
            LabProcess cap = LabProcess.start("capture", lab.topology().lacdNamespace(),
                    List.of("dumpcap", "-q", "-B", "64", "-s", "128", "-i", Topology.ACCESS_IF, "-w", pcap.toString()), dir.resolve("cap.log"));
            LabProcess cap2 = LabProcess.start("capture2", lab.topology().subscriberNamespace(),
                    List.of("dumpcap", "-q", "-B", "64", "-s", "128", "-i", Topology.SUB_IF, "-w", sent.toString()), dir.resolve("cap2.log"));
            Thread.sleep(2000);
            long seconds = (long) Math.ceil(n / rate) + 15;
            Lab.Subscribers s = lab.startSubscribers(Lab.SubscriberRun.of("a", n).rate(rate).duration(seconds + "s"));
            s.await(Duration.ofSeconds(seconds + 60));
            System.out.println("emulator: established " + s.report().path("established") + " completed " + s.report().path("completed"));
            for (int i = 0; i < 10; i++) {
                Thread.sleep(2000);
                System.out.println("lacd still lists " + lab.sessions().size() + " sessions");
            }
            for (LabProcess c : List.of(cap, cap2)) {
                c.signal("INT");
                c.stop(Duration.ofSeconds(5));
            }
            for (Path f : List.of(sent, pcap)) {
                for (String filter : List.of("pppoe.code == 0xa7 && eth.src[0:3] == 02:00:0a", "lcp && ppp.code == 5 && eth.src[0:3] == 02:00:0a",
                        "lcp && ppp.code == 6 && eth.dst[0:3] == 02:00:0a")) {
                    Sh.Result c = Sh.run(120, List.of("tshark", "-n", "-r", f.toString(), "-Y", filter));
                    if (!c.ok()) {
                        throw new LabException("tshark -Y '" + filter + "': " + c.out());
                    }
                    System.out.println(f.getFileName() + " [" + filter + "]: " + c.out().lines().filter(l -> !l.contains("Running as")).count());
                }
                System.out.println(Sh.run(60, List.of("capinfos", "-c", f.toString())).out().strip());
            }
            String m = lab.metrics();
            System.out.println(m.lines().filter(l -> l.startsWith("lacd_drops_total") || l.startsWith("lacd_session_teardowns_total")
                    || l.startsWith("lacd_packets_total{protocol=\"pppoe\"")).reduce("", (a, b) -> a + b + "\n"));
            // the other end: how the LNS saw each call end (a call still UP here never got its CDN)
            System.out.println("lns-a1 calls by result, stopped 20 s or more after the hang-up: "
                    + lab.stopLns("lns-a1").path("sessions").path("byResult"));
        }
    }
}
