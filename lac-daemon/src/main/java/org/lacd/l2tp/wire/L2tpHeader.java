package org.lacd.l2tp.wire;

import static org.lacd.l2tp.wire.L2tpReason.BAD_LENGTH;
import static org.lacd.l2tp.wire.L2tpReason.BAD_VERSION;
import static org.lacd.l2tp.wire.L2tpReason.CONTROL_FLAGS;
import static org.lacd.l2tp.wire.L2tpReason.OFFSET_OVERRUN;

import org.lacd.wire.MalformedPacketException;
import org.lacd.wire.WireReader;
import org.lacd.wire.WireProtocol;

/**
 * The L2TPv2 header (RFC 2661 3.1):
 * <pre>
 *  T L x x S x O P x x x x Ver(4) | Length (opt, L)
 *  Tunnel ID                      | Session ID
 *  Ns (opt, S)                    | Nr (opt, S)
 *  Offset Size (opt, O)           | Offset pad ...
 * </pre>
 * {@code payloadOffset} is the array index of the first byte after the header (AVPs or PPP frame) and
 * {@code payloadLength} the number of bytes up to the end given by Length (or the datagram).
 * Ns/Nr/length/offsetSize are -1 when absent.
 */
public record L2tpHeader(boolean control, boolean priority, int length, int tunnelId, int sessionId, int ns, int nr,
                         int offsetSize, int payloadOffset, int payloadLength) {
    public static final int T = 0x8000;
    public static final int L = 0x4000;
    public static final int S = 0x0800;
    public static final int O = 0x0200;
    public static final int P = 0x0100;
    public static final int VERSION_MASK = 0x000f;
    public static final int VERSION = 2;
    /** Control header: flags, length, tunnel, session, Ns, Nr. */
    public static final int CONTROL_HEADER_LENGTH = 12;
    /** The longest header {@link #writeData} writes (with Ns/Nr). */
    public static final int MAX_DATA_HEADER_LENGTH = 10;

    public boolean sequenced() { return ns >= 0; }

    /** Decodes the header from the reader, leaving it positioned at the payload and limited by Length. */
    public static L2tpHeader decode(WireReader r) throws MalformedPacketException {
        int flags = r.u16("flags/version");
        if ((flags & VERSION_MASK) != VERSION) {
            throw new MalformedPacketException(WireProtocol.L2TP, BAD_VERSION, 0, "version " + (flags & VERSION_MASK) + " (expected: 2)");
        }
        boolean t = (flags & T) != 0;
        boolean hasL = (flags & L) != 0;
        boolean hasS = (flags & S) != 0;
        boolean hasO = (flags & O) != 0;
        boolean p = (flags & P) != 0;
        if (t && (!hasL || !hasS || hasO || p)) {
            // RFC 2661 3.1: control messages MUST have L=1, S=1, O=0, P=0
            throw new MalformedPacketException(WireProtocol.L2TP, CONTROL_FLAGS, 0, String.format("control flags 0x%04x (expected: L=1 S=1 O=0 P=0)", flags));
        }
        int length = -1;
        if (hasL) {
            length = r.u16("length");
            int minimum = 6 + (hasS ? 4 : 0) + (hasO ? 2 : 0);
            if (length < minimum) {
                throw new MalformedPacketException(WireProtocol.L2TP, BAD_LENGTH, 2, "length field " + length + " (expected: " + minimum + "+)");
            }
            r.limitTo(length, BAD_LENGTH);
        }
        int tunnelId = r.u16("tunnel id");
        int sessionId = r.u16("session id");
        int ns = -1;
        int nr = -1;
        if (hasS) {
            ns = r.u16("Ns");
            nr = r.u16("Nr");
        }
        int offsetSize = -1;
        if (hasO) {
            offsetSize = r.u16("offset size");
            if (offsetSize > r.remaining()) {
                throw new MalformedPacketException(WireProtocol.L2TP, OFFSET_OVERRUN, r.offset() - 2, "offset size " + offsetSize + " exceeds " + r.remaining() + " remaining");
            }
            r.skip(offsetSize, "offset pad");
        }
        return new L2tpHeader(t, p, length, tunnelId, sessionId, ns, nr, offsetSize, r.absolutePosition(), r.remaining());
    }

    /** Writes a control header (T, L, S set) into dst at off; returns the header length (12). */
    public static int writeControl(byte[] dst, int off, int totalLength, int tunnelId, int sessionId, int ns, int nr) {
        put16(dst, off, T | L | S | VERSION);
        put16(dst, off + 2, totalLength);
        put16(dst, off + 4, tunnelId);
        put16(dst, off + 6, sessionId);
        put16(dst, off + 8, ns);
        put16(dst, off + 10, nr);
        return CONTROL_HEADER_LENGTH;
    }

    /**
     * Writes a data message header without Length and offset (the form LNSs use): 6 bytes, or 10 with Ns/Nr. The one
     * encoder of the data header: the engine's send paths and the test LNS use it. Allocation-free (the send path
     * calls it per frame).
     * @return the header length
     */
    public static int writeData(byte[] dst, int off, int tunnelId, int sessionId, boolean sequenced, int ns, int nr) {
        put16(dst, off, (sequenced ? S : 0) | VERSION);
        put16(dst, off + 2, tunnelId);
        put16(dst, off + 4, sessionId);
        if (!sequenced) {
            return 6;
        }
        put16(dst, off + 6, ns);
        put16(dst, off + 8, nr);
        return 10;
    }

    static void put16(byte[] dst, int off, int v) {
        dst[off] = (byte) (v >>> 8);
        dst[off + 1] = (byte) v;
    }
}
