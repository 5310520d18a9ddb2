package org.lacd.l2tp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.lacd.l2tp.transport.L2tpScheduler;
import org.lacd.l2tp.transport.ManualScheduler;
import org.lacd.l2tp.transport.ReliableChannel;
import org.lacd.l2tp.wire.Avp;
import org.lacd.l2tp.wire.AvpType;
import org.lacd.l2tp.wire.CdnResult;
import org.lacd.l2tp.wire.ControlMessage;
import org.lacd.l2tp.wire.ErrorCode;
import org.lacd.l2tp.wire.HiddenAvps;
import org.lacd.l2tp.wire.L2tpCodec;
import org.lacd.l2tp.wire.MessageType;
import org.lacd.l2tp.wire.ResultCode;
import org.lacd.l2tp.wire.StopCcnResult;

/** Tunnel and call state machines without sockets, on a manual clock, against a scripted LNS. */
class TunnelStateMachineTest {
    static final InetSocketAddress LNS = new InetSocketAddress("192.0.2.10", 1701);
    static final int LNS_TUNNEL = 0x4242;

    final ManualScheduler clock = new ManualScheduler();
    final CountingL2tpStats stats = new CountingL2tpStats();
    L2tpSettings settings = L2tpSettings.defaults().withHelloInterval(Duration.ofSeconds(60))
            .withTunnelLinger(Duration.ofSeconds(10)).withStopCcnWait(Duration.ofSeconds(5));
    /** What the host reports to: the counting stats, or lacd's metrics where a test needs the gauges. */
    L2tpStats hostStats = stats;
    final FakeHost host = new FakeHost();
    final ScriptedLns lns = new ScriptedLns();
    Tunnel tunnel;

    /** The engine side without sockets: control goes to the scripted LNS, data is recorded. */
    final class FakeHost implements TunnelHost {
        final Map<Integer, Session> sessions = new HashMap<>();
        final List<byte[]> dataOut = new ArrayList<>();
        final List<Boolean> dataSequenced = new ArrayList<>();
        /** What left for the wire in order, link down or not: "ZLB", a control message type, or "data". */
        final List<String> wire = new ArrayList<>();
        boolean destroyed;
        boolean linkDown;

        @Override public L2tpScheduler scheduler() { return clock; }
        @Override public L2tpSettings settings() { return settings; }
        @Override public L2tpStats stats() { return hostStats; }
        /** One seeded generator: ids differ from call to call (a fresh Random(7) per call gave every session the same id). */
        final Random random = new Random(7);

        @Override public Random random() { return random; }

