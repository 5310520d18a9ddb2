package org.lacd.radius;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.lacd.radius.TunnelAttributes.DropReason;
import org.lacd.radius.wire.Attr;
import org.lacd.radius.wire.RadiusAttribute;
import org.lacd.radius.wire.RadiusCrypto;
import org.lacd.radius.wire.RadiusPacket;
import org.lacd.radius.wire.RadiusCryptoTest;
import org.lacd.radius.wire.RadiusPacketTest;

class TunnelAttributesTest {
    static final byte[] SECRET = "s3cret".getBytes();
    static final byte[] AUTH = new byte[16];

    /** Raw tagged integer (any tag octet, valid or not). */
    static RadiusAttribute ti(Attr type, int tag, int v) { return RadiusAttribute.taggedInteger(type.code(), tag, v); }

    static RadiusAttribute ts(Attr type, int tag, String s) { return RadiusAttribute.taggedString(type.code(), tag, s); }

    static RadiusAttribute pw(int tag, String p) {
        byte[] enc = RadiusCrypto.encryptTunnelPassword(p.getBytes(), SECRET, AUTH, RadiusCrypto.randomSalt());
        byte[] v = new byte[enc.length + 1];
        v[0] = (byte) tag;
        System.arraycopy(enc, 0, v, 1, enc.length);
        return new RadiusAttribute(Attr.TUNNEL_PASSWORD, v);
    }

    static List<RadiusAttribute> l2tp(int tag, String server, int pref) {
        List<RadiusAttribute> a = new ArrayList<>();
        a.add(ti(Attr.TUNNEL_TYPE, tag, 3));
        a.add(ti(Attr.TUNNEL_MEDIUM_TYPE, tag, 1));
        a.add(ts(Attr.TUNNEL_SERVER_ENDPOINT, tag, server));
        if (pref >= 0) {
            a.add(ti(Attr.TUNNEL_PREFERENCE, tag, pref));
        }
        return a;
    }

    @Test
    void freeRadiusAcceptGroupsIntoTwoRankedCandidates() throws Exception {
        RadiusPacket p = RadiusPacket.decode(RadiusPacketTest.FR_ACCEPT);
        TunnelAttributes.Result r = TunnelAttributes.parse(p.attributes(), RadiusCryptoTest.FR_SECRET, RadiusCryptoTest.FR_REQUEST_AUTH);
        assertEquals(List.of(2, 1), r.candidates().stream().map(TunnelCandidate::tag).toList());
        assertEquals(Optional.of("resA-second"), r.candidates().get(1).password());
        assertEquals(OptionalInt.of(1702), r.candidates().get(0).serverPort());
        assertEquals(1, r.dropped().size());
        assertEquals(DropReason.NOT_L2TP, r.dropped().get(0).reason());
        assertEquals(3, r.dropped().get(0).tag());
    }

    @Test
    void rankedByPreferenceThenTagAndMissingPreferenceLast() {
        List<RadiusAttribute> a = new ArrayList<>();
        a.addAll(l2tp(4, "10.0.0.4", -1));
        a.addAll(l2tp(3, "10.0.0.3", 7));
        a.addAll(l2tp(1, "10.0.0.1", 9));
        a.addAll(l2tp(2, "10.0.0.2", 7));
        var r = TunnelAttributes.parse(a, SECRET, AUTH);
        assertEquals(List.of(2, 3, 1, 4), r.candidates().stream().map(TunnelCandidate::tag).toList());
        assertEquals(TunnelCandidate.NO_PREFERENCE, r.candidates().get(3).preference());
    }

