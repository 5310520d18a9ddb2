package org.lacd.pppoe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lacd.pppoe.port.InMemoryPort;
import org.lacd.pppoe.wire.LcpCode;
import org.lacd.pppoe.wire.LcpOption;
import org.lacd.pppoe.wire.LcpPacket;
import org.lacd.pppoe.wire.MacAddress;
import org.lacd.pppoe.wire.PppoeCode;

/**
 * Issue 14 defect 3: a subscriber that never gets as far as its username is bounded in time, from PADS. Driven through
 * an in-memory port with the manual scheduler: no sockets, no sleeping.
 */
class SetupBoundsTest {
    static final long AC_MAC = MacAddress.parse("02:ac:00:00:00:01").value();
    static final long SUB_MAC = MacAddress.parse("02:00:00:00:00:07").value();

    final ManualScheduler sched = new ManualScheduler();
    final CountingPppoeStats stats = new CountingPppoeStats();
    final List<String> events = new ArrayList<>();
    PppoeServer server;
    InMemoryPort[] wire;

    final SubscriberListener listener = new SubscriberListener() {
        @Override
        public void authenticated(SubscriberSession s, AuthExchange a) {
            events.add("auth:" + a.username());
        }

        @Override
        public void sessionClosed(SubscriberSession s, CloseReason r) {
            events.add("closed:" + r);
        }
    };

    void start(PppoeSettings settings) {
        wire = InMemoryPort.pair("eth-ac", new MacAddress(AC_MAC), "eth-sub", new MacAddress(SUB_MAC));
        server = new PppoeServer(settings, List.of(wire[0]), listener, stats, sched);
        server.start();
        sched.runPending();
    }

    TestClient client() {
        TestClient c = new TestClient(wire[1], SUB_MAC, 0, -1, -1);
        c.pump = sched::runPending;
        return c;
    }

    static PppoeSettings.Builder settings() {
        return PppoeSettings.builder().acName("lacd-test").serviceNames(List.of("internet"));
    }

    /** Terminate-Request now, PADT once Max-Terminate x restart has run out, the session gone. */
    void expectTerminatedThenGone(TestClient c) {
        c.expectLcp(LcpCode.TERMINATE_REQUEST);
        sched.advance(Duration.ofSeconds(6));
        c.expectDiscovery(PppoeCode.PADT);
        assertEquals(0, server.sessionCount());
    }

    /** Drops every queued frame and returns the last LCP Configure-Request among them (or null). */
    static LcpPacket lastConfigureRequest(TestClient c) {
        LcpPacket last = null;
        for (byte[] raw = c.pollPppRaw(); raw != null; raw = c.pollPppRaw()) {
            try {
                if (org.lacd.pppoe.wire.PppControlPacket.decodePpp(raw, 0, raw.length) instanceof LcpPacket l
                        && l.kind() == LcpCode.CONFIGURE_REQUEST) {
                    last = l;
                }
            } catch (org.lacd.wire.MalformedPacketException e) {
                throw new AssertionError(e);
            }
        }
        return last;
    }

    @Test
    void aClientThatNaksEveryConfigureRequestIsClosedAfterMaxFailure() {
        start(settings().lcpMaxFailure(5).build());
        TestClient c = client();
        c.discover();
        int requests = 0;
        // The client Naks every option of every Configure-Request (MRU 1400, a new magic number): without a bound
        // the request/Nak round trips never end (the issue saw 46,543 in 90 s). All of it happens at t = 0.
        LcpPacket next = (LcpPacket) c.expectPpp();
        while (next.kind() == LcpCode.CONFIGURE_REQUEST && requests < 50) {
            requests++;
            c.sendPpp(LcpPacket.configure(LcpCode.CONFIGURE_NAK, next.id(),
                    List.of(LcpOption.mru(1400), LcpOption.magic(0x1000 + requests))));
            next = (LcpPacket) c.expectPpp();
        }
        assertEquals(6, requests, "the first request and one after each of the Max-Failure (5) Naks");
        // The sixth Nak is one more than Max-Failure: LCP closes (RFC 1661 Close: Terminate-Request, then finished)
        assertEquals(LcpCode.TERMINATE_REQUEST, next.kind());
        sched.advance(Duration.ofSeconds(6));
        c.expectDiscovery(PppoeCode.PADT);
        assertEquals(0, server.sessionCount());
        assertEquals(1, stats.closed(CloseReason.LCP_NOT_CONVERGING));
        assertEquals(List.of(), events, "never handed to the layer above");
    }

    @Test
    void naksUpToMaxFailureStillLetLcpOpen() throws Exception {
        start(settings().lcpMaxFailure(2).build());
        TestClient c = client();
        c.discover();
        for (int i = 0; i < 2; i++) { // two Naks: at Max-Failure, not over it
            LcpPacket cr = c.expectLcp(LcpCode.CONFIGURE_REQUEST);
            c.sendPpp(LcpPacket.configure(LcpCode.CONFIGURE_NAK, cr.id(), List.of(LcpOption.mru(1400))));
        }
        c.openLcp(); // the client acks the next request: negotiation converged, authentication starts
        c.expectPpp(); // the CHAP challenge
        assertEquals(0, stats.closed(CloseReason.LCP_NOT_CONVERGING));
        assertEquals(1, server.sessionCount());
    }

