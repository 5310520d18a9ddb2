package org.lacd.lab.lns;

import java.util.ArrayList;
import java.util.List;
import org.lacd.pppoe.wire.LcpOption;
import org.lacd.pppoe.wire.LcpPacket;
import org.lacd.wire.MalformedPacketException;
import org.lacd.pppoe.wire.PppProtocol;
import org.lacd.wire.WireProtocol;
import org.lacd.wire.WireReader;

/**
 * IPCP (RFC 1332) on top of lacd-pppoe's LCP records: IPCP packets have exactly LCP's format (RFC 1332 section 2,
 * codes 1-7), so an {@link LcpPacket} carries them and {@link LcpOption} carries their options. Only the option
 * framing differs (LCP's length table does not apply), which is why the list is parsed here with the same
 * bounds-checked {@link WireReader}.
 */
public final class Ipcp {
    /** RFC 1332 3.3 IP-Address option. */
    public static final int OPT_IP_ADDRESS = 3;
    /** DoS guard: options per IPCP Configure-* packet. */
    public static final int MAX_OPTIONS = 32;

    private Ipcp() {}

    /** Decodes an IPCP packet starting at CODE ({@code len} bytes, padding beyond LENGTH ignored). */
    public static LcpPacket decode(byte[] b, int off, int len) throws MalformedPacketException {
        WireReader r = new WireReader(WireProtocol.PPP, b, off, len);
        int code = r.u8("IPCP code");
        int id = r.u8("IPCP identifier");
        int length = r.u16("IPCP length");
        if (length < 4 || length > len) {
            throw new MalformedPacketException(WireProtocol.PPP, 2, "IPCP length " + length + " (expected: 4.." + len + ")");
        }
        byte[] data = r.bytes(length - 4, "IPCP data");
        if (code >= 1 && code <= 4) {
            options(data);
        }
        return new LcpPacket(code, id, data);
    }

    /** The option list of a Configure-* packet. */
    public static List<LcpOption> options(byte[] data) throws MalformedPacketException {
        WireReader r = new WireReader(WireProtocol.PPP, data, 0, data.length);
        List<LcpOption> out = new ArrayList<>(4);
        while (r.remaining() > 0) {
            if (out.size() == MAX_OPTIONS) {
                throw r.error("more than " + MAX_OPTIONS + " IPCP options");
            }
            int at = r.offset();
            int type = r.u8("IPCP option type");
            int olen = r.u8("IPCP option length");
            if (olen < 2 || (type == OPT_IP_ADDRESS && olen != 6)) {
                throw new MalformedPacketException(WireProtocol.PPP, at + 1, "IPCP option " + type + " length " + olen);
            }
            out.add(new LcpOption(type, r.bytes(olen - 2, "IPCP option data")));
        }
        return out;
    }

    public static LcpOption ipAddress(int a) {
        return new LcpOption(OPT_IP_ADDRESS, new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a});
    }

    /** The PPP frame (protocol 0x8021 first) of an IPCP packet. */
    public static byte[] frame(LcpPacket p) {
        byte[] b = new byte[2 + p.encodedLength()];
        b[0] = (byte) (PppProtocol.IPCP >>> 8);
        b[1] = (byte) PppProtocol.IPCP;
        p.encode(b, 2);
        return b;
    }
}
