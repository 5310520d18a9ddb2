package org.lacd.pppoe.wire;

import org.lacd.wire.WireReader;
import org.lacd.wire.MalformedPacketException;
import org.lacd.wire.WireProtocol;

/**
 * Ethernet II header with zero, one (802.1Q) or two (QinQ) VLAN tags.
 * <pre>
 *  dst(6) src(6) [outerTpid(2) outerTci(2) [0x8100(2) innerTci(2)]] etherType(2)
 * </pre>
 * A TCI of -1 means "no tag". With one tag, it is the outer one ({@code innerTci == -1}). The TCI keeps PCP/DEI bits
 * so replies can copy them; {@link #outerVlan()} / {@link #innerVlan()} give the 12-bit VLAN ID.
 *
 * @param outerTpid 0x8100 or 0x88a8, or 0 without tags
 */
public record EthernetHeader(long dst, long src, int outerTpid, int outerTci, int innerTci, int etherType) {

    public static final int UNTAGGED_LENGTH = 14;

    public EthernetHeader {
        if (outerTci < -1 || outerTci > 0xffff || innerTci < -1 || innerTci > 0xffff) {
            throw new IllegalArgumentException("TCI out of range");
        }
        if (innerTci >= 0 && outerTci < 0) {
            throw new IllegalArgumentException("inner tag without outer tag");
        }
        if (outerTci >= 0 && !EtherType.isVlanTpid(outerTpid)) {
            throw new IllegalArgumentException("outer TPID must be 0x8100 or 0x88a8");
        }
    }

    public static EthernetHeader untagged(long dst, long src, int etherType) {
        return new EthernetHeader(dst, src, 0, -1, -1, etherType);
    }

    public int outerVlan() { return outerTci < 0 ? -1 : outerTci & 0xfff; }
    public int innerVlan() { return innerTci < 0 ? -1 : innerTci & 0xfff; }
    public int tagCount() { return outerTci < 0 ? 0 : innerTci < 0 ? 1 : 2; }
    public int length() { return UNTAGGED_LENGTH + 4 * tagCount(); }

    /** The same tags, new addresses and EtherType: how replies are addressed. */
    public EthernetHeader reply(long newDst, long newSrc, int newEtherType) {
        return new EthernetHeader(newDst, newSrc, outerTpid, outerTci, innerTci, newEtherType);
    }

    public static EthernetHeader decode(WireReader r) throws MalformedPacketException {
        long dst = r.u48("destination MAC");
        long src = r.u48("source MAC");
        int type = r.u16("EtherType");
        int outerTpid = 0;
        int outerTci = -1;
        int innerTci = -1;
        if (EtherType.isVlanTpid(type)) {
            outerTpid = type;
            outerTci = r.u16("outer TCI");
            type = r.u16("EtherType after outer tag");
            if (EtherType.isVlanTpid(type)) {
                if (type != EtherType.VLAN_8021Q) {
                    throw new MalformedPacketException(WireProtocol.ETHERNET, r.offset() - 2,
                            "inner TPID 0x" + Integer.toHexString(type) + " (expected: 0x8100)");
                }
                innerTci = r.u16("inner TCI");
                type = r.u16("EtherType after inner tag");
                if (EtherType.isVlanTpid(type)) {
                    throw new MalformedPacketException(WireProtocol.ETHERNET, r.offset() - 2,
                            "more than " + WireLimits.MAX_VLAN_TAGS + " VLAN tags");
                }
            }
        }
        return new EthernetHeader(dst, src, outerTpid, outerTci, innerTci, type);
    }

    /** Writes the header at {@code off}; returns the number of bytes written. */
    public int encode(byte[] b, int off) {
        int p = off;
        MacAddress.write(dst, b, p);
        MacAddress.write(src, b, p + 6);
        p += 12;
        if (outerTci >= 0) {
            p = put16(b, p, outerTpid);
            p = put16(b, p, outerTci);
            if (innerTci >= 0) {
                p = put16(b, p, EtherType.VLAN_8021Q);
                p = put16(b, p, innerTci);
            }
        }
        p = put16(b, p, etherType);
        return p - off;
    }

    static int put16(byte[] b, int p, int v) {
        b[p] = (byte) (v >>> 8);
        b[p + 1] = (byte) v;
        return p + 2;
    }
}
