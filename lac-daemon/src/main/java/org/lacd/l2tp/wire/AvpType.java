package org.lacd.l2tp.wire;

import java.util.HashMap;
import java.util.Map;

/**
 * The AVP registry: every RFC 2661 AVP, the RFC 3145 PPP Disconnect Cause Code AVP and the RFC 5515 access-line AVPs
 * (carried with the Broadband Forum vendor id 3561, attribute numbers as in RFC 4679). One table holds the metadata:
 * the M bit we send (RFC 2661 4.4.x says per AVP), the data type and length bounds checked on decode, and whether
 * the AVP may be hidden. Unknown (vendor, type) pairs are not in this table: they are kept as opaque {@link Avp}s.
 */
public enum AvpType {
    // name                     vendor type  M      hideable dataType                min  max     RFC 2661 section
    MESSAGE_TYPE(0, 0, true, false, DataType.U16, 2, 2),                 // 4.4.1
    RESULT_CODE(0, 1, true, true, DataType.RESULT_CODE, 2, 1017),        // 4.4.2
    PROTOCOL_VERSION(0, 2, true, false, DataType.BYTES, 2, 2),           // 4.4.3
    FRAMING_CAPABILITIES(0, 3, true, true, DataType.U32, 4, 4),          // 4.4.3
    BEARER_CAPABILITIES(0, 4, true, true, DataType.U32, 4, 4),           // 4.4.3
    TIE_BREAKER(0, 5, false, false, DataType.BYTES, 8, 8),               // 4.4.3
    FIRMWARE_REVISION(0, 6, false, true, DataType.U16, 2, 2),            // 4.4.3
    HOST_NAME(0, 7, true, false, DataType.STRING, 1, 1017),              // 4.4.3
    VENDOR_NAME(0, 8, false, true, DataType.STRING, 0, 1017),            // 4.4.3
    ASSIGNED_TUNNEL_ID(0, 9, true, true, DataType.U16, 2, 2),            // 4.4.3
    RECEIVE_WINDOW_SIZE(0, 10, true, false, DataType.U16, 2, 2),         // 4.4.3
    CHALLENGE(0, 11, true, true, DataType.BYTES, 1, 1017),               // 4.4.3
    Q931_CAUSE_CODE(0, 12, true, true, DataType.BYTES, 3, 1017),         // 4.4.5
    CHALLENGE_RESPONSE(0, 13, true, true, DataType.BYTES, 16, 16),       // 4.4.3
    ASSIGNED_SESSION_ID(0, 14, true, true, DataType.U16, 2, 2),          // 4.4.4
    CALL_SERIAL_NUMBER(0, 15, true, true, DataType.U32, 4, 4),           // 4.4.4
    MINIMUM_BPS(0, 16, true, true, DataType.U32, 4, 4),                  // 4.4.4
    MAXIMUM_BPS(0, 17, true, true, DataType.U32, 4, 4),                  // 4.4.4
    BEARER_TYPE(0, 18, true, true, DataType.U32, 4, 4),                  // 4.4.4
    FRAMING_TYPE(0, 19, true, true, DataType.U32, 4, 4),                 // 4.4.4
    CALLED_NUMBER(0, 21, true, true, DataType.STRING, 0, 1017),          // 4.4.4
    CALLING_NUMBER(0, 22, true, true, DataType.STRING, 0, 1017),         // 4.4.4
    SUB_ADDRESS(0, 23, true, true, DataType.STRING, 0, 1017),            // 4.4.4
    TX_CONNECT_SPEED(0, 24, true, true, DataType.U32, 4, 4),             // 4.4.4
    PHYSICAL_CHANNEL_ID(0, 25, false, true, DataType.U32, 4, 4),         // 4.4.4
    INITIAL_RECEIVED_LCP_CONFREQ(0, 26, false, true, DataType.BYTES, 0, 1017), // 4.4.5
    LAST_SENT_LCP_CONFREQ(0, 27, false, true, DataType.BYTES, 0, 1017),  // 4.4.5
    LAST_RECEIVED_LCP_CONFREQ(0, 28, false, true, DataType.BYTES, 0, 1017), // 4.4.5
    PROXY_AUTHEN_TYPE(0, 29, false, true, DataType.U16, 2, 2),           // 4.4.5
    PROXY_AUTHEN_NAME(0, 30, false, true, DataType.STRING, 0, 1017),     // 4.4.5
    PROXY_AUTHEN_CHALLENGE(0, 31, false, true, DataType.BYTES, 0, 1017), // 4.4.5
    PROXY_AUTHEN_ID(0, 32, false, true, DataType.U16, 2, 2),             // 4.4.5
    PROXY_AUTHEN_RESPONSE(0, 33, false, true, DataType.BYTES, 0, 1017),  // 4.4.5
    CALL_ERRORS(0, 34, true, true, DataType.BYTES, 26, 26),              // 4.4.6
    ACCM(0, 35, true, true, DataType.BYTES, 10, 10),                     // 4.4.6
    RANDOM_VECTOR(0, 36, true, false, DataType.BYTES, 1, 1017),          // 4.4.3
    PRIVATE_GROUP_ID(0, 37, false, true, DataType.BYTES, 0, 1017),       // 4.4.4
    RX_CONNECT_SPEED(0, 38, false, true, DataType.U32, 4, 4),            // 4.4.4
    SEQUENCING_REQUIRED(0, 39, true, false, DataType.BYTES, 0, 0),       // 4.4.4
    PPP_DISCONNECT_CAUSE_CODE(0, 46, false, true, DataType.BYTES, 5, 1017), // RFC 3145 3.1
    // RFC 5515 section 3: Broadband Forum vendor id 3561, attribute numbers from RFC 4679, M bit 0; rates are 64-bit bps
    AGENT_CIRCUIT_ID(3561, 1, false, true, DataType.STRING, 1, 63),
    AGENT_REMOTE_ID(3561, 2, false, true, DataType.STRING, 1, 63),
    ACTUAL_DATA_RATE_UPSTREAM(3561, 129, false, true, DataType.U64, 8, 8),
    ACTUAL_DATA_RATE_DOWNSTREAM(3561, 130, false, true, DataType.U64, 8, 8),
    MINIMUM_DATA_RATE_UPSTREAM(3561, 131, false, true, DataType.U64, 8, 8),
    MINIMUM_DATA_RATE_DOWNSTREAM(3561, 132, false, true, DataType.U64, 8, 8),
    ATTAINABLE_DATA_RATE_UPSTREAM(3561, 133, false, true, DataType.U64, 8, 8),
    ATTAINABLE_DATA_RATE_DOWNSTREAM(3561, 134, false, true, DataType.U64, 8, 8),
    MAXIMUM_DATA_RATE_UPSTREAM(3561, 135, false, true, DataType.U64, 8, 8),
    MAXIMUM_DATA_RATE_DOWNSTREAM(3561, 136, false, true, DataType.U64, 8, 8),
    ACCESS_LOOP_ENCAPSULATION(3561, 144, false, true, DataType.BYTES, 3, 3),
    ANCP_ACCESS_LINE_TYPE(3561, 145, false, true, DataType.U32, 4, 4);

