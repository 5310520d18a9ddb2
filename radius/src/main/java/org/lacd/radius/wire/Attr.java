package org.lacd.radius.wire;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * The RADIUS attribute registry: one row per attribute lacd sends, reads or prints, with its metadata (name as in
 * FreeRADIUS's dictionary, type number, vendor and vendor type for a Vendor-Specific one, data type, whether it
 * carries an RFC 2868 tag, how it is encrypted). Encoding ({@link #string}, {@link #integer}, {@link #octets},
 * {@link #address}, {@link #tagged}), decoding ({@link #of}, {@link #data}) and printing ({@link #format}) follow
 * from the row; a new attribute is a new row (steps in {@code radius/README.md}).
 *
 * <p>An open registry: attributes not in this table are kept as raw {@link RadiusAttribute}s and printed by number.
 * RFC 2865 s5, RFC 2866 s5, RFC 2867 s4, RFC 2868 s3, RFC 2869, RFC 3162, RFC 3579, RFC 5176, RFC 4679 (vendor 3561).
 */
public enum Attr {
    // name in the dictionary           vendor  type  data type         tagged  encryption               RFC
    USER_NAME("User-Name", 0, 1, Type.TEXT),                                                        // 2865 5.1
    USER_PASSWORD("User-Password", 0, 2, Type.OCTETS, false, Encryption.USER_PASSWORD),           // 2865 5.2
    CHAP_PASSWORD("CHAP-Password", 0, 3, Type.OCTETS),                                              // 2865 5.3
    NAS_IP_ADDRESS("NAS-IP-Address", 0, 4, Type.IPV4),                                              // 2865 5.4
    NAS_PORT("NAS-Port", 0, 5, Type.INTEGER),                                                       // 2865 5.5
    SERVICE_TYPE("Service-Type", 0, 6, Type.INTEGER),                                               // 2865 5.6
    FRAMED_PROTOCOL("Framed-Protocol", 0, 7, Type.INTEGER),                                         // 2865 5.7
    REPLY_MESSAGE("Reply-Message", 0, 18, Type.TEXT),                                               // 2865 5.18
    STATE("State", 0, 24, Type.OCTETS),                                                             // 2865 5.24
    CLASS("Class", 0, 25, Type.OCTETS),                                                             // 2865 5.25
    VENDOR_SPECIFIC("Vendor-Specific", 0, 26, Type.OCTETS),                                         // 2865 5.26 (vendors not below)
    SESSION_TIMEOUT("Session-Timeout", 0, 27, Type.INTEGER),                                        // 2865 5.27
    IDLE_TIMEOUT("Idle-Timeout", 0, 28, Type.INTEGER),                                              // 2865 5.28
    CALLED_STATION_ID("Called-Station-Id", 0, 30, Type.TEXT),                                       // 2865 5.30
    CALLING_STATION_ID("Calling-Station-Id", 0, 31, Type.TEXT),                                     // 2865 5.31
    NAS_IDENTIFIER("NAS-Identifier", 0, 32, Type.TEXT),                                             // 2865 5.32
    PROXY_STATE("Proxy-State", 0, 33, Type.OCTETS),                                                 // 2865 5.33
    ACCT_STATUS_TYPE("Acct-Status-Type", 0, 40, Type.INTEGER),                                      // 2866 5.1
    ACCT_DELAY_TIME("Acct-Delay-Time", 0, 41, Type.INTEGER),                                        // 2866 5.2
    ACCT_INPUT_OCTETS("Acct-Input-Octets", 0, 42, Type.INTEGER),                                    // 2866 5.3
    ACCT_OUTPUT_OCTETS("Acct-Output-Octets", 0, 43, Type.INTEGER),                                  // 2866 5.4
    ACCT_SESSION_ID("Acct-Session-Id", 0, 44, Type.TEXT),                                           // 2866 5.5
    ACCT_AUTHENTIC("Acct-Authentic", 0, 45, Type.INTEGER),                                          // 2866 5.6
    ACCT_SESSION_TIME("Acct-Session-Time", 0, 46, Type.INTEGER),                                    // 2866 5.7
    ACCT_INPUT_PACKETS("Acct-Input-Packets", 0, 47, Type.INTEGER),                                  // 2866 5.8
    ACCT_OUTPUT_PACKETS("Acct-Output-Packets", 0, 48, Type.INTEGER),                                // 2866 5.9
    ACCT_TERMINATE_CAUSE("Acct-Terminate-Cause", 0, 49, Type.INTEGER),                              // 2866 5.10
    ACCT_MULTI_SESSION_ID("Acct-Multi-Session-Id", 0, 50, Type.TEXT),                               // 2866 5.11
    ACCT_INPUT_GIGAWORDS("Acct-Input-Gigawords", 0, 52, Type.INTEGER),                              // 2869 5.1
    ACCT_OUTPUT_GIGAWORDS("Acct-Output-Gigawords", 0, 53, Type.INTEGER),                            // 2869 5.2
    EVENT_TIMESTAMP("Event-Timestamp", 0, 55, Type.DATE),                                           // 2869 5.3
    CHAP_CHALLENGE("CHAP-Challenge", 0, 60, Type.OCTETS),                                           // 2865 5.40
    NAS_PORT_TYPE("NAS-Port-Type", 0, 61, Type.INTEGER),                                            // 2865 5.41
    TUNNEL_TYPE("Tunnel-Type", 0, 64, Type.INTEGER, true, Encryption.NONE),                         // 2868 3.1
    TUNNEL_MEDIUM_TYPE("Tunnel-Medium-Type", 0, 65, Type.INTEGER, true, Encryption.NONE),           // 2868 3.2
    TUNNEL_CLIENT_ENDPOINT("Tunnel-Client-Endpoint", 0, 66, Type.TEXT, true, Encryption.NONE),      // 2868 3.3
    TUNNEL_SERVER_ENDPOINT("Tunnel-Server-Endpoint", 0, 67, Type.TEXT, true, Encryption.NONE),      // 2868 3.4
    ACCT_TUNNEL_CONNECTION("Acct-Tunnel-Connection", 0, 68, Type.TEXT),                             // 2867 4.1
    TUNNEL_PASSWORD("Tunnel-Password", 0, 69, Type.OCTETS, true, Encryption.TUNNEL_PASSWORD),       // 2868 3.5
    MESSAGE_AUTHENTICATOR("Message-Authenticator", 0, 80, Type.OCTETS),                             // 3579 3.2
    TUNNEL_PRIVATE_GROUP_ID("Tunnel-Private-Group-Id", 0, 81, Type.TEXT, true, Encryption.NONE),    // 2868 3.6
    TUNNEL_ASSIGNMENT_ID("Tunnel-Assignment-Id", 0, 82, Type.TEXT, true, Encryption.NONE),          // 2868 3.7
    TUNNEL_PREFERENCE("Tunnel-Preference", 0, 83, Type.INTEGER, true, Encryption.NONE),             // 2868 3.8
    ACCT_INTERIM_INTERVAL("Acct-Interim-Interval", 0, 85, Type.INTEGER),                            // 2869 5.16
    ACCT_TUNNEL_PACKETS_LOST("Acct-Tunnel-Packets-Lost", 0, 86, Type.INTEGER),                      // 2867 4.2
    NAS_PORT_ID("NAS-Port-Id", 0, 87, Type.TEXT),                                                   // 2869 5.17
    TUNNEL_CLIENT_AUTH_ID("Tunnel-Client-Auth-Id", 0, 90, Type.TEXT, true, Encryption.NONE),        // 2868 3.9
    TUNNEL_SERVER_AUTH_ID("Tunnel-Server-Auth-Id", 0, 91, Type.TEXT, true, Encryption.NONE),        // 2868 3.10
    NAS_IPV6_ADDRESS("NAS-IPv6-Address", 0, 95, Type.IPV6),                                         // 3162 2.1
    ERROR_CAUSE("Error-Cause", 0, 101, Type.INTEGER),                                               // 5176 3.5
    // RFC 4679 s3: DSL Forum (Broadband Forum) vendor 3561, names as in FreeRADIUS's dictionary.dslforum
    DSL_AGENT_CIRCUIT_ID("ADSL-Agent-Circuit-Id", Attr.VENDOR_DSL_FORUM, 1, Type.OCTETS),           // 4679 3.3.1
    DSL_AGENT_REMOTE_ID("ADSL-Agent-Remote-Id", Attr.VENDOR_DSL_FORUM, 2, Type.OCTETS),             // 4679 3.3.2
    DSL_ACTUAL_DATA_RATE_UP("Actual-Data-Rate-Upstream", Attr.VENDOR_DSL_FORUM, 129, Type.INTEGER),  // 4679 3.3.3
    DSL_ACTUAL_DATA_RATE_DOWN("Actual-Data-Rate-Downstream", Attr.VENDOR_DSL_FORUM, 130, Type.INTEGER),
    DSL_MIN_DATA_RATE_UP("Minimum-Data-Rate-Upstream", Attr.VENDOR_DSL_FORUM, 131, Type.INTEGER),
    DSL_MIN_DATA_RATE_DOWN("Minimum-Data-Rate-Downstream", Attr.VENDOR_DSL_FORUM, 132, Type.INTEGER);

    /** DSL Forum (Broadband Forum) vendor id, RFC 4679 s3. */
    public static final int VENDOR_DSL_FORUM = 3561;

    /**
     * How a value is laid out, as FreeRADIUS's dictionary types it: TEXT {@code string} (UTF-8, printed quoted),
     * OCTETS {@code octets} (printed in hex), INTEGER, DATE (32-bit unsigned), IPV4 {@code ipaddr}, IPV6
     * {@code ipv6addr}. A tagged integer is a tag octet and a 3-octet value (RFC 2868 s3.1).
     */
    public enum Type { TEXT, OCTETS, INTEGER, DATE, IPV4, IPV6 }

    /** How a value is hidden on the wire: RFC 2865 s5.2, RFC 2868 s3.5 (salted). The codec never sees the clear text. */
    public enum Encryption { NONE, USER_PASSWORD, TUNNEL_PASSWORD }

    private static final Map<Long, Attr> BY_KEY = new HashMap<>();
    static {
        for (Attr a : values()) {
            if (BY_KEY.put(key(a.vendor, a.code), a) != null) {
                throw new ExceptionInInitializerError("two rows for " + a);
            }
        }
    }

    private final String dictionaryName;
    private final int vendor;
    private final int code;
    private final Type type;
    private final boolean tagged;
    private final Encryption encryption;

    Attr(String dictionaryName, int vendor, int code, Type type) {
        this(dictionaryName, vendor, code, type, false, Encryption.NONE);
    }

    Attr(String dictionaryName, int vendor, int code, Type type, boolean tagged, Encryption encryption) {
        this.dictionaryName = dictionaryName;
        this.vendor = vendor;
        this.code = code;
        this.type = type;
        this.tagged = tagged;
        this.encryption = encryption;
    }

    private static long key(int vendor, int code) { return ((long) vendor << 8) | code; }

    /** The name in FreeRADIUS's dictionary (what its detail file and radclient print). */
    public String dictionaryName() { return dictionaryName; }

    /** 0 for a standard attribute, else the vendor id of the Vendor-Specific attribute that carries it. */
    public int vendor() { return vendor; }

    /** The attribute type (standard) or the vendor type (vendor-specific). */
    public int code() { return code; }

    /** The type octet on the wire: {@link #code} or 26 (Vendor-Specific). */
    public int wireType() { return vendor == 0 ? code : VENDOR_SPECIFIC.code; }

    public Type type() { return type; }

    /** RFC 2868 s3: carries a tag octet (integer ones always, string ones only when 0x01..0x1F). */
    public boolean tagged() { return tagged; }

    public Encryption encryption() { return encryption; }

    // ---- encoding ----

    /** A value as it goes on the wire: wrapped in a Vendor-Specific attribute when the row has a vendor. */
    public RadiusAttribute octets(byte[] data) {
        if (vendor == 0) {
            return new RadiusAttribute(code, data);
        }
        if (data.length > RadiusAttribute.MAX_VALUE_LENGTH - 6) {
            throw new IllegalArgumentException(dictionaryName + " value length " + data.length + " > " + (RadiusAttribute.MAX_VALUE_LENGTH - 6));
        }
        byte[] v = new byte[6 + data.length];
        v[0] = (byte) (vendor >>> 24);
        v[1] = (byte) (vendor >>> 16);
        v[2] = (byte) (vendor >>> 8);
        v[3] = (byte) vendor;
        v[4] = (byte) code;
        v[5] = (byte) (data.length + 2);
        System.arraycopy(data, 0, v, 6, data.length);
        return new RadiusAttribute(VENDOR_SPECIFIC.code, v);
    }

    /** A text or octets attribute from a string (UTF-8). An encrypted one takes its ciphertext through {@link #octets} only. */
    public RadiusAttribute string(String s) {
        return tagged(0, s);
    }

    /** An RFC 2868 tagged string: the tag octet is written only when 0x01..0x1F (0 = none). */
    public RadiusAttribute tagged(int tag, String s) {
        require(type == Type.TEXT || type == Type.OCTETS, "a string");
        if (encryption != Encryption.NONE) {
            throw new IllegalArgumentException(dictionaryName + " is encrypted (" + encryption + "): pass the ciphertext to octets()");
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (tag == 0) {
            return octets(b);
        }
        requireTag(tag);
        byte[] v = new byte[b.length + 1];
        v[0] = (byte) tag;
        System.arraycopy(b, 0, v, 1, b.length);
        return octets(v);
    }

    /** An integer or date attribute (32-bit unsigned); a tagged integer gets tag 0. */
    public RadiusAttribute integer(long v) {
        return tagged ? tagged(0, v) : octets(int32(checkedU32(v)));
    }

    /** An RFC 2868 tagged integer: tag octet (0..0x1F) and a 3-octet value. */
    public RadiusAttribute tagged(int tag, long v) {
        require(type == Type.INTEGER && tagged, "a tagged integer");
        if (tag != 0) {
            requireTag(tag);
        }
        if (v < 0 || v > 0xFFFFFF) {
            throw new IllegalArgumentException(dictionaryName + " value " + v + " does not fit 3 octets");
        }
        return octets(new byte[] {(byte) tag, (byte) (v >> 16), (byte) (v >> 8), (byte) v});
    }

    public RadiusAttribute address(InetAddress a) {
        require(type == Type.IPV4 && a instanceof Inet4Address || type == Type.IPV6 && a instanceof Inet6Address, "an " + type + " address");
        return octets(a.getAddress());
    }

    /**
     * A value of whatever Java type fits the row ({@code String}, a {@code Number}, {@code byte[]}, {@code InetAddress}),
     * for tables that say where each attribute's value comes from.
     */
    public RadiusAttribute value(Object v) {
        if (v instanceof String s) {
            return string(s);
        } else if (v instanceof Number n) {
            return integer(n.longValue());
        } else if (v instanceof byte[] b) {
            return octets(b);
        } else if (v instanceof InetAddress ip) {
            return address(ip);
        }
        throw new IllegalArgumentException(dictionaryName + ": no encoding for a " + (v == null ? "null" : v.getClass().getSimpleName()));
    }

    private long checkedU32(long v) {
        require(type == Type.INTEGER || type == Type.DATE, "an integer");
        if (v < 0 || v > 0xFFFFFFFFL) {
            throw new IllegalArgumentException(dictionaryName + " value " + v + " does not fit 32 bits");
        }
        return v;
    }

    private void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException(dictionaryName + " is " + type + (tagged ? " tagged" : "") + ", not " + what);
        }
    }

    private void requireTag(int tag) {
        if (!tagged || tag < 1 || tag > 0x1F) {
            throw new IllegalArgumentException(dictionaryName + (tagged ? ": tag " + tag + " (valid: 0..31)" : " carries no tag"));
        }
    }

    static byte[] int32(long v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    // ---- decoding ----

    /** The row of an attribute as received (a Vendor-Specific one by its vendor and vendor type), or null when unknown. */
    public static Attr of(RadiusAttribute a) {
        if (a.type() != VENDOR_SPECIFIC.code) {
            return BY_KEY.get(key(0, a.type()));
        }
        byte[] v = a.value();
        if (v.length < 6 || (v[5] & 0xFF) != v.length - 4) {
            return VENDOR_SPECIFIC; // unknown layout: kept whole
        }
        int vendor = ((v[0] & 0xFF) << 24) | ((v[1] & 0xFF) << 16) | ((v[2] & 0xFF) << 8) | (v[3] & 0xFF);
        Attr t = vendor == 0 ? null : BY_KEY.get(key(vendor, v[4] & 0xFF));
        return t != null ? t : VENDOR_SPECIFIC;
    }

    /** Whether {@code a} is this attribute. */
    public boolean is(RadiusAttribute a) {
        return a.type() == wireType() && of(a) == this;
    }

    /** The row's value of {@code a} (a Vendor-Specific one without its vendor header); the caller checked {@link #is}. */
    public byte[] data(RadiusAttribute a) {
        byte[] v = a.value();
        return vendor == 0 ? v : java.util.Arrays.copyOfRange(v, 6, v.length);
    }

    /** The tag of a tagged attribute as received (0 when a string one has none), or -1 for an untagged row. */
    public int tag(RadiusAttribute a) {
        if (!tagged) {
            return -1;
        }
        byte[] d = data(a);
        if (d.length == 0) {
            return 0;
        }
        int t = d[0] & 0xFF;
        return type == Type.INTEGER || encryption != Encryption.NONE || t <= 0x1F ? t : 0;
    }

    /** The value without its tag octet. */
    private byte[] untagged(byte[] d) {
        if (tagged && d.length > 0 && (type == Type.INTEGER || encryption != Encryption.NONE || (d[0] & 0xFF) <= 0x1F)) {
            return java.util.Arrays.copyOfRange(d, 1, d.length);
        }
        return d;
    }

    // ---- printing ----

    /**
     * One attribute as {@code Name[:tag] = value}, the way FreeRADIUS's detail file writes it: text quoted and escaped
     * (never raw bytes from the wire), integers in decimal, addresses in their usual form, octets in hex. An encrypted
     * value is never printed, only its length. Unknown attributes print as {@code Attr-N} or {@code Vendor-V-Attr-T}.
     */
    public static String format(RadiusAttribute a) {
        Attr t = of(a);
        if (t == null) {
            return "Attr-" + a.type() + " = 0x" + HexFormat.of().formatHex(a.value());
        }
        if (t == VENDOR_SPECIFIC) {
            byte[] v = a.value();
            if (v.length >= 6 && (v[5] & 0xFF) == v.length - 4) {
                long vendor = ((v[0] & 0xFFL) << 24) | ((v[1] & 0xFF) << 16) | ((v[2] & 0xFF) << 8) | (v[3] & 0xFF);
                return "Vendor-" + vendor + "-Attr-" + (v[4] & 0xFF) + " = 0x" + HexFormat.of().formatHex(v, 6, v.length);
            }
            return "Vendor-Specific = 0x" + HexFormat.of().formatHex(v);
        }
        return t.formatValue(a);
    }

    private String formatValue(RadiusAttribute a) {
        byte[] d = data(a);
        String name = tagged ? dictionaryName + ":" + tag(a) : dictionaryName;
        byte[] v = untagged(d);
        if (encryption != Encryption.NONE) {
            return name + " = <encrypted, " + v.length + " octets>";
        }
        String value = switch (type) {
            case TEXT -> quote(new String(v, StandardCharsets.UTF_8));
            case INTEGER, DATE -> {
                if (tagged && v.length == 3) {
                    yield Long.toString(((v[0] & 0xFFL) << 16) | ((v[1] & 0xFF) << 8) | (v[2] & 0xFF));
                }
                yield v.length == 4 ? Long.toString(((v[0] & 0xFFL) << 24) | ((v[1] & 0xFF) << 16) | ((v[2] & 0xFF) << 8) | (v[3] & 0xFF))
                    : malformed(v);
            }
            case IPV4, IPV6 -> {
                if (v.length != (type == Type.IPV4 ? 4 : 16)) {
                    yield malformed(v);
                }
                try {
                    yield InetAddress.getByAddress(v).getHostAddress();
                } catch (UnknownHostException e) {
                    yield malformed(v);
                }
            }
            case OCTETS -> "0x" + HexFormat.of().formatHex(v);
        };
        return name + " = " + value;
    }

    private static String malformed(byte[] v) {
        return "<malformed 0x" + HexFormat.of().formatHex(v) + ">";
    }

    /** Quoted, with quote, backslash and anything not printable ASCII escaped as \xNN (UTF-8 octets): safe for a log or terminal. */
    public static String quote(String s) {
        return org.lacd.wire.WireText.quoted(s.getBytes(StandardCharsets.UTF_8));
    }
}
