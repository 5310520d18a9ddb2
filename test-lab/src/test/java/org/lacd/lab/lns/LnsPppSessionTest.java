package org.lacd.lab.lns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.lacd.l2tp.transport.ManualScheduler;
import org.lacd.l2tp.wire.CdnResult;
import org.lacd.l2tp.wire.PppDisconnectCause;
import org.lacd.l2tp.wire.ResultCode;

/** The LNS-side PPP of one call without sockets: frames captured, time moved by hand. */
class LnsPppSessionTest {
    static final HexFormat HEX = HexFormat.of();

    final ManualScheduler clock = new ManualScheduler();
    final List<byte[]> out = new ArrayList<>();
    final List<ResultCode> cdns = new ArrayList<>();
    final List<PppDisconnectCause> causes = new ArrayList<>();
    int ups;
    int endings;
    AddressPool pool = new AddressPool("100.64.0.0/16");

    final LnsPppSession.Link link = new LnsPppSession.Link() {
        @Override
        public void sendPpp(byte[] frame, int off, int len) { out.add(java.util.Arrays.copyOfRange(frame, off, off + len)); }

        @Override
        public void clear(ResultCode result, PppDisconnectCause cause) {
            cdns.add(result);
            causes.add(cause);
        }

        @Override
        public void up(LnsPppSession s) { ups++; }

        @Override
        public void ended(LnsPppSession s) { endings++; }
    };

    static ProxyValues chapProxy(String user, String password) {
        byte[] challenge = HEX.parseHex("000102030405060708090a0b0c0d0e0f");
        byte[] resp = TestSubscriber.md5(7, password, challenge);
        return new ProxyValues("010405d40506" + "11223344", "010405d40305c22305" + "0506" + "55667788", "010405d40506" + "11223344",
                2, user, HEX.formatHex(challenge), 7, HEX.formatHex(resp));
    }

    LnsPppSession session(Mode mode, ProxyValues proxy) {
        return new LnsPppSession(mode, new LnsPppSession.Settings(1000, 3, 10_000, "lns-t"), clock, new Random(1),
                new PasswordPattern("pass{n}"), pool, pool.lnsAddress(), proxy, link);
    }

    void in(LnsPppSession s, String hex) {
        byte[] b = HEX.parseHex(hex.replace(" ", ""));
        s.receive(b, 0, b.length);
    }

    String last() { return HEX.formatHex(out.get(out.size() - 1)); }

    /** Accept-proxy with a valid CHAP proxy: Success, then our IPCP request; returns the session in NETWORK. */
    LnsPppSession networkPhase() {
        LnsPppSession s = session(Mode.ACCEPT_PROXY, chapProxy("user5@isp", "pass5"));
        s.start();
        assertEquals(2, out.size());
        // c2 23 CHAP | 03 Success | 07 id (the proxied one) | 00 24 length 36 | "Welcome to the lacd LNS emulator"
        assertEquals("c223" + "03" + "07" + "0024" + HEX.formatHex("Welcome to the lacd LNS emulator".getBytes(StandardCharsets.UTF_8)),
                HEX.formatHex(out.get(0)));
        // 80 21 IPCP | 01 Configure-Request | 01 id | 00 0a length | 03 06 IP-Address 100.64.0.1
        assertEquals("8021" + "01" + "01" + "000a" + "0306" + "64400001", HEX.formatHex(out.get(1)));
        assertEquals(LnsPppSession.Phase.NETWORK, s.phase());
        return s;
    }

    @Test
    void ipcpRejectsUnofferedOptionsNaksZeroAddressAcksTheAssignedOne() {
        LnsPppSession s = networkPhase();
        // subscriber: Configure-Request id 5: IP-Address 0.0.0.0, Primary-DNS (129) 0.0.0.0
        in(s, "8021 01 05 0010 0306 00000000 8106 00000000");
        // Configure-Reject id 5 with only the DNS option (RFC 1661 5.4: Reject before Nak)
        assertEquals("8021" + "04" + "05" + "000a" + "8106" + "00000000", last());
        in(s, "8021 01 06 000a 0306 00000000");
        // Configure-Nak id 6: IP-Address 100.64.0.2 (first subscriber address of the pool)
        assertEquals("8021" + "03" + "06" + "000a" + "0306" + "64400002", last());
        in(s, "8021 02 01 000a 0306 64400001"); // Ack of our request
        assertEquals(0, ups);
        in(s, "8021 01 07 000a 0306 64400002");
        assertEquals("8021" + "02" + "07" + "000a" + "0306" + "64400002", last(), "Configure-Ack echoes the request");
        assertEquals(1, ups);
        assertEquals(LnsPppSession.Phase.OPENED, s.phase());
        assertEquals(CallResult.UP, s.result());
        assertEquals(0, s.setupMillis(), "no time passed on the manual clock");
    }

