package org.lacd.pppoe.wire;

import org.lacd.wire.MalformedPacketException;
import org.lacd.wire.WireProtocol;

/** LCP codes (RFC 1661 section 5; Identification and Time-Remaining from RFC 1570). */
public enum LcpCode {
    CONFIGURE_REQUEST(1),
    CONFIGURE_ACK(2),
    CONFIGURE_NAK(3),
    CONFIGURE_REJECT(4),
    TERMINATE_REQUEST(5),
    TERMINATE_ACK(6),
    CODE_REJECT(7),
    PROTOCOL_REJECT(8),
    ECHO_REQUEST(9),
    ECHO_REPLY(10),
    DISCARD_REQUEST(11),
    IDENTIFICATION(12),
    TIME_REMAINING(13);

    private final int code;

    LcpCode(int code) { this.code = code; }

    public int code() { return code; }

    /** Null for an unknown code: the LCP automaton answers it with Code-Reject (RFC 1661 section 5.6). */
    public static LcpCode fromCodeOrNull(int code) {
        return code >= 1 && code <= 13 ? values()[code - 1] : null;
    }

    public static LcpCode fromCode(int code) throws MalformedPacketException {
        LcpCode c = fromCodeOrNull(code);
        if (c == null) {
            throw new MalformedPacketException(WireProtocol.LCP, 0, "unknown LCP code " + code);
        }
        return c;
    }

    public boolean carriesOptions() {
        return this == CONFIGURE_REQUEST || this == CONFIGURE_ACK || this == CONFIGURE_NAK || this == CONFIGURE_REJECT;
    }
}
