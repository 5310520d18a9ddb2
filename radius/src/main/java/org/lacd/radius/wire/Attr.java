package org.lacd.radius.wire;

/**
 * RADIUS attribute type numbers used by lacd: an open registry (unknown types are kept as raw attributes).
 * RFC 2865 s5, RFC 2866 s5, RFC 2867 s4, RFC 2868 s3, RFC 2869, RFC 3162, RFC 3579, RFC 5176, RFC 4679 (vendor 3561).
 */
public final class Attr {
    private Attr() { }

    public static final int USER_NAME = 1;
    public static final int USER_PASSWORD = 2;
    public static final int CHAP_PASSWORD = 3;
    public static final int NAS_IP_ADDRESS = 4;
    public static final int NAS_PORT = 5;
    public static final int SERVICE_TYPE = 6;
    public static final int FRAMED_PROTOCOL = 7;
    public static final int REPLY_MESSAGE = 18;
    public static final int STATE = 24;
    public static final int CLASS = 25;
    public static final int VENDOR_SPECIFIC = 26;
    public static final int SESSION_TIMEOUT = 27;
    public static final int IDLE_TIMEOUT = 28;
    public static final int CALLED_STATION_ID = 30;
    public static final int CALLING_STATION_ID = 31;
    public static final int NAS_IDENTIFIER = 32;
    public static final int PROXY_STATE = 33;
    public static final int ACCT_STATUS_TYPE = 40;
    public static final int ACCT_DELAY_TIME = 41;
    public static final int ACCT_INPUT_OCTETS = 42;
    public static final int ACCT_OUTPUT_OCTETS = 43;
    public static final int ACCT_SESSION_ID = 44;
    public static final int ACCT_AUTHENTIC = 45;
    public static final int ACCT_SESSION_TIME = 46;
    public static final int ACCT_INPUT_PACKETS = 47;
    public static final int ACCT_OUTPUT_PACKETS = 48;
    public static final int ACCT_TERMINATE_CAUSE = 49;
    public static final int ACCT_MULTI_SESSION_ID = 50;
    public static final int ACCT_INPUT_GIGAWORDS = 52;
    public static final int ACCT_OUTPUT_GIGAWORDS = 53;
    public static final int EVENT_TIMESTAMP = 55;
    public static final int CHAP_CHALLENGE = 60;
    public static final int NAS_PORT_TYPE = 61;
    public static final int TUNNEL_TYPE = 64;
    public static final int TUNNEL_MEDIUM_TYPE = 65;
    public static final int TUNNEL_CLIENT_ENDPOINT = 66;
    public static final int TUNNEL_SERVER_ENDPOINT = 67;
    public static final int ACCT_TUNNEL_CONNECTION = 68;
    public static final int TUNNEL_PASSWORD = 69;
    public static final int MESSAGE_AUTHENTICATOR = 80;
    public static final int TUNNEL_PRIVATE_GROUP_ID = 81;
    public static final int TUNNEL_ASSIGNMENT_ID = 82;
    public static final int TUNNEL_PREFERENCE = 83;
    public static final int ACCT_INTERIM_INTERVAL = 85;
    public static final int ACCT_TUNNEL_PACKETS_LOST = 86;
    public static final int NAS_PORT_ID = 87;
    public static final int TUNNEL_CLIENT_AUTH_ID = 90;
    public static final int TUNNEL_SERVER_AUTH_ID = 91;
    public static final int NAS_IPV6_ADDRESS = 95;
    public static final int ERROR_CAUSE = 101;

    /** DSL Forum (Broadband Forum) vendor id, RFC 4679 s3. */
    public static final int VENDOR_DSL_FORUM = 3561;
    public static final int DSL_AGENT_CIRCUIT_ID = 1;
    public static final int DSL_AGENT_REMOTE_ID = 2;
    public static final int DSL_ACTUAL_DATA_RATE_UP = 129;
    public static final int DSL_ACTUAL_DATA_RATE_DOWN = 130;
    public static final int DSL_MIN_DATA_RATE_UP = 131;
    public static final int DSL_MIN_DATA_RATE_DOWN = 132;

    /** RFC 2868 s3: attributes that carry a tag octet. Integer ones always have it; string ones only when 0x01..0x1F. */
    public static boolean isTunnelTagged(int type) {
        return switch (type) {
            case TUNNEL_TYPE, TUNNEL_MEDIUM_TYPE, TUNNEL_CLIENT_ENDPOINT, TUNNEL_SERVER_ENDPOINT, TUNNEL_PASSWORD,
                 TUNNEL_PRIVATE_GROUP_ID, TUNNEL_ASSIGNMENT_ID, TUNNEL_PREFERENCE, TUNNEL_CLIENT_AUTH_ID,
                 TUNNEL_SERVER_AUTH_ID -> true;
            default -> false;
        };
    }
}
