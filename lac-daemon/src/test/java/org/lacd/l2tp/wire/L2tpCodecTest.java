package org.lacd.l2tp.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.wire.MalformedPacketException;
import org.lacd.testsupport.RealPeer;
import org.lacd.testsupport.Peers;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lacd.l2tp.testutil.Hex;
import org.lacd.l2tp.testutil.Pcap;
import org.lacd.l2tp.wire.L2tpReason;

class L2tpCodecTest {

    private static L2tpPacket decode(byte[] b) throws MalformedPacketException { return L2tpCodec.decode(b, 0, b.length); }

    @Test
    void everyGoldenVectorRoundTrips() throws Exception {
        for (Map.Entry<String, byte[]> e : GoldenVectors.all().entrySet()) {
            byte[] bytes = e.getValue();
            L2tpPacket p = decode(bytes);
            byte[] again = p instanceof ControlMessage c ? L2tpCodec.encode(c) : L2tpCodec.encodeData((DataMessage) p);
            assertEquals(Hex.of(bytes), Hex.of(again), e.getKey());
            if (p instanceof ControlMessage c && !c.isZlb()) {
                assertEquals(e.getKey(), c.messageType().name(), "message type of " + e.getKey());
            }
        }
    }

    @Test
    void sccrqFieldsDecode() throws Exception {
        ControlMessage m = (ControlMessage) decode(Hex.parse(GoldenVectors.SCCRQ));
        assertEquals(MessageType.SCCRQ, m.messageType());
        assertEquals("lac1", m.string(AvpType.HOST_NAME));
        assertEquals(1, m.u16(AvpType.ASSIGNED_TUNNEL_ID));
        assertEquals(4, m.u16(AvpType.RECEIVE_WINDOW_SIZE));
        assertFalse(m.find(AvpType.TIE_BREAKER).mandatory());
        assertArrayEquals(Hex.parse("deadbeef"), m.bytes(AvpType.CHALLENGE));
        assertEquals(0, m.tunnelId());
    }

    @Test
    void icrqCarriesAccessLineAvpsUnderBroadbandForumVendor() throws Exception {
        ControlMessage m = (ControlMessage) decode(Hex.parse(GoldenVectors.ICRQ));
        assertEquals("eth0:1", m.string(AvpType.AGENT_CIRCUIT_ID));
        assertEquals(1_000_000, m.u64(AvpType.ACTUAL_DATA_RATE_UPSTREAM));
        assertEquals(3, m.u32(AvpType.PHYSICAL_CHANNEL_ID));
        assertEquals(5, m.u16(AvpType.ASSIGNED_SESSION_ID));
        assertNull(m.unknownMandatory());
    }

    @Test
    void resultAndPppDisconnectCauseParse() throws Exception {
        ControlMessage stop = (ControlMessage) decode(Hex.parse(GoldenVectors.STOPCCN));
        ResultCode rc = ResultCode.parse(stop.find(AvpType.RESULT_CODE));
        assertEquals(new ResultCode(1, 0, "bye"), rc);
        assertEquals(Hex.of(stop.find(AvpType.RESULT_CODE).value()), Hex.of(rc.toAvp().value()));
        ControlMessage cdn = (ControlMessage) decode(Hex.parse(GoldenVectors.CDN));
        PppDisconnectCause dc = PppDisconnectCause.parse(cdn.find(AvpType.PPP_DISCONNECT_CAUSE_CODE));
        assertEquals(new PppDisconnectCause(1, 0, PppDisconnectCause.Direction.AT_LOCAL, null), dc);
        assertEquals(cdn.find(AvpType.PPP_DISCONNECT_CAUSE_CODE), dc.toAvp());
    }

    @Test
    void proxyLcpAvpsGoOutWithMandatoryBitClear() {
        assertFalse(AvpType.INITIAL_RECEIVED_LCP_CONFREQ.mandatory());
        assertFalse(AvpType.LAST_SENT_LCP_CONFREQ.mandatory());
        assertFalse(AvpType.LAST_RECEIVED_LCP_CONFREQ.mandatory());
        assertFalse(Avp.of(AvpType.LAST_SENT_LCP_CONFREQ, new byte[] {1, 4, 5, (byte) 0xd4}).mandatory());
        assertFalse(AvpType.PPP_DISCONNECT_CAUSE_CODE.mandatory());
        assertTrue(AvpType.ASSIGNED_SESSION_ID.mandatory());
    }

    @Test
    void dataMessagesDecodeWithAndWithoutSequenceAndOffset() throws Exception {
        DataMessage plain = (DataMessage) decode(Hex.parse(GoldenVectors.DATA_PLAIN));
        assertFalse(plain.sequenced());
        assertEquals(Hex.of(Hex.parse("ff03c021 01010004")), Hex.of(plain.payload()));
        DataMessage seq = (DataMessage) decode(Hex.parse(GoldenVectors.DATA_SEQ_OFFSET));
        assertEquals(1, seq.ns());
        assertEquals(2, seq.offsetPadding().length);
        assertEquals("c021 01010004".replace(" ", ""), Hex.of(seq.payload()));
    }

