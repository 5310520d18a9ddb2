package org.lacd.pppoe.wire;

import org.lacd.wire.WireReader;
import org.lacd.wire.MalformedPacketException;

/**
 * The 6-byte PPPoE header (RFC 2516 section 4): VER=1, TYPE=1 (one byte 0x11), CODE, SESSION_ID, LENGTH.
 */
public record PppoeHeader(PppoeCode code, int sessionId, int length) {
    public static final int LENGTH = 6;
    public static final int VERSION_TYPE = 0x11;

    public static PppoeHeader decode(WireReader r) throws MalformedPacketException {
        int vt = r.u8("VER/TYPE");
        if (vt != VERSION_TYPE) {
            throw new MalformedPacketException(r.protocol(), r.offset() - 1,
                    "VER/TYPE 0x" + Integer.toHexString(vt) + " (expected: 0x11)");
        }
        int codeOffset = r.offset();
        PppoeCode code = PppoeCode.fromCode(r.u8("CODE"), r.protocol(), codeOffset);
        int sid = r.u16("SESSION_ID");
        int len = r.u16("LENGTH");
        if (len > r.remaining()) {
            throw new MalformedPacketException(r.protocol(), r.offset() - 2,
                    "LENGTH " + len + " (expected: <= " + r.remaining() + " bytes left in frame)");
        }
        return new PppoeHeader(code, sid, len);
    }

    public static int encode(byte[] b, int off, int code, int sessionId, int length) {
        b[off] = VERSION_TYPE;
        b[off + 1] = (byte) code;
        EthernetHeader.put16(b, off + 2, sessionId);
        EthernetHeader.put16(b, off + 4, length);
        return LENGTH;
    }
}
