package org.lacd.radius.wire;

/** RADIUS packet codes used by lacd (RFC 2865 s3, RFC 2866 s3, RFC 5176 s2). Unknown codes are rejected by the decoder. */
public enum RadiusCode {
    ACCESS_REQUEST(1), ACCESS_ACCEPT(2), ACCESS_REJECT(3),
    ACCOUNTING_REQUEST(4), ACCOUNTING_RESPONSE(5),
    ACCESS_CHALLENGE(11), STATUS_SERVER(12),
    DISCONNECT_REQUEST(40), DISCONNECT_ACK(41), DISCONNECT_NAK(42),
    COA_REQUEST(43), COA_ACK(44), COA_NAK(45);

    private final int code;

    RadiusCode(int code) { this.code = code; }

    public int code() { return code; }

    /** @return the code, or null when unknown */
    public static RadiusCode fromCode(int code) {
        for (RadiusCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return null;
    }
}
