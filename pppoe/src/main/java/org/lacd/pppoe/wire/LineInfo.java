package org.lacd.pppoe.wire;

import org.lacd.wire.WireReader;
import org.lacd.wire.MalformedPacketException;
import org.lacd.wire.WireProtocol;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Access-line information from the TR-101 / RFC 4679 vendor-specific tag (tag 0x0105, enterprise number 3561,
 * "ADSL Forum"): sub-options TYPE(1) LENGTH(1) VALUE. RFC 4679 section 3.3 / 3.4: Agent-Circuit-Id 0x01,
 * Agent-Remote-Id 0x02 (strings, up to 63 bytes), data rates 0x81..0x88 (32-bit, kbps), interleaving delays
 * 0x8B..0x8E (ms), Access-Loop-Encapsulation 0x90 (3 bytes). All sub-options are kept, unknown ones included.
 */
public record LineInfo(List<SubOption> subOptions) {
    public static final long ADSL_FORUM_ENTERPRISE = 3561;
    public static final LineInfo EMPTY = new LineInfo(List.of());

    public static final int AGENT_CIRCUIT_ID = 0x01;
    public static final int AGENT_REMOTE_ID = 0x02;
    public static final int ACTUAL_DATA_RATE_UP = 0x81;
    public static final int ACTUAL_DATA_RATE_DOWN = 0x82;
    public static final int MIN_DATA_RATE_UP = 0x83;
    public static final int MIN_DATA_RATE_DOWN = 0x84;
    public static final int ATTAINABLE_DATA_RATE_UP = 0x85;
    public static final int ATTAINABLE_DATA_RATE_DOWN = 0x86;
    public static final int MAX_DATA_RATE_UP = 0x87;
    public static final int MAX_DATA_RATE_DOWN = 0x88;
    public static final int ACCESS_LOOP_ENCAPSULATION = 0x90;

    /** One sub-option; its raw value is kept as received. */
    public record SubOption(int type, byte[] value) {
        public SubOption {
            if (type < 0 || type > 255 || value.length > 255) {
                throw new IllegalArgumentException("sub-option out of range");
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SubOption s && s.type == type && java.util.Arrays.equals(s.value, value);
        }

        @Override
        public int hashCode() { return type * 31 + java.util.Arrays.hashCode(value); }

        @Override
        public String toString() { return "0x" + Integer.toHexString(type) + "=" + java.util.HexFormat.of().formatHex(value); }
    }

    public LineInfo {
        subOptions = List.copyOf(subOptions);
    }

    public boolean isEmpty() { return subOptions.isEmpty(); }

    private Optional<byte[]> raw(int type) {
        for (SubOption s : subOptions) {
            if (s.type == type) {
                return Optional.of(s.value);
            }
        }
        return Optional.empty();
    }

    public Optional<String> circuitId() { return raw(AGENT_CIRCUIT_ID).map(v -> new String(v, StandardCharsets.UTF_8)); }
    public Optional<String> remoteId() { return raw(AGENT_REMOTE_ID).map(v -> new String(v, StandardCharsets.UTF_8)); }

    /** A 32-bit rate sub-option in kbps, or -1 when absent or not 4 bytes long. */
    public long rate(int type) {
        byte[] v = raw(type).orElse(null);
        if (v == null || v.length != 4) {
            return -1;
        }
        return ((long) (v[0] & 0xff) << 24) | ((v[1] & 0xff) << 16) | ((v[2] & 0xff) << 8) | (v[3] & 0xff);
    }

    public long actualRateUp() { return rate(ACTUAL_DATA_RATE_UP); }
    public long actualRateDown() { return rate(ACTUAL_DATA_RATE_DOWN); }
    public long minRateUp() { return rate(MIN_DATA_RATE_UP); }
    public long minRateDown() { return rate(MIN_DATA_RATE_DOWN); }

    /** Parses the value of a vendor-specific tag; a vendor other than 3561 yields {@link Optional#empty()}. */
    public static Optional<LineInfo> fromVendorTag(byte[] value) throws MalformedPacketException {
        WireReader r = new WireReader(WireProtocol.PPPOE_TAG, value, 0, value.length);
        long vendor = r.u32("vendor id");
        if (vendor != ADSL_FORUM_ENTERPRISE) {
            return Optional.empty();
        }
        List<SubOption> subs = new ArrayList<>(4);
        while (r.remaining() > 0) {
            if (subs.size() == WireLimits.MAX_VENDOR_SUBOPTIONS) {
                throw r.error("more than " + WireLimits.MAX_VENDOR_SUBOPTIONS + " sub-options");
            }
            int type = r.u8("sub-option type");
            int len = r.u8("sub-option length");
            byte[] v = r.bytes(len, "sub-option value");
            subs.add(new SubOption(type, v));
        }
        return Optional.of(new LineInfo(subs));
    }

    /** The vendor tag value: enterprise 3561 then the sub-options. */
    public byte[] toVendorTagValue() {
        int n = 4;
        for (SubOption s : subOptions) {
            n += 2 + s.value.length;
        }
        byte[] b = new byte[n];
        b[2] = (byte) (ADSL_FORUM_ENTERPRISE >>> 8);
        b[3] = (byte) ADSL_FORUM_ENTERPRISE;
        int p = 4;
        for (SubOption s : subOptions) {
            b[p++] = (byte) s.type;
            b[p++] = (byte) s.value.length;
            System.arraycopy(s.value, 0, b, p, s.value.length);
            p += s.value.length;
        }
        return b;
    }
}
