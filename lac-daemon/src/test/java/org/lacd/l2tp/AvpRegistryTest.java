package org.lacd.l2tp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.lacd.l2tp.wire.Avp;
import org.lacd.l2tp.wire.AvpType;
import org.lacd.l2tp.wire.ControlMessage;
import org.lacd.l2tp.wire.HiddenAvps;
import org.lacd.l2tp.wire.L2tpCodec;
import org.lacd.l2tp.wire.MessageType;

/**
 * Every row of the AVP registry round-trips through the codec, in clear and hidden (RFC 2661 4.3), and its hiding
 * column decides alone what a tunnel whose profile hides AVPs hides.
 */
class AvpRegistryTest {
    static final byte[] SECRET = "avp-secret".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    static final byte[] RV = new byte[16];

    /** A value of a length the row accepts, distinct per row. */
    static Avp sample(AvpType t) {
        int len = switch (t.dataType()) {
            case U16 -> 2;
            case U32 -> 4;
            case U64 -> 8;
            case RESULT_CODE -> 2;
            case STRING, BYTES -> Math.min(t.maxLength(), Math.max(t.minLength(), 5));
        };
        byte[] v = new byte[len];
        for (int i = 0; i < len; i++) {
            v[i] = (byte) (t.dataType() == AvpType.DataType.STRING ? 'a' + (t.ordinal() + i) % 26 : t.ordinal() * 7 + i);
        }
        return Avp.of(t, v);
    }

    /** Every row but Message Type (which ControlMessage.of puts first) and, when hiding, Random Vector (hide adds its own). */
    static List<Avp> body(boolean forHiding) {
        List<Avp> body = new ArrayList<>();
        for (AvpType t : AvpType.values()) {
            if (t != AvpType.MESSAGE_TYPE && !(forHiding && t == AvpType.RANDOM_VECTOR)) {
                body.add(sample(t));
            }
        }
        return body;
    }

    static ControlMessage roundTrip(ControlMessage m) throws Exception {
        byte[] wire = L2tpCodec.encode(m);
        return (ControlMessage) L2tpCodec.decode(wire, 0, wire.length);
    }

    @Test
    void everyRowRoundTripsInClear() throws Exception {
        ControlMessage m = ControlMessage.of(MessageType.ICRQ, 1, 0, body(false));
        ControlMessage back = roundTrip(m);
        assertEquals(m.avps(), back.avps());
        for (int i = 1; i < back.avps().size(); i++) {
            Avp a = back.avps().get(i);
            assertSame(AvpType.fromCode(a.vendor(), a.type()), a.known());
            assertEquals(a.known().mandatory(), a.mandatory(), a.known() + ": the M bit of its row");
        }
    }

    @Test
    void everyHideableRowRoundTripsHiddenAndTheOthersStayInClear() throws Exception {
        ControlMessage m = ControlMessage.of(MessageType.ICRQ, 1, 0, body(true));
        List<Avp> hidden = HiddenAvps.hide(m.avps(), SECRET, RV, a -> true);
        ControlMessage back = roundTrip(new ControlMessage(1, 0, 0, 0, hidden));
        for (Avp a : back.avps()) {
            if (a.known() != AvpType.RANDOM_VECTOR && a.known() != AvpType.MESSAGE_TYPE) {
                assertEquals(a.known().hideable(), a.hidden(), a.known() + " hidden as its row allows");
            }
        }
        List<Avp> revealed = HiddenAvps.reveal(back.avps(), SECRET);
        List<Avp> expected = new ArrayList<>(m.avps());
        expected.add(1, Avp.of(AvpType.RANDOM_VECTOR, RV));
        assertEquals(expected, revealed);
    }

    @Test
    void aTunnelThatHidesAvpsHidesExactlyTheSubscriberRows() throws Exception {
        Set<AvpType> hiddenByTunnel = EnumSet.noneOf(AvpType.class);
        ControlMessage m = ControlMessage.of(MessageType.ICRQ, 1, 0, body(true));
        for (Avp a : roundTrip(new ControlMessage(1, 0, 0, 0, HiddenAvps.hide(m.avps(), SECRET, RV, Tunnel::hiddenByProfile))).avps()) {
            if (a.hidden()) {
                hiddenByTunnel.add(a.known());
            }
        }
        Set<AvpType> subscriberRows = EnumSet.noneOf(AvpType.class);
        for (AvpType t : AvpType.values()) {
            if (t.subscriberData()) {
                subscriberRows.add(t);
                assertTrue(t.hideable(), t + ": subscriber data must be hideable");
            }
        }
        assertEquals(subscriberRows, hiddenByTunnel);
        // The set as it was hard-coded in Tunnel before it became a column: changing it is a deliberate act.
        assertEquals(EnumSet.of(AvpType.CALLING_NUMBER, AvpType.CALLED_NUMBER, AvpType.SUB_ADDRESS, AvpType.PROXY_AUTHEN_TYPE,
            AvpType.PROXY_AUTHEN_NAME, AvpType.PROXY_AUTHEN_CHALLENGE, AvpType.PROXY_AUTHEN_ID, AvpType.PROXY_AUTHEN_RESPONSE,
            AvpType.AGENT_CIRCUIT_ID, AvpType.AGENT_REMOTE_ID), subscriberRows);
    }
}
