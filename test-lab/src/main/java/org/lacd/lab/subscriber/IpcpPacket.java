package org.lacd.lab.subscriber;

import java.util.Arrays;
import java.util.HexFormat;
import org.lacd.wire.MalformedPacketException;
import org.lacd.pppoe.wire.PppProtocol;
import org.lacd.pppoe.wire.WireLimits;
import org.lacd.wire.WireProtocol;
import org.lacd.wire.WireReader;

/**
 * An IPCP packet (RFC 1332 section 2: exactly LCP's packet format, PPP protocol 0x8021, codes 1-7). lacd-pppoe has no
 * IPCP codec (lacd forwards IPCP without looking at it), so the emulator carries this one small record; it reads
 * through the same bounds-checked {@link WireReader}. Only the IP-Address option (type 3, RFC 1332 section 3.3) is
 * interpreted; other options are kept as raw bytes.
 *
 * @param data everything after the 4-byte header (the options for Configure-*)
 */
public record IpcpPacket(int code, int id, byte[] data) {
    public static final int CONFIGURE_REQUEST = 1;
    public static final int CONFIGURE_ACK = 2;
    public static final int CONFIGURE_NAK = 3;
    public static final int CONFIGURE_REJECT = 4;
    public static final int TERMINATE_REQUEST = 5;
    public static final int TERMINATE_ACK = 6;
    public static final int CODE_REJECT = 7;
    /** IP-Address option type (RFC 1332 section 3.3); its length is 6. */
    public static final int OPT_IP_ADDRESS = 3;
    static final int HEADER = 4;

    public IpcpPacket {
        if (code < 0 || code > 255 || id < 0 || id > 255 || data.length > 0xffff - HEADER) {
            throw new IllegalArgumentException("IPCP packet out of range");
        }
    }

    /** A Configure-* packet carrying only IP-Address. */
    public static IpcpPacket withAddress(int code, int id, int address) {
        return new IpcpPacket(code, id, new byte[] {OPT_IP_ADDRESS, 6, (byte) (address >>> 24), (byte) (address >>> 16),
                (byte) (address >>> 8), (byte) address});
    }

    /**
     * Decodes from the IPCP code on ({@code len} bytes: the PPP frame minus its protocol field); padding after
     * LENGTH is ignored. Configure-* option framing is validated.
     */
    public static IpcpPacket decode(byte[] b, int off, int len) throws MalformedPacketException {
        WireReader r = new WireReader(WireProtocol.PPP, b, off, len);
        int code = r.u8("IPCP code");
        int id = r.u8("IPCP identifier");
        int length = r.u16("IPCP length");
        if (length < HEADER || length - HEADER > r.remaining()) {
            throw new MalformedPacketException(WireProtocol.PPP, 2, "IPCP LENGTH " + length + " (expected: 4.."
                    + (HEADER + r.remaining()) + ")");
        }
        IpcpPacket p = new IpcpPacket(code, id, r.bytes(length - HEADER, "IPCP data"));
        if (code >= CONFIGURE_REQUEST && code <= CONFIGURE_REJECT) {
            p.address(); // walks the options: framing errors surface here
        }
        return p;
    }

    /**
     * The IP-Address option's value, or {@code Long.MIN_VALUE} when absent. Throws on broken option framing or more
     * than {@link WireLimits#MAX_LCP_OPTIONS} options.
     */
    public long address() throws MalformedPacketException {
        WireReader r = new WireReader(WireProtocol.PPP, data, 0, data.length);
        long found = Long.MIN_VALUE;
        for (int n = 0; r.remaining() > 0; n++) {
            if (n == WireLimits.MAX_LCP_OPTIONS) {
                throw r.error("more than " + WireLimits.MAX_LCP_OPTIONS + " IPCP options");
            }
            int at = r.offset();
            int type = r.u8("IPCP option type");
            int olen = r.u8("IPCP option length");
            if (olen < 2) {
                throw new MalformedPacketException(WireProtocol.PPP, at + 1, "IPCP option length " + olen + " (expected: 2+)");
            }
            if (type == OPT_IP_ADDRESS) {
                if (olen != 6) {
                    throw new MalformedPacketException(WireProtocol.PPP, at + 1, "IP-Address length " + olen + " (expected: 6)");
                }
                found = r.u32("IP-Address");
            } else {
                r.skip(olen - 2, "IPCP option data");
            }
        }
        return found;
    }

    /** True when every option is IP-Address (the only one this client acks). */
    public boolean onlyAddress() {
        int p = 0;
        while (p + 1 < data.length) {
            if ((data[p] & 0xff) != OPT_IP_ADDRESS) {
                return false;
            }
            p += Math.max(2, data[p + 1] & 0xff);
        }
        return true;
    }

    /** The options other than IP-Address, for a Configure-Reject (RFC 1661 section 5.4). */
    public byte[] nonAddressOptions() {
        byte[] out = new byte[data.length];
        int n = 0;
        int p = 0;
        while (p + 1 < data.length) {
            int olen = Math.max(2, data[p + 1] & 0xff);
            olen = Math.min(olen, data.length - p);
            if ((data[p] & 0xff) != OPT_IP_ADDRESS) {
                System.arraycopy(data, p, out, n, olen);
                n += olen;
            }
            p += olen;
        }
        return Arrays.copyOf(out, n);
    }

    public int encodedLength() { return HEADER + data.length; }

    /** Writes the PPP frame (protocol 0x8021 then the packet) at {@code off}; returns the bytes written. */
    public int encodePpp(byte[] b, int off) {
        int len = encodedLength();
        b[off] = (byte) (PppProtocol.IPCP >>> 8);
        b[off + 1] = (byte) PppProtocol.IPCP;
        b[off + 2] = (byte) code;
        b[off + 3] = (byte) id;
        b[off + 4] = (byte) (len >>> 8);
        b[off + 5] = (byte) len;
        System.arraycopy(data, 0, b, off + 6, data.length);
        return 2 + len;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpcpPacket p && p.code == code && p.id == id && Arrays.equals(p.data, data);
    }

    @Override
    public int hashCode() { return (code * 31 + id) * 31 + Arrays.hashCode(data); }

    @Override
    public String toString() { return "IPCP code=" + code + " id=" + id + " " + HexFormat.of().formatHex(data); }
}
