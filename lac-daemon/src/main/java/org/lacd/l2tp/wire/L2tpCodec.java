package org.lacd.l2tp.wire;

import static org.lacd.l2tp.wire.L2tpReason.AVP_OVERRUN;
import static org.lacd.l2tp.wire.L2tpReason.AVP_TOO_SHORT;
import static org.lacd.l2tp.wire.L2tpReason.BAD_AVP_VALUE;
import static org.lacd.l2tp.wire.L2tpReason.FIRST_AVP_NOT_MESSAGE_TYPE;
import static org.lacd.l2tp.wire.L2tpReason.HIDDEN_NOT_ALLOWED;
import static org.lacd.l2tp.wire.L2tpReason.OVERSIZE;
import static org.lacd.l2tp.wire.L2tpReason.TOO_MANY_AVPS;

import org.lacd.wire.MalformedPacketException;
import org.lacd.wire.WireReader;
import org.lacd.wire.WireProtocol;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Stateless L2TPv2 encoder/decoder. No sockets, no logging. */
public final class L2tpCodec {
    /** DoS guard: AVPs accepted in one control message. */
    public static final int MAX_AVPS = 128;
    /** AVP length is a 10-bit field (RFC 2661 4.1): at most 1023 bytes including the 6-byte header. */
    public static final int MAX_AVP_VALUE = 1023 - 6;
    /** Largest control message we encode or accept (Length is 16 bits; UDP payload). */
    public static final int MAX_CONTROL_LENGTH = 65_507;

    private static final int AVP_M = 0x8000;
    private static final int AVP_H = 0x4000;
    private static final int AVP_LENGTH_MASK = 0x03ff;

    private L2tpCodec() {}

    /** Decodes a whole datagram. Hidden AVPs stay hidden (see {@link HiddenAvps#reveal}). */
    public static L2tpPacket decode(byte[] buf, int off, int len) throws MalformedPacketException {
        WireReader r = new WireReader(WireProtocol.L2TP, buf, off, len);
        L2tpHeader h = L2tpHeader.decode(r);
        if (!h.control()) {
            byte[] payload = r.bytes(r.remaining(), "payload");
            byte[] pad = h.offsetSize() < 0 ? null : Arrays.copyOfRange(buf, h.payloadOffset() - h.offsetSize(), h.payloadOffset());
            return new DataMessage(h.tunnelId(), h.sessionId(), h.length() >= 0, h.ns(), h.nr(), h.priority(), pad, payload);
        }
        return new ControlMessage(h.tunnelId(), h.sessionId(), h.ns(), h.nr(), decodeAvps(r));
    }

    /** Decodes the AVPs of a control message body, checking lengths of registered AVPs that are not hidden. */
    public static List<Avp> decodeAvps(WireReader r) throws MalformedPacketException {
        List<Avp> avps = new ArrayList<>();
        while (r.remaining() > 0) {
            int at = r.offset();
            if (avps.size() == MAX_AVPS) {
                throw new MalformedPacketException(WireProtocol.L2TP, TOO_MANY_AVPS, at, "more than " + MAX_AVPS + " AVPs");
            }
            if (r.remaining() < 6) {
                throw new MalformedPacketException(WireProtocol.L2TP, AVP_TOO_SHORT, at, "AVP header needs 6 bytes, " + r.remaining() + " left");
            }
            int bits = r.u16("AVP flags/length");
            int length = bits & AVP_LENGTH_MASK;
            if (length < 6) {
                // also the guard against a zero-length AVP loop
                throw new MalformedPacketException(WireProtocol.L2TP, AVP_TOO_SHORT, at, "AVP length " + length + " (expected: 6+)");
            }
            int vendor = r.u16("AVP vendor");
            int type = r.u16("AVP type");
            if (length - 6 > r.remaining()) {
                throw new MalformedPacketException(WireProtocol.L2TP, AVP_OVERRUN, at, "AVP length " + length + " exceeds " + (r.remaining() + 6) + " remaining");
            }
            byte[] value = r.bytes(length - 6, "AVP value");
            boolean m = (bits & AVP_M) != 0;
            boolean hidden = (bits & AVP_H) != 0;
            Avp avp = new Avp(m, hidden, vendor, type, value);
            if (avps.isEmpty() && !avp.is(AvpType.MESSAGE_TYPE)) {
                throw new MalformedPacketException(WireProtocol.L2TP, FIRST_AVP_NOT_MESSAGE_TYPE, at, "first AVP is " + vendor + ":" + type + " (expected: Message Type)");
            }
            AvpType known = avp.known();
            if (known != null) {
                if (hidden && !known.hideable()) {
                    throw new MalformedPacketException(WireProtocol.L2TP, HIDDEN_NOT_ALLOWED, at, known + " with the H bit");
                }
                if (!hidden) {
                    checkLength(known, value.length, at);
                }
            }
            avps.add(avp);
        }
        return avps;
    }

