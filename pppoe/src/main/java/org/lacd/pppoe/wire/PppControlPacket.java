package org.lacd.pppoe.wire;

import org.lacd.wire.WireReader;
import org.lacd.wire.MalformedPacketException;
import org.lacd.wire.WireProtocol;

/**
 * A PPP control packet this module understands: LCP (RFC 1661), PAP (RFC 1334), CHAP (RFC 1994). All share the
 * header CODE(1) IDENTIFIER(1) LENGTH(2); octets beyond LENGTH are padding and ignored (RFC 1661 section 5).
 */
public sealed interface PppControlPacket permits LcpPacket, PapPacket, ChapPacket {
    int HEADER = 4;

    int protocol();
    int code();
    int id();
    int encodedLength();
    /** Writes CODE onward at {@code off}; returns bytes written. */
    int encode(byte[] b, int off);

    /** The PPP frame: protocol field then the packet. */
    default byte[] toPppFrame() {
        byte[] b = new byte[2 + encodedLength()];
        EthernetHeader.put16(b, 0, protocol());
        encode(b, 2);
        return b;
    }

    /** Decodes a PPP frame starting at the protocol field: the protocol must be LCP, PAP or CHAP. */
    static PppControlPacket decodePpp(byte[] b, int off, int len) throws MalformedPacketException {
        WireReader r = new WireReader(WireProtocol.PPP, b, off, len);
        int proto = r.u16("PPP protocol");
        return switch (proto) {
            case PppProtocol.LCP -> LcpPacket.decode(body(r, WireProtocol.LCP));
            case PppProtocol.PAP -> PapPacket.decode(body(r, WireProtocol.PAP));
            case PppProtocol.CHAP -> ChapPacket.decode(body(r, WireProtocol.CHAP));
            default -> throw new MalformedPacketException(WireProtocol.PPP, 0,
                    "protocol 0x" + Integer.toHexString(proto) + " is not LCP/PAP/CHAP");
        };
    }

    /**
     * Checks the common header and returns a reader over exactly LENGTH bytes (header included), positioned after
     * the header. Padding after LENGTH is dropped.
     */
    private static WireReader body(WireReader r, WireProtocol p) throws MalformedPacketException {
        WireReader h = new WireReader(p, r.buffer(), r.absolutePosition(), r.remaining());
        h.skip(2, "CODE/IDENTIFIER");
        int len = h.u16("LENGTH");
        if (len < HEADER) {
            throw new MalformedPacketException(p, 2, "LENGTH " + len + " (expected: 4+)");
        }
        if (len > r.remaining()) {
            throw new MalformedPacketException(p, 2, "LENGTH " + len + " (expected: <= " + r.remaining() + ")");
        }
        return new WireReader(p, r.buffer(), r.absolutePosition(), len);
    }

    static int header(byte[] b, int off, int code, int id, int len) {
        b[off] = (byte) code;
        b[off + 1] = (byte) id;
        EthernetHeader.put16(b, off + 2, len);
        return HEADER;
    }
}
