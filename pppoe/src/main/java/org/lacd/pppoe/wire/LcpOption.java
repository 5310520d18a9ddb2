package org.lacd.pppoe.wire;

import org.lacd.wire.WireReader;
import org.lacd.wire.MalformedPacketException;
import org.lacd.wire.WireProtocol;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** One LCP option: TYPE(1) LENGTH(1) DATA. Unknown types are kept (they get Configure-Reject, not an error). */
public record LcpOption(int type, byte[] data) {
    public LcpOption {
        if (type < 0 || type > 255 || data.length > 253) {
            throw new IllegalArgumentException("LCP option out of range");
        }
    }

    public static LcpOption mru(int mru) { return new LcpOption(1, new byte[] {(byte) (mru >>> 8), (byte) mru}); }

    public static LcpOption magic(int magic) {
        return new LcpOption(5, new byte[] {(byte) (magic >>> 24), (byte) (magic >>> 16), (byte) (magic >>> 8), (byte) magic});
    }

    public static LcpOption authChapMd5() { return new LcpOption(3, new byte[] {(byte) 0xc2, 0x23, PppProtocol.CHAP_MD5}); }

    public static LcpOption authPap() { return new LcpOption(3, new byte[] {(byte) 0xc0, 0x23}); }

    public LcpOptionType knownType() { return LcpOptionType.fromCodeOrNull(type); }

    public int u16() { return ((data[0] & 0xff) << 8) | (data[1] & 0xff); }

    public int u32() {
        return ((data[0] & 0xff) << 24) | ((data[1] & 0xff) << 16) | ((data[2] & 0xff) << 8) | (data[3] & 0xff);
    }

    public int encodedLength() { return 2 + data.length; }

    public int encode(byte[] b, int off) {
        b[off] = (byte) type;
        b[off + 1] = (byte) (2 + data.length);
        System.arraycopy(data, 0, b, off + 2, data.length);
        return 2 + data.length;
    }

    /** Parses an option list (the data of a Configure-* packet). Option lengths of known types are checked. */
    public static List<LcpOption> decodeList(byte[] b, int off, int len) throws MalformedPacketException {
        WireReader r = new WireReader(WireProtocol.LCP, b, off, len);
        List<LcpOption> out = new ArrayList<>(6);
        while (r.remaining() > 0) {
            int at = r.offset();
            if (out.size() == WireLimits.MAX_LCP_OPTIONS) {
                throw r.error("more than " + WireLimits.MAX_LCP_OPTIONS + " options");
            }
            int type = r.u8("option type");
            int olen = r.u8("option length");
            if (olen < 2) {
                throw new MalformedPacketException(WireProtocol.LCP, at + 1, "option length " + olen + " (expected: 2+)");
            }
            LcpOptionType known = LcpOptionType.fromCodeOrNull(type);
            if (known != null && known.length() > 0 && known.length() != olen) {
                throw new MalformedPacketException(WireProtocol.LCP, at + 1,
                        known + " length " + olen + " (expected: " + known.length() + ")");
            }
            if (known == LcpOptionType.AUTH_PROTOCOL && olen < 4) {
                throw new MalformedPacketException(WireProtocol.LCP, at + 1, "AUTH_PROTOCOL length " + olen + " (expected: 4+)");
            }
            out.add(new LcpOption(type, r.bytes(olen - 2, "option data")));
        }
        return out;
    }

    public static byte[] encodeList(List<LcpOption> options) {
        int n = 0;
        for (LcpOption o : options) {
            n += o.encodedLength();
        }
        byte[] b = new byte[n];
        int p = 0;
        for (LcpOption o : options) {
            p += o.encode(b, p);
        }
        return b;
    }

    @Override
    public boolean equals(Object o) { return o instanceof LcpOption x && x.type == type && Arrays.equals(x.data, data); }

    @Override
    public int hashCode() { return type * 31 + Arrays.hashCode(data); }

    @Override
    public String toString() {
        LcpOptionType t = knownType();
        return (t == null ? "opt" + type : t.name()) + "=" + HexFormat.of().formatHex(data);
    }
}
