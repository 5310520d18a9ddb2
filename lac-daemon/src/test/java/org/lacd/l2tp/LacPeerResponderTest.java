package org.lacd.l2tp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lacd.l2tp.wire.Avp;
import org.lacd.l2tp.wire.AvpType;
import org.lacd.l2tp.wire.CdnResult;
import org.lacd.l2tp.wire.ControlMessage;
import org.lacd.l2tp.wire.HiddenAvps;
import org.lacd.l2tp.wire.L2tpCodec;
import org.lacd.l2tp.wire.MessageType;
import org.lacd.l2tp.wire.ResultCode;
import org.lacd.l2tp.wire.StopCcnResult;

/**
 * Tunnel switching, the incoming side: lacd as the LNS (RFC 2661 7.2.1 / 7.4.2 responder) of a configured downstream
 * LAC. The downstream LAC is lacd's own LAC-side engine over loopback, or, where the LAC engine would itself stop
 * first (it checks the SCCRP's Challenge Response before we can check its SCCCN), a raw UDP socket speaking the codec.
 */
class LacPeerResponderTest {
    static final InetAddress LO = InetAddress.getLoopbackAddress();

    final CountingL2tpStats ltsStats = new CountingL2tpStats();
    final CountingL2tpStats lacStats = new CountingL2tpStats();
    final List<L2tpEngine> engines = new ArrayList<>();
    final List<AutoCloseable> closers = new ArrayList<>();
    /** Calls the LTS was handed, with the listener it gave each. */
    final LinkedBlockingQueue<IncomingCall> incoming = new LinkedBlockingQueue<>();
    final java.util.Map<IncomingCall, RecordingListener> listeners = new java.util.concurrent.ConcurrentHashMap<>();

    L2tpEngine lts(List<LacPeer> peers) throws Exception {
        L2tpEngine e = new L2tpEngine(L2tpEngineLoopbackTest.fastSettings().withLocalHostName("lts"), ltsStats);
        e.start();
        engines.add(e);
        e.acceptIncomingCalls(peers, call -> {
            RecordingListener l = new RecordingListener();
            listeners.put(call, l);
            incoming.add(call);
            return l;
        });
        return e;
    }

    L2tpEngine lac() throws Exception {
        L2tpEngine e = new L2tpEngine(L2tpEngineLoopbackTest.fastSettings().withLocalHostName("lac-a"), lacStats);
        e.start();
        engines.add(e);
        return e;
    }

    static LacPeer peer(String secret, int maxSessions) {
        return new LacPeer("partner-a", LO, 8, secret, null, maxSessions);
    }

    static TunnelProfile toLts(L2tpEngine lts, String secret) {
        return TunnelProfile.of("lts", new InetSocketAddress(LO, lts.localPort()), "lac-a", secret);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (L2tpEngine e : engines) {
            e.shutdown(Duration.ofSeconds(2));
        }
        for (AutoCloseable c : closers) {
            c.close();
        }
    }

