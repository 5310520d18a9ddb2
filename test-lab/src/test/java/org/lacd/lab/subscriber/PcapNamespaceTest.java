package org.lacd.lab.subscriber;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.testsupport.RealPeer;
import org.lacd.testsupport.Peers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lacd.pppoe.CountingPppoeStats;
import org.lacd.pppoe.PppoeServer;
import org.lacd.pppoe.PppoeSettings;
import org.lacd.pppoe.port.PcapPort;

/**
 * The emulator as a program ({@link SubscriberEmulatorCli}) on a real interface: a veth pair between two namespaces
 * made by the test, the emulator's pcap port in one, lacd's PppoeServer (pcap) with the LNS role of
 * {@link EmulatorAgainstPppoeServerTest} in the other. Exit code and the JSON report are checked.
 */
@RealPeer
class PcapNamespaceTest {
    @TempDir
    Path dir;

    @Test
    void cliOverVethWithDot1qAgainstLacdsPppoeServer() throws Exception {
        Peers.require(NetNs.usable(), "needs root and iproute2");
        try (NetNs sub = NetNs.create(); NetNs ac = NetNs.create()) {
            NetNs.ip("-n", sub.name, "link", "add", "vsub", "type", "veth", "peer", "name", "vac", "netns", ac.name);
            NetNs.ip("-n", sub.name, "link", "set", "vsub", "up");
            NetNs.ip("-n", ac.name, "link", "set", "vac", "up");

            EmulatorConfig cfg = EmulatorConfig.builder().count(30).setupRate(200).auth(AuthMode.MIX)
                    .vlan(VlanPlan.dot1q(100)).lineTags(true).build();
            EmulatorAgainstPppoeServerTest.Lns lns = new EmulatorAgainstPppoeServerTest.Lns(cfg);
            PppoeServer server = ac.run(() -> {
                PppoeServer s = new PppoeServer(PppoeSettings.builder().acName("lacd-ns-test").build(),
                        List.of(new PcapPort("vac")), lns, new CountingPppoeStats());
                s.start();
                return s;
            }).get(20, TimeUnit.SECONDS);
            try {
                Path json = dir.resolve("report.json");
                Path lines = dir.resolve("outcomes.jsonl");
                int code = sub.run(() -> SubscriberEmulatorCli.run("--interface", "vsub", "--count", "30",
                        "--rate", "200", "--auth", "mix", "--vlan", "dot1q:100", "--line-tags", "--lifetime", "1s",
                        "--traffic-pps", "20", "--traffic-size", "256", "--drain", "300ms", "--timeout", "1s",
                        "--duration", "20s", "--json", json.toString(), "--outcomes", lines.toString())).get(60, TimeUnit.SECONDS);
                JsonNode r = new ObjectMapper().readTree(json.toFile());
                assertEquals(0, code, r.toPrettyString());
                assertEquals(30, r.get("established").asInt());
                assertEquals(30, r.get("completed").asInt());
                assertTrue(r.get("packetsSent").asLong() >= 30 * 10, r.toPrettyString());
                assertEquals(r.get("packetsSent").asLong(), r.get("packetsReceived").asLong(), r.toPrettyString());
                assertEquals(30, lns.authOk.get());
                List<String> outcomeLines = java.nio.file.Files.readAllLines(lines);
                assertEquals(30, outcomeLines.size());
                JsonNode o7 = new ObjectMapper().readTree(outcomeLines.get(6));
                assertEquals(7, o7.get("n").asInt());
                assertEquals("10.2.0.7", o7.get("address").asText());
                assertEquals(106, o7.get("outerVlan").asInt());
                assertEquals("chap", o7.get("auth").asText());
            } finally {
                server.stop(Duration.ofSeconds(2));
            }
        }
    }
}
