package org.lacd.radius.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/** One attribute as on the wire: type and raw value (without the type/length octets). Immutable. */
public record RadiusAttribute(int type, byte[] value) {
    /** RFC 2865 s5: value at most 253 octets. */
    public static final int MAX_VALUE_LENGTH = 253;

    public RadiusAttribute {
        if (type < 1 || type > 255) {
            throw new IllegalArgumentException("attribute type " + type);
        }
        if (value.length > MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException("attribute " + type + " value length " + value.length + " > 253");
        }
        value = value.clone();
    }

    @Override
    public byte[] value() { return value.clone(); }

    /** The value of a registered attribute as its row encodes it (wrapped in a Vendor-Specific one for a vendor row). */
    public RadiusAttribute(Attr type, byte[] value) {
        this(type.wireType(), type.octets(value).value);
    }

    public int length() { return value.length; }

    /** Shorthands for the {@link Attr} row's encoders. */
    public static RadiusAttribute string(Attr type, String s) { return type.string(s); }

    public static RadiusAttribute integer(Attr type, long v) { return type.integer(v); }

    public static RadiusAttribute taggedInteger(Attr type, int tag, int v) { return type.tagged(tag, v); }

    public static RadiusAttribute taggedString(Attr type, int tag, String s) { return type.tagged(tag, s); }

    public static RadiusAttribute string(int type, String s) {
        return new RadiusAttribute(type, s.getBytes(StandardCharsets.UTF_8));
    }

    public static RadiusAttribute integer(int type, long v) {
        return new RadiusAttribute(type, int32(v));
    }

    /** RFC 2868 tagged integer: tag octet + 3-octet value. */
    public static RadiusAttribute taggedInteger(int type, int tag, int v) {
        return new RadiusAttribute(type, new byte[] {(byte) tag, (byte) (v >> 16), (byte) (v >> 8), (byte) v});
    }

    /** RFC 2868 tagged string: the tag octet is written only when 0x01..0x1F (0 = no tag octet). */
    public static RadiusAttribute taggedString(int type, int tag, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (tag == 0) {
            return new RadiusAttribute(type, b);
        }
        byte[] v = new byte[b.length + 1];
        v[0] = (byte) tag;
        System.arraycopy(b, 0, v, 1, b.length);
        return new RadiusAttribute(type, v);
    }

    /** RFC 2865 s5.26 Vendor-Specific with the usual one-octet vendor type and length. */
    public static RadiusAttribute vendor(int vendorId, int vendorType, byte[] data) {
        byte[] v = new byte[6 + data.length];
        v[0] = (byte) (vendorId >>> 24);
        v[1] = (byte) (vendorId >>> 16);
        v[2] = (byte) (vendorId >>> 8);
        v[3] = (byte) vendorId;
        v[4] = (byte) vendorType;
        v[5] = (byte) (data.length + 2);
        System.arraycopy(data, 0, v, 6, data.length);
        return new RadiusAttribute(Attr.VENDOR_SPECIFIC.code(), v);
    }

    public String asString() { return new String(value, StandardCharsets.UTF_8); }

    /** @return the 32-bit unsigned value, or -1 when the length is not 4 */
    public long asInt() {
        if (value.length != 4) {
            return -1;
        }
        return ((value[0] & 0xFFL) << 24) | ((value[1] & 0xFFL) << 16) | ((value[2] & 0xFFL) << 8) | (value[3] & 0xFFL);
    }

    static byte[] int32(long v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RadiusAttribute a && a.type == type && Arrays.equals(a.value, value);
    }

    @Override
    public int hashCode() { return 31 * type + Arrays.hashCode(value); }

    @Override
    public String toString() { return type + "=" + HexFormat.of().formatHex(value); }
}
