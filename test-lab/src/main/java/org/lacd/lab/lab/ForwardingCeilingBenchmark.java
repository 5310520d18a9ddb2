package org.lacd.lab.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lacd.lab.subscriber.Probe;

/**
 * lacd's forwarding rate against this machine's ceiling for pcap4j receive-and-send, measured in one run on one
 * topology (a program, not a timed test).
 *
 * <p>Phase 1, lacd: the lab comes up, {@code subs} subscribers of reseller A dial in, then their emulator is killed
 * (SIGKILL: no PADT, the sessions stay in lacd) so that only the load generator and lacd touch the frames. For each IPv4
 * size and offered rate, a generator ({@link RawTools} {@code blast}, pinned to CPU 0) sends, round robin over the
 * sessions, either PPPoE session frames into lacd's access interface (upstream) or L2TP data messages from the LNS's
 * address into lacd's L2TP socket (downstream). lacd runs pinned to CPU 1. The sink is an nftables ingress rule on the
 * far side (the LNS's interface, or the subscriber's) that counts the forwarded frames and drops them, so nothing
 * behind it spends CPU; loss is frames sent minus frames counted. One frame in 100 carries its send time, and a
 * receiver on the far side ({@code latency}) reports the one-way delay. Each phase and direction starts with 5 s of
 * unrecorded traffic at the lowest rate (JIT warm-up).
 *
 * <p>Phase 2, the bare forwarder: lacd is stopped and {@link RawTools} {@code forward} (two of lacd's own PcapPorts,
 * receive and send unchanged, no protocol work, pinned to CPU 1) takes its place on the same interfaces; the same
 * frames at the same rates go through it to the same kind of sink. lacd's fraction of the ceiling is its highest
 * delivered rate at no more than 1 % loss over the bare forwarder's, per direction and size.
 *
 * <p>Phase 3, upstream only: {@link RawTools} {@code forward-udp}, pcap receive plus one UDP sendto per frame on an
 * epoll socket from the receive thread (how lacd sent before it batched its sends with sendmmsg), and no protocol work:
 * the ceiling of a per-frame UDP send on this machine, against which lacd's batching shows.
 *
 * <pre>
 * java -cp "test-lab/target/classes:$(cat test-lab/target/classpath.txt)" org.lacd.lab.lab.ForwardingCeilingBenchmark 16 64,512,1400 20000,40000,80000,120000,160000,200000,240000,280000 5
 * </pre>
 */
