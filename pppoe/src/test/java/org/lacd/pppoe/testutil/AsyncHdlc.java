package org.lacd.pppoe.testutil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** PPP in HDLC-like framing (RFC 1662): what rp-pppoe speaks on stdin/stdout in its default async mode. */
public final class AsyncHdlc {
    private AsyncHdlc() {}

    private static final int[] FCS_TABLE = new int[256];

    static {
        for (int b = 0; b < 256; b++) {
            int v = b;
            for (int i = 0; i < 8; i++) {
                v = (v & 1) != 0 ? (v >>> 1) ^ 0x8408 : v >>> 1;
            }
            FCS_TABLE[b] = v;
        }
    }

    static int fcs(byte[] b, int off, int len) {
        int fcs = 0xffff;
        for (int i = off; i < off + len; i++) {
            fcs = (fcs >>> 8) ^ FCS_TABLE[(fcs ^ b[i]) & 0xff];
        }
        return fcs;
    }

    /** Frames a PPP frame (protocol field onward): FF 03, FCS-16, escaping of flag, escape and control chars. */
    public static byte[] encode(byte[] ppp) {
        byte[] raw = new byte[ppp.length + 4];
        raw[0] = (byte) 0xff;
        raw[1] = 0x03;
        System.arraycopy(ppp, 0, raw, 2, ppp.length);
        int f = fcs(raw, 0, ppp.length + 2) ^ 0xffff;
        raw[ppp.length + 2] = (byte) f;
        raw[ppp.length + 3] = (byte) (f >>> 8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x7e);
        for (byte x : raw) {
            int v = x & 0xff;
            if (v == 0x7e || v == 0x7d || v < 0x20) {
                out.write(0x7d);
                out.write(v ^ 0x20);
            } else {
                out.write(v);
            }
        }
        out.write(0x7e);
        return out.toByteArray();
    }

    /**
     * Reads the next frame and returns it from the protocol field on (address/control and FCS removed), or null
     * at end of stream. Frames with a bad FCS are skipped.
     */
    public static byte[] read(InputStream in) throws IOException {
        ByteArrayOutputStream cur = new ByteArrayOutputStream();
        boolean esc = false;
        int c;
        while ((c = in.read()) >= 0) {
            if (c == 0x7e) {
                byte[] f = cur.toByteArray();
                cur.reset();
                esc = false;
                if (f.length >= 4 && fcs(f, 0, f.length) == 0xf0b8) {
                    int start = (f[0] & 0xff) == 0xff && f[1] == 0x03 ? 2 : 0;
                    byte[] ppp = new byte[f.length - 2 - start];
                    System.arraycopy(f, start, ppp, 0, ppp.length);
                    return ppp;
                }
                continue;
            }
            if (c == 0x7d) {
                esc = true;
                continue;
            }
            cur.write(esc ? c ^ 0x20 : c);
            esc = false;
        }
        return null;
    }
}
