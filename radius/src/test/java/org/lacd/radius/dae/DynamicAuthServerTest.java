package org.lacd.radius.dae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.lacd.radius.CountingRadiusStats;
import org.lacd.radius.RadiusSettings;
import org.lacd.radius.RadiusStats.DaeResult;
import org.lacd.radius.TerminateCause;
import org.lacd.radius.wire.Attr;
import org.lacd.radius.wire.RadiusAttribute;
import org.lacd.radius.wire.RadiusCode;
import org.lacd.radius.wire.RadiusCrypto;
import org.lacd.radius.wire.RadiusPacket;

/** Socket-free checks of the DAE decisions: retransmissions, Message-Authenticator policy, Proxy-State echo. */
class DynamicAuthServerTest {
    static final byte[] SECRET = RadiusCrypto.secret("s");
    final List<String> ended = new ArrayList<>();
    final CountingRadiusStats stats = new CountingRadiusStats();
    final InetSocketAddress from = new InetSocketAddress(InetAddress.getLoopbackAddress(), 3799);

    DynamicAuthServer<String> das(boolean requireMa) {
        RadiusSettings s = RadiusSettings.builder().dae(new RadiusSettings.Dae(InetAddress.getLoopbackAddress(), OptionalInt.empty(),
            List.of(new RadiusSettings.DaeClient(InetAddress.getLoopbackAddress(), "s")), requireMa)).build();
        return new DynamicAuthServer<>(s, new DisconnectHandler<>() {
            @Override
            public List<String> find(SessionCriteria c) {
                return c.acctSessionId().filter("x"::equals).map(List::of).orElse(List.of());
            }

            @Override
            public boolean disconnect(String session, TerminateCause cause) {
                ended.add(session);
                return true;
            }
        }, stats);
    }

    @Test
    void retransmissionGetsTheCachedAnswerWithoutActingTwice() throws Exception {
        DynamicAuthServer<String> d = das(false);
        byte[] req = RadiusCrypto.encodeComputedRequest(RadiusCode.DISCONNECT_REQUEST, 5,
            List.of(RadiusAttribute.string(Attr.ACCT_SESSION_ID, "x"), RadiusAttribute.string(Attr.PROXY_STATE, "ps1")), SECRET, true);
        byte[] a1 = d.onRequest(from, req);
        byte[] a2 = d.onRequest(from, req);
        assertArrayEquals(a1, a2);
        assertEquals(List.of("x"), ended);
        RadiusPacket ack = RadiusPacket.decode(a1);
        assertEquals(RadiusCode.DISCONNECT_ACK, ack.code());
        assertEquals("ps1", ack.first(Attr.PROXY_STATE).orElseThrow().asString());
        byte[] reqAuth = java.util.Arrays.copyOfRange(req, 4, 20);
        assertEquals(true, RadiusCrypto.verifyResponseAuthenticator(a1, a1.length, reqAuth, SECRET));
        assertEquals(RadiusCrypto.MaCheck.VALID, RadiusCrypto.verifyMessageAuthenticator(a1, a1.length, reqAuth, SECRET));
    }

    @Test
    void requiredMessageAuthenticator() {
        DynamicAuthServer<String> d = das(true);
        byte[] noMa = RadiusCrypto.encodeComputedRequest(RadiusCode.DISCONNECT_REQUEST, 6, List.of(RadiusAttribute.string(Attr.ACCT_SESSION_ID, "x")),
            SECRET, false);
        assertNull(d.onRequest(from, noMa));
        assertEquals(1, stats.daeCount(DaeResult.DROPPED_BAD_AUTHENTICATOR));
        byte[] withMa = RadiusCrypto.encodeComputedRequest(RadiusCode.DISCONNECT_REQUEST, 6,
            List.of(RadiusAttribute.string(Attr.ACCT_SESSION_ID, "x")), SECRET, true);
        withMa[withMa.length - 1] ^= 1; // breaks both authenticators: dropped
        assertNull(d.onRequest(from, withMa));
        assertEquals(2, stats.daeCount(DaeResult.DROPPED_BAD_AUTHENTICATOR));
        assertEquals(List.of(), ended);
    }

    @Test
    void failingHandlerGivesResourcesUnavailable() throws Exception {
        RadiusSettings st = RadiusSettings.builder().dae(new RadiusSettings.Dae(InetAddress.getLoopbackAddress(), OptionalInt.empty(),
            List.of(new RadiusSettings.DaeClient(InetAddress.getLoopbackAddress(), "s")), false)).build();
        DynamicAuthServer<String> d = new DynamicAuthServer<>(st, new DisconnectHandler<>() {
            @Override
            public List<String> find(SessionCriteria c) {
                throw new IllegalStateException("boom");
            }

            @Override
            public boolean disconnect(String session, TerminateCause cause) {
                return true;
            }
        }, stats);
        byte[] req = RadiusCrypto.encodeComputedRequest(RadiusCode.DISCONNECT_REQUEST, 1, List.of(RadiusAttribute.string(Attr.USER_NAME, "u")),
            SECRET, false);
        RadiusPacket nak = RadiusPacket.decode(d.onRequest(from, req));
        assertEquals(RadiusCode.DISCONNECT_NAK, nak.code());
        assertEquals(ErrorCause.RESOURCES_UNAVAILABLE.code(), nak.first(Attr.ERROR_CAUSE).orElseThrow().asInt());
    }

    @Test
    void malformedAndWrongCodeAreDropped() {
        DynamicAuthServer<String> d = das(false);
        assertNull(d.onRequest(from, new byte[] {40, 1, 0}));
        byte[] acct = RadiusCrypto.encodeComputedRequest(RadiusCode.ACCOUNTING_REQUEST, 1, List.of(), SECRET, false);
        assertNull(d.onRequest(from, acct));
        assertEquals(2, stats.daeCount(DaeResult.DROPPED_MALFORMED));
    }

    @Test
    void callingMacParsesCommonFormats() {
        for (String s : List.of("02:00:00:00:00:0a", "02-00-00-00-00-0A", "0200.0000.000a", "02000000000a")) {
            SessionCriteria c = new SessionCriteria(java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.of(s),
                java.util.Optional.empty());
            assertArrayEquals(new byte[] {2, 0, 0, 0, 0, 10}, c.callingMac().orElseThrow(), s);
        }
        assertEquals(java.util.Optional.empty(), new SessionCriteria(java.util.Optional.empty(), java.util.Optional.empty(),
            java.util.Optional.of("not-a-mac"), java.util.Optional.empty()).callingMac());
    }
}
