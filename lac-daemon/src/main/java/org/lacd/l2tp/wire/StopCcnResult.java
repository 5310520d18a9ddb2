package org.lacd.l2tp.wire;

/** StopCCN result codes, RFC 2661 4.4.2. */
public enum StopCcnResult {
    GENERAL_REQUEST_TO_CLEAR(1), GENERAL_ERROR(2), CHANNEL_EXISTS(3), NOT_AUTHORIZED(4), VERSION_NOT_SUPPORTED(5),
    SHUTTING_DOWN(6), FSM_ERROR(7);

    private final int code;

    StopCcnResult(int code) { this.code = code; }

    public int code() { return code; }

    public static StopCcnResult fromCode(int c) {
        for (StopCcnResult r : values()) {
            if (r.code == c) {
                return r;
            }
        }
        return null;
    }
}
