package org.lacd.pppoe.wire;

import org.lacd.wire.WireReader;
import org.lacd.wire.MalformedPacketException;
import org.lacd.wire.WireProtocol;

/**
 * Builds and decodes PPPoE session frames (RFC 2516 section 6): Ethernet (0x8864), PPPoE header with CODE 0x00,
 * then the PPP frame from its protocol field on.
 */
public final class PppoeSessionFrame {
    private PppoeSessionFrame() {}

    /** Writes a whole session frame into {@code out} at 0; returns its length. {@code out} must be large enough. */
    public static int encode(byte[] out, EthernetHeader eth, int sessionId, byte[] ppp, int off, int len) {
        int p = eth.encode(out, 0);
        p += PppoeHeader.encode(out, p, PppoeCode.SESSION.code(), sessionId, len);
        System.arraycopy(ppp, off, out, p, len);
        return p + len;
    }

    public static byte[] encode(EthernetHeader eth, int sessionId, byte[] ppp) {
        byte[] out = new byte[eth.length() + PppoeHeader.LENGTH + ppp.length];
        encode(out, eth, sessionId, ppp, 0, ppp.length);
        return out;
    }

    /** A decoded session frame; {@code ppp} is the PPP frame from the protocol field. */
    public record Decoded(EthernetHeader eth, int sessionId, byte[] ppp) {}

    public static Decoded decode(byte[] b, int off, int len) throws MalformedPacketException {
        WireReader r = new WireReader(WireProtocol.ETHERNET, b, off, len);
        EthernetHeader eth = EthernetHeader.decode(r);
        if (eth.etherType() != EtherType.PPPOE_SESSION) {
            throw new MalformedPacketException(WireProtocol.ETHERNET, eth.length() - 2,
                    "EtherType 0x" + Integer.toHexString(eth.etherType()) + " (expected: 0x8864)");
        }
        WireReader s = r.slice(WireProtocol.PPPOE_SESSION, r.remaining(), "PPPoE");
        PppoeHeader h = PppoeHeader.decode(s);
        if (h.code() != PppoeCode.SESSION) {
            throw new MalformedPacketException(WireProtocol.PPPOE_SESSION, 1, "CODE " + h.code() + " (expected: 0x00)");
        }
        if (h.length() < 2) {
            throw new MalformedPacketException(WireProtocol.PPPOE_SESSION, 4, "LENGTH " + h.length() + " (expected: 2+)");
        }
        return new Decoded(eth, h.sessionId(), s.bytes(h.length(), "PPP frame"));
    }
}
