package org.lacd.l2tp.wire;

/** Control message types, RFC 2661 section 3.2 (Message Type AVP values). */
public enum MessageType {
    SCCRQ(1), SCCRP(2), SCCCN(3), STOPCCN(4), HELLO(6),
    OCRQ(7), OCRP(8), OCCN(9), ICRQ(10), ICRP(11), ICCN(12), CDN(14), WEN(15), SLI(16);

    private static final MessageType[] BY_CODE = new MessageType[17];
    static {
        for (MessageType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;

    MessageType(int code) { this.code = code; }

    public int code() { return code; }

    /** @return the type, or null for a reserved/unknown code (the caller decides: RFC 2661 4.4.1 mandatory handling). */
    public static MessageType fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** True for messages that belong to a session (carry a non-zero Session ID), RFC 2661 6. */
    public boolean isCallMessage() {
        return this == OCRQ || this == OCRP || this == OCCN || this == ICRQ || this == ICRP || this == ICCN
                || this == CDN || this == WEN || this == SLI;
    }
}
