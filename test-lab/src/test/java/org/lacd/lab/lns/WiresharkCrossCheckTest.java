package org.lacd.lab.lns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.testsupport.RealPeer;
import org.lacd.testsupport.Peers;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lacd.l2tp.transport.ManualScheduler;
import org.lacd.l2tp.wire.PppDisconnectCause;
import org.lacd.l2tp.wire.ResultCode;

/**
 * An independent reading of what the emulator's PPP side sends: the frames of one session (subscriber's and the
 * LNS's) go into a pcap with link type PPP and tshark dissects them: no malformed packet, CHAP/IPCP/LCP codes and
 * the assigned address as meant, IPv4 and ICMP checksums of the reflected packets good.
 */
@RealPeer
class WiresharkCrossCheckTest {
    static final HexFormat HEX = HexFormat.of();

    @TempDir
    Path dir;

    static boolean tsharkAvailable() {
        try {
            Process p = new ProcessBuilder("tshark", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    /** pcap (libpcap 2.4) with LINKTYPE_PPP (9): each frame is FF 03 + protocol + packet. */
    static byte[] pcap(List<byte[]> frames) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        int[] hdr = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 9};
        for (int i = 0; i < hdr.length; i++) {
            int v = hdr[i];
            if (i == 1) { // version major 2, minor 4, little endian as two u16
                o.write(2); o.write(0); o.write(4); o.write(0);
                continue;
            }
            o.write(v); o.write(v >>> 8); o.write(v >>> 16); o.write(v >>> 24);
        }
        int t = 1;
        for (byte[] f : frames) {
            int len = f.length + 2;
            for (int v : new int[] {t++, 0, len, len}) {
                o.write(v); o.write(v >>> 8); o.write(v >>> 16); o.write(v >>> 24);
            }
            o.write(0xff);
            o.write(0x03);
            o.writeBytes(f);
        }
        return o.toByteArray();
    }

    @Test
    void tsharkReadsTheSessionAsMeant() throws Exception {
        Peers.require(tsharkAvailable(), "tshark not installed");
        List<byte[]> frames = new ArrayList<>();
        ManualScheduler clock = new ManualScheduler();
        AddressPool pool = new AddressPool("100.64.0.0/16");
        LnsPppSession s = new LnsPppSession(Mode.ACCEPT_PROXY, LnsPppSession.Settings.defaults(), clock, new Random(3),
                new PasswordPattern("pass{n}"), pool, pool.lnsAddress(), LnsPppSessionTest.chapProxy("user5@isp", "pass5"),
                new LnsPppSession.Link() {
                    @Override
                    public void sendPpp(byte[] f, int off, int len) { frames.add(java.util.Arrays.copyOfRange(f, off, off + len)); }

                    @Override
                    public void clear(ResultCode r, PppDisconnectCause c) { }
                });
        s.start(); // 1 CHAP Success, 2 IPCP Configure-Request 100.64.0.1
        feed(s, frames, "8021 01 05 000a 0306 00000000");             // 3 in: IPCP request 0.0.0.0 -> 4 Nak 100.64.0.2
        feed(s, frames, "8021 02 01 000a 0306 64400001");             // 5 in: Ack of ours
        feed(s, frames, "8021 01 06 000a 0306 64400002");             // 6 in: request 100.64.0.2 -> 7 Ack
        byte[] icmp = HEX.parseHex("4500001c00010000400100006440000208080808" + "0800000000010001");
        fix(icmp);
        feed(s, frames, "0021" + HEX.formatHex(icmp));                // 8 in: ping -> 9 echo reply reflected
        byte[] udp = HEX.parseHex("4500002012340000401100006440000208080808" + "9c400007000c0000" + "74657374");
        fix(udp);
        feed(s, frames, "0021" + HEX.formatHex(udp));                 // 10 in: UDP -> 11 reflected
        feed(s, frames, "c021 09 2a 000a 11223344 6869");             // 12 in: echo request -> 13 echo reply
        feed(s, frames, "80fd 01 01 0004");                           // 14 in: CCP -> 15 Protocol-Reject
        Path f = dir.resolve("session.pcap");
        Files.write(f, pcap(frames));

        Process p = new ProcessBuilder("tshark", "-r", f.toString(), "-o", "ip.check_checksum:TRUE", "-T", "fields", "-E", "separator=|",
                "-e", "frame.number", "-e", "ppp.protocol", "-e", "ppp.code", "-e", "chap.code", "-e", "ipcp.opt.ip_address",
                "-e", "ip.src", "-e", "ip.checksum.status", "-e", "icmp.type", "-e", "icmp.checksum.status", "-e", "udp.srcport",
                "-e", "lcp.magic_number", "-e", "lcp.rej_proto", "-e", "_ws.malformed").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        List<String[]> rows = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank() && Character.isDigit(line.charAt(0))) {
                rows.add(line.split("\\|", -1));
            }
        }
        assertEquals(15, rows.size(), out);
        for (String[] r : rows) {
            assertTrue(r[12].isEmpty(), "malformed frame " + String.join("|", r) + "\n" + out);
        }
        assertEquals("3", rows.get(0)[3], "CHAP Success");
        assertEquals("1", rows.get(1)[2], "IPCP Configure-Request");
        assertEquals("100.64.0.1", rows.get(1)[4]);
        assertEquals("3", rows.get(3)[2], "IPCP Configure-Nak");
        assertEquals("100.64.0.2", rows.get(3)[4]);
        assertEquals("2", rows.get(6)[2], "IPCP Configure-Ack");
        assertEquals("8.8.8.8", rows.get(8)[5], "reflected: source is the old destination");
        assertEquals("1", rows.get(8)[6], "IPv4 checksum good (status 1)");
        assertEquals("0", rows.get(8)[7], "ICMP Echo Reply");
        assertEquals("1", rows.get(8)[8], "ICMP checksum good");
        assertEquals("7", rows.get(10)[9], "UDP ports swapped");
        assertEquals("1", rows.get(10)[6]);
        assertEquals("10", rows.get(12)[2], "LCP Echo-Reply");
        assertEquals("0x55667788", rows.get(12)[10]);
        assertEquals("8,1", rows.get(14)[2], "LCP Protocol-Reject (and the rejected CCP request inside)");
    }

    static void feed(LnsPppSession s, List<byte[]> frames, String hex) {
        byte[] b = HEX.parseHex(hex.replace(" ", ""));
        frames.add(b.clone());
        s.receive(b, 0, b.length);
    }

    static void fix(byte[] ip) {
        int cs = Ipv4Reflector.checksum(ip, 0, 20);
        ip[10] = (byte) (cs >>> 8);
        ip[11] = (byte) cs;
        if (ip[9] == 1) {
            int ics = Ipv4Reflector.checksum(ip, 20, ip.length - 20);
            ip[22] = (byte) (ics >>> 8);
            ip[23] = (byte) ics;
        }
    }
}