    @Test
    void aSlowNakLoopUnderAHighMaxFailureIsEndedByTheDeadlineFromPads() {
        start(settings().lcpMaxFailure(255).authTimeout(Duration.ofSeconds(12)).build());
        TestClient c = client();
        c.discover();
        // One Nak per second: each Nak resets the LCP restart counter (RFC 1661 irc), so only the deadline ends it.
        for (int t = 0; t < 12; t++) {
            LcpPacket cr = lastConfigureRequest(c);
            assertEquals(LcpCode.CONFIGURE_REQUEST, cr.kind(), "still negotiating at t=" + t + " s");
            sched.advance(Duration.ofSeconds(1));
            if (t < 11) {
                c.sendPpp(LcpPacket.configure(LcpCode.CONFIGURE_NAK, cr.id(), List.of(LcpOption.mru(1400))));
            }
        }
        // t = 12 s after PADS: the deadline fired
        c.expectLcp(LcpCode.TERMINATE_REQUEST);
        sched.advance(Duration.ofSeconds(6));
        c.expectDiscovery(PppoeCode.PADT);
        assertEquals(1, stats.timeouts(TimeoutKind.LCP_DEADLINE));
        assertEquals(1, stats.closed(CloseReason.AUTH_TIMEOUT));
        assertEquals(List.of(), events);
    }

    @Test
    void aSilentClientIsClosedAtTheDiscoveryTimeout() {
        start(settings().discoveryTimeout(Duration.ofSeconds(4)).build());
        TestClient c = client();
        c.discover();
        c.expectLcp(LcpCode.CONFIGURE_REQUEST);
        sched.advance(Duration.ofMillis(3999));
        assertEquals(1, server.sessionCount());
        c.expectLcp(LcpCode.CONFIGURE_REQUEST); // the retransmission at 3 s
        sched.advance(Duration.ofMillis(1));
        expectTerminatedThenGone(c);
        assertEquals(1, stats.timeouts(TimeoutKind.DISCOVERY));
        assertEquals(1, stats.closed(CloseReason.DISCOVERY_TIMEOUT));
        assertEquals(0, stats.timeouts(TimeoutKind.LCP_NEGOTIATION), "not the 30 s of Max-Configure x restart");
    }

    @Test
    void theDiscoveryTimeoutStopsOnceTheClientSpeaksLcp() {
        start(settings().discoveryTimeout(Duration.ofSeconds(4)).authTimeout(Duration.ofSeconds(20)).build());
        TestClient c = client();
        c.discover();
        c.sendPpp(c.configureRequest()); // one request, then silence: LCP never opens
        sched.advance(Duration.ofSeconds(19));
        assertEquals(1, server.sessionCount(), "past the discovery timeout: the client did speak LCP");
        lastConfigureRequest(c);
        sched.advance(Duration.ofSeconds(1));
        expectTerminatedThenGone(c);
        assertEquals(0, stats.timeouts(TimeoutKind.DISCOVERY));
        assertEquals(1, stats.timeouts(TimeoutKind.LCP_DEADLINE));
        assertEquals(1, stats.closed(CloseReason.AUTH_TIMEOUT));
    }

    @Test
    void theAuthTimeoutCountsFromPadsNotFromLcpOpened() throws Exception {
        start(settings().authTimeout(Duration.ofSeconds(12)).build());
        TestClient c = client();
        c.discover();
        c.sendPpp(c.configureRequest());
        c.expectLcp(LcpCode.CONFIGURE_REQUEST);
        c.expectLcp(LcpCode.CONFIGURE_ACK);
        sched.advance(Duration.ofSeconds(8)); // the client acks only now: LCP opens 8 s after PADS
        LcpPacket cr = lastConfigureRequest(c);
        c.sendPpp(LcpPacket.of(LcpCode.CONFIGURE_ACK, cr.id(), cr.data()));
        c.expectPpp(); // the CHAP challenge; the client never answers it
        sched.advance(Duration.ofMillis(3999));
        assertEquals(1, server.sessionCount());
        c.expectPpp(); // the challenge again at 3 s
        sched.advance(Duration.ofMillis(1)); // 12 s after PADS, 4 s after LCP Opened
        expectTerminatedThenGone(c);
        assertEquals(1, stats.timeouts(TimeoutKind.AUTHENTICATION));
        assertEquals(1, stats.closed(CloseReason.AUTH_TIMEOUT));
        assertEquals(List.of(), events);
    }

    @Test
    void aClientThatAuthenticatesInTimeIsNotTouchedByTheDeadline() throws Exception {
        start(settings().authTimeout(Duration.ofSeconds(12)).discoveryTimeout(Duration.ofSeconds(4))
                .decisionTimeout(Duration.ofSeconds(60)).build());
        TestClient c = client();
        c.discover();
        c.openLcp();
        org.lacd.pppoe.wire.ChapPacket ch = (org.lacd.pppoe.wire.ChapPacket) c.expectPpp();
        c.sendPpp(org.lacd.pppoe.wire.ChapPacket.response(ch.id(), new byte[16], "alice"));
        sched.advance(Duration.ofSeconds(30));
        assertNull(c.pollPppRaw(), "no Terminate-Request: only the decision timeout runs now");
        assertEquals(List.of("auth:alice"), events);
        assertEquals(0, stats.timeouts(TimeoutKind.AUTHENTICATION) + stats.timeouts(TimeoutKind.DISCOVERY)
                + stats.timeouts(TimeoutKind.LCP_DEADLINE));
    }
}