    @Test
    void ipcpRequestRetransmitsThenGivesUpWithCdn() {
        LnsPppSession s = networkPhase();
        clock.advance(Duration.ofMillis(999));
        assertEquals(2, out.size());
        clock.advance(Duration.ofMillis(1));
        assertEquals(3, out.size(), "restart timer: request sent again");
        assertTrue(last().startsWith("8021" + "01" + "02"), "with a new identifier");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(4, out.size());
        clock.advance(Duration.ofSeconds(1)); // third expiry = maxConfigure 3
        assertEquals(4, out.size());
        assertEquals(1, cdns.size());
        assertEquals(CdnResult.ERROR.code(), cdns.get(0).result());
        assertTrue(cdns.get(0).message().contains("IPCP Configure-Request"), cdns.get(0).message());
        assertEquals(CallResult.SETUP_TIMEOUT, s.result());
        assertEquals(0, pool.inUse(), "address back in the pool");
        assertEquals(1, endings);
        assertEquals(0, clock.pendingTasks(), "no timer left behind");
    }

    @Test
    void expectAuthPacketTimesOutWithoutTheReplay() {
        LnsPppSession s = session(Mode.EXPECT_AUTH_PACKET, chapProxy("user5@isp", "pass5"));
        s.start();
        assertEquals(0, out.size(), "the LNS waits");
        clock.advance(Duration.ofMillis(9_999));
        assertEquals(0, cdns.size());
        clock.advance(Duration.ofMillis(1));
        assertEquals(1, cdns.size());
        assertEquals(CallResult.SETUP_TIMEOUT, s.result());
        assertEquals(0, clock.pendingTasks());
    }

    @Test
    void expectAuthPacketVerifiesTheReplayedResponseAgainstTheProxiedChallenge() {
        ProxyValues pv = chapProxy("user5@isp", "pass5");
        LnsPppSession s = session(Mode.EXPECT_AUTH_PACKET, pv);
        s.start();
        byte[] resp = TestSubscriber.md5(7, "pass5", pv.challengeBytes());
        // c2 23 | 02 Response | 07 id | 00 1e length 30 | 10 value size | value (16) | name "user5@isp"
        in(s, "c223 02 07 001e 10" + HEX.formatHex(resp) + HEX.formatHex("user5@isp".getBytes()));
        assertTrue(HEX.formatHex(out.get(0)).startsWith("c223" + "03" + "07"), "Success with the replayed id");
        // the same Response again (the subscriber did not see our Success): the same Success again (RFC 1994 4.2)
        in(s, "c223 02 07 001e 10" + HEX.formatHex(resp) + HEX.formatHex("user5@isp".getBytes()));
        assertArrayEquals(out.get(0), out.get(2));
        assertEquals(LnsPppSession.Phase.NETWORK, s.phase());
    }

    @Test
    void wrongProxyPasswordIsRefusedAndNoAddressIsTaken() {
        LnsPppSession s = session(Mode.ACCEPT_PROXY, chapProxy("user5@isp", "guess"));
        s.start();
        // c2 23 | 04 Failure | 07 | 00 19 | "Authentication failed"
        assertEquals("c223" + "04" + "07" + "0019" + HEX.formatHex("Authentication failed".getBytes()), HEX.formatHex(out.get(0)));
        assertEquals(CdnResult.ERROR.code(), cdns.get(0).result());
        assertEquals(LnsPppSession.AuthCheck.INVALID, s.proxyCheck());
        assertEquals(CallResult.AUTH_FAILED, s.result());
        assertEquals(0, pool.inUse());
    }

    @Test
    void userWithoutDigitsHasNoPassword() {
        LnsPppSession s = session(Mode.ACCEPT_PROXY, chapProxy("alice@isp", "pass"));
        s.start();
        assertEquals(LnsPppSession.AuthCheck.NO_PASSWORD, s.proxyCheck());
        assertEquals(CallResult.AUTH_FAILED, s.result());
    }

    @Test
    void unknownProtocolIsProtocolRejectedAndIpv4BeforeIpcpIsDropped() {
        LnsPppSession s = networkPhase();
        in(s, "8057 01 01 000e 010a 0011223344556677"); // IPv6CP Configure-Request
        // c0 21 LCP | 08 Protocol-Reject | 02 id (01 went to IPCP) | 00 14 | 80 57 rejected protocol | the rejected packet
        assertEquals("c021" + "08" + "02" + "0014" + "8057" + "0101000e010a0011223344556677", last());
        int before = out.size();
        in(s, "0021 4500001c000000004011" + "0000" + "6440000208080808" + "00010002000800ff");
        assertEquals(before, out.size(), "IPv4 before IPCP opened is not reflected");
        assertEquals(1, s.dropped);
    }

