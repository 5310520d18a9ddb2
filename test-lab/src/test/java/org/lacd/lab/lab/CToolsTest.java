package org.lacd.lab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.testsupport.RealPeer;
import org.lacd.testsupport.Peers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark's C tools in a lab topology (no lacd): afp-gen replays a frames file, afp-fwd forwards what its filters
 * take, unchanged, both ways, and nothing else; the sinks are nftables counters on the far sides.
 */
@RealPeer
class CToolsTest {
    static final String ROOT = Topology.uniquePrefix();
    static final ObjectMapper JSON = new ObjectMapper();
    static final long RATE = 10_000;

    @TempDir
    Path dir;

    @AfterAll
    static void nothingLeft() {
        assertEquals(List.of(), Topology.namespacesStartingWith(ROOT), "namespaces left behind");
    }

    @Test
    void forwarderCarriesWhatItsFiltersTakeUnchangedAndNothingElse() throws Exception {
        Peers.require("root".equals(System.getProperty("user.name")) && Sh.have("ip") && Sh.have("nft") && Sh.have("gcc"),
                "needs root, iproute2, nftables and gcc");
        CTools c = CTools.compile(dir.resolve("bin"));
        try (Topology t = Topology.create(ROOT + "-t", false)) {
            Topology.LnsNode lns = t.lns("lns-a1");
            long accMac = ForwardingCeilingBenchmark.macValue(ForwardingCeilingBenchmark.mac(t.lacdNamespace(), Topology.ACCESS_IF));
            long lacLnsMac = ForwardingCeilingBenchmark.macValue(ForwardingCeilingBenchmark.mac(t.lacdNamespace(), lns.lacInterface()));
            long lnsMac = ForwardingCeilingBenchmark.macValue(ForwardingCeilingBenchmark.mac(lns.namespace(), "eth0"));
            long subMac = 0x02aabbcc0001L;
            ForwardingCeilingBenchmark.Target target = new ForwardingCeilingBenchmark.Target(0x1234, 7, 9, subMac);
            int lnsIp = ForwardingCeilingBenchmark.ipv4(lns.address());
            int lacIp = ForwardingCeilingBenchmark.ipv4(lns.lacAddress());
            byte[] up = ForwardingCeilingBenchmark.pppoe(accMac, target, 64, false);
            byte[] upMarked = ForwardingCeilingBenchmark.pppoe(accMac, target, 64, true);
            byte[] down = ForwardingCeilingBenchmark.l2tp(lacLnsMac, lnsMac, lnsIp, lacIp, target, 64, false);
            byte[] downMarked = ForwardingCeilingBenchmark.l2tp(lacLnsMac, lnsMac, lnsIp, lacIp, target, 64, true);
            Path upFrames = frames("up", up, upMarked);
            Path downFrames = frames("down", down, downMarked);
            // the same frames the filters must refuse: another EtherType upstream, another UDP port downstream
            byte[] otherType = up.clone();
            otherType[12] = (byte) 0x88;
            otherType[13] = (byte) 0xb5;
            byte[] otherPort = down.clone();
            otherPort[14 + 20 + 3] = (byte) 0xa6; // destination port 1702
            Path noiseUp = frames("noise-up", otherType, otherType);
            Path noiseDown = frames("noise-down", otherPort, otherPort);

            // sinks: the exact frames (MACs and EtherType as sent), and the refused kind (the kernel's own frames pass)
            sink(t, lns.namespace(), "eth0", "ether daddr " + mac(accMac) + " ether saddr " + mac(subMac) + " ether type 0x8864",
                    "ether type 0x88b5");
            sink(t, t.subscriberNamespace(), Topology.SUB_IF,
                    "ether daddr " + mac(lacLnsMac) + " ether saddr " + mac(lnsMac) + " ip saddr " + lns.address() + " udp dport 1701",
                    "udp dport 1702");

            LabProcess fwd = LabProcess.start("afp-fwd", t.lacdNamespace(),
                    c.forwardCommand(Topology.ACCESS_IF, "ether:0x8864", lns.lacInterface(), "udp:1701"), dir.resolve("fwd.log"));
            try {
                assertTrue(LabProcess.await(Duration.ofSeconds(10), () -> fwd.logContains("forwarding") || !fwd.alive()), fwd.tail(10));
                assertTrue(fwd.alive(), fwd.tail(10));

                JsonNode upGen = generate(t, c, t.subscriberNamespace(), Topology.SUB_IF, upFrames, true);
                JsonNode downGen = generate(t, c, lns.namespace(), "eth0", downFrames, true);
                // the noise goes with the generator's other send path (sendmmsg); the exact frames went through its TX ring
                JsonNode noiseUpGen = generate(t, c, t.subscriberNamespace(), Topology.SUB_IF, noiseUp, false);
                JsonNode noiseDownGen = generate(t, c, lns.namespace(), "eth0", noiseDown, false);
                for (JsonNode g : List.of(upGen, downGen, noiseUpGen, noiseDownGen)) {
                    long sent = g.path("sent").asLong();
                    // paced: never more than the offered rate allows (one batch of slack), and something was sent
                    assertTrue(sent > 0 && sent <= RATE + 64, g.toString());
                    assertEquals(0, g.path("errors").asLong(), g.toString());
                    // every 100th frame is a marked one
                    assertEquals(sent / 100, g.path("marked").asLong(), g.toString());
                }
                long upSent = upGen.path("sent").asLong();
                long downSent = downGen.path("sent").asLong();
                Map<String, Long> upSink = awaitCounts(t, lns.namespace(), upSent);
                Map<String, Long> downSink = awaitCounts(t, t.subscriberNamespace(), downSent);
                assertEquals(Map.of("exact", upSent, "other", 0L), upSink, "upstream sink");
                assertEquals(Map.of("exact", downSent, "other", 0L), downSink, "downstream sink");
            } finally {
                fwd.stop(Duration.ofSeconds(10));
            }
            JsonNode counts = lastJson(fwd.log());
            assertEquals(counts.path("acc0->l2tp-a1").asLong() + counts.path("l2tp-a1->acc0").asLong(),
                    sinkCounts(t, lns.namespace()).get("exact") + sinkCounts(t, t.subscriberNamespace()).get("exact"), counts.toString());
            assertEquals(0, counts.path("sendErrors").asLong(), counts.toString());
            assertEquals(0, counts.path("ringDrops").path("acc0").asLong() + counts.path("ringDrops").path("l2tp-a1").asLong(),
                    counts.toString());
        }
    }

