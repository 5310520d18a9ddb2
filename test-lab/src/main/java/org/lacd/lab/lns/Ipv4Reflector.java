package org.lacd.lab.lns;

/**
 * Turns a subscriber's IPv4 packet into the answer the emulated LNS sends back, in place: source and destination
 * addresses swapped, UDP and TCP ports swapped (their checksums stay valid: the pseudo-header sum does not depend on
 * the order), ICMP Echo Request turned into an Echo Reply (RFC 792) with its checksum recomputed, and the IPv4 header
 * checksum recomputed (RFC 791).
 */
public final class Ipv4Reflector {
    static final int PROTO_ICMP = 1;
    static final int PROTO_TCP = 6;
    static final int PROTO_UDP = 17;

    private Ipv4Reflector() {}

    /**
     * Reflects the IPv4 packet at {@code b[off..off+len)}.
     * @return false (and the buffer untouched) when it is not a well-formed IPv4 packet
     */
    public static boolean reflect(byte[] b, int off, int len) {
        if (len < 20 || (b[off] & 0xf0) != 0x40) {
            return false;
        }
        int ihl = (b[off] & 0x0f) * 4;
        int total = u16(b, off + 2);
        if (ihl < 20 || total < ihl || total > len) {
            return false;
        }
        for (int i = 0; i < 4; i++) {
            byte t = b[off + 12 + i];
            b[off + 12 + i] = b[off + 16 + i];
            b[off + 16 + i] = t;
        }
        int proto = b[off + 9] & 0xff;
        boolean firstFragment = (u16(b, off + 6) & 0x1fff) == 0;
        int l4 = off + ihl;
        int l4len = total - ihl;
        if (firstFragment && (proto == PROTO_UDP || proto == PROTO_TCP) && l4len >= 4) {
            for (int i = 0; i < 2; i++) {
                byte t = b[l4 + i];
                b[l4 + i] = b[l4 + 2 + i];
                b[l4 + 2 + i] = t;
            }
        } else if (firstFragment && proto == PROTO_ICMP && l4len >= 4 && b[l4] == 8 && (u16(b, off + 6) & 0x2000) == 0) {
            b[l4] = 0; // Echo Request -> Echo Reply
            b[l4 + 2] = 0;
            b[l4 + 3] = 0;
            put16(b, l4 + 2, checksum(b, l4, l4len));
        }
        b[off + 10] = 0;
        b[off + 11] = 0;
        put16(b, off + 10, checksum(b, off, ihl));
        return true;
    }

    /** The Internet checksum (RFC 1071) of {@code b[off..off+len)}. */
    public static int checksum(byte[] b, int off, int len) {
        long sum = 0;
        int i = 0;
        for (; i + 1 < len; i += 2) {
            sum += u16(b, off + i);
        }
        if (i < len) {
            sum += (b[off + i] & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    private static int u16(byte[] b, int off) { return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff); }

    private static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }
}
