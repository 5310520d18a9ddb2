package org.lacd.l2tp.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One AVP as on the wire (RFC 2661 4.1). {@code value} is the plaintext, or the ciphertext when {@code hidden} is set
 * (see {@link HiddenAvps}). Unknown and vendor AVPs are kept as they came. The array is never modified after construction.
 */
public record Avp(boolean mandatory, boolean hidden, int vendor, int type, byte[] value) {

    public Avp {
        if (value.length > L2tpCodec.MAX_AVP_VALUE) {
            throw new IllegalArgumentException("AVP value of " + value.length + " bytes exceeds " + L2tpCodec.MAX_AVP_VALUE);
        }
    }

    public static Avp of(AvpType t, byte[] value) { return new Avp(t.mandatory(), false, t.vendor(), t.code(), value); }

    public static Avp u16(AvpType t, int v) { return of(t, new byte[] {(byte) (v >>> 8), (byte) v}); }

    public static Avp u32(AvpType t, long v) {
        return of(t, new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
    }

    public static Avp u64(AvpType t, long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (56 - 8 * i));
        }
        return of(t, b);
    }

    public static Avp string(AvpType t, String s) { return of(t, s.getBytes(StandardCharsets.UTF_8)); }

    public static Avp messageType(MessageType m) { return u16(AvpType.MESSAGE_TYPE, m.code()); }

    /** The registered type, or null when unknown. */
    public AvpType known() { return AvpType.fromCode(vendor, type); }

    public boolean is(AvpType t) { return vendor == t.vendor() && type == t.code(); }

    public int asU16() { return ((value[0] & 0xff) << 8) | (value[1] & 0xff); }

    public long asU32() {
        return ((long) (value[0] & 0xff) << 24) | ((value[1] & 0xff) << 16) | ((value[2] & 0xff) << 8) | (value[3] & 0xff);
    }

    public long asU64() {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (value[i] & 0xff);
        }
        return v;
    }

    public String asString() { return new String(value, StandardCharsets.UTF_8); }

    public Avp withMandatory(boolean m) { return new Avp(m, hidden, vendor, type, value); }

    @Override
    public boolean equals(Object o) {
        return o instanceof Avp a && a.mandatory == mandatory && a.hidden == hidden && a.vendor == vendor && a.type == type
                && Arrays.equals(a.value, value);
    }

    @Override
    public int hashCode() { return (vendor * 31 + type) * 31 + Arrays.hashCode(value); }

    @Override
    public String toString() {
        AvpType k = known();
        return (k != null ? k.name() : "AVP(" + vendor + ":" + type + ")") + (mandatory ? "[M]" : "") + (hidden ? "[H]" : "")
                + "=" + HexFormat.of().formatHex(value);
    }
}