    @Test
    void lcpTerminateRequestIsAckedAndClearsTheCall() {
        LnsPppSession s = networkPhase();
        in(s, "ff03 c021 05 09 0004");
        assertEquals("c021" + "06" + "09" + "0004", last(), "Terminate-Ack with the request's id (FF 03 accepted)");
        assertEquals(CdnResult.LOSS_OF_CARRIER.code(), cdns.get(0).result());
        assertEquals(PppDisconnectCause.NORMAL_LCP_TERMINATE, causes.get(0).code());
        assertEquals(CallResult.CLEARED_BY_SUBSCRIBER, s.result());
        assertEquals(0, pool.inUse());
    }

    @Test
    void echoRequestIsAnsweredWithTheProxiedMagic() {
        LnsPppSession s = networkPhase();
        in(s, "c021 09 2a 000a 11223344 6869");
        // c0 21 | 0a Echo-Reply | 2a | 00 0a | 55667788 magic from Last Sent LCP CONFREQ | data copied
        assertEquals("c021" + "0a" + "2a" + "000a" + "55667788" + "6869", last());
        assertEquals(1, s.echoReplies);
    }

    @Test
    void renegotiateLcpRejectsAuthFromTheSubscriberFollowsANakToPapAndWaitsForPap() {
        ProxyValues pv = chapProxy("user5@isp", "pass5");
        LnsPppSession s = session(Mode.RENEGOTIATE_LCP, pv);
        s.start();
        assertEquals(LnsPppSession.Phase.ESTABLISH, s.phase());
        String req = HEX.formatHex(out.get(0));
        // c0 21 | 01 Configure-Request | 01 | 00 13 | 01 04 05d4 MRU 1492 | 03 05 c223 05 CHAP-MD5 | 05 06 magic
        assertTrue(req.startsWith("c021" + "01" + "01" + "0013" + "010405d4" + "0305c22305" + "0506"), req);
        in(s, "c021 01 33 000d 010405d4 0305c22305"); // the subscriber asks us to authenticate: rejected
        assertEquals("c021" + "04" + "33" + "0009" + "0305c22305", last());
        in(s, "c021 03 01 0008 0304c023"); // Nak of our request: it wants PAP
        assertTrue(last().startsWith("c021" + "01" + "02" + "0012" + "010405d4" + "0304c023"), last());
        in(s, "c021 02 02 0012" + last().substring(12));
        in(s, "c021 01 34 0008 010405d4");
        assertEquals("c021" + "02" + "34" + "0008" + "010405d4", last());
        assertEquals(LnsPppSession.Phase.AUTHENTICATE, s.phase());
        // PAP Authenticate-Request: c0 23 | 01 | 05 | len | 09 "user5@isp" | 05 "pass5"
        byte[] peer = "user5@isp".getBytes();
        in(s, "c023 01 05 0014 09" + HEX.formatHex(peer) + "05" + HEX.formatHex("pass5".getBytes()));
        // c0 23 | 02 Ack | 05 | length | msg-length | "Welcome..."
        assertTrue(HEX.formatHex(out.get(out.size() - 2)).startsWith("c023" + "02" + "05"));
        assertEquals(LnsPppSession.Phase.NETWORK, s.phase());
    }

    @Test
    void exhaustedPoolEndsTheCallWithNoFacilities() {
        pool = new AddressPool("10.0.0.0/29"); // 10.0.0.1 LNS, 10.0.0.2..10.0.0.6 subscribers
        for (int i = 0; i < 5; i++) {
            pool.allocate();
        }
        LnsPppSession s = session(Mode.ACCEPT_PROXY, chapProxy("user5@isp", "pass5"));
        s.start();
        assertEquals(CallResult.NO_ADDRESS, s.result());
        assertEquals(CdnResult.TEMPORARY_NO_FACILITIES.code(), cdns.get(0).result());
        assertTrue(s.detail().contains("10.0.0.0/29 exhausted"), s.detail());
    }