    @Test
    void cpuSecondsCountsUserAndSystemTicksAfterTheCommandName() {
        // comm may hold spaces and ')': fields are counted from the last ')'; utime 250 + stime 150 ticks at 100/s
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 150 0 0 20 0 30 0 12345 0 0";
        assertEquals(4.0, ForwardingCeilingBenchmark.cpuSecondsOf(stat, 100), 1e-9);
    }

    private Path frames(String name, byte[] plain, byte[] marked) throws Exception {
        Path f = dir.resolve(name + ".frames");
        Files.writeString(f, "n " + HexFormat.of().formatHex(plain) + "\nm " + HexFormat.of().formatHex(marked) + "\n");
        return f;
    }

    private JsonNode generate(Topology t, CTools c, String ns, String iface, Path frames, boolean txRing) throws Exception {
        Sh.Result r = t.exec(ns, 30, c.generateCommand(iface, frames, RATE, 1.0, txRing).toArray(String[]::new));
        assertTrue(r.ok(), r.out());
        return lastJson(r.out());
    }

    private static JsonNode lastJson(String out) throws Exception {
        List<String> lines = out.strip().lines().filter(l -> l.startsWith("{")).toList();
        assertTrue(!lines.isEmpty(), out);
        return JSON.readTree(lines.get(lines.size() - 1));
    }

    private void sink(Topology t, String ns, String iface, String exact, String refused) throws Exception {
        Path f = dir.resolve("sink-" + ns + ".nft");
        Files.writeString(f, """
            table netdev ctools_sink {
              chain in {
                type filter hook ingress device "%s" priority 0; policy accept;
                %s counter drop comment "exact"
                %s counter drop comment "other"
              }
            }
            """.formatted(iface, exact, refused));
        Sh.Result r = t.exec(ns, 10, "nft", "-f", f.toString());
        assertTrue(r.ok(), r.out());
    }

    private static Map<String, Long> sinkCounts(Topology t, String ns) {
        String out = t.exec(ns, 10, "nft", "list", "table", "netdev", "ctools_sink").out();
        Map<String, Long> m = new TreeMap<>();
        Matcher x = Pattern.compile("counter packets (\\d+) bytes \\d+ drop comment \"(\\w+)\"").matcher(out);
        while (x.find()) {
            m.put(x.group(2), Long.parseLong(x.group(1)));
        }
        return m;
    }

    /** The sink's counts once the exact counter reached {@code expected} (or 5 s passed). */
    private static Map<String, Long> awaitCounts(Topology t, String ns, long expected) throws InterruptedException {
        LabProcess.await(Duration.ofSeconds(5), () -> sinkCounts(t, ns).getOrDefault("exact", 0L) >= expected);
        return sinkCounts(t, ns);
    }

    private static String mac(long v) {
        String h = String.format("%012x", v);
        return String.join(":", h.substring(0, 2), h.substring(2, 4), h.substring(4, 6), h.substring(6, 8), h.substring(8, 10),
                h.substring(10, 12));
    }
}
