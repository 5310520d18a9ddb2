package org.lacd.pppoe.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.wire.MalformedPacketException;
import org.lacd.wire.WireProtocol;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lacd.pppoe.testutil.Hex;

class WireCodecTest {

    private static void roundTripDiscovery(byte[] frame) throws Exception {
        PppoeDiscovery.Frame f = PppoeDiscovery.decodeFrame(frame, 0, frame.length);
        assertArrayEquals(frame, f.packet().toFrame(f.eth()), "decode -> encode must give the same bytes");
        for (int n = 0; n < frame.length; n++) {
            int cut = n;
            MalformedPacketException e = assertThrows(MalformedPacketException.class,
                    () -> PppoeDiscovery.decodeFrame(frame, 0, cut), "prefix of " + cut + " bytes");
            assertTrue(e.offset() >= 0);
        }
    }

    @Test
    void padiWithAllTagKindsRoundTrips() throws Exception {
        PppoeDiscovery.Frame f = PppoeDiscovery.decodeFrame(GoldenVectors.PADI, 0, GoldenVectors.PADI.length);
        assertEquals(MacAddress.BROADCAST.value(), f.eth().dst());
        assertEquals("02:00:00:00:00:01", new MacAddress(f.eth().src()).toString());
        assertEquals(-1, f.eth().outerVlan());
        PppoeDiscovery p = f.packet();
        assertEquals(PppoeCode.PADI, p.code());
        assertEquals("", p.first(TagType.SERVICE_NAME).orElseThrow().asUtf8());
        assertEquals("deadbeef", Hex.of(p.first(TagType.HOST_UNIQ).orElseThrow().value()));
        assertEquals(1500, p.first(TagType.PPP_MAX_PAYLOAD).orElseThrow().asU16());
        assertEquals(0x7777, p.tags().get(4).type());
        assertEquals(null, p.tags().get(4).knownType());
        LineInfo li = LineInfo.fromVendorTag(p.first(TagType.VENDOR_SPECIFIC).orElseThrow().value()).orElseThrow();
        assertEquals("c1/2", li.circuitId().orElseThrow());
        assertEquals("r42", li.remoteId().orElseThrow());
        assertEquals(10000, li.actualRateUp());
        assertEquals(100000, li.actualRateDown());
        assertEquals(-1, li.minRateUp());
        assertArrayEquals(p.first(TagType.VENDOR_SPECIFIC).orElseThrow().value(), li.toVendorTagValue());
        roundTripDiscovery(GoldenVectors.PADI);
    }

    @Test
    void padoQinqRoundTrips() throws Exception {
        PppoeDiscovery.Frame f = PppoeDiscovery.decodeFrame(GoldenVectors.PADO_QINQ, 0, GoldenVectors.PADO_QINQ.length);
        assertEquals(EtherType.VLAN_8021AD, f.eth().outerTpid());
        assertEquals(100, f.eth().outerVlan());
        assertEquals(200, f.eth().innerVlan());
        assertEquals(PppoeCode.PADO, f.packet().code());
        assertEquals("lacd", f.packet().first(TagType.AC_NAME).orElseThrow().asUtf8());
        assertEquals("1234", Hex.of(f.packet().first(TagType.RELAY_SESSION_ID).orElseThrow().value()));
        roundTripDiscovery(GoldenVectors.PADO_QINQ);
    }

    @Test
    void padrPadsPadtRoundTrip() throws Exception {
        PppoeDiscovery.Frame r = PppoeDiscovery.decodeFrame(GoldenVectors.PADR_DOT1Q, 0, GoldenVectors.PADR_DOT1Q.length);
        assertEquals(10, r.eth().outerVlan());
        assertEquals(-1, r.eth().innerVlan());
        assertEquals("internet", r.packet().first(TagType.SERVICE_NAME).orElseThrow().asUtf8());
        roundTripDiscovery(GoldenVectors.PADR_DOT1Q);
        PppoeDiscovery.Frame s = PppoeDiscovery.decodeFrame(GoldenVectors.PADS, 0, GoldenVectors.PADS.length);
        assertEquals(0x1234, s.packet().sessionId());
        roundTripDiscovery(GoldenVectors.PADS);
        PppoeDiscovery.Frame t = PppoeDiscovery.decodeFrame(GoldenVectors.PADT, 0, GoldenVectors.PADT.length);
        assertEquals(PppoeCode.PADT, t.packet().code());
        assertEquals("bye", t.packet().first(TagType.GENERIC_ERROR).orElseThrow().asUtf8());
        roundTripDiscovery(GoldenVectors.PADT);
    }