    @Test
    void goodSecretTunnelUpCallConnectsWithItsAvpsDataBothWaysAndCdnFromEachSide() throws Exception {
        L2tpEngine lts = lts(List.of(peer("s3cret", 0)));
        L2tpEngine lac = lac();
        TunnelSnapshot up = lac.openTunnel(toLts(lts, "s3cret")).get(5, TimeUnit.SECONDS);
        assertEquals(TunnelState.ESTABLISHED, up.state());
        assertEquals("lts", up.peerHostName(), "the LTS's SCCRP names it");
        L2tpEngineLoopbackTest.await(() -> lts.tunnels().stream().anyMatch(t -> t.state() == TunnelState.ESTABLISHED),
                "the responder tunnel established (SCCCN with the right Challenge Response)");
        TunnelSnapshot ltsSide = lts.tunnels().get(0);
        assertEquals("partner-a", ltsSide.profile(), "the responder tunnel carries the peer's name");
        assertEquals(up.localTunnelId(), ltsSide.remoteTunnelId());

        // a call, sequenced: ICRQ -> ICRP -> ICCN; the LTS keeps ICRQ and ICCN as they came
        CallParameters params = CallParameters.builder().callingNumber("aa:bb:cc:00:00:01").bearerType(1)
                .agentCircuitId("olt1 eth 1/1/1:100").agentRemoteId("cpe-1").actualRates(40_000_000L, 100_000_000L)
                .proxyLcp(new byte[] {1, 4, 5, (byte) 0xd4}, new byte[] {1, 4, 5, (byte) 0xd4, 3, 5, (byte) 0xc2, 0x23, 5},
                        new byte[] {1, 4, 5, (byte) 0xd4})
                .proxyAuth(CallParameters.AUTHEN_CHAP, "alice@isp-a", new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, 9, new byte[16])
                .sequencingRequired(true).build();
        RecordingListener atLac = new RecordingListener();
        L2tpCall out = lac.placeCall(toLts(lts, "s3cret"), params, atLac);
        assertTrue(atLac.awaitUp(), "ICRP reached the downstream LAC");
        IncomingCall in = incoming.poll(5, TimeUnit.SECONDS);
        assertNotNull(in, "the LTS was handed the call on its ICCN");
        assertEquals(CallState.ESTABLISHED, in.state());
        assertEquals("partner-a", in.lacPeer().name());
        assertEquals(out.localSessionId(), in.remoteSessionId());
        assertEquals(out.remoteSessionId(), in.localSessionId());
        assertEquals("aa:bb:cc:00:00:01", in.icrq().string(AvpType.CALLING_NUMBER));
        assertEquals("olt1 eth 1/1/1:100", in.icrq().string(AvpType.AGENT_CIRCUIT_ID));
        assertEquals("alice@isp-a", in.iccn().string(AvpType.PROXY_AUTHEN_NAME));
        assertArrayEquals(new byte[] {1, 4, 5, (byte) 0xd4, 3, 5, (byte) 0xc2, 0x23, 5}, in.iccn().bytes(AvpType.LAST_SENT_LCP_CONFREQ));
        assertTrue(in.sequencing(), "Sequencing Required in the ICCN");
        assertEquals(1, lts.incomingCalls("partner-a"));

        // PPP both ways
        byte[] up1 = {(byte) 0xc0, 0x21, 9, 1, 0, 8, 1, 2, 3, 4};
        byte[] down1 = {0, 0x21, 0x45, 0, 0, 20};
        out.sendPpp(up1, 0, up1.length);
        RecordingListener ltsListener = listeners.get(in);
        assertArrayEquals(up1, ltsListener.frames.poll(5, TimeUnit.SECONDS), "downstream LAC -> LTS, without FF 03");
        in.sendPpp(down1, 0, down1.length);
        assertArrayEquals(down1, atLac.frames.poll(5, TimeUnit.SECONDS), "LTS -> downstream LAC");
        assertTrue(out.sequencing(), "the LTS sequenced its data as the ICCN asked");

        // CDN from the downstream LAC: the LTS's call goes down, cleared by the peer, with the result code
        out.disconnect(DisconnectCause.subscriberHangup());
        assertTrue(ltsListener.awaitDown());
        assertEquals(CallDownCause.Kind.CLEARED_BY_PEER, ltsListener.cause.kind());
        assertEquals(CdnResult.LOSS_OF_CARRIER.code(), ltsListener.cause.resultCode());
        assertNotNull(ltsListener.cause.pppCause(), "the RFC 3145 cause came along");
        L2tpEngineLoopbackTest.await(() -> lts.incomingCalls("partner-a") == 0, "the peer's session given back");

        // a second call, cleared by the LTS: the downstream LAC sees the CDN and its cause
        RecordingListener atLac2 = new RecordingListener();
        lac.placeCall(toLts(lts, "s3cret"), params, atLac2);
        assertTrue(atLac2.awaitUp());
        IncomingCall in2 = incoming.poll(5, TimeUnit.SECONDS);
        assertNotNull(in2);
        in2.disconnect(DisconnectCause.administrative("switched call's LNS cleared it"));
        assertTrue(atLac2.awaitDown());
        assertEquals(CallDownCause.Kind.CLEARED_BY_PEER, atLac2.cause.kind());
        assertEquals(CdnResult.ADMINISTRATIVE.code(), atLac2.cause.resultCode());
        assertEquals("switched call's LNS cleared it", atLac2.cause.message());
        assertTrue(listeners.get(in2).awaitDown());
        assertEquals(0, ltsStats.refusals(L2tpStats.Refusal.AUTH_FAILED));
    }

