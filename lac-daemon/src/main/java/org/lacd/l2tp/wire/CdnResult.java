package org.lacd.l2tp.wire;

/** CDN result codes, RFC 2661 4.4.2. */
public enum CdnResult {
    LOSS_OF_CARRIER(1), ERROR(2), ADMINISTRATIVE(3), TEMPORARY_NO_FACILITIES(4), PERMANENT_NO_FACILITIES(5),
    INVALID_DESTINATION(6), NO_CARRIER(7), BUSY(8), NO_DIAL_TONE(9), NOT_ESTABLISHED_IN_TIME(10), NO_FRAMING(11);

    private final int code;

    CdnResult(int code) { this.code = code; }

    public int code() { return code; }

    public static CdnResult fromCode(int c) {
        for (CdnResult r : values()) {
            if (r.code == c) {
                return r;
            }
        }
        return null;
    }
}