    @Test
    void ethernetPaddingAfterPppoeLengthIsIgnored() throws Exception {
        byte[] padded = Arrays.copyOf(GoldenVectors.PADT, 60);
        PppoeDiscovery.Frame t = PppoeDiscovery.decodeFrame(padded, 0, padded.length);
        assertArrayEquals(GoldenVectors.PADT, t.packet().toFrame(t.eth()));
    }

    @Test
    void pppControlPacketsRoundTripAndRejectEveryTruncation() throws Exception {
        List<Class<?>> kinds = new ArrayList<>();
        for (String v : GoldenVectors.PPP) {
            byte[] frame = GoldenVectors.sessionFrame(v);
            PppoeSessionFrame.Decoded d = PppoeSessionFrame.decode(frame, 0, frame.length);
            assertEquals(0x1234, d.sessionId());
            assertArrayEquals(Hex.parse(v), d.ppp());
            PppControlPacket p = PppControlPacket.decodePpp(d.ppp(), 0, d.ppp().length);
            kinds.add(p.getClass());
            assertArrayEquals(d.ppp(), p.toPppFrame(), "round trip of " + p);
            for (int n = 0; n < d.ppp().length; n++) {
                int cut = n;
                assertThrows(MalformedPacketException.class, () -> PppControlPacket.decodePpp(d.ppp(), 0, cut),
                        "prefix " + cut + " of " + p);
            }
            for (int n = 0; n < frame.length; n++) {
                int cut = n;
                assertThrows(MalformedPacketException.class, () -> PppoeSessionFrame.decode(frame, 0, cut));
            }
        }
        assertTrue(kinds.contains(LcpPacket.class) && kinds.contains(PapPacket.class) && kinds.contains(ChapPacket.class));
    }

    @Test
    void decodedFieldsOfPppPackets() throws Exception {
        LcpPacket cr = (LcpPacket) decode(GoldenVectors.PPP[0]);
        assertEquals(LcpCode.CONFIGURE_REQUEST, cr.kind());
        assertEquals(List.of(LcpOption.mru(1492), LcpOption.authChapMd5(), LcpOption.magic(0x12345678)), cr.options());
        LcpPacket echo = (LcpPacket) decode(GoldenVectors.PPP[8]);
        assertEquals(0x12345678, echo.magic());
        PapPacket pap = (PapPacket) decode(GoldenVectors.PPP[11]);
        assertEquals("alice", pap.peerIdString());
        assertEquals("secret", new String(pap.password()));
        ChapPacket resp = (ChapPacket) decode(GoldenVectors.PPP[15]);
        assertEquals(ChapPacket.RESPONSE, resp.code());
        assertEquals(7, resp.id());
        assertEquals("alice", resp.nameString());
        assertEquals(16, resp.value().length);
        assertArrayEquals(Hex.parse(GoldenVectors.PPP[13]), PapPacket.nak(1, "denied").toPppFrame());
        assertArrayEquals(Hex.parse(GoldenVectors.PPP[17]), ChapPacket.failure(7, "denied").toPppFrame());
    }

    @Test
    void unknownLcpCodeIsKeptForCodeReject() throws Exception {
        LcpPacket p = (LcpPacket) decode("c021 0e 01 0005 aa");
        assertEquals(null, p.kind());
        assertEquals(14, p.code());
    }

    private static PppControlPacket decode(String hex) throws MalformedPacketException {
        byte[] b = Hex.parse(hex);
        return PppControlPacket.decodePpp(b, 0, b.length);
    }