    /** Value encodings the decoder checks lengths for. */
    public enum DataType { U16, U32, U64, STRING, BYTES, RESULT_CODE }

    public static final int VENDOR_IETF = 0;
    public static final int VENDOR_BBF = 3561;

    private static final Map<Integer, AvpType> BY_KEY = new HashMap<>();
    static {
        for (AvpType t : values()) {
            BY_KEY.put(key(t.vendor, t.type), t);
        }
    }

    private final int vendor;
    private final int type;
    private final boolean mandatory;
    private final boolean hideable;
    private final DataType dataType;
    private final int minLength;
    private final int maxLength;

    AvpType(int vendor, int type, boolean mandatory, boolean hideable, DataType dataType, int minLength, int maxLength) {
        this.vendor = vendor;
        this.type = type;
        this.mandatory = mandatory;
        this.hideable = hideable;
        this.dataType = dataType;
        this.minLength = minLength;
        this.maxLength = maxLength;
    }

    private static int key(int vendor, int type) { return (vendor << 16) | type; }

    public int vendor() { return vendor; }

    public int code() { return type; }

    /** The M bit this implementation sends. */
    public boolean mandatory() { return mandatory; }

    /** Whether RFC 2661 allows the H bit on this AVP (Message Type, Random Vector, ... must never be hidden). */
    public boolean hideable() { return hideable; }

    public DataType dataType() { return dataType; }

    public int minLength() { return minLength; }

    public int maxLength() { return maxLength; }

    /** @return the registered type, or null when unknown (kept opaque). */
    public static AvpType fromCode(int vendor, int type) {
        return BY_KEY.get(key(vendor, type));
    }
}
