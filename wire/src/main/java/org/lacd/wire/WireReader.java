package org.lacd.wire;

/**
 * The one bounds-checked reader every decoder of lacd uses (PPPoE, PPP, L2TP). Offsets in exceptions are relative to
 * the start of the window; running out of bytes is {@link CommonReason#TRUNCATED}. Not thread-safe; cheap to create
 * (or reuse through {@link #reset}).
 */
public final class WireReader {
    private WireProtocol protocol;
    private byte[] buf;
    private int start;
    private int pos;
    private int end;

    public WireReader(WireProtocol protocol, byte[] buf, int off, int len) {
        reset(protocol, buf, off, len);
    }

    public WireReader reset(WireProtocol protocol, byte[] buf, int off, int len) {
        if (off < 0 || len < 0 || off + len > buf.length) {
            throw new IndexOutOfBoundsException("off " + off + " len " + len + " buf " + buf.length);
        }
        this.protocol = protocol;
        this.buf = buf;
        this.start = off;
        this.pos = off;
        this.end = off + len;
        return this;
    }

    public WireProtocol protocol() { return protocol; }
    public byte[] buffer() { return buf; }
    /** Absolute index into {@link #buffer()}. */
    public int absolutePosition() { return pos; }
    /** Position relative to the start of this reader. */
    public int offset() { return pos - start; }
    public int remaining() { return end - pos; }

    public MalformedPacketException error(String reason) {
        return new MalformedPacketException(protocol, offset(), reason);
    }

    /** An error at the current offset with a reason code of the protocol. */
    public MalformedPacketException error(MalformedPacketException.Reason reason, String detail) {
        return new MalformedPacketException(protocol, reason, offset(), detail);
    }

    /** Shrinks the readable window to {@code len} bytes from its start (a length field, e.g. L2TP's Length). */
    public void limitTo(int len, MalformedPacketException.Reason reason) throws MalformedPacketException {
        if (len > end - start) {
            throw error(reason, "length field " + len + " exceeds datagram of " + (end - start));
        }
        end = start + len;
    }

    private void need(int n, String what) throws MalformedPacketException {
        if (end - pos < n) {
            throw error(CommonReason.TRUNCATED, what + " needs " + n + " bytes, " + (end - pos) + " left");
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
        long v = ((long) (buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8)
                | (buf[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    public long u48(String what) throws MalformedPacketException {
        need(6, what);
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (buf[pos + i] & 0xff);
        }
        pos += 6;
        return v;
    }

    public byte[] bytes(int n, String what) throws MalformedPacketException {
        if (n < 0) {
            throw error(what + " negative length " + n);
        }
        need(n, what);
        byte[] out = new byte[n];
        System.arraycopy(buf, pos, out, 0, n);
        pos += n;
        return out;
    }

    public void skip(int n, String what) throws MalformedPacketException {
        need(n, what);
        pos += n;
    }

    /** A sub-reader over the next {@code n} bytes (consumed from this reader). */
    public WireReader slice(WireProtocol p, int n, String what) throws MalformedPacketException {
        need(n, what);
        WireReader r = new WireReader(p, buf, pos, n);
        pos += n;
        return r;
    }
}
