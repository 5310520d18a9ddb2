package org.lacd.pppoe.wire;

/**
 * Known PPPoE tag types with their value format: the one metadata table for the open tag registry (RFC 2516
 * Appendix A, RFC 4638, RFC 4937, RFC 5578; IANA "PPPoE TAG Values"). Unknown tag types are kept by
 * {@link PppoeTag} as raw bytes and never cause an error. Steps to add a tag: {@code pppoe/README.md}.
 */
public enum TagType {
    END_OF_LIST(0x0000, Format.EMPTY),
    SERVICE_NAME(0x0101, Format.UTF8),
    AC_NAME(0x0102, Format.UTF8),
    HOST_UNIQ(0x0103, Format.BINARY, true),
    AC_COOKIE(0x0104, Format.BINARY),
    VENDOR_SPECIFIC(0x0105, Format.VENDOR),
    CREDITS(0x0106, Format.BINARY),
    METRICS(0x0107, Format.BINARY),
    SEQUENCE_NUMBER(0x0108, Format.BINARY),
    CREDIT_SCALE_FACTOR(0x0109, Format.BINARY),
    RELAY_SESSION_ID(0x0110, Format.BINARY, true),
    HURL(0x0111, Format.UTF8),
    MOTM(0x0112, Format.UTF8),
    PPP_MAX_PAYLOAD(0x0120, Format.U16),
    IP_ROUTE_ADD(0x0121, Format.BINARY),
    SERVICE_NAME_ERROR(0x0201, Format.UTF8),
    AC_SYSTEM_ERROR(0x0202, Format.UTF8),
    GENERIC_ERROR(0x0203, Format.UTF8);

    /** How a tag's value is laid out; {@link PppoeTag#validate} checks it and {@link PppoeTag#toString} prints by it. */
    public enum Format { EMPTY, UTF8, BINARY, U16, VENDOR }

    private final int code;
    private final Format format;
    private final boolean echoed;

    TagType(int code, Format format) {
        this(code, format, false);
    }

    /** @param echoed copied unchanged from the request into every answer (RFC 2516 Appendix A: Host-Uniq, Relay-Session-Id) */
    TagType(int code, Format format, boolean echoed) {
        this.code = code;
        this.format = format;
        this.echoed = echoed;
    }

    public int code() { return code; }
    public Format format() { return format; }

    /** Copied from the request into the AC's PADO and PADS (the server reads nothing else to decide). */
    public boolean echoed() { return echoed; }

    /** Null for a type outside this table (kept as unknown, not an error). */
    public static TagType fromCodeOrNull(int code) {
        for (TagType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
