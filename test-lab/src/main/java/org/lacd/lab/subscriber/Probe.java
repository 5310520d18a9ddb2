package org.lacd.lab.subscriber;

/**
 * The emulator's test traffic: one UDP datagram in IPv4 (RFC 791, RFC 768), written straight into a frame buffer and
 * read back without allocation. The UDP payload starts with
 * <pre>
 *   magic "LACD"(4) subscriber number(4) sequence(4) send time in ns of the emulator's clock(8)
 * </pre>
 * and is zero-padded to the configured size. The LNS reflects the packet with source and destination swapped, so the
 * payload comes back unchanged. UDP checksum 0 (allowed for IPv4, RFC 768).
 */
public final class Probe {
    private Probe() {}

    public static final int IP_HEADER = 20;
    public static final int UDP_HEADER = 8;
    public static final int MAGIC = 0x4c414344;
    public static final int PAYLOAD_HEADER = 20;
    /** Smallest IPv4 packet that carries the probe header. */
    public static final int MIN_SIZE = IP_HEADER + UDP_HEADER + PAYLOAD_HEADER;
    public static final int SOURCE_PORT_BASE = 20000;
    public static final int DESTINATION_PORT = 7;

    /** Writes an IPv4/UDP probe of {@code size} bytes at {@code off}; returns {@code size}. */
    public static int write(byte[] b, int off, int size, int src, int dst, int subscriber, int seq, long timeNanos) {
        java.util.Arrays.fill(b, off, off + size, (byte) 0);
        b[off] = 0x45;
        put16(b, off + 2, size);
        put16(b, off + 4, seq);
        put16(b, off + 6, 0x4000); // DF
        b[off + 8] = 64;
        b[off + 9] = 17;
        put32(b, off + 12, src);
        put32(b, off + 16, dst);
        put16(b, off + 10, checksum(b, off, IP_HEADER));
        int u = off + IP_HEADER;
        put16(b, u, SOURCE_PORT_BASE + (subscriber % 40000));
        put16(b, u + 2, DESTINATION_PORT);
        put16(b, u + 4, size - IP_HEADER);
        int p = u + UDP_HEADER;
        put32(b, p, MAGIC);
        put32(b, p + 4, subscriber);
        put32(b, p + 8, seq);
        put32(b, p + 12, (int) (timeNanos >>> 32));
        put32(b, p + 16, (int) timeNanos);
        return size;
    }

    /** What {@link #read} found. One instance per worker thread. */
    public static final class Echo {
        public int subscriber;
        public int seq;
        public long sentNanos;
        public int size;
    }

    /**
     * Reads a reflected probe from an IPv4 packet of {@code len} bytes. False (nothing allocated) when it is not an
     * IPv4/UDP probe of this emulator.
     */
    public static boolean read(byte[] b, int off, int len, Echo out) {
        if (len < MIN_SIZE || (b[off] & 0xff) != 0x45 || (b[off + 9] & 0xff) != 17) {
            return false;
        }
        int total = u16(b, off + 2);
        if (total < MIN_SIZE || total > len) {
            return false;
        }
        int p = off + IP_HEADER + UDP_HEADER;
        if (u32(b, p) != MAGIC) {
            return false;
        }
        out.subscriber = u32(b, p + 4);
        out.seq = u32(b, p + 8);
        out.sentNanos = ((long) u32(b, p + 12) << 32) | (u32(b, p + 16) & 0xffff_ffffL);
        out.size = total;
        return true;
    }

    /** The Internet checksum (RFC 1071) over {@code len} bytes. */
    public static int checksum(byte[] b, int off, int len) {
        long sum = 0;
        int i = 0;
        for (; i + 1 < len; i += 2) {
            sum += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
        }
        if (i < len) {
            sum += (b[off + i] & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    static int u16(byte[] b, int p) { return ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff); }

    static int u32(byte[] b, int p) {
        return ((b[p] & 0xff) << 24) | ((b[p + 1] & 0xff) << 16) | ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff);
    }

    static void put16(byte[] b, int p, int v) {
        b[p] = (byte) (v >>> 8);
        b[p + 1] = (byte) v;
    }

    static void put32(byte[] b, int p, int v) {
        b[p] = (byte) (v >>> 24);
        b[p + 1] = (byte) (v >>> 16);
        b[p + 2] = (byte) (v >>> 8);
        b[p + 3] = (byte) v;
    }
}
