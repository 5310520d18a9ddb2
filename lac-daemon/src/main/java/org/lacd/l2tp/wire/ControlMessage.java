package org.lacd.l2tp.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * A control message (RFC 2661 3.1 with T=1): header ids, Ns/Nr and the AVP list, Message Type first.
 * An empty AVP list is a ZLB acknowledgement. All control message kinds share this one record: they differ only in
 * which AVPs they carry, which the state machines check per kind (a record per kind would repeat the same three
 * fields seventeen times). Typed accessors below read the common AVPs.
 */
public record ControlMessage(int tunnelId, int sessionId, int ns, int nr, List<Avp> avps) implements L2tpPacket {

    public ControlMessage {
        avps = List.copyOf(avps);
    }

    public static ControlMessage zlb(int tunnelId, int ns, int nr) { return new ControlMessage(tunnelId, 0, ns, nr, List.of()); }

    /** Builds a message with Ns/Nr zero (the reliable transport fills them in when it sends). */
    public static ControlMessage of(MessageType type, int tunnelId, int sessionId, List<Avp> body) {
        List<Avp> all = new ArrayList<>(body.size() + 1);
        all.add(Avp.messageType(type));
        all.addAll(body);
        return new ControlMessage(tunnelId, sessionId, 0, 0, all);
    }

    public boolean isZlb() { return avps.isEmpty(); }

    /** The Message Type code, or -1 for a ZLB. */
    public int messageTypeCode() { return avps.isEmpty() ? -1 : avps.get(0).asU16(); }

    /** The Message Type, or null for a ZLB or an unknown code. */
    public MessageType messageType() { return MessageType.fromCode(messageTypeCode()); }

    /** Whether the Message Type AVP has its M bit set (decides what to do with an unknown type, RFC 2661 4.4.1). */
    public boolean messageTypeMandatory() { return !avps.isEmpty() && avps.get(0).mandatory(); }

    public Avp find(AvpType t) {
        for (int i = 1; i < avps.size(); i++) {
            if (avps.get(i).is(t)) {
                return avps.get(i);
            }
        }
        return null;
    }

    public boolean has(AvpType t) { return find(t) != null; }

    /** U16 AVP value, or -1 when absent. */
    public int u16(AvpType t) {
        Avp a = find(t);
        return a == null ? -1 : a.asU16();
    }

    /** U32 AVP value, or -1 when absent. */
    public long u32(AvpType t) {
        Avp a = find(t);
        return a == null ? -1 : a.asU32();
    }

    /** U64 AVP value, or -1 when absent. */
    public long u64(AvpType t) {
        Avp a = find(t);
        return a == null ? -1 : a.asU64();
    }

    public String string(AvpType t) {
        Avp a = find(t);
        return a == null ? null : a.asString();
    }

    public byte[] bytes(AvpType t) {
        Avp a = find(t);
        return a == null ? null : a.value();
    }

    /** The first AVP with the M bit set that is not in the registry, or null (RFC 2661 4.1). */
    public Avp unknownMandatory() {
        for (Avp a : avps) {
            if (a.mandatory() && a.known() == null) {
                return a;
            }
        }
        return null;
    }

    public ControlMessage withSequence(int newNs, int newNr) { return new ControlMessage(tunnelId, sessionId, newNs, newNr, avps); }

    @Override
    public String toString() {
        MessageType t = messageType();
        return (isZlb() ? "ZLB" : t != null ? t.name() : "type" + messageTypeCode()) + "(tid=" + tunnelId + " sid=" + sessionId
                + " ns=" + ns + " nr=" + nr + " " + avps + ")";
    }
}