    @Test
    void malformedVariantsRaiseTypedException() {
        // tag length runs past the PPPoE payload
        assertMalformed(WireProtocol.PPPOE_TAG, "ffffffffffff 020000000001 8863 11 09 0000 0004 0101 0010");
        // PPPoE length longer than the frame
        assertMalformed(WireProtocol.PPPOE_DISCOVERY, "ffffffffffff 020000000001 8863 11 09 0000 00ff 0101 0000");
        // wrong version/type
        assertMalformed(WireProtocol.PPPOE_DISCOVERY, "ffffffffffff 020000000001 8863 21 09 0000 0000");
        // unknown code
        assertMalformed(WireProtocol.PPPOE_DISCOVERY, "ffffffffffff 020000000001 8863 11 42 0000 0000");
        // PPP-Max-Payload must be 2 bytes
        assertMalformed(WireProtocol.PPPOE_TAG, "ffffffffffff 020000000001 8863 11 09 0000 0007 0120 0003 05dc00");
        // three VLAN tags
        assertMalformed(WireProtocol.ETHERNET, "ffffffffffff 020000000001 88a8 0001 8100 0002 8100 0003 8863 11 09 0000 0000");
        // not discovery
        assertMalformed(WireProtocol.ETHERNET, "ffffffffffff 020000000001 0800 4500");
        // too many tags
        StringBuilder many = new StringBuilder("ffffffffffff 020000000001 8863 11 09 0000 ");
        int count = WireLimits.MAX_TAGS + 1;
        many.append(String.format("%04x", count * 4));
        many.append(" 0103 0000".repeat(count));
        assertMalformed(WireProtocol.PPPOE_TAG, many.toString());
        // LCP: option length below 2, MRU with length 5, LENGTH below 4, Echo without magic
        assertPppMalformed(WireProtocol.LCP, "c021 01 01 0006 0101");
        assertPppMalformed(WireProtocol.LCP, "c021 01 01 0009 0105 05d400");
        assertPppMalformed(WireProtocol.LCP, "c021 01 01 0003");
        assertPppMalformed(WireProtocol.LCP, "c021 09 01 0006 0102");
        // PAP peer-id length beyond packet; CHAP value-size beyond packet; unknown PAP code
        assertPppMalformed(WireProtocol.PAP, "c023 01 01 0006 09 61");
        assertPppMalformed(WireProtocol.CHAP, "c223 02 01 0006 10 61");
        assertPppMalformed(WireProtocol.PAP, "c023 09 01 0004");
        // vendor tag sub-option overflow
        assertThrows(MalformedPacketException.class, () -> LineInfo.fromVendorTag(Hex.parse("00000de9 01 09 6162")));
    }

    @Test
    void vendorTagOfOtherEnterpriseIsIgnored() throws Exception {
        assertFalse(LineInfo.fromVendorTag(Hex.parse("00000009 01 02 6162")).isPresent());
    }

    @Test
    void frameViewParsesWithoutAllocationAndRejectsBadFrames() {
        FrameView v = new FrameView();
        byte[] f = GoldenVectors.PADO_QINQ;
        assertTrue(v.parse(f, 0, f.length));
        assertEquals(100, v.outerVlan());
        assertEquals(200, v.innerVlan());
        assertEquals(EtherType.PPPOE_DISCOVERY, v.etherType);
        assertEquals(PppoeCode.PADO.code(), v.code);
        assertEquals(34, v.payloadLength);
        assertFalse(v.parse(f, 0, f.length - 1));
        byte[] s = GoldenVectors.sessionFrame(GoldenVectors.PPP[4]);
        assertTrue(v.parse(s, 0, s.length));
        assertEquals(0x1234, v.sessionId);
        assertEquals(EtherType.PPPOE_SESSION, v.etherType);
        assertEquals(0xc0, s[v.payloadOffset] & 0xff);
    }

    private static void assertMalformed(WireProtocol expected, String hex) {
        byte[] b = Hex.parse(hex);
        MalformedPacketException e = assertThrows(MalformedPacketException.class,
                () -> PppoeDiscovery.decodeFrame(b, 0, b.length));
        assertEquals(expected, e.protocol(), e.getMessage());
    }

    private static void assertPppMalformed(WireProtocol expected, String hex) {
        byte[] b = Hex.parse(hex);
        MalformedPacketException e = assertThrows(MalformedPacketException.class,
                () -> PppControlPacket.decodePpp(b, 0, b.length));
        assertEquals(expected, e.protocol(), e.getMessage());
        assertInstanceOf(String.class, e.detail());
        assertNotNull(e.reason());
    }
}
