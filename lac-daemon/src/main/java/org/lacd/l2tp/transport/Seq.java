package org.lacd.l2tp.transport;

/** 16-bit sequence number arithmetic, RFC 2661 5.8: a is "before" b when (b - a) mod 2^16 is in 1..32767. */
public final class Seq {
    private Seq() {}

    public static int next(int s) { return (s + 1) & 0xffff; }

    public static int add(int s, int n) { return (s + n) & 0xffff; }

    /** Distance from a forward to b, 0..65535. */
    public static int distance(int a, int b) { return (b - a) & 0xffff; }

    public static boolean before(int a, int b) {
        int d = distance(a, b);
        return d != 0 && d < 0x8000;
    }
}