    @Test
    void subscriberRestartingLcpAfterTheProxyIsRenegotiatedAndChallengedAgain() {
        LnsPppSession s = networkPhase();
        in(s, "8021 02 01 000a 0306 64400001");
        in(s, "8021 01 07 000a 0306 64400002");
        assertEquals(LnsPppSession.Phase.OPENED, s.phase());
        assertEquals(1, pool.inUse());
        out.clear();
        // the CPE restarts LCP: Configure-Request id 60 with MRU 1492 and its magic
        in(s, "c021 01 3c 000e 010405d4 0506 11223344");
        assertEquals(LnsPppSession.Phase.ESTABLISH, s.phase());
        assertEquals(0, pool.inUse(), "address released until IPCP opens again");
        assertEquals(CallResult.SETTING_UP, s.result());
        // our Configure-Request first (RFC 1661 4.1 This-Layer-Down, scr), then the Ack of theirs
        String ours = HEX.formatHex(out.get(0));
        assertTrue(ours.startsWith("c021" + "01" + "02" + "0013" + "010405d4" + "0305c22305" + "0506" + "55667788"), ours);
        assertEquals("c021" + "02" + "3c" + "000e" + "010405d40506" + "11223344", HEX.formatHex(out.get(1)));
        in(s, "c021 02 02 0013" + ours.substring(12));
        assertEquals(LnsPppSession.Phase.AUTHENTICATE, s.phase());
        String challenge = last();
        // c2 23 | 01 Challenge | 03 id | 00 1a length 26 | 10 value size | 16 random bytes | "lns-t"
        assertTrue(challenge.startsWith("c223" + "01" + "03" + "001a" + "10"), challenge);
        byte[] value = HEX.parseHex(challenge.substring(14, 14 + 32));
        byte[] resp = TestSubscriber.md5(3, "pass5", value);
        in(s, "c223 02 03 001e 10" + HEX.formatHex(resp) + HEX.formatHex("user5@isp".getBytes()));
        assertTrue(HEX.formatHex(out.get(out.size() - 2)).startsWith("c223" + "03" + "03"), "Success");
        assertEquals(LnsPppSession.Phase.NETWORK, s.phase());
        in(s, "8021 02 04 000a 0306 64400001");
        in(s, "8021 01 08 000a 0306 64400002");
        // released addresses are reused last: the old one is Nak'd, the next one offered
        assertEquals("8021" + "03" + "08" + "000a" + "0306" + "64400003", last());
        in(s, "8021 01 09 000a 0306 64400003");
        assertEquals(LnsPppSession.Phase.OPENED, s.phase());
        assertEquals(2, ups, "IPCP opened twice");
        assertEquals(2, s.ups());
        assertEquals(1, s.lcpRestarts);
    }

    @Test
    void lnsEchoesAndEndsTheCallWhenTheSubscriberStopsAnswering() {
        LnsPppSession s = new LnsPppSession(Mode.ACCEPT_PROXY, new LnsPppSession.Settings(1000, 3, 10_000, "lns-t", 5_000, 2), clock,
                new Random(1), new PasswordPattern("pass{n}"), pool, pool.lnsAddress(), chapProxy("user5@isp", "pass5"), link);
        s.start();
        in(s, "8021 02 01 000a 0306 64400001");
        in(s, "8021 01 07 000a 0306 64400002");
        assertEquals(LnsPppSession.Phase.OPENED, s.phase());
        clock.advance(Duration.ofSeconds(5));
        // c0 21 | 09 Echo-Request | 02 | 00 08 | 55667788 our (proxied) magic
        assertEquals("c021" + "09" + "02" + "0008" + "55667788", last());
        in(s, "c021 0a 02 0008 11223344");
        assertEquals(1, s.echoRepliesReceived);
        clock.advance(Duration.ofSeconds(5));
        clock.advance(Duration.ofSeconds(5));
        assertEquals(0, cdns.size(), "two unanswered so far");
        assertEquals(3, s.echoRequestsSent);
        clock.advance(Duration.ofSeconds(5));
        assertEquals(1, cdns.size());
        assertEquals(CallResult.ECHO_TIMEOUT, s.result());
        assertEquals(CdnResult.LOSS_OF_CARRIER.code(), cdns.get(0).result());
        assertEquals(0, clock.pendingTasks());
    }

    @Test
    void malformedFramesAreCountedNotFatal() {
        LnsPppSession s = networkPhase();
        in(s, "8021 01 05 0010 0306"); // IPCP length beyond the frame
        in(s, "c021 01 05 0008 0305"); // LCP option running past the end
        in(s, "21");                   // compressed protocol field with nothing behind
        assertEquals(2, s.malformed);
        assertEquals(LnsPppSession.Phase.NETWORK, s.phase());
        assertEquals(0, cdns.size());
        assertEquals(1, s.dropped, "IPv4 (compressed field) before IPCP opened");
    }
}
