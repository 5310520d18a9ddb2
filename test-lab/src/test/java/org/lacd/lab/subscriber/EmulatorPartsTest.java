package org.lacd.lab.subscriber;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lacd.pppoe.AuthType;
import org.lacd.wire.MalformedPacketException;

/** The emulator's own small codecs and helpers: IPCP, the probe packet, VLAN plans, the histogram, the report. */
class EmulatorPartsTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] hex(String annotated) {
        return HEX.parseHex(annotated.replaceAll("#[^\n]*", "").replaceAll("\\s", ""));
    }

    @Test
    void ipcpConfigureNakGoldenVector() throws Exception {
        byte[] frame = hex("""
                80 21          # PPP protocol IPCP
                03             # Configure-Nak
                07             # identifier 7
                00 0a          # length 10
                03 06 0a 01 00 05  # IP-Address 10.1.0.5
                00 00          # Ethernet padding after LENGTH
                """);
        IpcpPacket p = IpcpPacket.decode(frame, 2, frame.length - 2);
        assertEquals(IpcpPacket.CONFIGURE_NAK, p.code());
        assertEquals(7, p.id());
        assertEquals(0x0a01_0005L, p.address());
        assertTrue(p.onlyAddress());
        byte[] out = new byte[2 + p.encodedLength()];
        assertEquals(out.length, p.encodePpp(out, 0));
        assertArrayEquals(java.util.Arrays.copyOf(frame, 12), out, "round trip without the padding");
        assertEquals(p, IpcpPacket.withAddress(IpcpPacket.CONFIGURE_NAK, 7, 0x0a01_0005));
    }

    @Test
    void ipcpRejectsWhatItCannotRead() {
        // LENGTH beyond the data
        byte[] a = hex("01 01 00 0c 03 06 00 00 00 00");
        MalformedPacketException e = assertThrows(MalformedPacketException.class, () -> IpcpPacket.decode(a, 0, a.length));
        assertEquals(2, e.offset());
        // IP-Address with length 4
        byte[] b = hex("01 01 00 08 03 04 00 00");
        assertThrows(MalformedPacketException.class, () -> IpcpPacket.decode(b, 0, b.length));
        // option length 0 would loop forever without the check
        byte[] c = hex("01 01 00 08 81 00 00 00");
        assertThrows(MalformedPacketException.class, () -> IpcpPacket.decode(c, 0, c.length));
        // truncated header
        byte[] d = hex("01 01 00");
        assertThrows(MalformedPacketException.class, () -> IpcpPacket.decode(d, 0, d.length));
    }

    @Test
    void ipcpKeepsNonAddressOptionsForAReject() throws Exception {
        byte[] b = hex("""
                01 02 00 10
                02 06 00 2d 0f 01   # IP-Compression-Protocol VJ
                03 06 0a 00 00 01   # IP-Address 10.0.0.1
                """);
        IpcpPacket p = IpcpPacket.decode(b, 0, b.length);
        assertFalse(p.onlyAddress());
        assertArrayEquals(hex("02 06 00 2d 0f 01"), p.nonAddressOptions());
        assertEquals(0x0a00_0001L, p.address());
    }

    @Test
    void probeRoundTripAndHeaderChecksum() {
        byte[] b = new byte[100];
        int len = Probe.write(b, 2, 64, 0x0a01_0005, 0x0a00_0001, 42, 7, 0x0123_4567_89ab_cdefL);
        assertEquals(64, len);
        assertEquals(0, Probe.checksum(b, 2, Probe.IP_HEADER), "a correct header sums to zero");
        Probe.Echo e = new Probe.Echo();
        assertTrue(Probe.read(b, 2, 64, e));
        assertEquals(42, e.subscriber);
        assertEquals(7, e.seq);
        assertEquals(0x0123_4567_89ab_cdefL, e.sentNanos);
        assertEquals(64, e.size);
        b[2 + 28] ^= 1; // magic
        assertFalse(Probe.read(b, 2, 64, e));
        assertFalse(Probe.read(b, 2, 40, e), "too short");
    }

    @Test
    void checksumMatchesRfc1071Example() {
        // RFC 1071 section 3 example words 0001 f203 f4f5 f6f7: sum ddf2, checksum 220d
        assertEquals(0x220d, Probe.checksum(hex("0001f203f4f5f6f7"), 0, 8));
    }

    @Test
    void vlanPlans() {
        assertEquals(VlanPlan.NONE, VlanPlan.parse("none"));
        VlanPlan d = VlanPlan.parse("dot1q:4094");
        assertEquals(4094, d.outerTci(1));
        assertEquals(1, d.outerTci(2), "wraps within 1..4094");
        assertEquals(-1, d.innerTci(1));
        VlanPlan q = VlanPlan.parse("qinq:7:1");
        assertEquals(7, q.outerTci(1));
        assertEquals(1, q.innerTci(1));
        assertEquals(8, q.outerTci(4095));
        assertEquals(1, q.innerTci(4095));
        assertEquals("qinq:7:1", q.toString());
        assertThrows(IllegalArgumentException.class, () -> VlanPlan.parse("dot1q:0"));
        assertThrows(IllegalArgumentException.class, () -> VlanPlan.parse("qinq:5"));
        assertThrows(IllegalArgumentException.class, () -> VlanPlan.parse("dot1q:x"));
        assertThrows(IllegalArgumentException.class, () -> VlanPlan.parse("vxlan:1"));
    }

    @Test
    void authModes() {
        assertEquals(AuthType.CHAP_MD5, AuthMode.MIX.forSubscriber(1));
        assertEquals(AuthType.PAP, AuthMode.MIX.forSubscriber(2));
        assertEquals(AuthType.PAP, AuthMode.PAP.forSubscriber(1));
    }

    @Test
    void histogramQuantilesWithinPrecision() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 1; i <= 1000; i++) {
            h.record(i * 1_000_000L); // 1..1000 ms
        }
        assertEquals(1000, h.count());
        assertEquals(500e6, h.quantile(0.5), 500e6 * 0.016);
        assertEquals(990e6, h.quantile(0.99), 990e6 * 0.016);
        assertEquals(1_000_000_000L, h.max());
        assertEquals(1_000_000L, h.min());
        LatencyHistogram g = new LatencyHistogram();
        g.record(5);
        g.add(h);
        assertEquals(1001, g.count());
        assertEquals(5, g.quantile(0.0001));
        assertEquals(-1, new LatencyHistogram().quantile(0.5));
        for (long v : new long[] {0, 1, 127, 128, 129, 1L << 40, Long.MAX_VALUE / 2}) {
            long mid = LatencyHistogram.valueAt(LatencyHistogram.index(v));
            assertTrue(Math.abs(mid - v) <= Math.max(1, v / 64), v + " -> " + mid);
        }
    }

    @Test
    void configRejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> EmulatorConfig.builder().count(0).build());
        assertThrows(IllegalArgumentException.class, () -> EmulatorConfig.builder().setupRate(0).build());
        assertThrows(IllegalArgumentException.class, () -> EmulatorConfig.builder().trafficSize(20).build());
        assertThrows(IllegalArgumentException.class, () -> EmulatorConfig.builder().trafficSize(1493).build());
        assertThrows(IllegalArgumentException.class, () -> EmulatorConfig.builder().userPattern("fixed").build());
        assertThrows(IllegalArgumentException.class, () -> EmulatorConfig.builder().duration(Duration.ZERO).build());
        EmulatorConfig c = EmulatorConfig.builder().build();
        assertEquals("user12@reseller-a.example", c.user(12));
        assertEquals(0x02_00_00_00_00_0cL, c.mac(12));
    }

    @Test
    void reportTextAndJson() throws Exception {
        Report r = new Report(3, 3, 2, 2, 1.5, 10.0, new Percentiles(2, 1.0, 2.0, 2.0, 2.0),
                Map.of("auth", new Percentiles(2, 0.5, 0.6, 0.7, 0.8)),
                Map.of(FailureReason.CHAP_FAILURE, 1L), 1, 0, 4, 10, 9, 1, 0, 1280, 1152,
                new Percentiles(9, 0.1, 0.2, 0.3, 0.4), 0, 0, 0, 2, 12, 1, 1, 1);
        assertEquals(1, r.failed());
        assertFalse(r.success());
        assertTrue(r.toText().contains("CHAP_FAILURE"), r.toText());
        assertTrue(r.toText().contains("lost 1"));
        JsonNode j = new ObjectMapper().readTree(r.toJson());
        assertEquals(2, j.get("established").asInt());
        assertEquals(1, j.get("failures").get("CHAP_FAILURE").asInt());
        assertEquals(0.3, j.get("roundTrip").get("p99Ms").asDouble());
        assertFalse(j.get("success").asBoolean());
        assertEquals(1, j.get("failed").asInt());
        assertEquals(0.7, j.get("phaseLatency").get("auth").get("p99Ms").asDouble());
        assertTrue(r.toText().contains("auth"), r.toText());
        assertEquals(12, j.get("echoRequests").asInt());
        assertEquals(1, j.get("echoFailures").asInt());
        assertEquals(1, j.get("redials").asInt());
        assertEquals(1, j.get("reestablished").asInt());
    }

    @Test
    void lcpEchoAndRedialOptions() {
        EmulatorConfig off = EmulatorConfig.builder().build();
        assertEquals(Duration.ZERO, off.lcpEchoInterval(), "no echo by default");
        assertFalse(off.redial(), "no redial by default");
        SubscriberEmulatorCli cli = new SubscriberEmulatorCli();
        new picocli.CommandLine(cli).parseArgs("--interface", "veth0", "--lcp-echo-interval", "1s",
                "--lcp-echo-failures", "3", "--redial", "--redial-holdoff", "500ms");
        EmulatorConfig c = cli.config();
        assertEquals(Duration.ofSeconds(1), c.lcpEchoInterval());
        assertEquals(3, c.lcpEchoFailures());
        assertTrue(c.redial());
        assertEquals(Duration.ofMillis(500), c.redialHoldoff());
        assertThrows(IllegalArgumentException.class, () -> EmulatorConfig.builder().lcpEchoFailures(0).build());
        assertThrows(IllegalArgumentException.class,
                () -> EmulatorConfig.builder().redialHoldoff(Duration.ofSeconds(-1)).build());
        assertEquals(2, SubscriberEmulatorCli.run("--interface", "x", "--lcp-echo-failures", "0"));
        assertEquals(SubscriberPhase.PADI_SENT, SubscriberTransitions.find(SubscriberTransitions.find(
                SubscriberPhase.UP, SubscriberEvent.ECHO_TIMEOUT).to(), SubscriberEvent.REDIAL).to());
    }

    @Test
    void cliArguments() {
        assertEquals(Duration.ofMillis(500), SubscriberEmulatorCli.parseDuration("500ms"));
        assertEquals(Duration.ofSeconds(90), SubscriberEmulatorCli.parseDuration("1.5m"));
        assertEquals(Duration.ofSeconds(3), SubscriberEmulatorCli.parseDuration("3"));
        assertThrows(IllegalArgumentException.class, () -> SubscriberEmulatorCli.parseDuration("3 days"));

        SubscriberEmulatorCli cli = new SubscriberEmulatorCli();
        new picocli.CommandLine(cli).parseArgs("--interface", "veth0", "--count", "100", "--rate", "250",
                "--auth", "mix", "--user-pattern", "u{n}@reseller-b.example", "--vlan", "qinq:10:100", "--line-tags",
                "--lifetime", "30s", "--traffic-pps", "5", "--traffic-size", "512", "--duration", "2m");
        EmulatorConfig c = cli.config();
        assertEquals(100, c.count());
        assertEquals(250.0, c.setupRate());
        assertEquals(AuthMode.MIX, c.auth());
        assertEquals("u3@reseller-b.example", c.user(3));
        assertEquals(VlanPlan.qinq(10, 100), c.vlan());
        assertTrue(c.lineTags());
        assertEquals(Duration.ofSeconds(30), c.lifetime());
        assertEquals(512, c.trafficSize());
        assertEquals(Duration.ofMinutes(2), c.duration());
        // bad values: exit code 2, nothing opened
        assertEquals(2, SubscriberEmulatorCli.run("--interface", "x", "--vlan", "dot1q:9999"));
        assertEquals(2, SubscriberEmulatorCli.run("--count", "3"));
    }

    @Test
    void transitionTableIsComplete() {
        for (SubscriberPhase p : SubscriberPhase.values()) {
            SubscriberTransitions.Row fail = SubscriberTransitions.find(p, SubscriberEvent.FAILURE);
            if (p.terminal()) {
                assertTrue(SubscriberTransitions.rows().stream().noneMatch(r -> r.from() == p), p + " is final");
            } else {
                assertEquals(SubscriberPhase.FAILED, fail.to(), p + " can fail");
            }
        }
        // the way up and down, in order
        SubscriberPhase p = SubscriberPhase.IDLE;
        for (SubscriberEvent e : new SubscriberEvent[] {SubscriberEvent.START, SubscriberEvent.PADO, SubscriberEvent.PADS,
                SubscriberEvent.LCP_OPENED, SubscriberEvent.AUTH_SUCCESS, SubscriberEvent.IPCP_OPENED,
                SubscriberEvent.LIFETIME_OVER, SubscriberEvent.DRAINED, SubscriberEvent.TERMINATED}) {
            p = SubscriberTransitions.find(p, e).to();
        }
        assertEquals(SubscriberPhase.DONE, p);
        // every phase is reachable from IDLE
        java.util.Set<SubscriberPhase> seen = java.util.EnumSet.of(SubscriberPhase.IDLE);
        boolean grew = true;
        while (grew) {
            grew = false;
            for (SubscriberTransitions.Row r : SubscriberTransitions.rows()) {
                grew |= seen.contains(r.from()) && seen.add(r.to());
            }
        }
        assertEquals(java.util.EnumSet.allOf(SubscriberPhase.class), seen);
        assertTrue(SubscriberTransitions.rows().stream().allMatch(r -> !r.source().isBlank()));
        assertEquals(null, SubscriberTransitions.find(SubscriberPhase.PADI_SENT, SubscriberEvent.PADS),
                "a PADS before our PADR has no row");
    }
}
