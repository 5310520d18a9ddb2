package org.lacd.pppoe.wire;

/**
 * Allocation-free parse of an Ethernet frame carrying PPPoE, for the receive thread. One instance per receive thread;
 * {@link #parse} overwrites the fields. Only the outer layers are looked at: Ethernet, VLAN tags, the PPPoE header.
 */
public final class FrameView {
    public long dst;
    public long src;
    public int outerTpid;
    public int outerTci;
    public int innerTci;
    public int etherType;
    /** PPPoE code (0 for session data). */
    public int code;
    public int sessionId;
    /** Absolute offset of the PPPoE payload (after the 6-byte PPPoE header) and its length from the header. */
    public int payloadOffset;
    public int payloadLength;

    /**
     * Parses Ethernet + VLAN + the PPPoE header. Returns false (no exception, no allocation) when the frame is not a
     * well-formed PPPoE frame: too short, wrong version/type, payload length beyond the frame, or too many tags.
     */
    public boolean parse(byte[] b, int off, int len) {
        int end = off + len;
        if (len < EthernetHeader.UNTAGGED_LENGTH + PppoeHeader.LENGTH) {
            return false;
        }
        dst = MacAddress.read(b, off);
        src = MacAddress.read(b, off + 6);
        int p = off + 12;
        int type = u16(b, p);
        p += 2;
        outerTpid = 0;
        outerTci = -1;
        innerTci = -1;
        if (EtherType.isVlanTpid(type)) {
            if (end - p < 4) {
                return false;
            }
            outerTpid = type;
            outerTci = u16(b, p);
            type = u16(b, p + 2);
            p += 4;
            if (EtherType.isVlanTpid(type)) {
                if (type != EtherType.VLAN_8021Q || end - p < 4) {
                    return false;
                }
                innerTci = u16(b, p);
                type = u16(b, p + 2);
                p += 4;
                if (EtherType.isVlanTpid(type)) {
                    return false;
                }
            }
        }
        etherType = type;
        if (end - p < PppoeHeader.LENGTH || (b[p] & 0xff) != PppoeHeader.VERSION_TYPE) {
            return false;
        }
        code = b[p + 1] & 0xff;
        sessionId = u16(b, p + 2);
        payloadLength = u16(b, p + 4);
        payloadOffset = p + PppoeHeader.LENGTH;
        return payloadOffset + payloadLength <= end;
    }

    public int outerVlan() { return outerTci < 0 ? -1 : outerTci & 0xfff; }
    public int innerVlan() { return innerTci < 0 ? -1 : innerTci & 0xfff; }

    static int u16(byte[] b, int p) {
        return ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
    }
}
