package org.lacd.pppoe.wire;

import org.lacd.wire.WireReader;
import org.lacd.wire.MalformedPacketException;
import org.lacd.wire.WireProtocol;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * An LCP packet (RFC 1661 section 5). {@code code} is kept raw so unknown codes can be Code-Rejected;
 * {@code data} is everything after the 4-byte header (options for Configure-*, magic + data for Echo, the rejected
 * packet for Code-Reject, ...).
 */
public record LcpPacket(int code, int id, byte[] data) implements PppControlPacket {

    public LcpPacket {
        if (code < 0 || code > 255 || id < 0 || id > 255 || data.length > 0xffff - HEADER) {
            throw new IllegalArgumentException("LCP packet out of range");
        }
    }

    public static LcpPacket of(LcpCode code, int id, byte[] data) { return new LcpPacket(code.code(), id, data); }

    public static LcpPacket configure(LcpCode code, int id, List<LcpOption> options) {
        return new LcpPacket(code.code(), id, LcpOption.encodeList(options));
    }

    /** Null when the code is unknown. */
    public LcpCode kind() { return LcpCode.fromCodeOrNull(code); }

    public List<LcpOption> options() throws MalformedPacketException {
        return LcpOption.decodeList(data, 0, data.length);
    }

    /** Magic-Number field of Echo-Request/Reply and Discard-Request (first 4 data bytes). */
    public int magic() throws MalformedPacketException {
        WireReader r = new WireReader(WireProtocol.LCP, data, 0, data.length);
        return (int) r.u32("magic number");
    }

    @Override public int protocol() { return PppProtocol.LCP; }
    @Override public int encodedLength() { return HEADER + data.length; }

    @Override
    public int encode(byte[] b, int off) {
        PppControlPacket.header(b, off, code, id, encodedLength());
        System.arraycopy(data, 0, b, off + HEADER, data.length);
        return encodedLength();
    }

    /** {@code r} covers exactly LENGTH bytes from CODE on (see {@link PppControlPacket#decodePpp}). */
    static LcpPacket decode(WireReader r) throws MalformedPacketException {
        int code = r.u8("code");
        int id = r.u8("identifier");
        r.skip(2, "length");
        byte[] data = r.bytes(r.remaining(), "data");
        LcpCode k = LcpCode.fromCodeOrNull(code);
        if (k != null && k.carriesOptions()) {
            LcpOption.decodeList(data, 0, data.length); // validates option framing up front
        }
        if ((k == LcpCode.ECHO_REQUEST || k == LcpCode.ECHO_REPLY || k == LcpCode.DISCARD_REQUEST) && data.length < 4) {
            throw new MalformedPacketException(WireProtocol.LCP, 4, k + " without 4-byte magic number");
        }
        if (k == LcpCode.PROTOCOL_REJECT && data.length < 2) {
            throw new MalformedPacketException(WireProtocol.LCP, 4, "Protocol-Reject without rejected protocol");
        }
        return new LcpPacket(code, id, data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LcpPacket p && p.code == code && p.id == id && Arrays.equals(p.data, data);
    }

    @Override
    public int hashCode() { return (code * 31 + id) * 31 + Arrays.hashCode(data); }

    @Override
    public String toString() {
        LcpCode k = kind();
        return "LCP " + (k == null ? "code" + code : k) + " id=" + id + " " + HexFormat.of().formatHex(data);
    }
}