    @Test
    void unknownVendorAvpKeptOpaqueAndUnknownMandatoryDetected() throws Exception {
        ControlMessage m = ControlMessage.of(MessageType.HELLO, 3, 0, List.of(
                new Avp(false, false, 9, 1, new byte[] {1, 2, 3}), new Avp(true, false, 0, 200, new byte[] {7})));
        ControlMessage back = (ControlMessage) decode(L2tpCodec.encode(m));
        assertEquals(m.avps(), back.avps());
        assertEquals(200, back.unknownMandatory().type());
    }

    @Test
    void everyTruncationRaisesTheTypedException() {
        for (Map.Entry<String, byte[]> e : GoldenVectors.all().entrySet()) {
            byte[] full = e.getValue();
            boolean control = (full[0] & 0x80) != 0;
            boolean hasLength = (full[0] & 0x40) != 0;
            if (!control && !hasLength) {
                continue; // a data message without Length has no way to tell truncation of its payload
            }
            for (int n = 0; n < full.length; n++) {
                byte[] cut = Arrays.copyOf(full, n);
                assertThrows(MalformedPacketException.class, () -> decode(cut), e.getKey() + " cut at " + n);
            }
        }
    }

    @Test
    void typedReasons() {
        byte[] v3 = Hex.parse("c8 03 00 0c 00 01 00 00 00 00 00 00");
        assertEquals(L2tpReason.BAD_VERSION, assertThrows(MalformedPacketException.class, () -> decode(v3)).reason());
        byte[] noSeq = Hex.parse("c0 02 00 08 00 01 00 00");
        assertEquals(L2tpReason.CONTROL_FLAGS, assertThrows(MalformedPacketException.class, () -> decode(noSeq)).reason());
        byte[] lengthTooBig = Hex.parse("c8 02 00 40 00 01 00 00 00 00 00 00");
        assertEquals(L2tpReason.BAD_LENGTH, assertThrows(MalformedPacketException.class, () -> decode(lengthTooBig)).reason());
        byte[] zeroAvp = Hex.parse("c8 02 00 12 00 01 00 00 00 00 00 00  80 00 00 00 00 00");
        MalformedPacketException loop = assertThrows(MalformedPacketException.class, () -> decode(zeroAvp));
        assertEquals(L2tpReason.AVP_TOO_SHORT, loop.reason());
        assertEquals(12, loop.offset());
        byte[] overrun = Hex.parse("c8 02 00 14 00 01 00 00 00 00 00 00  80 0a 00 00 00 00 00 06");
        assertEquals(L2tpReason.AVP_OVERRUN, assertThrows(MalformedPacketException.class, () -> decode(overrun)).reason());
        byte[] notFirst = Hex.parse("c8 02 00 14 00 01 00 00 00 00 00 00  80 08 00 00 00 09 00 06");
        assertEquals(L2tpReason.FIRST_AVP_NOT_MESSAGE_TYPE, assertThrows(MalformedPacketException.class, () -> decode(notFirst)).reason());
        byte[] badU16 = Hex.parse("c8 02 00 1d 00 01 00 00 00 00 00 00  80 08 00 00 00 00 00 06  80 09 00 00 00 09 00 06 07");
        assertEquals(L2tpReason.BAD_AVP_VALUE, assertThrows(MalformedPacketException.class, () -> decode(badU16)).reason());
        byte[] hiddenMsgType = Hex.parse("c8 02 00 14 00 01 00 00 00 00 00 00  c0 08 00 00 00 00 00 06");
        assertEquals(L2tpReason.HIDDEN_NOT_ALLOWED, assertThrows(MalformedPacketException.class, () -> decode(hiddenMsgType)).reason());
        byte[] offsetOverrun = Hex.parse("02 02 00 01 00 01 00 09 00");
        assertEquals(L2tpReason.OFFSET_OVERRUN, assertThrows(MalformedPacketException.class, () -> decode(offsetOverrun)).reason());
    }

    @Test
    void oversizeAvpCountIsRejected() {
        List<Avp> avps = new ArrayList<>();
        for (int i = 0; i < L2tpCodec.MAX_AVPS; i++) {
            avps.add(new Avp(false, false, 9, 1, new byte[0]));
        }
        byte[] tooMany = L2tpCodec.encode(ControlMessage.of(MessageType.HELLO, 1, 0, avps));
        assertEquals(L2tpReason.TOO_MANY_AVPS, assertThrows(MalformedPacketException.class, () -> decode(tooMany)).reason());
    }

