package org.lacd.l2tp.wire;

import java.util.HashMap;
import java.util.Map;

/**
 * The AVP registry: every RFC 2661 AVP, the RFC 3145 PPP Disconnect Cause Code AVP and the RFC 5515 access-line AVPs
 * (carried with the Broadband Forum vendor id 3561, attribute numbers as in RFC 4679). One table holds the metadata:
 * the M bit we send (RFC 2661 4.4.x says per AVP), the data type and length bounds checked on decode, and whether
 * the AVP may be hidden and is hidden when a profile hides subscriber data ({@link Hiding}). Unknown (vendor, type)
 * pairs are not in this table: they are kept as opaque {@link Avp}s. How to add an AVP: {@code package-info.java}.
 */
public enum AvpType {
    // name(vendor, type, M bit, hiding, data type, min length, max length)                   RFC 2661 section
    MESSAGE_TYPE(0, 0, true, Hiding.NEVER, DataType.U16, 2, 2),                         // 4.4.1
    RESULT_CODE(0, 1, true, Hiding.ALLOWED, DataType.RESULT_CODE, 2, 1017),             // 4.4.2
    PROTOCOL_VERSION(0, 2, true, Hiding.NEVER, DataType.BYTES, 2, 2),                   // 4.4.3
    FRAMING_CAPABILITIES(0, 3, true, Hiding.ALLOWED, DataType.U32, 4, 4),               // 4.4.3
    BEARER_CAPABILITIES(0, 4, true, Hiding.ALLOWED, DataType.U32, 4, 4),                // 4.4.3
    TIE_BREAKER(0, 5, false, Hiding.NEVER, DataType.BYTES, 8, 8),                       // 4.4.3
    FIRMWARE_REVISION(0, 6, false, Hiding.ALLOWED, DataType.U16, 2, 2),                 // 4.4.3
    HOST_NAME(0, 7, true, Hiding.NEVER, DataType.STRING, 1, 1017),                      // 4.4.3
    VENDOR_NAME(0, 8, false, Hiding.ALLOWED, DataType.STRING, 0, 1017),                 // 4.4.3
    ASSIGNED_TUNNEL_ID(0, 9, true, Hiding.ALLOWED, DataType.U16, 2, 2),                 // 4.4.3
    RECEIVE_WINDOW_SIZE(0, 10, true, Hiding.NEVER, DataType.U16, 2, 2),                 // 4.4.3
    CHALLENGE(0, 11, true, Hiding.ALLOWED, DataType.BYTES, 1, 1017),                    // 4.4.3
    Q931_CAUSE_CODE(0, 12, true, Hiding.ALLOWED, DataType.BYTES, 3, 1017),              // 4.4.5
    CHALLENGE_RESPONSE(0, 13, true, Hiding.ALLOWED, DataType.BYTES, 16, 16),            // 4.4.3
    ASSIGNED_SESSION_ID(0, 14, true, Hiding.ALLOWED, DataType.U16, 2, 2),               // 4.4.4
    CALL_SERIAL_NUMBER(0, 15, true, Hiding.ALLOWED, DataType.U32, 4, 4),                // 4.4.4
    MINIMUM_BPS(0, 16, true, Hiding.ALLOWED, DataType.U32, 4, 4),                       // 4.4.4
    MAXIMUM_BPS(0, 17, true, Hiding.ALLOWED, DataType.U32, 4, 4),                       // 4.4.4
    BEARER_TYPE(0, 18, true, Hiding.ALLOWED, DataType.U32, 4, 4),                       // 4.4.4
    FRAMING_TYPE(0, 19, true, Hiding.ALLOWED, DataType.U32, 4, 4),                      // 4.4.4
    CALLED_NUMBER(0, 21, true, Hiding.SUBSCRIBER, DataType.STRING, 0, 1017),            // 4.4.4
    CALLING_NUMBER(0, 22, true, Hiding.SUBSCRIBER, DataType.STRING, 0, 1017),           // 4.4.4
    SUB_ADDRESS(0, 23, true, Hiding.SUBSCRIBER, DataType.STRING, 0, 1017),              // 4.4.4
    TX_CONNECT_SPEED(0, 24, true, Hiding.ALLOWED, DataType.U32, 4, 4),                  // 4.4.4
    PHYSICAL_CHANNEL_ID(0, 25, false, Hiding.ALLOWED, DataType.U32, 4, 4),              // 4.4.4
    INITIAL_RECEIVED_LCP_CONFREQ(0, 26, false, Hiding.ALLOWED, DataType.BYTES, 0, 1017),// 4.4.5
    LAST_SENT_LCP_CONFREQ(0, 27, false, Hiding.ALLOWED, DataType.BYTES, 0, 1017),       // 4.4.5
    LAST_RECEIVED_LCP_CONFREQ(0, 28, false, Hiding.ALLOWED, DataType.BYTES, 0, 1017),   // 4.4.5
    PROXY_AUTHEN_TYPE(0, 29, false, Hiding.SUBSCRIBER, DataType.U16, 2, 2),             // 4.4.5
    PROXY_AUTHEN_NAME(0, 30, false, Hiding.SUBSCRIBER, DataType.STRING, 0, 1017),       // 4.4.5
    PROXY_AUTHEN_CHALLENGE(0, 31, false, Hiding.SUBSCRIBER, DataType.BYTES, 0, 1017),   // 4.4.5
    PROXY_AUTHEN_ID(0, 32, false, Hiding.SUBSCRIBER, DataType.U16, 2, 2),               // 4.4.5
    PROXY_AUTHEN_RESPONSE(0, 33, false, Hiding.SUBSCRIBER, DataType.BYTES, 0, 1017),    // 4.4.5
    CALL_ERRORS(0, 34, true, Hiding.ALLOWED, DataType.BYTES, 26, 26),                   // 4.4.6
    ACCM(0, 35, true, Hiding.ALLOWED, DataType.BYTES, 10, 10),                          // 4.4.6
    RANDOM_VECTOR(0, 36, true, Hiding.NEVER, DataType.BYTES, 1, 1017),                  // 4.4.3
    PRIVATE_GROUP_ID(0, 37, false, Hiding.ALLOWED, DataType.BYTES, 0, 1017),            // 4.4.4
    RX_CONNECT_SPEED(0, 38, false, Hiding.ALLOWED, DataType.U32, 4, 4),                 // 4.4.4
    SEQUENCING_REQUIRED(0, 39, true, Hiding.NEVER, DataType.BYTES, 0, 0),               // 4.4.4
    PPP_DISCONNECT_CAUSE_CODE(0, 46, false, Hiding.ALLOWED, DataType.BYTES, 5, 1017),   // RFC 3145 3.1
    // RFC 5515 section 3: Broadband Forum vendor id 3561, attribute numbers from RFC 4679, M bit 0; rates are 64-bit bps
    AGENT_CIRCUIT_ID(3561, 1, false, Hiding.SUBSCRIBER, DataType.STRING, 1, 63),
    AGENT_REMOTE_ID(3561, 2, false, Hiding.SUBSCRIBER, DataType.STRING, 1, 63),
    ACTUAL_DATA_RATE_UPSTREAM(3561, 129, false, Hiding.ALLOWED, DataType.U64, 8, 8),
    ACTUAL_DATA_RATE_DOWNSTREAM(3561, 130, false, Hiding.ALLOWED, DataType.U64, 8, 8),
    MINIMUM_DATA_RATE_UPSTREAM(3561, 131, false, Hiding.ALLOWED, DataType.U64, 8, 8),
    MINIMUM_DATA_RATE_DOWNSTREAM(3561, 132, false, Hiding.ALLOWED, DataType.U64, 8, 8),
    ATTAINABLE_DATA_RATE_UPSTREAM(3561, 133, false, Hiding.ALLOWED, DataType.U64, 8, 8),
    ATTAINABLE_DATA_RATE_DOWNSTREAM(3561, 134, false, Hiding.ALLOWED, DataType.U64, 8, 8),
    MAXIMUM_DATA_RATE_UPSTREAM(3561, 135, false, Hiding.ALLOWED, DataType.U64, 8, 8),
    MAXIMUM_DATA_RATE_DOWNSTREAM(3561, 136, false, Hiding.ALLOWED, DataType.U64, 8, 8),
    ACCESS_LOOP_ENCAPSULATION(3561, 144, false, Hiding.ALLOWED, DataType.BYTES, 3, 3),
    ANCP_ACCESS_LINE_TYPE(3561, 145, false, Hiding.ALLOWED, DataType.U32, 4, 4);

