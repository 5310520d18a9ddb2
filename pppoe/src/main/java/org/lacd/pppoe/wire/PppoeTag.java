package org.lacd.pppoe.wire;

import org.lacd.wire.MalformedPacketException;
import org.lacd.wire.WireProtocol;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/** One PPPoE TLV tag (RFC 2516 Appendix A): TAG_TYPE(2) TAG_LENGTH(2) TAG_VALUE. Unknown types are kept. */
public record PppoeTag(int type, byte[] value) {

    public PppoeTag {
        if (type < 0 || type > 0xffff) {
            throw new IllegalArgumentException("tag type " + type);
        }
        if (value.length > 0xffff) {
            throw new IllegalArgumentException("tag value too long: " + value.length);
        }
    }

    public static PppoeTag of(TagType t, byte[] value) { return new PppoeTag(t.code(), value.clone()); }

    public static PppoeTag utf8(TagType t, String s) {
        return new PppoeTag(t.code(), s.getBytes(StandardCharsets.UTF_8));
    }

    public static PppoeTag u16(TagType t, int v) {
        return new PppoeTag(t.code(), new byte[] {(byte) (v >>> 8), (byte) v});
    }

    /** Null when the type is not in {@link TagType}. */
    public TagType knownType() { return TagType.fromCodeOrNull(type); }

    public String asUtf8() { return new String(value, StandardCharsets.UTF_8); }

    public int asU16() { return ((value[0] & 0xff) << 8) | (value[1] & 0xff); }

    public int encodedLength() { return 4 + value.length; }

    /** Checks the value against its type's format; the offset is the tag's start inside the PPPoE payload. */
    void validate(int offset) throws MalformedPacketException {
        TagType t = knownType();
        if (t == null) {
            return;
        }
        switch (t.format()) {
            case U16 -> {
                if (value.length != 2) {
                    throw new MalformedPacketException(WireProtocol.PPPOE_TAG, offset,
                            t + " length " + value.length + " (expected: 2)");
                }
            }
            case VENDOR -> {
                if (value.length < 4) {
                    throw new MalformedPacketException(WireProtocol.PPPOE_TAG, offset,
                            t + " length " + value.length + " (expected: 4+)");
                }
            }
            default -> { }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PppoeTag t && t.type == type && Arrays.equals(t.value, value);
    }

    @Override
    public int hashCode() { return 31 * type + Arrays.hashCode(value); }

    @Override
    public String toString() {
        TagType t = knownType();
        String name = t == null ? "0x" + Integer.toHexString(type) : t.name();
        return name + "=" + (t != null && t.format() == TagType.Format.UTF8 ? quoted(value) : HexFormat.of().formatHex(value));
    }

    /** A wire string for a log line: quoted, with quote, backslash and every octet outside printable ASCII as \xNN. */
    static String quoted(byte[] v) {
        return org.lacd.wire.WireText.quoted(v);
    }
}
