package org.lacd.pppoe.wire;

import org.lacd.wire.WireReader;
import org.lacd.wire.MalformedPacketException;
import org.lacd.wire.WireProtocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A PPPoE discovery packet (RFC 2516 section 5): PADI, PADO, PADR, PADS or PADT, starting at the PPPoE header.
 * Tags are kept in order, unknown ones included; an End-Of-List tag ends parsing (RFC 2516 Appendix A).
 */
public record PppoeDiscovery(PppoeCode code, int sessionId, List<PppoeTag> tags) {

    public PppoeDiscovery {
        if (code == PppoeCode.SESSION) {
            throw new IllegalArgumentException("SESSION is not a discovery code");
        }
        tags = List.copyOf(tags);
        if (tags.size() > WireLimits.MAX_TAGS) {
            throw new IllegalArgumentException("too many tags: " + tags.size());
        }
    }

    public Optional<PppoeTag> first(TagType t) {
        for (PppoeTag tag : tags) {
            if (tag.type() == t.code()) {
                return Optional.of(tag);
            }
        }
        return Optional.empty();
    }

    public List<PppoeTag> all(TagType t) {
        List<PppoeTag> out = new ArrayList<>(2);
        for (PppoeTag tag : tags) {
            if (tag.type() == t.code()) {
                out.add(tag);
            }
        }
        return out;
    }

    /** Decodes from the PPPoE header on; Ethernet padding after LENGTH is ignored. */
    public static PppoeDiscovery decode(WireReader r) throws MalformedPacketException {
        PppoeHeader h = PppoeHeader.decode(r);
        if (h.code() == PppoeCode.SESSION) {
            throw new MalformedPacketException(r.protocol(), 1, "CODE 0x00 on a discovery frame");
        }
        WireReader t = r.slice(WireProtocol.PPPOE_TAG, h.length(), "tags");
        List<PppoeTag> tags = new ArrayList<>(8);
        while (t.remaining() > 0) {
            int at = t.offset();
            int type = t.u16("TAG_TYPE");
            int len = t.u16("TAG_LENGTH");
            if (len > t.remaining()) {
                throw new MalformedPacketException(WireProtocol.PPPOE_TAG, at + 2,
                        "TAG_LENGTH " + len + " (expected: <= " + t.remaining() + ")");
            }
            if (type == TagType.END_OF_LIST.code()) {
                break;
            }
            if (tags.size() == WireLimits.MAX_TAGS) {
                throw new MalformedPacketException(WireProtocol.PPPOE_TAG, at,
                        "more than " + WireLimits.MAX_TAGS + " tags");
            }
            PppoeTag tag = new PppoeTag(type, t.bytes(len, "TAG_VALUE"));
            tag.validate(at);
            tags.add(tag);
        }
        return new PppoeDiscovery(h.code(), h.sessionId(), tags);
    }

    public int encodedLength() {
        int n = PppoeHeader.LENGTH;
        for (PppoeTag t : tags) {
            n += t.encodedLength();
        }
        return n;
    }

    public int encode(byte[] b, int off) {
        int payload = encodedLength() - PppoeHeader.LENGTH;
        int p = off + PppoeHeader.encode(b, off, code.code(), sessionId, payload);
        for (PppoeTag t : tags) {
            p = EthernetHeader.put16(b, p, t.type());
            p = EthernetHeader.put16(b, p, t.value().length);
            System.arraycopy(t.value(), 0, b, p, t.value().length);
            p += t.value().length;
        }
        return p - off;
    }

    /** A whole frame: Ethernet header (EtherType 0x8863) followed by this packet. */
    public byte[] toFrame(EthernetHeader eth) {
        byte[] b = new byte[eth.length() + encodedLength()];
        int p = eth.encode(b, 0);
        encode(b, p);
        return b;
    }

    /** Decodes a whole frame that must have EtherType 0x8863. */
    public static Frame decodeFrame(byte[] b, int off, int len) throws MalformedPacketException {
        WireReader r = new WireReader(WireProtocol.ETHERNET, b, off, len);
        EthernetHeader eth = EthernetHeader.decode(r);
        if (eth.etherType() != EtherType.PPPOE_DISCOVERY) {
            throw new MalformedPacketException(WireProtocol.ETHERNET, eth.length() - 2,
                    "EtherType 0x" + Integer.toHexString(eth.etherType()) + " (expected: 0x8863)");
        }
        WireReader pr = r.slice(WireProtocol.PPPOE_DISCOVERY, r.remaining(), "PPPoE");
        return new Frame(eth, decode(pr));
    }

    /** Ethernet header plus discovery packet. */
    public record Frame(EthernetHeader eth, PppoeDiscovery packet) {}
}
