package org.lacd.pppoe.wire;

/** LCP configuration option types (RFC 1661 section 6, RFC 1570, RFC 1990); the list is open: see {@link LcpOption}. */
public enum LcpOptionType {
    MRU(1, 4),
    ACCM(2, 6),
    AUTH_PROTOCOL(3, -1),
    QUALITY_PROTOCOL(4, -1),
    MAGIC_NUMBER(5, 6),
    PFC(7, 2),
    ACFC(8, 2),
    CALLBACK(13, -1),
    MRRU(17, 4),
    ENDPOINT_DISCRIMINATOR(19, -1);

    private final int code;
    /** Exact option length including type and length bytes, or -1 when variable. */
    private final int length;

    LcpOptionType(int code, int length) {
        this.code = code;
        this.length = length;
    }

    public int code() { return code; }
    public int length() { return length; }

    public static LcpOptionType fromCodeOrNull(int code) {
        for (LcpOptionType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