    @Test
    void stopCcnFromTheDownstreamLacEndsEveryCallOnItsTunnel() throws Exception {
        L2tpEngine lts = lts(List.of(peer(null, 0)));
        L2tpEngine lac = lac();
        RecordingListener a = new RecordingListener();
        RecordingListener b = new RecordingListener();
        lac.placeCall(toLts(lts, null), CallParameters.builder().proxyAuth(3, "a@x", null, -1, new byte[] {1}).build(), a);
        lac.placeCall(toLts(lts, null), CallParameters.builder().proxyAuth(3, "b@x", null, -1, new byte[] {2}).build(), b);
        assertTrue(a.awaitUp() && b.awaitUp());
        IncomingCall ia = incoming.poll(5, TimeUnit.SECONDS);
        IncomingCall ib = incoming.poll(5, TimeUnit.SECONDS);
        assertNotNull(ia);
        assertNotNull(ib);
        assertEquals(ia.localTunnelId(), ib.localTunnelId(), "one tunnel carries both");
        lac.clearTunnel(lac.tunnels().get(0).localTunnelId()).get(5, TimeUnit.SECONDS);
        for (IncomingCall c : List.of(ia, ib)) {
            RecordingListener l = listeners.get(c);
            assertTrue(l.awaitDown(), "every call on the tunnel ended");
            assertEquals(CallDownCause.Kind.TUNNEL_FAILED, l.cause.kind());
            assertEquals(StopCcnResult.GENERAL_REQUEST_TO_CLEAR.code(), l.cause.resultCode());
        }
        L2tpEngineLoopbackTest.await(() -> lts.tunnels().isEmpty(), "the responder tunnel gone");
    }

