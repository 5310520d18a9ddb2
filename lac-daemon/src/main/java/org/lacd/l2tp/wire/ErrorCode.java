package org.lacd.l2tp.wire;

/** General error codes, RFC 2661 4.4.2. */
public enum ErrorCode {
    NO_ERROR(0), NO_CONTROL_CONNECTION(1), BAD_LENGTH(2), BAD_VALUE(3), NO_RESOURCES(4), INVALID_SESSION_ID(5),
    VENDOR_ERROR(6), TRY_ANOTHER(7), UNKNOWN_MANDATORY_AVP(8);

    private final int code;

    ErrorCode(int code) { this.code = code; }

    public int code() { return code; }

    public static ErrorCode fromCode(int c) {
        for (ErrorCode r : values()) {
            if (r.code == c) {
                return r;
            }
        }
        return null;
    }
}
