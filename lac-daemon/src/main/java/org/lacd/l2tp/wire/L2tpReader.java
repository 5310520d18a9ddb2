package org.lacd.l2tp.wire;

import static org.lacd.l2tp.wire.MalformedPacketException.Reason.TRUNCATED;

import java.util.Arrays;

/** The one bounds-checked reader over a byte array window. Offsets in errors are relative to the datagram start. */
public final class L2tpReader {
    private final byte[] buf;
    private final int start;
    private int pos;
    private int limit;

    public L2tpReader(byte[] buf, int off, int len) {
        if (off < 0 || len < 0 || off + len > buf.length) {
            throw new IllegalArgumentException("window " + off + "+" + len + " outside array of " + buf.length);
        }
        this.buf = buf;
        this.start = off;
        this.pos = off;
        this.limit = off + len;
    }

    public byte[] array() { return buf; }

    /** Offset of the next byte, relative to the start of the window. */
    public int position() { return pos - start; }

    /** Absolute array index of the next byte. */
    public int arrayPosition() { return pos; }

    public int remaining() { return limit - pos; }

    /** Shrinks the readable window to {@code len} bytes from the start (the L2TP Length field). */
    public void limitTo(int len, MalformedPacketException.Reason reason) throws MalformedPacketException {
        if (len > limit - start) {
            throw new MalformedPacketException(reason, position(), "length field " + len + " exceeds datagram of " + (limit - start));
        }
        limit = start + len;
    }

    private void need(int n, String what) throws MalformedPacketException {
        if (limit - pos < n) {
            throw new MalformedPacketException(TRUNCATED, position(), what + " needs " + n + " bytes, " + (limit - pos) + " left");
        }
    }

    public int u8(String what) throws MalformedPacketException {
        need(1, what);
        return buf[pos++] & 0xff;
    }

    public int u16(String what) throws MalformedPacketException {
        need(2, what);
        int v = ((buf[pos] & 0xff) << 8) | (buf[pos + 1] & 0xff);
        pos += 2;
        return v;
    }

    public long u32(String what) throws MalformedPacketException {
        need(4, what);
        long v = ((long) (buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8) | (buf[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    public byte[] bytes(int n, String what) throws MalformedPacketException {
        need(n, what);
        byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return out;
    }

    public void skip(int n, String what) throws MalformedPacketException {
        need(n, what);
        pos += n;
    }
}