public final class ForwardingCeilingBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Loss above which a series stops: higher rates only lose more. */
    private static final double STOP_LOSS = 5.0;
    private static final int INNER_SRC = 0x64400001; // 100.64.0.1
    private static final int INNER_DST = 0xc6336401; // 198.51.100.1 (RFC 5737)
    /** lacd's L2TP source port in the lab (the config default) and the LNS's. */
    private static final int L2TP_PORT = 1701;

    private ForwardingCeilingBenchmark() {}

    record Point(long sent, long delivered, double seconds, double genPps, long p50, long p99, long samples) {
        double loss() { return sent == 0 ? 0 : 100.0 * (sent - delivered) / sent; }
        double deliveredPps() { return delivered / seconds; }
    }

    record Target(int pppoeId, int tunnelId, int callId, long subMac) {}

    public static void main(String[] args) throws Exception {
        int subs = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        int[] sizes = ints(args.length > 1 ? args[1] : "64,512,1400");
        int[] rates = ints(args.length > 2 ? args[2] : "20000,40000,80000,120000,160000,200000,240000,280000");
        double seconds = args.length > 3 ? Double.parseDouble(args[3]) : 5;
        List<String> directions = List.of((args.length > 4 ? args[4] : "up,down").split(","));
        String prefix = Topology.uniquePrefix();
        Path dir = Path.of("/tmp", prefix);
        Map<String, Point> results = new LinkedHashMap<>();
        try (Lab lab = Lab.start(dir, LabOptions.defaults().withUsers(subs).withHeap("1g").withLogLevel("warn"), prefix)) {
            Topology topo = lab.topology();
            Topology.LnsNode lns = topo.lns("lns-a1");
            Lab.Subscribers s = lab.startSubscribers(Lab.SubscriberRun.of("a", subs).rate(100).auth("chap").duration("2h"));
            // up at the LNS (IPCP done), not just forwarding in lacd: the emulator must not die mid-IPCP
            if (!LabProcess.await(Duration.ofSeconds(60), () -> upAtLns(lab, lns.name()) == subs && forwardingOn(lab, lns.name()) == subs)) {
                throw new LabException("only " + upAtLns(lab, lns.name()) + " of " + subs + " sessions up on " + lns.name() + ":\n"
                        + lab.diagnostics());
            }
            s.process().kill();
            List<Target> targets = new ArrayList<>();
            for (JsonNode v : lab.sessions()) {
                targets.add(new Target(v.path("pppoeSessionId").asInt(), v.path("tunnelId").asInt(), v.path("callId").asInt(),
                        macValue(v.path("mac").asText())));
            }
            long accMac = macValue(mac(topo.lacdNamespace(), Topology.ACCESS_IF));
            long lacLnsMac = macValue(mac(topo.lacdNamespace(), lns.lacInterface()));
            long lnsMac = macValue(mac(lns.namespace(), "eth0"));
            int lacIp = ipv4(lns.lacAddress());
            int lnsIp = ipv4(lns.address());
            for (int size : sizes) {
                writeFrames(dir.resolve("up-" + size + ".frames"), targets, size, t -> pppoe(accMac, t, size, false),
                        t -> pppoe(accMac, t, size, true));
                writeFrames(dir.resolve("down-" + size + ".frames"), targets, size,
                        t -> l2tp(lacLnsMac, lnsMac, lnsIp, lacIp, t, size, false), t -> l2tp(lacLnsMac, lnsMac, lnsIp, lacIp, t, size, true));
            }
            sink(topo, lns.namespace(), "eth0", dir);
            sink(topo, topo.subscriberNamespace(), Topology.SUB_IF, dir);
            Sh.Result pin = Sh.run("taskset", "-a", "-p", "-c", "1", Long.toString(lab.lacd().pid()));
            System.out.println("lacd pinned to CPU 1: " + (pin.ok() ? "yes" : pin.out().strip()) + "; " + targets.size()
                    + " sessions on " + lns.name());

            sweep("lacd", lab, lns, dir, directions, sizes, rates, seconds, results);

            lab.stopLacd(Duration.ofSeconds(20));
            LabProcess bare = LabProcess.start("bare forwarder", topo.lacdNamespace(), pinned(1, "forward", "--a",
                    Topology.ACCESS_IF, "--a-filter", "ether proto 0x8864", "--b", lns.lacInterface(), "--b-filter",
                    "udp dst port " + L2TP_PORT), dir.resolve("bare-forwarder.log"));
            if (!LabProcess.await(Duration.ofSeconds(30), () -> bare.logContains("forwarding"))) {
                throw new LabException("bare forwarder did not start:\n" + bare.tail(20));
            }
            sweep("bare", lab, lns, dir, directions, sizes, rates, seconds, results);
            bare.stop(Duration.ofSeconds(10));
            System.out.println("bare forwarder: " + bare.tail(1).strip());
            if (directions.contains("up")) {
                // phase 3: pcap receive plus one UDP sendto per frame, no protocol work (the per-frame UDP send ceiling)
                LabProcess udp = LabProcess.start("bare udp forwarder", topo.lacdNamespace(), pinned(1, "forward-udp", "--a",
                        Topology.ACCESS_IF, "--a-filter", "ether proto 0x8864", "--to", lns.address() + ":" + L2TP_PORT),
                        dir.resolve("bare-udp-forwarder.log"));
                if (!LabProcess.await(Duration.ofSeconds(30), () -> udp.logContains("forwarding") || !udp.alive())) {
                    throw new LabException("bare UDP forwarder did not start:\n" + udp.tail(20));
                }
                sweep("bare-udp", lab, lns, dir, List.of("up"), sizes, rates, seconds, results);
                udp.stop(Duration.ofSeconds(10));
                System.out.println("bare UDP forwarder: " + udp.tail(1).strip());
            }
        }
        report(directions, sizes, rates, results);
    }

    private static void sweep(String phase, Lab lab, Topology.LnsNode lns, Path dir, List<String> directions, int[] sizes, int[] rates,
                              double seconds, Map<String, Point> results) throws Exception {
        Topology topo = lab.topology();
        for (String direction : directions) {
            boolean up = direction.equals("up");
            String genNs = up ? topo.subscriberNamespace() : lns.namespace();
            String genIf = up ? Topology.SUB_IF : "eth0";
            String sinkNs = up ? lns.namespace() : topo.subscriberNamespace();
            String sinkIf = up ? "eth0" : Topology.SUB_IF;
            // warm-up, not recorded: JIT compilation of the forwarding path happens here, not in the first point
            point(lab, dir, genNs, genIf, sinkNs, sinkIf, dir.resolve(direction + "-" + sizes[0] + ".frames"), "less 1", rates[0], 5,
                    phase + "-" + direction + "-warmup");
            for (int size : sizes) {
                // what arrives at the sink: PPPoE (22 B of headers before the IPv4 packet) or L2TP over UDP (52 B)
                boolean pppoeAtSink = up == phase.equals("bare"); // bare-udp sends UDP, like lacd
                String latencyFilter = (pppoeAtSink ? "ether proto 0x8864 and greater " + (22 + size + 8)
                        : "udp dst port " + L2TP_PORT + " and greater " + (52 + size + 8));
                for (int rate : rates) {
                    String m0 = phase.equals("lacd") ? lab.metrics() : "";
                    long soft0 = softnetDrops();
                    Point p = point(lab, dir, genNs, genIf, sinkNs, sinkIf, dir.resolve(direction + "-" + size + ".frames"),
                            latencyFilter, rate, seconds, phase + "-" + direction + "-" + size + "-" + rate);
                    results.put(key(phase, direction, size, rate), p);
                    System.out.printf(Locale.ROOT, "%s %s %5d B offered %7d: generated %7.0f pps, delivered %7.0f pps, loss %.3f %%,"
                                    + " one-way p50 %d us p99 %d us (%d samples)%n", phase, direction, size, rate, p.genPps(),
                            p.deliveredPps(), p.loss(), p.p50(), p.p99(), p.samples());
                    long softnet = softnetDrops() - soft0;
                    if (phase.equals("lacd")) {
                        String m1 = lab.metrics();
                        System.out.printf(Locale.ROOT, "    lacd: pppoe rx %.0f tx %.0f, l2tp rx %.0f tx %.0f, drops %s, capture drops %.0f; softnet backlog drops %d%n",
                                delta(m0, m1, "lacd_packets_total", "protocol=\"pppoe\"", "direction=\"rx\""),
                                delta(m0, m1, "lacd_packets_total", "protocol=\"pppoe\"", "direction=\"tx\""),
                                delta(m0, m1, "lacd_packets_total", "protocol=\"l2tp\"", "direction=\"rx\""),
                                delta(m0, m1, "lacd_packets_total", "protocol=\"l2tp\"", "direction=\"tx\""),
                                dropLines(m1), delta(m0, m1, "lacd_pppoe_capture_drops_total"), softnet);
                    } else {
                        System.out.printf(Locale.ROOT, "    softnet backlog drops %d%n", softnet);
                    }
                    if (p.loss() > STOP_LOSS) {
                        break;
                    }
                }
            }
        }
    }

    private static Point point(Lab lab, Path dir, String genNs, String genIf, String sinkNs, String sinkIf, Path frames,
                               String latencyFilter, int rate, double seconds, String name) throws Exception {
        Topology topo = lab.topology();
        long c0 = sinkCount(topo, sinkNs);
        LabProcess probe = LabProcess.start("latency " + name, sinkNs, pinned(0, "latency", "--interface", sinkIf,
                "--filter", latencyFilter, "--seconds", Double.toString(seconds + 3)), dir.resolve("latency-" + name + ".log"));
        if (!LabProcess.await(Duration.ofSeconds(30), () -> probe.logContains("ready") || !probe.alive())) {
            throw new LabException("latency receiver did not start:\n" + probe.tail(20));
        }
        LabProcess gen = LabProcess.start("blast " + name, genNs, pinned(0, "blast", "--interface", genIf,
                "--frames", frames.toString(), "--rate", Integer.toString(rate), "--seconds", Double.toString(seconds)), dir.resolve("blast-" + name + ".log"));
        if (gen.await(Duration.ofSeconds((long) seconds + 60)) != 0) {
            throw new LabException("generator failed:\n" + gen.tail(20));
        }
        Thread.sleep(500);
        long c1 = sinkCount(topo, sinkNs);
        probe.await(Duration.ofSeconds((long) seconds + 30));
        JsonNode g = lastJson(gen);
        JsonNode l = lastJson(probe);
        return new Point(g.path("sent").asLong(), c1 - c0, g.path("seconds").asDouble(), g.path("pps").asDouble(),
                l.path("p50Us").asLong(-1), l.path("p99Us").asLong(-1), l.path("samples").asLong());
    }

    private static JsonNode lastJson(LabProcess p) throws IOException {
        String[] lines = p.log().strip().split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (lines[i].startsWith("{")) {
                return JSON.readTree(lines[i]);
            }
        }
        throw new LabException(p.name() + " printed no result:\n" + p.tail(20));
    }

    /** A {@link RawTools} process restricted to one CPU. */
    private static List<String> pinned(int cpu, String... args) {
        List<String> cmd = new ArrayList<>(List.of("taskset", "-c", Integer.toString(cpu)));
        cmd.addAll(tool(args));
        return cmd;
    }

    private static List<String> tool(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Lab.java(), "-Xmx256m", "-cp", Lab.classpath(), RawTools.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    // ---------------------------------------------------------------- sinks

    /** nftables at the far side's ingress: count the forwarded data frames and drop them (L2TP control passes). */
    private static void sink(Topology topo, String ns, String iface, Path dir) throws IOException {
        String rules = """
            table netdev lacd_sink {
              chain in {
                type filter hook ingress device "%s" priority 0; policy accept;
                ether type 0x8864 counter drop
                udp dport %d @th,64,1 0 counter drop
              }
            }
            """.formatted(iface, L2TP_PORT);
        Path f = dir.resolve("sink-" + ns + ".nft");
        Files.writeString(f, rules);
        Sh.Result r = topo.exec(ns, 10, "nft", "-f", f.toString());
        if (!r.ok()) {
            throw new LabException("nft sink in " + ns + ": " + r.out());
        }
    }

    private static long sinkCount(Topology topo, String ns) {
        Sh.Result r = topo.exec(ns, 10, "nft", "list", "table", "netdev", "lacd_sink");
        long n = 0;
        Matcher m = Pattern.compile("counter packets (\\d+)").matcher(r.out());
        while (m.find()) {
            n += Long.parseLong(m.group(1));
        }
        return n;
    }

    // ---------------------------------------------------------------- frames

    private static void writeFrames(Path file, List<Target> targets, int size, java.util.function.Function<Target, byte[]> plain,
                                    java.util.function.Function<Target, byte[]> marked) throws IOException {
        StringBuilder b = new StringBuilder();
        for (Target t : targets) {
            b.append("n ").append(HexFormat.of().formatHex(plain.apply(t))).append('\n');
            b.append("m ").append(HexFormat.of().formatHex(marked.apply(t))).append('\n');
        }
        Files.writeString(file, b);
    }

    /** A PPPoE session frame from the subscriber carrying an IPv4 packet of {@code size} (+8 when marked). */
    static byte[] pppoe(long lacMac, Target t, int size, boolean marked) {
        int ip = size + (marked ? 8 : 0);
        byte[] f = new byte[22 + ip];
        ether(f, lacMac, t.subMac(), 0x8864);
        f[14] = 0x11;
        put16(f, 16, t.pppoeId());
        put16(f, 18, 2 + ip);
        put16(f, 20, 0x0021);
        Probe.write(f, 22, ip, INNER_SRC, INNER_DST, t.pppoeId(), 0, 0);
        return f;
    }

    /** An L2TP data message from the LNS (UDP 1701 to 1701) with PPP (ff03, IPv4) carrying {@code size} (+8 when marked). */
    static byte[] l2tp(long dstMac, long srcMac, int srcIp, int dstIp, Target t, int size, boolean marked) {
        int ip = size + (marked ? 8 : 0);
        byte[] f = new byte[52 + ip];
        ether(f, dstMac, srcMac, 0x0800);
        int o = 14;
        f[o] = 0x45;
        put16(f, o + 2, f.length - 14);
        put16(f, o + 6, 0x4000);
        f[o + 8] = 64;
        f[o + 9] = 17;
        put32(f, o + 12, srcIp);
        put32(f, o + 16, dstIp);
        put16(f, o + 10, Probe.checksum(f, o, 20));
        int u = o + 20;
        put16(f, u, L2TP_PORT);
        put16(f, u + 2, L2TP_PORT);
        put16(f, u + 4, f.length - u);
        int l = u + 8;
        put16(f, l, 0x0002);
        put16(f, l + 2, t.tunnelId());
        put16(f, l + 4, t.callId());
        f[l + 6] = (byte) 0xff;
        f[l + 7] = 0x03;
        put16(f, l + 8, 0x0021);
        Probe.write(f, 52, ip, INNER_DST, INNER_SRC, t.pppoeId(), 0, 0);
        return f;
    }

    private static void ether(byte[] f, long dst, long src, int type) {
        org.lacd.pppoe.wire.MacAddress.write(dst, f, 0);
        org.lacd.pppoe.wire.MacAddress.write(src, f, 6);
        put16(f, 12, type);
    }

    private static void put16(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 8);
        b[o + 1] = (byte) v;
    }

    private static void put32(byte[] b, int o, int v) {
        put16(b, o, v >>> 16);
        put16(b, o + 2, v);
    }

    // ---------------------------------------------------------------- helpers

    private static double delta(String m0, String m1, String name, String... labels) {
        return Lab.sample(m1, name, labels) - Lab.sample(m0, name, labels);
    }

    private static String dropLines(String m) {
        List<String> out = new ArrayList<>();
        for (String line : m.split("\n")) {
            if (line.startsWith("lacd_drops_total{")) {
                out.add(line.substring("lacd_drops_total".length()));
            }
        }
        return out.toString();
    }

    /** Frames the kernel dropped because a CPU's input backlog was full (second column of softnet_stat, all CPUs). */
    static long softnetDrops() {
        long n = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/softnet_stat"))) {
                String[] f = line.strip().split("\\s+");
                n += Long.parseLong(f[1], 16);
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return n;
    }

    private static int forwardingOn(Lab lab, String lns) {
        try {
            return lab.sessionsByLns("forwarding").getOrDefault(lns, 0);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static int upAtLns(Lab lab, String lns) {
        try {
            return lab.lnsControl(lns, "GET", "/report").path("sessions").path("up").asInt();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    static String mac(String ns, String iface) {
        Matcher m = Pattern.compile("link/ether ([0-9a-f:]{17})").matcher(Sh.run("ip", "-n", ns, "-o", "link", "show", "dev", iface).out());
        if (!m.find()) {
            throw new LabException("no MAC address for " + iface + " in " + ns);
        }
        return m.group(1);
    }

    static long macValue(String mac) {
        return Long.parseLong(mac.replace(":", "").replace("-", ""), 16);
    }

    static int ipv4(String dotted) {
        int v = 0;
        for (String p : dotted.split("\\.")) {
            v = (v << 8) | Integer.parseInt(p);
        }
        return v;
    }

    private static int[] ints(String csv) {
        String[] p = csv.split(",");
        int[] out = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = Integer.parseInt(p[i].strip());
        }
        return out;
    }

    private static String key(String phase, String direction, int size, int rate) {
        return phase + "/" + direction + "/" + size + "/" + rate;
    }

    // ---------------------------------------------------------------- report

    private static void report(List<String> directions, int[] sizes, int[] rates, Map<String, Point> r) {
        System.out.println();
        System.out.println("| direction | IPv4 B | offered pps | lacd: generated / delivered pps | lacd loss | lacd one-way p50 / p99 us"
                + " | bare: generated / delivered pps | bare loss | bare one-way p50 / p99 us |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (String d : directions) {
            for (int size : sizes) {
                for (int rate : rates) {
                    Point l = r.get(key("lacd", d, size, rate));
                    Point b = r.get(key("bare", d, size, rate));
                    if (l == null && b == null) {
                        continue;
                    }
                    System.out.printf(Locale.ROOT, "| %s | %d | %d | %s | %s | %s | %s | %s | %s |%n", d, size, rate, rates(l), loss(l), lat(l),
                            rates(b), loss(b), lat(b));
                }
            }
        }
        System.out.println();
        System.out.println("| direction | IPv4 B | lacd zero-loss pps | bare zero-loss pps | lacd at <= 1 % loss pps | bare at <= 1 % loss pps"
                + " | lacd / bare | pcap-to-UDP bare at <= 1 % loss pps | lacd / pcap-to-UDP bare |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (String d : directions) {
            for (int size : sizes) {
                double lz = best(r, "lacd", d, size, rates, 0.0);
                double bz = best(r, "bare", d, size, rates, 0.0);
                double l1 = best(r, "lacd", d, size, rates, 1.0);
                double b1 = best(r, "bare", d, size, rates, 1.0);
                double u1 = best(r, "bare-udp", d, size, rates, 1.0);
                System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.0f | %.0f | %.0f %% | %s | %s |%n", d, size, lz, bz, l1, b1,
                        b1 > 0 ? 100.0 * l1 / b1 : 0, u1 > 0 ? String.format(Locale.ROOT, "%.0f", u1) : "-",
                        u1 > 0 ? String.format(Locale.ROOT, "%.0f %%", 100.0 * l1 / u1) : "-");
            }
        }
    }

    /** Highest delivered rate among the points with at most {@code maxLoss} % loss. */
    private static double best(Map<String, Point> r, String phase, String d, int size, int[] rates, double maxLoss) {
        double best = 0;
        for (int rate : rates) {
            Point p = r.get(key(phase, d, size, rate));
            if (p != null && p.loss() <= maxLoss) {
                best = Math.max(best, p.deliveredPps());
            }
        }
        return best;
    }

    private static String rates(Point p) {
        return p == null ? "-" : String.format(Locale.ROOT, "%.0f / %.0f", p.genPps(), p.deliveredPps());
    }

    private static String loss(Point p) {
        return p == null ? "-" : String.format(Locale.ROOT, "%.3f %%", p.loss());
    }

    private static String lat(Point p) {
        return p == null ? "-" : p.p50() + " / " + p.p99();
    }
}