    @Test
    void wrongSecretFromALacEngineFailsItsTunnel() throws Exception {
        L2tpEngine lts = lts(List.of(peer("s3cret", 0)));
        L2tpEngine lac = lac();
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> lac.openTunnel(toLts(lts, "wrong")).get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof TunnelFailedException, e.toString());
        L2tpEngineLoopbackTest.await(() -> lts.tunnels().isEmpty(), "no tunnel left at the LTS");
        assertTrue(incoming.isEmpty());
        // the LAC noticed first (our Challenge Response in SCCRP was wrong for its secret) and sent StopCCN before any
        // SCCCN: the LTS counts that refusal too, under its own reason
        L2tpEngineLoopbackTest.await(() -> ltsStats.refusals(L2tpStats.Refusal.PEER_REFUSED_TUNNEL) == 1, "counted at the LTS");
        assertEquals(0, ltsStats.refusals(L2tpStats.Refusal.AUTH_FAILED));
    }

    /** A peer that answers our Challenge wrongly (it sent none itself, so only the LTS can tell): StopCCN 4, counted. */
    @Test
    void wrongChallengeResponseInScccnIsRefusedWithStopCcnAndCounted() throws Exception {
        L2tpEngine lts = lts(List.of(peer("s3cret", 0)));
        try (RawLac raw = new RawLac(lts)) {
            raw.send(ControlMessage.of(MessageType.SCCRQ, 0, 0, sccrqBody(41, "lac-a", null)), 0, 0);
            ControlMessage sccrp = raw.receiveNonZlb();
            assertEquals(MessageType.SCCRP, sccrp.messageType());
            assertEquals(41, sccrp.tunnelId());
            byte[] challenge = sccrp.bytes(AvpType.CHALLENGE);
            assertNotNull(challenge, "with a secret the LTS challenges the peer (RFC 2661 5.1.1)");
            assertNull(sccrp.bytes(AvpType.CHALLENGE_RESPONSE), "no Challenge from the peer: no response");
            int ltsTunnel = sccrp.u16(AvpType.ASSIGNED_TUNNEL_ID);
            byte[] wrong = HiddenAvps.challengeResponse(MessageType.SCCCN, "not-the-secret".getBytes(), challenge);
            raw.send(ControlMessage.of(MessageType.SCCCN, ltsTunnel, 0, List.of(Avp.of(AvpType.CHALLENGE_RESPONSE, wrong))), 1, 1);
            ControlMessage stop = raw.receiveNonZlb();
            assertEquals(MessageType.STOPCCN, stop.messageType());
            assertEquals(StopCcnResult.NOT_AUTHORIZED.code(), ResultCode.parse(stop.find(AvpType.RESULT_CODE)).result());
        }
        assertEquals(1, ltsStats.refusals(L2tpStats.Refusal.AUTH_FAILED));
        L2tpEngineLoopbackTest.await(() -> lts.tunnels().stream().noneMatch(t -> t.state() == TunnelState.ESTABLISHED), "no tunnel up");
        assertTrue(incoming.isEmpty());
    }

    @Test
    void rightChallengeResponseFromARawPeerIsAccepted() throws Exception {
        L2tpEngine lts = lts(List.of(peer("s3cret", 0)));
        try (RawLac raw = new RawLac(lts)) {
            byte[] ours = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};
            raw.send(ControlMessage.of(MessageType.SCCRQ, 0, 0, sccrqBody(42, "lac-a", ours)), 0, 0);
            ControlMessage sccrp = raw.receiveNonZlb();
            assertArrayEquals(HiddenAvps.challengeResponse(MessageType.SCCRP, "s3cret".getBytes(), ours),
                    sccrp.bytes(AvpType.CHALLENGE_RESPONSE), "the LTS proves the secret to the peer (RFC 2661 4.4.3)");
            byte[] right = HiddenAvps.challengeResponse(MessageType.SCCCN, "s3cret".getBytes(), sccrp.bytes(AvpType.CHALLENGE));
            raw.send(ControlMessage.of(MessageType.SCCCN, sccrp.u16(AvpType.ASSIGNED_TUNNEL_ID), 0,
                    List.of(Avp.of(AvpType.CHALLENGE_RESPONSE, right))), 1, 1);
            L2tpEngineLoopbackTest.await(() -> lts.tunnels().stream().anyMatch(t -> t.state() == TunnelState.ESTABLISHED), "tunnel up");
        }
        assertEquals(0, ltsStats.refusals(L2tpStats.Refusal.AUTH_FAILED));
    }

    /** The next message of {@code type} addressed to {@code tunnel} (the others, SCCRP retransmissions included, skipped). */
    static ControlMessage next(RawLac raw, MessageType type, int tunnel) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < end) {
            ControlMessage m = raw.receive(500);
            if (m != null && !m.isZlb() && m.messageType() == type && m.tunnelId() == tunnel) {
                return m;
            }
        }
        throw new AssertionError("no " + type + " to tunnel " + tunnel + " from the LTS");
    }

    /** max-tunnels: an SCCRQ beyond the peer's limit gets StopCCN result 2 and is counted; the tunnels it has stay. */
    @Test
    void anSccrqBeyondThePeersMaxTunnelsIsRefusedWithStopCcn2AndCounted() throws Exception {
        L2tpEngine lts = lts(List.of(new LacPeer("partner-a", LO, 8, null, null, 0, 2)));
        try (RawLac raw = new RawLac(lts)) {
            raw.send(ControlMessage.of(MessageType.SCCRQ, 0, 0, sccrqBody(51, "lac-a", null)), 0, 0);
            raw.send(ControlMessage.of(MessageType.SCCRQ, 0, 0, sccrqBody(52, "lac-a", null)), 0, 0);
            ControlMessage first = next(raw, MessageType.SCCRP, 51);
            next(raw, MessageType.SCCRP, 52);
            raw.send(ControlMessage.of(MessageType.SCCRQ, 0, 0, sccrqBody(53, "lac-a", null)), 0, 0);
            ControlMessage stop = next(raw, MessageType.STOPCCN, 53);
            ResultCode rc = ResultCode.parse(stop.find(AvpType.RESULT_CODE));
            assertEquals(StopCcnResult.GENERAL_ERROR.code(), rc.result(), "StopCCN result 2");
            assertEquals(1, ltsStats.refusals(L2tpStats.Refusal.TUNNEL_LIMIT));
            assertEquals(2, lts.tunnels().size(), "the two tunnels it has stay");

            // one of them goes (the peer's StopCCN): a new one is accepted again
            raw.send(ControlMessage.of(MessageType.STOPCCN, first.u16(AvpType.ASSIGNED_TUNNEL_ID), 0,
                    List.of(Avp.u16(AvpType.ASSIGNED_TUNNEL_ID, 51), ResultCode.of(StopCcnResult.GENERAL_REQUEST_TO_CLEAR).toAvp())), 1, 1);
            L2tpEngineLoopbackTest.await(() -> lts.tunnels().size() == 1, "the stopped tunnel gone");
            raw.send(ControlMessage.of(MessageType.SCCRQ, 0, 0, sccrqBody(54, "lac-a", null)), 0, 0);
            next(raw, MessageType.SCCRP, 54);
            assertEquals(1, ltsStats.refusals(L2tpStats.Refusal.TUNNEL_LIMIT));
        }
    }

    @Test
    void unknownPeerIsRefusedWithStopCcnAndCounted() throws Exception {
        L2tpEngine lts = lts(List.of(new LacPeer("elsewhere", InetAddress.getByName("192.0.2.0"), 24, "s3cret", null, 0)));
        try (RawLac raw = new RawLac(lts)) {
            raw.send(ControlMessage.of(MessageType.SCCRQ, 0, 0, sccrqBody(43, "lac-x", null)), 0, 0);
            ControlMessage stop = raw.receiveNonZlb();
            assertEquals(MessageType.STOPCCN, stop.messageType());
            assertEquals(43, stop.tunnelId(), "addressed to the tunnel the SCCRQ assigned");
            assertEquals(1, stop.nr(), "it acknowledges the SCCRQ");
            assertEquals(StopCcnResult.NOT_AUTHORIZED.code(), ResultCode.parse(stop.find(AvpType.RESULT_CODE)).result());
        }
        assertEquals(1, ltsStats.refusals(L2tpStats.Refusal.UNKNOWN_PEER));
        assertTrue(lts.tunnels().isEmpty(), "no state kept for an unknown peer");
        // lacd's own LAC engine sees the refusal as a failed tunnel
        L2tpEngine lac = lac();
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> lac.openTunnel(toLts(lts, "s3cret")).get(5, TimeUnit.SECONDS));
        TunnelFailedException f = (TunnelFailedException) e.getCause();
        assertEquals(StopCcnResult.NOT_AUTHORIZED.code(), f.downCause().resultCode());
        assertEquals(2, ltsStats.refusals(L2tpStats.Refusal.UNKNOWN_PEER));
    }

    @Test
    void withoutLacPeersAnSccrqIsDroppedAsBefore() throws Exception {
        L2tpEngine lts = lts(List.of());
        try (RawLac raw = new RawLac(lts)) {
            raw.send(ControlMessage.of(MessageType.SCCRQ, 0, 0, sccrqBody(44, "lac-x", null)), 0, 0);
            L2tpEngineLoopbackTest.await(() -> ltsStats.drops(L2tpStats.DropReason.UNSOLICITED_SCCRQ) == 1, "counted");
            assertNull(raw.receive(300), "a pure LAC does not answer");
        }
        assertEquals(0, ltsStats.refusals(L2tpStats.Refusal.UNKNOWN_PEER));
    }

    @Test
    void callsBeyondThePeersLimitAreRefusedWithCdnAndCounted() throws Exception {
        L2tpEngine lts = lts(List.of(peer(null, 1)));
        L2tpEngine lac = lac();
        RecordingListener first = new RecordingListener();
        lac.placeCall(toLts(lts, null), withUser("a@x"), first);
        assertTrue(first.awaitUp());
        RecordingListener second = new RecordingListener();
        lac.placeCall(toLts(lts, null), withUser("b@x"), second);
        assertTrue(second.awaitDown());
        assertEquals(CallDownCause.Kind.REFUSED, second.cause.kind());
        assertEquals(CdnResult.TEMPORARY_NO_FACILITIES.code(), second.cause.resultCode());
        assertFalse(second.events.contains("up"));
        assertEquals(1, ltsStats.refusals(L2tpStats.Refusal.SESSION_LIMIT));
        assertEquals(1, lts.incomingCalls("partner-a"));
    }

    @Test
    void aDrainingLtsRefusesNewCalls() throws Exception {
        L2tpEngine lts = lts(List.of(peer(null, 0)));
        lts.acceptIncomingCalls(List.of(peer(null, 0)), new IncomingCallHandler() {
            @Override
            public L2tpStats.Refusal admit(LacPeer p) { return L2tpStats.Refusal.DRAINING; }

            @Override
            public CallListener connected(IncomingCall call) { throw new AssertionError("not admitted"); }
        });
        L2tpEngine lac = lac();
        RecordingListener l = new RecordingListener();
        lac.placeCall(toLts(lts, null), withUser("a@x"), l);
        assertTrue(l.awaitDown());
        assertEquals(CdnResult.TEMPORARY_NO_FACILITIES.code(), l.cause.resultCode());
        assertEquals(1, ltsStats.refusals(L2tpStats.Refusal.DRAINING));
        assertEquals(0, lts.incomingCalls("partner-a"));
    }

    /** A call whose ICCN names a user (PAP proxy authentication): what a switched call needs. */
    static CallParameters withUser(String user) {
        return CallParameters.builder().proxyAuth(3, user, null, -1, new byte[] {1}).build();
    }

    @Test
    void aCallWithoutProxyAuthenticationIsRefusedWithCdn6AndCounted() throws Exception {
        L2tpEngine lts = lts(List.of(peer(null, 0)));
        L2tpEngine lac = lac();
        RecordingListener l = new RecordingListener();
        lac.placeCall(toLts(lts, null), CallParameters.builder().callingNumber("0301234567").build(), l);
        assertTrue(l.awaitDown());
        assertEquals(CallDownCause.Kind.CLEARED_BY_PEER, l.cause.kind(), String.valueOf(l.cause));
        assertEquals(CdnResult.INVALID_DESTINATION.code(), l.cause.resultCode(), "no user to switch the call by");
        assertEquals(1, ltsStats.refusals(L2tpStats.Refusal.NO_PROXY_AUTH));
        // the refused call is gone once its CDN is acknowledged (the LAC saw the CDN a moment before that)
        L2tpEngineLoopbackTest.await(() -> lts.incomingCalls("partner-a") == 0, "the refused call removed at the LTS");
    }

    @Test
    void peerPrefixesMatchByAddressFamilyAndBits() throws Exception {
        LacPeer p = new LacPeer("p", InetAddress.getByName("10.1.2.0"), 23, null, null, 0);
        assertTrue(p.matches(InetAddress.getByName("10.1.3.255")));
        assertFalse(p.matches(InetAddress.getByName("10.1.4.1")));
        assertFalse(p.matches(InetAddress.getByName("::1")));
        assertTrue(new LacPeer("h", InetAddress.getByName("10.1.2.3"), 32, null, null, 0).matches(InetAddress.getByName("10.1.2.3")));
        assertFalse(new LacPeer("h", InetAddress.getByName("10.1.2.3"), 32, null, null, 0).matches(InetAddress.getByName("10.1.2.2")));
        assertThrows(IllegalArgumentException.class, () -> new LacPeer("x", InetAddress.getByName("10.0.0.0"), 33, null, null, 0));
        assertFalse(p.toString().contains("secret=") , "no secret value in logs");
    }

    @Test
    void responderRowsAreInTheTables() {
        assertEquals(TunnelState.WAIT_CTL_CONN, Tunnel.TABLE.find(TunnelState.IDLE, Tunnel.Event.RX_SCCRQ_OK).to());
        assertEquals(TunnelState.ESTABLISHED, Tunnel.TABLE.find(TunnelState.WAIT_CTL_CONN, Tunnel.Event.RX_SCCCN_OK).to());
        assertEquals(TunnelState.CLOSING, Tunnel.TABLE.find(TunnelState.WAIT_CTL_CONN, Tunnel.Event.RX_SCCCN_BAD).to());
        assertNull(Tunnel.TABLE.find(TunnelState.ESTABLISHED, Tunnel.Event.RX_SCCCN_OK), "SCCCN after setup: no row, StopCCN");
        assertEquals(CallState.WAIT_CONNECT, Session.TABLE.find(CallState.IDLE, Session.Event.RX_ICRQ_OK).to());
        assertEquals(CallState.ESTABLISHED, Session.TABLE.find(CallState.WAIT_CONNECT, Session.Event.RX_ICCN_OK).to());
        assertNull(Session.TABLE.find(CallState.ESTABLISHED, Session.Event.RX_ICCN_OK), "a second ICCN: no row, CDN");
    }

    static List<Avp> sccrqBody(int tunnelId, String hostName, byte[] challenge) {
        List<Avp> b = new ArrayList<>(List.of(Avp.of(AvpType.PROTOCOL_VERSION, new byte[] {1, 0}), Avp.string(AvpType.HOST_NAME, hostName),
                Avp.u32(AvpType.FRAMING_CAPABILITIES, 3), Avp.u16(AvpType.ASSIGNED_TUNNEL_ID, tunnelId)));
        if (challenge != null) {
            b.add(Avp.of(AvpType.CHALLENGE, challenge));
        }
        return b;
    }

    /** A downstream LAC as a bare UDP socket and the codec: it sends exactly what a test gives it. */
    static final class RawLac implements AutoCloseable {
        final DatagramSocket socket;
        final InetSocketAddress lts;

        RawLac(L2tpEngine lts) throws Exception {
            this.socket = new DatagramSocket(new InetSocketAddress(LO, 0));
            this.lts = new InetSocketAddress(LO, lts.localPort());
        }

        void send(ControlMessage m, int ns, int nr) throws Exception {
            byte[] b = L2tpCodec.encode(new ControlMessage(m.tunnelId(), m.sessionId(), ns, nr, m.avps()));
            socket.send(new DatagramPacket(b, b.length, lts));
        }

        /** The next control message, or null after {@code ms}. */
        ControlMessage receive(int ms) throws Exception {
            socket.setSoTimeout(ms);
            byte[] buf = new byte[4096];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (java.net.SocketTimeoutException e) {
                return null;
            }
            return (ControlMessage) L2tpCodec.decode(buf, 0, p.getLength());
        }

        ControlMessage receiveNonZlb() throws Exception {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < end) {
                ControlMessage m = receive(1000);
                if (m != null && !m.isZlb()) {
                    return m;
                }
            }
            throw new AssertionError("no control message from the LTS");
        }

        @Override
        public void close() { socket.close(); }
    }
}
