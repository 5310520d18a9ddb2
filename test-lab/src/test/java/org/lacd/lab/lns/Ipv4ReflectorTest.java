package org.lacd.lab.lns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Golden vectors for the reflection of IPv4 packets. */
class Ipv4ReflectorTest {
    static final HexFormat HEX = HexFormat.of();

    /** Hex with {@code //} comments to the end of a line. */
    static byte[] hex(String s) { return HEX.parseHex(s.replaceAll("//[^\\n]*", "").replaceAll("\\s+", "")); }

    @Test
    void udpAddressesAndPortsSwappedChecksumsValid() {
        byte[] in = hex("""
                45 00 0020   // version 4, IHL 5, total length 32
                1234 0000    // id, flags/fragment offset
                40 11 0000   // TTL 64, protocol UDP, header checksum (filled below)
                64400002     // source 100.64.0.2
                c6336401     // destination 198.51.100.1
                9c40 0007    // UDP source port 40000, destination port 7
                000c 0000    // UDP length 12, no checksum
                70696e67     // payload "ping"
                """);
        int cs = Ipv4Reflector.checksum(in, 0, 20);
        in[10] = (byte) (cs >>> 8);
        in[11] = (byte) cs;
        assertEquals(0, Ipv4Reflector.checksum(in, 0, 20));
        byte[] out = in.clone();
        assertTrue(Ipv4Reflector.reflect(out, 0, out.length));
        assertArrayEquals(hex("c6336401 64400002"), java.util.Arrays.copyOfRange(out, 12, 20), "addresses swapped");
        assertArrayEquals(hex("0007 9c40"), java.util.Arrays.copyOfRange(out, 20, 24), "ports swapped");
        assertEquals(0, Ipv4Reflector.checksum(out, 0, 20), "header checksum recomputed");
        assertArrayEquals(java.util.Arrays.copyOfRange(in, 24, 32), java.util.Arrays.copyOfRange(out, 24, 32));
        assertTrue(Ipv4Reflector.reflect(out, 0, out.length));
        assertArrayEquals(in, out, "reflecting twice gives the original");
    }

    @Test
    void icmpEchoRequestBecomesEchoReply() {
        // 45 00 001c | 0001 0000 | 40 01 cs | 100.64.0.2 | 8.8.8.8 | 08 00 cs 0001 0001 (echo request id 1 seq 1)
        byte[] p = hex("4500001c 00010000 40010000 64400002 08080808 08000000 00010001");
        int cs = Ipv4Reflector.checksum(p, 0, 20);
        p[10] = (byte) (cs >>> 8);
        p[11] = (byte) cs;
        int ics = Ipv4Reflector.checksum(p, 20, 8);
        p[22] = (byte) (ics >>> 8);
        p[23] = (byte) ics;
        assertTrue(Ipv4Reflector.reflect(p, 0, p.length));
        assertEquals(0, p[20], "type 0 Echo Reply");
        assertEquals(0, Ipv4Reflector.checksum(p, 20, 8), "ICMP checksum valid");
        assertEquals(0, Ipv4Reflector.checksum(p, 0, 20));
        assertArrayEquals(hex("08080808 64400002"), java.util.Arrays.copyOfRange(p, 12, 20));
    }

    @Test
    void rfc1071Example() {
        // RFC 1071 section 3 example bytes 00 01 f2 03 f4 f5 f6 f7: sum ddf2, checksum 220d
        assertEquals(0x220d, Ipv4Reflector.checksum(hex("0001f203f4f5f6f7"), 0, 8));
    }

    @Test
    void notIpv4OrTruncatedIsLeftAlone() {
        byte[] v6 = hex("6000000000000000000000000000000000000000");
        assertFalse(Ipv4Reflector.reflect(v6, 0, v6.length));
        byte[] shortLen = hex("45000040 00000000 40110000 64400002 c6336401"); // total length 64 > 20 bytes present
        byte[] copy = shortLen.clone();
        assertFalse(Ipv4Reflector.reflect(shortLen, 0, shortLen.length));
        assertArrayEquals(copy, shortLen);
        assertFalse(Ipv4Reflector.reflect(hex("4500"), 0, 2));
    }
}
