package org.lacd.pppoe.wire;

import org.lacd.wire.MalformedPacketException;
import org.lacd.wire.WireProtocol;

/** PPPoE CODE field (RFC 2516 section 5; PADM/PADN from RFC 4937 are recognised, never sent). */
public enum PppoeCode {
    SESSION(0x00),
    PADO(0x07),
    PADI(0x09),
    PADR(0x19),
    PADS(0x65),
    PADT(0xa7),
    PADM(0xd3),
    PADN(0xd4);

    private final int code;

    PppoeCode(int code) { this.code = code; }

    public int code() { return code; }

    private static final PppoeCode[] BY_CODE = new PppoeCode[256];
    static {
        for (PppoeCode c : values()) {
            BY_CODE[c.code] = c;
        }
    }

    public static PppoeCode fromCodeOrNull(int code) {
        return code < 0 || code > 255 ? null : BY_CODE[code];
    }

    public static PppoeCode fromCode(int code, WireProtocol p, int offset) throws MalformedPacketException {
        PppoeCode c = fromCodeOrNull(code);
        if (c == null) {
            throw new MalformedPacketException(p, offset, "unknown PPPoE CODE 0x" + Integer.toHexString(code));
        }
        return c;
    }
}