    /**
     * Whether the AVP may be hidden (RFC 2661 4.3) and whether lacd hides it. SUBSCRIBER: it identifies a subscriber or
     * carries credentials, so it is hidden whenever the LNS profile asks for hiding; ALLOWED: RFC 2661 allows the H bit,
     * lacd sends it in clear; NEVER: the H bit is not allowed (Message Type, Random Vector, Host Name, ...).
     */
    public enum Hiding { NEVER, ALLOWED, SUBSCRIBER }

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
    private final Hiding hiding;
    private final DataType dataType;
    private final int minLength;
    private final int maxLength;

    AvpType(int vendor, int type, boolean mandatory, Hiding hiding, DataType dataType, int minLength, int maxLength) {
        this.vendor = vendor;
        this.type = type;
        this.mandatory = mandatory;
        this.hiding = hiding;
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
    public boolean hideable() { return hiding != Hiding.NEVER; }

    public Hiding hiding() { return hiding; }

    /** Hidden whenever the tunnel's profile asks for hiding: it carries subscriber data (see {@link Hiding#SUBSCRIBER}). */
    public boolean subscriberData() { return hiding == Hiding.SUBSCRIBER; }

    public DataType dataType() { return dataType; }

    public int minLength() { return minLength; }

    public int maxLength() { return maxLength; }

    /** @return the registered type, or null when unknown (kept opaque). */
    public static AvpType fromCode(int vendor, int type) {
        return BY_KEY.get(key(vendor, type));
    }
}
