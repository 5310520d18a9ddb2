package org.lacd.lab.subscriber;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.testsupport.RealPeer;
import org.lacd.testsupport.Peers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lacd.pppoe.port.InMemoryPort;
import org.lacd.pppoe.wire.MacAddress;

/**
 * Every frame of a few emulated sessions (both directions, QinQ, line tags, CHAP and PAP, IPCP, probes) written to a
 * pcap file and read by tshark: no malformed packets, and the fields tshark decodes are the ones we meant.
 */
@RealPeer
class TsharkCrossCheckTest {
    @TempDir
    Path dir;

    @Test
    void tsharkReadsEveryFrameWithoutComplaint() throws Exception {
        Peers.require(Files.isExecutable(Path.of("/usr/bin/tshark")), "tshark not installed");
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        InMemoryPort[] pair = InMemoryPort.pair("sub", new MacAddress(0x02_00_00_00_00_00L), "ac",
                new MacAddress(FakeAcLns.AC_MAC));
        List<byte[]> frames = new ArrayList<>();
        InMemoryPort.LossFilter tap = (b, off, len) -> {
            byte[] c = new byte[len];
            System.arraycopy(b, off, c, 0, len);
            synchronized (frames) {
                frames.add(c);
            }
            return false;
        };
        pair[0].lossFilter(tap);
        pair[1].lossFilter(tap);
        EmulatorConfig cfg = EmulatorConfig.builder().count(4).setupRate(1000).auth(AuthMode.MIX)
                .vlan(VlanPlan.qinq(20, 300)).lineTags(true).lifetime(Duration.ofMillis(50)).trafficPps(100)
                .trafficSize(100).drain(Duration.ofMillis(10)).build();
        FakeAcLns fake = new FakeAcLns(pair[1], cfg);
        fake.sendEcho = true;
        SubscriberEmulator emu = new SubscriberEmulator(cfg, pair[0], clock::get);
        emu.startManual();
        for (int i = 0; i < 10_000 && !emu.step(); i++) {
            clock.addAndGet(1_000_000L);
        }
        assertTrue(emu.report().success(), emu.report().toText());

        Path pcap = dir.resolve("emu.pcap");
        writePcap(pcap, frames);
        String malformed = tshark(pcap, "-Y", "_ws.malformed || _ws.expert.severity >= warning", "-T", "fields",
                "-e", "frame.number");
        assertEquals("", malformed.trim(), "tshark flags these frames");
        String fields = tshark(pcap, "-Y", "pppoe.code == 0x09", "-T", "fields", "-e", "ieee8021ad.id",
                "-e", "vlan.id", "-e", "pppoed.tags.circuit_id", "-E", "separator=|");
        assertTrue(fields.contains("20|300|lab/1/1"), fields);
        assertTrue(fields.contains("20|303|lab/1/4"), fields);
        String chap = tshark(pcap, "-Y", "chap.code == 2", "-T", "fields", "-e", "chap.name");
        assertTrue(chap.contains("user1@reseller-a.example"), chap);
        String pap = tshark(pcap, "-Y", "pap.code == 1", "-T", "fields", "-e", "pap.peer_id");
        assertTrue(pap.contains("user2@reseller-a.example"), pap);
        String ipcp = tshark(pcap, "-Y", "ipcp && ppp.code == 2 && ipcp.opt.ip_address == 10.1.0.3", "-T", "fields",
                "-e", "frame.number");
        assertTrue(!ipcp.isBlank(), "IPCP Configure-Ack of 10.1.0.3");
        String udp = tshark(pcap, "-Y", "udp.dstport == 7 && ip.checksum.status == \"Good\"", "-o",
                "ip.check_checksum:TRUE", "-T", "fields", "-e", "ip.src");
        assertTrue(udp.lines().count() >= 4, udp);
    }

    private static String tshark(Path pcap, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", pcap.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "tshark did not finish");
        assertEquals(0, p.exitValue(), "tshark " + cmd);
        return new String(out, StandardCharsets.UTF_8);
    }

    /** libpcap file format, LINKTYPE_ETHERNET, microsecond timestamps. */
    static void writePcap(Path file, List<byte[]> frames) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        out.write(h.array());
        int i = 0;
        for (byte[] f : frames) {
            ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            r.putInt(1).putInt(i++).putInt(f.length).putInt(f.length);
            out.write(r.array());
            out.write(f);
        }
        Files.write(file, out.toByteArray());
    }
}