    @Test
    void stringAttributeWithFirstOctetAbove0x1FIsUntaggedData() {
        // RFC 2868 s3.3: first octet > 0x1F is the first octet of the string, tag 0.
        List<RadiusAttribute> a = List.of(ti(Attr.TUNNEL_TYPE, 0, 3), RadiusAttribute.string(Attr.TUNNEL_SERVER_ENDPOINT, "lns.example"),
            RadiusAttribute.string(Attr.TUNNEL_CLIENT_AUTH_ID, "lac1"));
        var r = TunnelAttributes.parse(a, SECRET, AUTH);
        assertEquals(1, r.candidates().size());
        TunnelCandidate c = r.candidates().get(0);
        assertEquals(0, c.tag());
        assertEquals("lns.example", c.serverHost());
        assertEquals(Optional.of("lac1"), c.clientAuthId());
        assertEquals(TunnelCandidate.MEDIUM_IPV4, c.mediumType(), "medium defaults to IPv4");
    }

    @Test
    void zeroTagOctetOnStringIsRemoved() {
        List<RadiusAttribute> a = List.of(ti(Attr.TUNNEL_TYPE, 0, 3),
            new RadiusAttribute(Attr.TUNNEL_SERVER_ENDPOINT, new byte[] {0, '1', '.', '2', '.', '3', '.', '4'}));
        assertEquals("1.2.3.4", TunnelAttributes.parse(a, SECRET, AUTH).candidates().get(0).serverHost());
    }

    @Test
    void untaggedAttributesAreTheirOwnGroupNotMergedIntoTagged() {
        List<RadiusAttribute> a = new ArrayList<>(l2tp(1, "10.0.0.1", 1));
        a.add(ts(Attr.TUNNEL_CLIENT_AUTH_ID, 0, "untagged-id"));
        var r = TunnelAttributes.parse(a, SECRET, AUTH);
        assertEquals(1, r.candidates().size());
        assertEquals(Optional.empty(), r.candidates().get(0).clientAuthId());
        assertEquals(DropReason.MISSING_TUNNEL_TYPE, r.dropped().get(0).reason());
        assertEquals(0, r.dropped().get(0).tag());
    }

    @Test
    void integerAttributeWithInvalidTagIsIgnored() {
        List<RadiusAttribute> a = new ArrayList<>(l2tp(1, "10.0.0.1", 5));
        a.add(0, ti(Attr.TUNNEL_PREFERENCE, 0x20, 1));
        var r = TunnelAttributes.parse(a, SECRET, AUTH);
        assertEquals(1, r.candidates().size());
        assertEquals(5, r.candidates().get(0).preference());
        assertTrue(r.dropped().isEmpty());
    }

    @Test
    void duplicateKeepsFirst() {
        List<RadiusAttribute> a = new ArrayList<>(l2tp(1, "10.0.0.1", 5));
        a.add(ts(Attr.TUNNEL_SERVER_ENDPOINT, 1, "10.9.9.9"));
        assertEquals("10.0.0.1", TunnelAttributes.parse(a, SECRET, AUTH).candidates().get(0).serverHost());
    }

    @Test
    void unusableGroupsAreDroppedWithReasons() {
        List<RadiusAttribute> a = new ArrayList<>();
        a.add(ti(Attr.TUNNEL_TYPE, 1, 1)); // PPTP
        a.add(ts(Attr.TUNNEL_SERVER_ENDPOINT, 1, "10.0.0.1"));
        a.add(ti(Attr.TUNNEL_TYPE, 2, 3)); // no server endpoint
        a.add(ti(Attr.TUNNEL_TYPE, 3, 3));
        a.add(ti(Attr.TUNNEL_MEDIUM_TYPE, 3, 6)); // E.164
        a.add(ts(Attr.TUNNEL_SERVER_ENDPOINT, 3, "10.0.0.3"));
        a.add(ti(Attr.TUNNEL_TYPE, 4, 3));
        a.add(ts(Attr.TUNNEL_SERVER_ENDPOINT, 4, "10.0.0.4:99999"));
        a.add(ti(Attr.TUNNEL_TYPE, 5, 3));
        a.add(ts(Attr.TUNNEL_SERVER_ENDPOINT, 5, "10.0.0.5"));
        a.add(new RadiusAttribute(Attr.TUNNEL_PASSWORD, new byte[] {5, (byte) 0x80, 1, 2, 3})); // too short
        a.add(ti(Attr.TUNNEL_TYPE, 6, 3));
        a.add(ts(Attr.TUNNEL_SERVER_ENDPOINT, 6, "10.0.0.6 ; rm"));
        var r = TunnelAttributes.parse(a, SECRET, AUTH);
        assertTrue(r.candidates().isEmpty());
        assertTrue(r.anyTunnelAttribute());
        assertEquals(List.of(DropReason.NOT_L2TP, DropReason.MISSING_SERVER_ENDPOINT, DropReason.BAD_MEDIUM_TYPE,
            DropReason.BAD_SERVER_ENDPOINT, DropReason.BAD_PASSWORD, DropReason.BAD_SERVER_ENDPOINT),
            r.dropped().stream().map(TunnelAttributes.Dropped::reason).toList());
    }