        @Override
        public void sendControl(InetSocketAddress peer, byte[] datagram) {
            ControlMessage m;
            try {
                m = (ControlMessage) L2tpCodec.decode(datagram, 0, datagram.length);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            wire.add(m.isZlb() ? "ZLB" : m.messageType().name());
            if (linkDown) {
                return;
            }
            try {
                lns.channel.receive(m);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public void sendData(Session s, byte[] buf, int off, int len) {
            wire.add("data");
            dataOut.add(java.util.Arrays.copyOfRange(buf, off, off + len));
            dataSequenced.add(s.sequencing());
        }

        @Override public void execute(Runnable task) { task.run(); }
        @Override public void registerSession(Tunnel t, Session s) { sessions.put(s.localSessionId(), s); }
        @Override public void unregisterSession(Tunnel t, Session s) { sessions.remove(s.localSessionId()); }
        @Override public void tunnelDestroyed(Tunnel t) { destroyed = true; }
    }

    /** The LNS: a reliable channel whose deliveries the test inspects and answers by hand. */
    final class ScriptedLns implements ReliableChannel.Listener {
        final ReliableChannel channel = new ReliableChannel(ReliableChannel.Config.defaults(), clock, this);
        final List<ControlMessage> received = new ArrayList<>();
        /** The last datagram the LNS sent (what a spoofer replays). */
        byte[] lastDatagram;
        boolean deaf;

        ScriptedLns() { channel.setPeerTunnelId(0); }

        @Override
        public void transmit(byte[] datagram) {
            lastDatagram = datagram.clone();
            try {
                tunnel.onControl((ControlMessage) L2tpCodec.decode(datagram, 0, datagram.length), LNS);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public void deliver(ControlMessage m) { received.add(m); }

        @Override
        public void gaveUp(ControlMessage m) {}

        void send(MessageType t, int sessionId, Avp... avps) {
            channel.send(ControlMessage.of(t, tunnel.localTunnelId, sessionId, List.of(avps)));
        }

        ControlMessage last(MessageType t) {
            for (int i = received.size() - 1; i >= 0; i--) {
                if (received.get(i).messageType() == t) {
                    return received.get(i);
                }
            }
            return null;
        }
    }

    Tunnel tunnel(String secret) {
        tunnel = new Tunnel(host, new TunnelProfile("t", LNS, null, "lac1", secret, null, false, 0, 0, true), 0x1111);
        return tunnel;
    }

    void sccrp(Avp... extra) {
        List<Avp> avps = new ArrayList<>(List.of(Avp.of(AvpType.PROTOCOL_VERSION, new byte[] {1, 0}), Avp.string(AvpType.HOST_NAME, "lns1"),
                Avp.u32(AvpType.FRAMING_CAPABILITIES, 1), Avp.u16(AvpType.ASSIGNED_TUNNEL_ID, LNS_TUNNEL)));
        avps.addAll(List.of(extra));
        lns.channel.setPeerTunnelId(0x1111);
        lns.send(MessageType.SCCRP, 0, avps.toArray(new Avp[0]));
    }

    Session call(RecordingListener l, CallParameters p) {
        Session s = new Session(host, tunnel.profile, p, l);
        s.place();
        tunnel.addSession(s);
        return s;
    }

    Session establishedCall(RecordingListener l, CallParameters p) {
        Session s = call(l, p);
        if (tunnel.state() != TunnelState.ESTABLISHED) {
            sccrp();
        }
        ControlMessage icrq = lns.last(MessageType.ICRQ);
        lns.send(MessageType.ICRP, icrq.u16(AvpType.ASSIGNED_SESSION_ID), Avp.u16(AvpType.ASSIGNED_SESSION_ID, 77));
        return s;
    }

    @Test
    void transitionTablesCiteRfcAndHaveNoDuplicateRows() {
        Set<String> seen = new HashSet<>();
        for (TransitionTable.Row<TunnelState, Tunnel.Event> r : Tunnel.TABLE.rows()) {
            assertTrue(seen.add(r.from() + "/" + r.event()), "duplicate " + r);
            assertFalse(r.rfc().isBlank());
        }
        for (TransitionTable.Row<CallState, Session.Event> r : Session.TABLE.rows()) {
            assertTrue(seen.add("call " + r.from() + "/" + r.event()), "duplicate " + r);
            assertFalse(r.rfc().isBlank());
        }
    }

    @Test
    void sccrqCarriesTieBreakerChallengeAndMBitsPerRegistry() {
        tunnel("sec").open(null);
        ControlMessage sccrq = lns.last(MessageType.SCCRQ);
        assertNotNull(sccrq);
        assertEquals(TunnelState.WAIT_CTL_REPLY, tunnel.state());
        assertEquals(0x1111, sccrq.u16(AvpType.ASSIGNED_TUNNEL_ID));
        assertEquals("lac1", sccrq.string(AvpType.HOST_NAME));
        assertEquals(8, sccrq.bytes(AvpType.TIE_BREAKER).length);
        assertFalse(sccrq.find(AvpType.TIE_BREAKER).mandatory());
        assertEquals(16, sccrq.bytes(AvpType.CHALLENGE).length);
        for (Avp a : sccrq.avps()) {
            assertEquals(a.known().mandatory(), a.mandatory(), a.toString());
        }
        assertEquals(0, sccrq.tunnelId(), "SCCRQ goes to tunnel 0");
    }

    @Test
    void mutualChallengeResponse() {
        byte[] secret = "sec".getBytes(StandardCharsets.UTF_8);
        tunnel("sec").open(null);
        byte[] ourChallenge = lns.last(MessageType.SCCRQ).bytes(AvpType.CHALLENGE);
        byte[] lnsChallenge = {9, 8, 7, 6, 5};
        sccrp(Avp.of(AvpType.CHALLENGE_RESPONSE, HiddenAvps.challengeResponse(MessageType.SCCRP, secret, ourChallenge)),
                Avp.of(AvpType.CHALLENGE, lnsChallenge));
        assertEquals(TunnelState.ESTABLISHED, tunnel.state());
        ControlMessage scccn = lns.last(MessageType.SCCCN);
        assertArrayEquals(HiddenAvps.challengeResponse(MessageType.SCCCN, secret, lnsChallenge), scccn.bytes(AvpType.CHALLENGE_RESPONSE));
        assertEquals(LNS_TUNNEL, scccn.tunnelId());
    }

    @Test
    void wrongResponseEndsWithStopCcnNotAuthorizedAndBoundedWait() {
        tunnel("sec").open(null);
        RecordingListener l = new RecordingListener();
        call(l, CallParameters.builder().build());
        sccrp(Avp.of(AvpType.CHALLENGE_RESPONSE, new byte[16]));
        assertEquals(TunnelState.CLOSING, tunnel.state());
        ControlMessage stop = lns.last(MessageType.STOPCCN);
        assertEquals(StopCcnResult.NOT_AUTHORIZED.code(), new ResultCodeView(stop).result());
        assertEquals(CallDownCause.Kind.TUNNEL_FAILED, l.cause.kind());
        assertEquals(StopCcnResult.NOT_AUTHORIZED.code(), l.cause.resultCode());
        // the LNS acknowledges: tunnel gone at once
        clock.advance(Duration.ofMillis(100));
        assertEquals(TunnelState.CLOSED, tunnel.state());
        assertTrue(host.destroyed);
    }

    @Test
    void stopCcnWaitsAtMostTheConfiguredTimeForItsAck() {
        tunnel(null).open(null);
        sccrp();
        host.linkDown = true;
        tunnel.close(ResultCode.of(StopCcnResult.GENERAL_REQUEST_TO_CLEAR), null);
        assertEquals(TunnelState.CLOSING, tunnel.state());
        clock.advance(Duration.ofMillis(4999));
        assertEquals(TunnelState.CLOSING, tunnel.state());
        clock.advance(Duration.ofMillis(1));
        assertEquals(TunnelState.CLOSED, tunnel.state());
        assertTrue(host.destroyed);
    }

    @Test
    void helloAfterIdleIntervalAndTunnelDiesWhenUnanswered() {
        tunnel(null).open(null);
        RecordingListener l = new RecordingListener();
        establishedCall(l, CallParameters.builder().build());
        clock.advance(Duration.ofSeconds(1)); // t=1 s; the LNS's ZLB for the ICCN arrived at 0.1 s
        clock.advance(Duration.ofMillis(59_050)); // t=60.05 s
        assertEquals(MessageType.ICCN, lns.received.get(lns.received.size() - 1).messageType(), "no HELLO before 60 s of silence");
        clock.advance(Duration.ofMillis(100)); // t=60.15 s
        assertEquals(MessageType.HELLO, lns.received.get(lns.received.size() - 1).messageType(), "HELLO 60 s after the last message (60.1 s)");
        clock.advance(Duration.ofMillis(200)); // its ack arrived at 60.2 s
        host.linkDown = true;
        // next HELLO at 120.2 s; retransmissions +1, +2, +4, +8, +8 s (cap 8 s, 5 retries), give-up 8 s later: 151.2 s
        clock.advance(Duration.ofMillis(90_800)); // t=151.15 s
        assertEquals(TunnelState.ESTABLISHED, tunnel.state(), "still retrying");
        clock.advance(Duration.ofMillis(100));
        assertEquals(TunnelState.CLOSED, tunnel.state());
        assertEquals(1, stats.helloTimeouts.sum());
        assertEquals(5, stats.retransmits.sum());
        assertEquals(CallDownCause.Kind.TUNNEL_FAILED, l.cause.kind());
    }

    @Test
    void emptyTunnelLingersThenStopCcn() {
        tunnel(null).open(null);
        RecordingListener l = new RecordingListener();
        Session s = establishedCall(l, CallParameters.builder().build());
        s.localDisconnect(DisconnectCause.administrative("test"));
        assertNotNull(lns.last(MessageType.CDN));
        assertEquals(0, tunnel.sessionCount());
        clock.advance(Duration.ofMillis(9_999));
        assertNull(lns.last(MessageType.STOPCCN));
        clock.advance(Duration.ofMillis(1));
        ControlMessage stop = lns.last(MessageType.STOPCCN);
        assertNotNull(stop, "StopCCN after 10 s linger");
        assertEquals(StopCcnResult.GENERAL_REQUEST_TO_CLEAR.code(), new ResultCodeView(stop).result());
    }

    @Test
    void newCallCancelsLinger() {
        tunnel(null).open(null);
        Session s = establishedCall(new RecordingListener(), CallParameters.builder().build());
        s.localDisconnect(DisconnectCause.administrative("test"));
        clock.advance(Duration.ofSeconds(5));
        establishedCall(new RecordingListener(), CallParameters.builder().build());
        clock.advance(Duration.ofSeconds(20));
        assertNull(lns.last(MessageType.STOPCCN));
        assertEquals(TunnelState.ESTABLISHED, tunnel.state());
    }

    @Test
    void unknownMandatoryAvpInCallMessageClearsOnlyTheCall() {
        tunnel(null).open(null);
        RecordingListener l = new RecordingListener();
        Session s = call(l, CallParameters.builder().build());
        sccrp();
        ControlMessage icrq = lns.last(MessageType.ICRQ);
        lns.send(MessageType.ICRP, icrq.u16(AvpType.ASSIGNED_SESSION_ID), Avp.u16(AvpType.ASSIGNED_SESSION_ID, 77),
                new Avp(true, false, 0, 250, new byte[] {1}));
        ControlMessage cdn = lns.last(MessageType.CDN);
        assertNotNull(cdn);
        ResultCodeView rc = new ResultCodeView(cdn);
        assertEquals(CdnResult.ERROR.code(), rc.result());
        assertEquals(ErrorCode.UNKNOWN_MANDATORY_AVP.code(), rc.error());
        assertEquals(CallState.CLOSED, s.state());
        assertEquals(TunnelState.ESTABLISHED, tunnel.state());
        assertTrue(l.down.getCount() == 0);
    }

    @Test
    void unknownMandatoryAvpInTunnelMessageClearsTheTunnel() {
        tunnel(null).open(null);
        sccrp();
        lns.send(MessageType.HELLO, 0, new Avp(true, false, 0, 250, new byte[] {1}));
        ControlMessage stop = lns.last(MessageType.STOPCCN);
        assertNotNull(stop);
        assertEquals(ErrorCode.UNKNOWN_MANDATORY_AVP.code(), new ResultCodeView(stop).error());
    }

    @Test
    void unknownOptionalAvpAndUnknownOptionalMessageTypeAreIgnored() {
        tunnel(null).open(null);
        sccrp();
        lns.send(MessageType.HELLO, 0, new Avp(false, false, 0, 250, new byte[] {1}), new Avp(true, false, 9999, 1, new byte[0]).withMandatory(false));
        clock.advance(Duration.ofMillis(200));
        lns.channel.send(new ControlMessage(tunnel.localTunnelId, 0, 0, 0, List.of(new Avp(false, false, 0, 0, new byte[] {0, 99}))));
        assertNull(lns.last(MessageType.STOPCCN));
        assertEquals(TunnelState.ESTABLISHED, tunnel.state());
        clock.advance(Duration.ofMillis(200));
        assertEquals(1, stats.drops(L2tpStats.DropReason.UNKNOWN_MESSAGE_TYPE));
        lns.channel.send(new ControlMessage(tunnel.localTunnelId, 0, 0, 0, List.of(new Avp(true, false, 0, 0, new byte[] {0, 99}))));
        assertNotNull(lns.last(MessageType.STOPCCN), "unknown message type with M set clears the tunnel");
    }

    @Test
    void ocrqIsAnsweredWithCdn() {
        tunnel(null).open(null);
        sccrp();
        lns.send(MessageType.OCRQ, 0, Avp.u16(AvpType.ASSIGNED_SESSION_ID, 33), Avp.u32(AvpType.CALL_SERIAL_NUMBER, 1),
                Avp.u32(AvpType.MINIMUM_BPS, 0), Avp.u32(AvpType.MAXIMUM_BPS, 1000), Avp.u32(AvpType.BEARER_TYPE, 1),
                Avp.u32(AvpType.FRAMING_TYPE, 1), Avp.string(AvpType.CALLED_NUMBER, "123"));
        ControlMessage cdn = lns.last(MessageType.CDN);
        assertNotNull(cdn);
        assertEquals(33, cdn.sessionId());
        assertEquals(CdnResult.PERMANENT_NO_FACILITIES.code(), new ResultCodeView(cdn).result());
        assertEquals(TunnelState.ESTABLISHED, tunnel.state());
    }

    @Test
    void sequencingRequiredGoesInIccnAndDataIsSequenced() {
        tunnel(null).open(null);
        RecordingListener l = new RecordingListener();
        Session s = establishedCall(l, CallParameters.builder().sequencingRequired(true).build());
        assertTrue(lns.last(MessageType.ICCN).has(AvpType.SEQUENCING_REQUIRED));
        s.sendPpp(new byte[] {(byte) 0xc0, 0x21, 1}, 0, 3);
        assertEquals(List.of(true), host.dataSequenced);
    }

    @Test
    void lnsSequencedDataTurnsSequencingOnAndFf03IsOptionalOnReceive() throws Exception {
        tunnel(null).open(null);
        RecordingListener l = new RecordingListener();
        Session s = establishedCall(l, CallParameters.builder().build());
        assertFalse(s.sequencing());
        s.dataIn(new byte[] {(byte) 0xff, 0x03, (byte) 0xc0, 0x21, 9}, 0, 5, -1);
        s.dataIn(new byte[] {(byte) 0xc0, 0x21, 8}, 0, 3, 65535);
        assertArrayEquals(new byte[] {(byte) 0xc0, 0x21, 9}, l.frames.poll(1, TimeUnit.SECONDS));
        assertArrayEquals(new byte[] {(byte) 0xc0, 0x21, 8}, l.frames.poll(1, TimeUnit.SECONDS));
        assertTrue(s.sequencing());
        // sequenced data: a reordered (older) frame is dropped, the next one across the wrap is taken
        s.dataIn(new byte[] {(byte) 0xc0, 0x21, 7}, 0, 3, 65534);
        s.dataIn(new byte[] {(byte) 0xc0, 0x21, 6}, 0, 3, 65535);
        s.dataIn(new byte[] {(byte) 0xc0, 0x21, 5}, 0, 3, 2);
        assertArrayEquals(new byte[] {(byte) 0xc0, 0x21, 5}, l.frames.poll(1, TimeUnit.SECONDS));
        assertNull(l.frames.poll());
        assertEquals(2, stats.drops(L2tpStats.DropReason.DATA_OUT_OF_ORDER));
    }

    @Test
    void dataBeforeEstablishedIsDroppedAndCounted() {
        tunnel(null).open(null);
        RecordingListener l = new RecordingListener();
        Session s = call(l, CallParameters.builder().build());
        s.sendPpp(new byte[] {1, 2}, 0, 2);
        assertTrue(host.dataOut.isEmpty());
        assertEquals(1, stats.drops(L2tpStats.DropReason.SESSION_NOT_ESTABLISHED));
    }

    @Test
    void cdnBeforeIcrpIsARefusalAndAfterIsAPeerClear() {
        tunnel(null).open(null);
        RecordingListener refused = new RecordingListener();
        call(refused, CallParameters.builder().build());
        sccrp();
        int lacSession = lns.last(MessageType.ICRQ).u16(AvpType.ASSIGNED_SESSION_ID);
        lns.send(MessageType.CDN, lacSession, ResultCode.of(CdnResult.TEMPORARY_NO_FACILITIES).toAvp(), Avp.u16(AvpType.ASSIGNED_SESSION_ID, 0));
        assertEquals(CallDownCause.Kind.REFUSED, refused.cause.kind());
        assertEquals(4, refused.cause.resultCode());
        RecordingListener cleared = new RecordingListener();
        Session s = establishedCall(cleared, CallParameters.builder().build());
        lns.send(MessageType.CDN, s.localSessionId(), ResultCode.of(CdnResult.ADMINISTRATIVE).toAvp(), Avp.u16(AvpType.ASSIGNED_SESSION_ID, 77));
        assertEquals(CallDownCause.Kind.CLEARED_BY_PEER, cleared.cause.kind());
    }

    /**
     * The subscriber session's CALL_SETUP state (issue 15) is entered on callPlacing: it must come once the tunnel is up
     * and the ICRQ has left, before callUp, for a call that waits for its tunnel and for one that joins an established
     * tunnel; a call whose tunnel fails never gets it.
     */
    @Test
    void callPlacingComesWhenTheIcrqLeavesBeforeCallUp() {
        tunnel(null).open(null);
        RecordingListener first = new RecordingListener();
        call(first, CallParameters.builder().build());
        assertEquals(List.of(), first.events, "tunnel not up yet");
        sccrp();
        assertNotNull(lns.last(MessageType.ICRQ));
        assertEquals(List.of("placing"), first.events);
        ControlMessage icrq = lns.last(MessageType.ICRQ);
        lns.send(MessageType.ICRP, icrq.u16(AvpType.ASSIGNED_SESSION_ID), Avp.u16(AvpType.ASSIGNED_SESSION_ID, 77));
        assertEquals(List.of("placing", "up"), first.events);

        RecordingListener joining = new RecordingListener();
        establishedCall(joining, CallParameters.builder().build());
        assertEquals(List.of("placing", "up"), joining.events, "a call on an established tunnel");
    }

    @Test
    void callWhoseTunnelFailsIsNeverPlacing() {
        host.linkDown = true;
        tunnel(null).open(null);
        RecordingListener l = new RecordingListener();
        call(l, CallParameters.builder().build());
        clock.advance(Duration.ofMinutes(5));
        assertEquals(List.of("down"), l.events);
    }

    @Test
    void callWithoutIcrpIsClearedAfterTheSetupTimeout() {
        tunnel(null).open(null);
        RecordingListener l = new RecordingListener();
        Session s = call(l, CallParameters.builder().build());
        sccrp();
        assertNotNull(lns.last(MessageType.ICRQ));
        clock.advance(Duration.ofMillis(29_999));
        assertEquals(CallState.WAIT_REPLY, s.state());
        clock.advance(Duration.ofMillis(1));
        assertEquals(CallState.CLOSED, s.state());
        ControlMessage cdn = lns.last(MessageType.CDN);
        assertNotNull(cdn);
        assertEquals(CdnResult.NOT_ESTABLISHED_IN_TIME.code(), new ResultCodeView(cdn).result());
        assertEquals(CallDownCause.Kind.REFUSED, l.cause.kind());
        assertEquals(TunnelState.ESTABLISHED, tunnel.state());
    }

    @Test
    void stopCcnFromLnsIsAckedAndStateHeldThenReleased() {
        tunnel(null).open(null);
        RecordingListener l = new RecordingListener();
        establishedCall(l, CallParameters.builder().build());
        lns.send(MessageType.STOPCCN, 0, Avp.u16(AvpType.ASSIGNED_TUNNEL_ID, LNS_TUNNEL),
                ResultCode.of(StopCcnResult.GENERAL_ERROR, ErrorCode.NO_RESOURCES, "full").toAvp());
        assertEquals(TunnelState.CLOSED, tunnel.state());
        assertEquals(CallDownCause.Kind.TUNNEL_FAILED, l.cause.kind());
        assertEquals(ErrorCode.NO_RESOURCES.code(), l.cause.errorCode());
        assertTrue(lns.channel.idle(), "StopCCN acknowledged at once");
        assertFalse(host.destroyed, "state held for re-acks");
        clock.advance(Duration.ofSeconds(5));
        assertTrue(host.destroyed);
    }

    /**
     * Issue 14, defect 1: an LNS with receive window 1 holds its acknowledgement of another call's ICRQ, so the ICCN
     * waits in the send window after the ICRP has arrived. The replayed login (and any PPP frame of the call) must
     * leave after the ICCN, in the order offered; frames beyond the per-call bound are dropped and counted.
     */
    @Test
    void replayedLoginLeavesOnlyAfterTheIccnHasLeft() {
        tunnel(null).open(null);
        sccrp(Avp.u16(AvpType.RECEIVE_WINDOW_SIZE, 1));
        Session a = call(new RecordingListener(), CallParameters.builder().build());
        Session b = call(new RecordingListener(), CallParameters.builder().build());
        clock.advance(Duration.ofMillis(100)); // the LNS acks the SCCCN: a's ICRQ leaves, b's waits for the window
        ControlMessage icrqA = lns.last(MessageType.ICRQ);
        assertEquals(a.localSessionId(), icrqA.u16(AvpType.ASSIGNED_SESSION_ID));
        // the LNS's delayed ack of a's ICRQ: b's ICRQ takes the one window slot and is lost on the way
        host.linkDown = true;
        clock.advance(Duration.ofMillis(100));
        host.linkDown = false;
        // ICRP acknowledges a's ICRQ only: b's ICRQ holds the window, so a's ICCN (queued ahead) waits for it
        lns.send(MessageType.ICRP, a.localSessionId(), Avp.u16(AvpType.ASSIGNED_SESSION_ID, 77));
        assertEquals(CallState.ESTABLISHED, a.state());
        assertEquals(CallState.WAIT_REPLY, b.state());
        int mark = host.wire.size();
        byte[] login = {(byte) 0xc2, 0x23, 2, 1, 0, 10, 4, 1, 2, 3, 4, 'u'};
        a.sendPpp(login, 0, login.length); // the replay, as the daemon sends it at call up
        for (int i = 0; i < Session.MAX_EARLY_FRAMES + 3; i++) {
            a.sendPpp(new byte[] {(byte) 0xc0, 0x21, 9, (byte) i}, 0, 4); // more frames of the call, in order
        }
        assertFalse(host.wire.subList(mark, host.wire.size()).contains("ICCN"), "ICCN still waits in the window");
        assertFalse(host.wire.subList(mark, host.wire.size()).contains("data"), "no data of the call before its ICCN");
        clock.advance(Duration.ofMillis(1000)); // b's ICRQ retransmitted (RTO 1 s) and received
        clock.advance(Duration.ofMillis(100)); // the LNS's ack of b's ICRQ: the ICCN leaves, then the held frames
        List<String> after = host.wire.subList(mark, host.wire.size());
        int iccn = after.indexOf("ICCN");
        assertTrue(iccn >= 0, "ICCN sent: " + after);
        assertTrue(after.indexOf("data") > iccn, "data after the ICCN: " + after);
        assertArrayEquals(login, host.dataOut.get(0), "the replayed login first");
        assertEquals(Session.MAX_EARLY_FRAMES, host.dataOut.size(), "held up to the bound");
        for (int i = 1; i < host.dataOut.size(); i++) {
            assertEquals(i - 1, host.dataOut.get(i)[3], "in the order offered");
        }
        assertEquals(4, stats.drops(L2tpStats.DropReason.EARLY_DATA_QUEUE_FULL));
        a.sendPpp(login, 0, login.length); // connected: straight out
        assertEquals(Session.MAX_EARLY_FRAMES + 1, host.dataOut.size());
    }

    /**
     * Issue 20, second round: in a storm hundreds of ICRQs wait for the LNS's receive window. The ICCN of a call whose
     * ICRP came takes the next window slot, ahead of the ICRQs of calls not yet started, so that call (and its
     * subscriber, whose login the LNS checks only after the ICCN) does not wait behind them.
     */
    @Test
    void iccnTakesTheNextWindowSlotAheadOfQueuedIcrqs() {
        tunnel(null).open(null);
        sccrp(Avp.u16(AvpType.RECEIVE_WINDOW_SIZE, 1));
        Session a = call(new RecordingListener(), CallParameters.builder().build());
        Session b = call(new RecordingListener(), CallParameters.builder().build());
        Session c = call(new RecordingListener(), CallParameters.builder().build());
        clock.advance(Duration.ofMillis(100)); // the LNS acks the SCCCN: a's ICRQ leaves, b's and c's wait
        assertEquals(a.localSessionId(), lns.last(MessageType.ICRQ).u16(AvpType.ASSIGNED_SESSION_ID));
        int mark = host.wire.size();
        lns.send(MessageType.ICRP, a.localSessionId(), Avp.u16(AvpType.ASSIGNED_SESSION_ID, 77)); // acks a's ICRQ
        assertEquals(List.of("ICCN"), host.wire.subList(mark, host.wire.size()), "a's ICCN in the one slot, not b's ICRQ");
        clock.advance(Duration.ofMillis(100)); // the LNS acks the ICCN: b's ICRQ, then c's
        clock.advance(Duration.ofMillis(100));
        assertEquals(List.of("ICCN", "ICRQ", "ICRQ"), host.wire.subList(mark, host.wire.size()));
        assertEquals(CallState.WAIT_REPLY, b.state());
        assertEquals(CallState.WAIT_REPLY, c.state());
    }

    /**
     * Issue 20, second round: with {@code l2tp.calls-in-setup-per-tunnel} a tunnel whose calls waiting for their ICRP
     * reach the bound takes no new call (the engine then opens another tunnel to the LNS); an ICRP or a call's end
     * frees the place. Without the key (0) a tunnel takes calls up to sessions-per-tunnel, as before.
     */
    @Test
    void callsInSetupPerTunnelBoundsWhatATunnelTakes() {
        settings = settings.withCallsInSetupPerTunnel(2);
        tunnel(null).open(null);
        sccrp();
        clock.advance(Duration.ofMillis(100));
        Session a = call(new RecordingListener(), CallParameters.builder().build());
        assertTrue(tunnel.accepts());
        Session b = call(new RecordingListener(), CallParameters.builder().build());
        assertEquals(2, tunnel.callsInSetup());
        assertFalse(tunnel.accepts(), "two calls wait for their ICRP");
        lns.send(MessageType.ICRP, a.localSessionId(), Avp.u16(AvpType.ASSIGNED_SESSION_ID, 77));
        assertEquals(CallState.ESTABLISHED, a.state());
        assertEquals(1, tunnel.callsInSetup());
        assertTrue(tunnel.accepts(), "a's ICRP freed its place");
        Session c = call(new RecordingListener(), CallParameters.builder().build());
        assertFalse(tunnel.accepts());
        b.disconnect(DisconnectCause.administrative("gone"));
        assertEquals(1, tunnel.callsInSetup(), "a call that ends in setup frees its place");
        assertTrue(tunnel.accepts());
        assertEquals(CallState.WAIT_REPLY, c.state());
    }

    @Test
    void withoutTheBoundCallsInSetupDoNotStopATunnel() {
        tunnel(null).open(null);
        sccrp();
        for (int i = 0; i < 50; i++) {
            call(new RecordingListener(), CallParameters.builder().build());
        }
        assertEquals(50, tunnel.callsInSetup());
        assertTrue(tunnel.accepts());
    }

    /**
     * Issue 14, defect 2: the LNS freezes and a spoofer replays its last HELLO (a duplicate: old Ns, nothing new
     * acknowledged) every 2 s from its address and port. A duplicate is no sign of life: the tunnel still sends its
     * HELLO 60 s after the LNS's last real message and tears down when the retransmissions run out.
     */
    @Test
    void spoofedDuplicatesDoNotKeepAFrozenLnsTunnelUp() throws Exception {
        tunnel(null).open(null);
        RecordingListener l = new RecordingListener();
        establishedCall(l, CallParameters.builder().build());
        clock.advance(Duration.ofSeconds(1));
        lns.send(MessageType.HELLO, 0);
        byte[] spoof = lns.lastDatagram;
        clock.advance(Duration.ofSeconds(1)); // t=2 s: the LNS's last real message was its HELLO at t=1 s
        host.linkDown = true; // frozen: it hears nothing, says nothing
        int sentBefore = host.wire.size();
        long duplicatesBefore = stats.drops(L2tpStats.DropReason.CONTROL_DUPLICATE);
        int spoofs = 0;
        while (clock.nanoTime() < TimeUnit.SECONDS.toNanos(100) && tunnel.state() == TunnelState.ESTABLISHED) {
            tunnel.onControl((ControlMessage) L2tpCodec.decode(spoof, 0, spoof.length), LNS);
            spoofs++;
            clock.advance(Duration.ofSeconds(2));
        }
        assertTrue(host.wire.subList(sentBefore, host.wire.size()).contains("HELLO"), "HELLO sent despite the spoofed duplicates");
        assertEquals(TunnelState.CLOSED, tunnel.state(), "torn down after the retry budget, not kept up by the spoofer");
        // HELLO at 61 s, retransmissions at +1, +2, +4, +8, +8 s, give-up 8 s later: 92 s
        assertTrue(clock.nanoTime() <= TimeUnit.SECONDS.toNanos(94), "down at " + clock.nanoTime() / 1e9 + " s");
        assertEquals(1, stats.helloTimeouts.sum());
        assertEquals(CallDownCause.Kind.TUNNEL_FAILED, l.cause.kind());
        assertEquals(spoofs, stats.drops(L2tpStats.DropReason.CONTROL_DUPLICATE) - duplicatesBefore, "every spoof counted as a duplicate");
    }

    /** Issue 14, defect 7: lacd_tunnels{state} counts every tunnel that exists, in its state, and never goes negative. */
    @Test
    void tunnelGaugesSumToTheTunnelsThatExistAcrossOpenEstablishClose() {
        org.lacd.daemon.metrics.LacdMetrics metrics =
                new org.lacd.daemon.metrics.LacdMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        hostStats = org.lacd.daemon.metrics.EngineStats.l2tp(metrics);
        List<Tunnel> all = new ArrayList<>();
        Tunnel idle = new Tunnel(host, new TunnelProfile("i", LNS, null, "lac1", null, null, false, 0, 0, true), 0x2222);
        all.add(idle);
        assertGaugesMatch(metrics, all); // a new tunnel is counted in IDLE
        all.add(tunnel(null));
        assertGaugesMatch(metrics, all);
        tunnel.open(null);
        assertGaugesMatch(metrics, all);
        sccrp();
        assertEquals(TunnelState.ESTABLISHED, tunnel.state());
        assertGaugesMatch(metrics, all);
        tunnel.close(ResultCode.of(StopCcnResult.GENERAL_REQUEST_TO_CLEAR), null);
        assertEquals(TunnelState.CLOSING, tunnel.state());
        assertGaugesMatch(metrics, all);
        clock.advance(Duration.ofMillis(200)); // the LNS acknowledges the StopCCN
        assertEquals(TunnelState.CLOSED, tunnel.state());
        assertGaugesMatch(metrics, all);
        host.linkDown = true;
        Tunnel lost = new Tunnel(host, new TunnelProfile("l", LNS, null, "lac1", null, null, false, 0, 0, true), 0x3333);
        all.add(lost);
        lost.open(null);
        assertEquals(TunnelState.WAIT_CTL_REPLY, lost.state());
        assertGaugesMatch(metrics, all);
        idle.close(ResultCode.of(StopCcnResult.GENERAL_REQUEST_TO_CLEAR), null); // IDLE -> CLOSED, nothing sent
        assertGaugesMatch(metrics, all);
        clock.advance(Duration.ofSeconds(60)); // SCCRQ retransmissions exhausted
        assertEquals(TunnelState.CLOSED, lost.state());
        assertGaugesMatch(metrics, all);
        for (org.lacd.daemon.metrics.LacdMetrics.TunnelState s : org.lacd.daemon.metrics.LacdMetrics.TunnelState.values()) {
            assertEquals(0, metrics.tunnels(s), s.name());
        }
    }

    /** Per exported state, the gauge equals the tunnels in that state; CLOSED tunnels are not exported (gone). */
    static void assertGaugesMatch(org.lacd.daemon.metrics.LacdMetrics metrics, List<Tunnel> tunnels) {
        long sum = 0;
        for (org.lacd.daemon.metrics.LacdMetrics.TunnelState s : org.lacd.daemon.metrics.LacdMetrics.TunnelState.values()) {
            long expected = tunnels.stream().filter(t -> t.state().name().equals(s.name())).count();
            assertEquals(expected, metrics.tunnels(s), "lacd_tunnels{state=" + s.name().toLowerCase() + "}");
            sum += metrics.tunnels(s);
        }
        assertEquals(tunnels.stream().filter(t -> t.state() != TunnelState.CLOSED).count(), sum, "sum(lacd_tunnels)");
    }

    /** Small helper to read a Result Code AVP. */
    record ResultCodeView(int result, int error) {
        ResultCodeView(ControlMessage m) {
            this(parse(m).result(), parse(m).error());
        }

        static ResultCode parse(ControlMessage m) {
            try {
                return ResultCode.parse(m.find(AvpType.RESULT_CODE));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Issue 17: the IPsec SA under the tunnel died: closed at once, calls down as on a dead tunnel, nothing sent in clear. */
    @Test
    void pathLostClosesAtOnceAndSendsNothing() {
        tunnel(null).open(null);
        RecordingListener l = new RecordingListener();
        establishedCall(l, CallParameters.builder().build());
        clock.advance(Duration.ofSeconds(1));
        int before = host.wire.size();
        tunnel.pathLost("IPsec SA l2tp of lns-a1 down");
        assertEquals(TunnelState.CLOSED, tunnel.state());
        assertTrue(host.destroyed);
        assertEquals(CallDownCause.Kind.TUNNEL_FAILED, l.cause.kind());
        clock.advance(Duration.ofSeconds(200)); // no StopCCN, CDN, HELLO or retransmission later either
        assertEquals(List.of(), host.wire.subList(before, host.wire.size()));
    }
}