    static void checkLength(AvpType t, int len, int at) throws MalformedPacketException {
        if (len < t.minLength() || len > t.maxLength()) {
            throw new MalformedPacketException(WireProtocol.L2TP, BAD_AVP_VALUE, at,
                    t + " value of " + len + " bytes (expected: " + t.minLength() + (t.maxLength() == t.minLength() ? "" : ".." + t.maxLength()) + ")");
        }
    }

    /** Encoded size of a control message. */
    public static int controlLength(ControlMessage m) {
        int n = L2tpHeader.CONTROL_HEADER_LENGTH;
        for (Avp a : m.avps()) {
            n += 6 + a.value().length;
        }
        return n;
    }

    /** Encodes a control message (ZLB when it has no AVPs). Ns/Nr as in the record. */
    public static byte[] encode(ControlMessage m) {
        int total = controlLength(m);
        if (total > MAX_CONTROL_LENGTH) {
            throw new IllegalArgumentException("control message of " + total + " bytes");
        }
        byte[] out = new byte[total];
        int p = L2tpHeader.writeControl(out, 0, total, m.tunnelId(), m.sessionId(), m.ns(), m.nr());
        for (Avp a : m.avps()) {
            int len = 6 + a.value().length;
            L2tpHeader.put16(out, p, (a.mandatory() ? AVP_M : 0) | (a.hidden() ? AVP_H : 0) | len);
            L2tpHeader.put16(out, p + 2, a.vendor());
            L2tpHeader.put16(out, p + 4, a.type());
            System.arraycopy(a.value(), 0, out, p + 6, a.value().length);
            p += len;
        }
        return out;
    }

    /** Rewrites Ns and Nr of an encoded control message in place (used on (re)transmission). */
    public static void patchSequence(byte[] encoded, int ns, int nr) {
        L2tpHeader.put16(encoded, 8, ns);
        L2tpHeader.put16(encoded, 10, nr);
    }

    /** Encodes a data message into a fresh array (tests and tools; the engine writes straight into its buffers). */
    public static byte[] encodeData(DataMessage d) {
        int pad = d.offsetPadding() == null ? -1 : d.offsetPadding().length;
        int h = 6 + (d.withLength() ? 2 : 0) + (d.sequenced() ? 4 : 0) + (pad >= 0 ? 2 + pad : 0);
        byte[] out = new byte[h + d.payload().length];
        int flags = L2tpHeader.VERSION | (d.withLength() ? L2tpHeader.L : 0) | (d.sequenced() ? L2tpHeader.S : 0)
                | (d.priority() ? L2tpHeader.P : 0) | (pad >= 0 ? L2tpHeader.O : 0);
        int p = 0;
        L2tpHeader.put16(out, p, flags);
        p += 2;
        if (d.withLength()) {
            L2tpHeader.put16(out, p, out.length);
            p += 2;
        }
        L2tpHeader.put16(out, p, d.tunnelId());
        L2tpHeader.put16(out, p + 2, d.sessionId());
        p += 4;
        if (d.sequenced()) {
            L2tpHeader.put16(out, p, d.ns());
            L2tpHeader.put16(out, p + 2, d.nr());
            p += 4;
        }
        if (pad >= 0) {
            L2tpHeader.put16(out, p, pad);
            System.arraycopy(d.offsetPadding(), 0, out, p + 2, pad);
            p += 2 + pad;
        }
        System.arraycopy(d.payload(), 0, out, p, d.payload().length);
        return out;
    }

    /** Guard used by callers building messages from untrusted sizes. */
    public static void checkSize(int total) throws MalformedPacketException {
        if (total > MAX_CONTROL_LENGTH) {
            throw new MalformedPacketException(WireProtocol.L2TP, OVERSIZE, 0, "message of " + total + " bytes");
        }
    }
}