    @Test
    void endpointsWithPortsAndIpv6() {
        List<RadiusAttribute> a = new ArrayList<>();
        a.add(ti(Attr.TUNNEL_TYPE, 1, 3));
        a.add(ti(Attr.TUNNEL_MEDIUM_TYPE, 1, 2));
        a.add(ts(Attr.TUNNEL_SERVER_ENDPOINT, 1, "2001:db8::1"));
        a.add(ti(Attr.TUNNEL_TYPE, 2, 3));
        a.add(ti(Attr.TUNNEL_MEDIUM_TYPE, 2, 2));
        a.add(ts(Attr.TUNNEL_SERVER_ENDPOINT, 2, "[2001:db8::2]:1702"));
        a.add(ti(Attr.TUNNEL_TYPE, 3, 3));
        a.add(ts(Attr.TUNNEL_SERVER_ENDPOINT, 3, "2001:db8::3")); // bare IPv6 with medium IPv4: ambiguous, dropped
        a.add(pw(1, "pw-one"));
        var r = TunnelAttributes.parse(a, SECRET, AUTH);
        assertEquals(2, r.candidates().size());
        assertEquals("2001:db8::1", r.candidates().get(0).serverHost());
        assertEquals(OptionalInt.empty(), r.candidates().get(0).serverPort());
        assertEquals(Optional.of("pw-one"), r.candidates().get(0).password());
        assertEquals("2001:db8::2", r.candidates().get(1).serverHost());
        assertEquals(OptionalInt.of(1702), r.candidates().get(1).serverPort());
        assertEquals(DropReason.BAD_SERVER_ENDPOINT, r.dropped().get(0).reason());
    }

    @Test
    void noTunnelAttributesAtAll() {
        var r = TunnelAttributes.parse(List.of(RadiusAttribute.integer(Attr.SESSION_TIMEOUT, 5)), SECRET, AUTH);
        assertFalse(r.anyTunnelAttribute());
        assertTrue(r.candidates().isEmpty());
    }

    @Test
    void radiusValuesWinOverProfileDefaults() {
        TunnelCandidate radius = new TunnelCandidate(1, 5, 3, 1, "192.0.2.1", OptionalInt.empty(), Optional.empty(), Optional.of("from-radius"),
            Optional.of("resA"), Optional.empty(), Optional.empty(), Optional.empty());
        TunnelCandidate profile = new TunnelCandidate(0, 99, 3, 1, "198.51.100.9", OptionalInt.of(1702), Optional.of("10.0.0.1"),
            Optional.of("from-profile"), Optional.of("other"), Optional.of("lac-name"), Optional.of("lns-name"), Optional.of("grp"));
        TunnelCandidate m = radius.withDefaults(profile);
        assertEquals("192.0.2.1", m.serverHost());
        assertEquals(5, m.preference());
        assertEquals(OptionalInt.of(1702), m.serverPort());
        assertEquals(Optional.of("from-radius"), m.password());
        assertEquals(Optional.of("resA"), m.assignmentId());
        assertEquals(Optional.of("lac-name"), m.clientAuthId());
        assertEquals(Optional.of("lns-name"), m.serverAuthId());
        assertEquals(Optional.of("10.0.0.1"), m.clientEndpoint());
        assertEquals(List.of("lac-name", "resA"), m.profileKeys());
        assertEquals(List.of("resA"), radius.profileKeys());
    }
}
