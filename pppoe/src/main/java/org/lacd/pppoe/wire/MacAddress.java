package org.lacd.pppoe.wire;

/** A 48-bit MAC address held in the low bits of a long (so it can be compared and hashed without allocation). */
public record MacAddress(long value) {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    public static final MacAddress BROADCAST = new MacAddress(0xffff_ffff_ffffL);

    public MacAddress {
        if ((value & ~0xffff_ffff_ffffL) != 0) {
            throw new IllegalArgumentException("not a 48-bit MAC: " + Long.toHexString(value));
        }
    }

    public static MacAddress of(byte[] b) {
        if (b.length != 6) {
            throw new IllegalArgumentException("MAC needs 6 bytes, got " + b.length);
        }
        return new MacAddress(read(b, 0));
    }

    public static MacAddress parse(String s) {
        String[] parts = s.split("[:-]");
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC: " + s);
        }
        long v = 0;
        for (String p : parts) {
            v = (v << 8) | Integer.parseInt(p, 16);
        }
        return new MacAddress(v);
    }

    public static long read(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }

    public static void write(long mac, byte[] b, int off) {
        for (int i = 5; i >= 0; i--) {
            b[off + i] = (byte) mac;
            mac >>>= 8;
        }
    }

    public byte[] bytes() {
        byte[] b = new byte[6];
        write(value, b, 0);
        return b;
    }

    public boolean isMulticast() { return ((value >>> 40) & 1) != 0; }

    @Override
    public String toString() {
        char[] c = new char[17];
        int p = 0;
        for (int i = 5; i >= 0; i--) {
            int b = (int) (value >>> (8 * i)) & 0xff;
            c[p++] = HEX[b >>> 4];
            c[p++] = HEX[b & 0xf];
            if (i > 0) {
                c[p++] = ':';
            }
        }
        return new String(c);
    }
}