    @Test
    void hiddenAvpsRoundTripAndFailWithoutRandomVectorOrSecret() throws Exception {
        byte[] secret = "s3cret".getBytes(StandardCharsets.US_ASCII);
        byte[] rv = Hex.parse("0102030405060708090a0b0c0d0e0f10");
        String longName = "a-user-name-longer-than-one-md5-block@example.net";
        List<Avp> plain = ControlMessage.of(MessageType.ICCN, 1, 2, List.of(
                Avp.string(AvpType.PROXY_AUTHEN_NAME, longName),
                Avp.u32(AvpType.TX_CONNECT_SPEED, 1000),
                Avp.u16(AvpType.PROXY_AUTHEN_ID, 7))).avps();
        List<Avp> hidden = HiddenAvps.hide(plain, secret, rv, a -> !a.is(AvpType.TX_CONNECT_SPEED));
        assertTrue(hidden.get(1).is(AvpType.RANDOM_VECTOR));
        assertTrue(hidden.get(2).hidden());
        assertFalse(hidden.get(3).hidden());
        assertFalse(Arrays.equals(plain.get(1).value(), hidden.get(2).value()));
        ControlMessage wire = (ControlMessage) decode(L2tpCodec.encode(new ControlMessage(1, 2, 0, 0, hidden)));
        List<Avp> back = HiddenAvps.reveal(wire.avps(), secret);
        assertEquals(longName, back.get(2).asString());
        assertEquals(7, back.get(4).asU16());
        assertEquals(L2tpReason.HIDDEN_WITHOUT_SECRET, assertThrows(MalformedPacketException.class, () -> HiddenAvps.reveal(wire.avps(), null)).reason());
        List<Avp> noRv = new ArrayList<>(wire.avps());
        noRv.remove(1);
        assertEquals(L2tpReason.HIDDEN_WITHOUT_RANDOM_VECTOR, assertThrows(MalformedPacketException.class, () -> HiddenAvps.reveal(noRv, secret)).reason());
        // wrong secret: the original-length field decodes to garbage, caught as a typed error (or a wrong value)
        MalformedPacketException wrong = assertThrows(MalformedPacketException.class,
                () -> HiddenAvps.reveal(wire.avps(), "other".getBytes(StandardCharsets.US_ASCII)));
        assertNotNull(wrong.reason());
    }

    @Test
    void hiddenVectorMatchesRfcConstruction() throws Exception {
        // independent computation of the first block: MD5(type 0x0007 + secret + RV) xor (len 00 03 + "abc")
        byte[] secret = "k".getBytes(StandardCharsets.US_ASCII);
        byte[] rv = {9, 9, 9, 9};
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("MD5");
        md.update(new byte[] {0, 30});
        md.update(secret);
        md.update(rv);
        byte[] b1 = md.digest();
        byte[] expected = {(byte) (0 ^ b1[0]), (byte) (3 ^ b1[1]), (byte) ('a' ^ b1[2]), (byte) ('b' ^ b1[3]), (byte) ('c' ^ b1[4])};
        List<Avp> h = HiddenAvps.hide(List.of(Avp.messageType(MessageType.ICCN), Avp.string(AvpType.PROXY_AUTHEN_NAME, "abc")),
                secret, rv, a -> true);
        assertArrayEquals(expected, h.get(2).value());
    }

    @Test
    void challengeResponseIsMd5OfTypeSecretChallenge() throws Exception {
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("MD5");
        md.update((byte) 2);
        md.update("x".getBytes(StandardCharsets.US_ASCII));
        md.update(new byte[] {1, 2, 3});
        assertArrayEquals(md.digest(), HiddenAvps.challengeResponse(MessageType.SCCRP, "x".getBytes(StandardCharsets.US_ASCII), new byte[] {1, 2, 3}));
    }

    @Test
    @RealPeer
    void tsharkDissectsEveryGoldenVectorWithoutErrors(@TempDir Path dir) throws Exception {
        Peers.require(new File("/usr/bin/tshark").canExecute(), "tshark not installed");
        Path pcap = dir.resolve("golden.pcap");
        List<byte[]> frames = new ArrayList<>(GoldenVectors.all().values());
        Pcap.write(pcap, frames);
        Process p = new ProcessBuilder("/usr/bin/tshark", "-n", "-r", pcap.toString(), "-V").redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String text = new String(out, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("tshark.txt"), text);
        assertEquals(0, p.exitValue(), text);
        assertFalse(text.contains("Malformed"), text);
        assertFalse(text.contains("Expert Info (Error"), text);
        assertTrue(text.contains("Start_Control_Request"), "tshark saw the SCCRQ");
        assertTrue(text.contains("Incoming_Call_Connected"), "tshark saw the ICCN");
        assertEquals(frames.size(), text.split("Layer 2 Tunneling Protocol").length - 1, "every frame dissected as L2TP");
    }
}
