package org.lacd.lab.lns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lacd.l2tp.CallDownCause;
import org.lacd.l2tp.DisconnectCause;
import org.lacd.l2tp.L2tpEngine;
import org.lacd.l2tp.L2tpSettings;
import org.lacd.l2tp.TunnelProfile;
import org.lacd.l2tp.transport.ReliableChannel;
import org.lacd.l2tp.wire.CdnResult;
import org.lacd.l2tp.wire.StopCcnResult;
import org.lacd.pppoe.wire.ChapPacket;
import org.lacd.pppoe.wire.LcpOption;
import org.lacd.pppoe.wire.LcpOptionType;
import org.lacd.pppoe.wire.PppProtocol;

/** The emulator driven by lacd's own LAC engine over loopback UDP, with the subscriber's PPP side played in the test. */
class LnsEmulatorLoopbackTest {
    static final InetAddress LO = InetAddress.getLoopbackAddress();
    static final HexFormat HEX = HexFormat.of();
    static final int POOL_FIRST = (100 << 24) | (64 << 16) | 2; // 100.64.0.2
    static final int LNS_ADDR = (100 << 24) | (64 << 16) | 1;

    final List<AutoCloseable> closers = new ArrayList<>();
    final List<L2tpEngine> engines = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (L2tpEngine e : engines) {
            e.shutdown(Duration.ofSeconds(1));
        }
        for (AutoCloseable c : closers) {
            c.close();
        }
    }

    LnsEmulator emulator(Mode mode, String secret) throws Exception {
        LnsEmulator e = LnsEmulator.start(LnsEmulatorConfig.builder().loopback().secret(secret).mode(mode)
                .restart(Duration.ofMillis(500)).setupTimeout(Duration.ofSeconds(5))
                .channel(new ReliableChannel.Config(250, 500, 4, 20, 16)).build());
        closers.add(() -> e.shutdown(Duration.ofMillis(500)));
        return e;
    }

    L2tpEngine engine() throws Exception {
        L2tpEngine e = new L2tpEngine(L2tpSettings.defaults().withSourcePort(0).withBindAddress(LO)
                .withRetransmit(Duration.ofMillis(250), Duration.ofMillis(500), 4).withTunnelLinger(Duration.ofMillis(300))
                .withStopCcnWait(Duration.ofMillis(300)), null);
        e.start();
        engines.add(e);
        return e;
    }

    static TunnelProfile profile(LnsEmulator lns, String secret) {
        return TunnelProfile.of("emu", lns.address(), "lac-test", secret);
    }

    static TestSubscriber place(L2tpEngine engine, TunnelProfile p, TestSubscriber s) {
        s.call = engine.placeCall(p, s.params(), s);
        return s;
    }

    /** An IPv4/UDP packet from the subscriber's address, header checksum valid, UDP checksum 0 (none). */
    static byte[] udpFrame(int src, int dst, int sport, int dport, byte[] payload) {
        byte[] ip = new byte[20 + 8 + payload.length];
        ip[0] = 0x45;
        ip[2] = (byte) (ip.length >>> 8);
        ip[3] = (byte) ip.length;
        ip[8] = 64;
        ip[9] = 17;
        put32(ip, 12, src);
        put32(ip, 16, dst);
        int cs = Ipv4Reflector.checksum(ip, 0, 20);
        ip[10] = (byte) (cs >>> 8);
        ip[11] = (byte) cs;
        ip[20] = (byte) (sport >>> 8);
        ip[21] = (byte) sport;
        ip[22] = (byte) (dport >>> 8);
        ip[23] = (byte) dport;
        ip[24] = (byte) ((8 + payload.length) >>> 8);
        ip[25] = (byte) (8 + payload.length);
        System.arraycopy(payload, 0, ip, 28, payload.length);
        byte[] f = new byte[2 + ip.length];
        f[1] = 0x21;
        System.arraycopy(ip, 0, f, 2, ip.length);
        return f;
    }

    static void put32(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    static int u32(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }

    static CallReport only(LnsEmulator lns) {
        List<CallReport> calls = lns.report().calls();
        assertEquals(1, calls.size(), "one call recorded");
        return calls.get(0);
    }

    @Test
    void acceptProxyChapRecordsProxyValuesAssignsAddressReflectsAndAnswersEcho() throws Exception {
        LnsEmulator lns = emulator(Mode.ACCEPT_PROXY, "s3cret");
        L2tpEngine engine = engine();
        TestSubscriber s = place(engine, profile(lns, "s3cret"), TestSubscriber.chap("user17@reseller-a.example", "pass17"));
        assertTrue(s.await(s.up), "call up");
        assertTrue(s.await(s.authOk), "CHAP Success");
        assertEquals(s.proxyId, s.authReplyId, "Success carries the proxied identifier");
        assertTrue(s.await(s.ipcpUp), "IPCP opened");
        assertEquals(POOL_FIRST, s.address, "Nak of 0.0.0.0 with the first pool address");
        assertEquals(LNS_ADDR, s.lnsAddress, "the LNS offers its own address");
        assertTrue(lns.awaitUp(1, Duration.ofSeconds(5)));

        CallReport c = only(lns);
        assertEquals("user17@reseller-a.example", c.user());
        assertEquals("VALID", c.proxyAuthCheck());
        assertEquals("100.64.0.2", c.address());
        assertEquals("02:00:00:00:00:01", c.callingNumber());
        assertEquals("olt1 eth 1/1/1:100", c.agentCircuitId());
        ProxyValues pv = c.proxy();
        assertEquals(HEX.formatHex(s.initialReceived), pv.initialReceivedLcpConfReq());
        assertEquals(HEX.formatHex(s.lastSent), pv.lastSentLcpConfReq());
        assertEquals(HEX.formatHex(s.lastReceived), pv.lastReceivedLcpConfReq());
        assertEquals(2, pv.authenType());
        assertEquals("user17@reseller-a.example", pv.authenName());
        assertEquals(HEX.formatHex(s.proxyChallenge), pv.authenChallenge());
        assertEquals(s.proxyId, pv.authenId());
        assertArrayEquals(s.proxyResponse, pv.responseBytes());

        // IPv4 reflection: addresses and ports swapped, header checksum valid
        byte[] sent = udpFrame(s.address, 0xc6336401, 40000, 7, "ping-1".getBytes());
        s.send(sent);
        byte[] back = s.ipv4.poll(5, TimeUnit.SECONDS);
        assertNotNull(back, "reflected packet");
        assertEquals(0xc6336401, u32(back, 12));
        assertEquals(s.address, u32(back, 16));
        assertEquals(7, ((back[20] & 0xff) << 8) | (back[21] & 0xff));
        assertEquals(40000, ((back[22] & 0xff) << 8) | (back[23] & 0xff));
        assertEquals(0, Ipv4Reflector.checksum(back, 0, 20), "header checksum verifies");
        assertEquals("ping-1", new String(back, 28, 6));

        // LCP echo: answered with the magic number the LAC negotiated (the proxied last-sent CONFREQ)
        s.sendEcho(42);
        assertTrue(s.await(s.echoReply));
        assertEquals(TestSubscriber.LAC_MAGIC, s.echoMagic);

        Report r = lns.report();
        assertEquals(1, r.tunnels().established());
        assertEquals(1, r.sessions().up());
        assertEquals(1, r.traffic().ipv4In());
        assertEquals(1, r.traffic().ipv4Reflected());
        assertEquals(1, r.traffic().lcpEchoReplies());
        assertTrue(r.toText().contains("user17@reseller-a.example"));
        Report parsed = Report.fromJson(r.toJson());
        assertEquals(r.calls().get(0).proxy(), parsed.calls().get(0).proxy(), "JSON round trip keeps the proxy values");
        assertEquals(r.sessions().byResult(), parsed.sessions().byResult());

        // cleared from the emulator: CDN result 3 reaches the engine
        assertTrue(lns.clearCall(c.lnsTunnelId(), c.lnsSessionId()));
        assertTrue(s.await(s.down), "callDown");
        assertEquals(CallDownCause.Kind.CLEARED_BY_PEER, s.cause.kind());
        assertEquals(CdnResult.ADMINISTRATIVE.code(), s.cause.resultCode());
        assertTrue(lns.await(rep -> rep.sessions().byResult().getOrDefault(CallResult.CLEARED_BY_LNS, 0L) == 1, Duration.ofSeconds(2)));
    }

    @Test
    void hiddenProxyAvpsAreRevealedAndSequencedDataWorks() throws Exception {
        LnsEmulator lns = LnsEmulator.start(LnsEmulatorConfig.builder().loopback().secret("hide-me").hideAvps(true)
                .channel(new ReliableChannel.Config(250, 500, 4, 20, 16)).build());
        closers.add(() -> lns.shutdown(Duration.ofMillis(500)));
        L2tpEngine engine = engine();
        TestSubscriber s = TestSubscriber.chap("user21@isp", "pass21");
        s.sequencing = true;
        place(engine, profile(lns, "hide-me").withHideAvps(true), s);
        assertTrue(s.await(s.ipcpUp), "up with hidden proxy AVPs and a hidden Assigned Session ID in ICRP");
        assertTrue(s.call.sequencing());
        CallReport c = only(lns);
        assertEquals("VALID", c.proxyAuthCheck());
        assertEquals(HEX.formatHex(s.lastSent), c.proxy().lastSentLcpConfReq());
        assertEquals(HEX.formatHex(s.initialReceived), c.proxy().initialReceivedLcpConfReq());
        assertArrayEquals(s.proxyResponse, c.proxy().responseBytes());
        assertArrayEquals(s.proxyChallenge, c.proxy().challengeBytes());
        s.send(udpFrame(s.address, 0x0a000001, 1, 2, new byte[8]));
        assertNotNull(s.ipv4.poll(5, TimeUnit.SECONDS), "reflected over sequenced data messages");
        assertEquals(0, lns.report().traffic().malformedL2tp());
    }

    @Test
    void acceptProxyWrongChapPasswordGetsFailureAndCdn() throws Exception {
        LnsEmulator lns = emulator(Mode.ACCEPT_PROXY, null);
        L2tpEngine engine = engine();
        TestSubscriber s = place(engine, profile(lns, null), TestSubscriber.chap("user5@isp", "wrong"));
        assertTrue(s.await(s.down), "the LNS clears the call");
        assertEquals(CallDownCause.Kind.CLEARED_BY_PEER, s.cause.kind());
        assertEquals(CdnResult.ERROR.code(), s.cause.resultCode());
        assertTrue(s.cause.message().contains("authentication failed"), s.cause.message());
        assertEquals(1, s.authOk.getCount(), "no CHAP Success");
        CallReport c = only(lns);
        assertEquals(CallResult.AUTH_FAILED, c.result());
        assertEquals("INVALID", c.proxyAuthCheck());
        assertEquals(null, c.address());
        assertEquals(1L, lns.report().sessions().byResult().get(CallResult.AUTH_FAILED));
    }

    @Test
    void acceptProxyPapRightAndWrongPassword() throws Exception {
        LnsEmulator lns = emulator(Mode.ACCEPT_PROXY, "k");
        L2tpEngine engine = engine();
        TunnelProfile p = profile(lns, "k");
        TestSubscriber good = place(engine, p, TestSubscriber.pap("user3@isp", "pass3"));
        TestSubscriber bad = place(engine, p, TestSubscriber.pap("user4@isp", "pass3"));
        assertTrue(good.await(good.authOk), "PAP Ack");
        assertTrue(good.await(good.ipcpUp));
        assertTrue(bad.await(bad.down), "wrong PAP password: CDN");
        assertEquals(CdnResult.ERROR.code(), bad.cause.resultCode());
        assertTrue(bad.await(bad.authFailed), "PAP Nak before the CDN");
        Report r = lns.report();
        assertEquals(1, r.sessions().up());
        assertEquals(1L, r.sessions().byResult().get(CallResult.AUTH_FAILED));
        CallReport gc = r.calls().stream().filter(c -> c.user().equals("user3@isp")).findFirst().orElseThrow();
        assertEquals(3, gc.proxy().authenType());
        assertEquals(HEX.formatHex("pass3".getBytes()), gc.proxy().authenResponse(), "PAP password as proxied");
    }

    @Test
    void renegotiateLcpThenFreshChapThenIpcp() throws Exception {
        LnsEmulator lns = emulator(Mode.RENEGOTIATE_LCP, null);
        L2tpEngine engine = engine();
        TestSubscriber s = place(engine, profile(lns, null), TestSubscriber.chap("user9@isp", "pass9"));
        assertTrue(s.await(s.ipcpUp), "IPCP after LCP and CHAP");
        assertNotNull(s.lnsLcpRequest, "the LNS sent its own LCP Configure-Request");
        boolean chapOption = false;
        for (LcpOption o : s.lnsLcpRequest.options()) {
            chapOption |= o.knownType() == LcpOptionType.AUTH_PROTOCOL && o.u16() == PppProtocol.CHAP;
        }
        assertTrue(chapOption, "asks for CHAP");
        ChapPacket ch = s.challenge;
        assertNotNull(ch, "fresh challenge");
        assertEquals("lns-emulator", ch.nameString());
        assertEquals(ch.id(), s.authReplyId);
        assertTrue(lns.awaitUp(1, Duration.ofSeconds(2)));
    }

    @Test
    void renegotiateLcpWithPapWaitsForTheRequest() throws Exception {
        LnsEmulator lns = emulator(Mode.RENEGOTIATE_LCP, null);
        L2tpEngine engine = engine();
        TestSubscriber s = place(engine, profile(lns, null), TestSubscriber.pap("user8@isp", "pass8"));
        assertTrue(s.await(s.up));
        // LCP comes first (both requests acknowledged); then the subscriber authenticates with PAP on its own
        assertTrue(s.await(s.lcpAcked), "LCP renegotiated");
        assertNotNull(s.lnsLcpRequest);
        assertEquals(1, s.authOk.getCount(), "no PAP Ack before the request");
        s.replayAuth();
        assertTrue(s.await(s.ipcpUp), "PAP Ack and IPCP");
    }

    @Test
    void challengeAgainVerifiesTheFreshResponse() throws Exception {
        LnsEmulator lns = emulator(Mode.CHALLENGE_AGAIN, null);
        L2tpEngine engine = engine();
        TunnelProfile p = profile(lns, null);
        TestSubscriber good = place(engine, p, TestSubscriber.chap("user1@isp", "pass1"));
        assertTrue(good.await(good.ipcpUp));
        assertNotNull(good.lnsLcpRequest == null ? good.challenge : null, "no LCP renegotiation, a challenge");
        assertEquals((good.proxyId + 1) & 0xff, good.challenge.id(), "a new identifier");
        assertFalse(java.util.Arrays.equals(good.proxyChallenge, good.challenge.value()), "a new challenge value");

        // the proxy values are right, the fresh answer is not: refused
        TestSubscriber bad = TestSubscriber.chap("user2@isp", "pass2");
        bad.freshPassword = "nope";
        place(engine, p, bad);
        assertTrue(bad.await(bad.authFailed), "CHAP Failure");
        assertTrue(bad.await(bad.down));
        assertEquals(CdnResult.ERROR.code(), bad.cause.resultCode());
        CallReport bc = lns.report().calls().stream().filter(c -> c.user().equals("user2@isp")).findFirst().orElseThrow();
        assertEquals("VALID", bc.proxyAuthCheck(), "proxy was fine");
        assertEquals(CallResult.AUTH_FAILED, bc.result());
    }

    @Test
    void expectAuthPacketAnswersTheReplayedResponse() throws Exception {
        LnsEmulator lns = emulator(Mode.EXPECT_AUTH_PACKET, null);
        L2tpEngine engine = engine();
        TunnelProfile p = profile(lns, null);
        TestSubscriber chap = place(engine, p, TestSubscriber.chap("user11@isp", "pass11"));
        TestSubscriber pap = place(engine, p, TestSubscriber.pap("user12@isp", "pass12"));
        assertTrue(chap.await(chap.up));
        assertTrue(pap.await(pap.up));
        Thread.sleep(100); // nothing comes from the LNS before the replay
        assertEquals(1, chap.authOk.getCount());
        assertEquals(null, chap.challenge);
        chap.replayAuth();
        pap.replayAuth();
        assertTrue(chap.await(chap.ipcpUp));
        assertTrue(pap.await(pap.ipcpUp));
        assertEquals(chap.proxyId, chap.authReplyId);
        assertTrue(lns.awaitUp(2, Duration.ofSeconds(2)));
        Set<String> addresses = new HashSet<>();
        lns.report().calls().forEach(c -> addresses.add(c.address()));
        assertEquals(Set.of("100.64.0.2", "100.64.0.3"), addresses);
    }

    @Test
    void stopTunnelFromTheEmulatorEndsEveryCallAndTheLacClearsAreCounted() throws Exception {
        LnsEmulator lns = emulator(Mode.ACCEPT_PROXY, "x");
        L2tpEngine engine = engine();
        TunnelProfile p = profile(lns, "x");
        List<TestSubscriber> subs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            subs.add(place(engine, p, TestSubscriber.chap("user" + i + "@isp", "pass" + i)));
        }
        for (TestSubscriber s : subs) {
            assertTrue(s.await(s.ipcpUp));
        }
        // one cleared by the LAC
        subs.get(0).call.disconnect(DisconnectCause.subscriberHangup());
        assertTrue(lns.await(r -> r.sessions().byResult().getOrDefault(CallResult.CLEARED_BY_LAC, 0L) == 1, Duration.ofSeconds(3)));
        List<Integer> ids = lns.tunnelIds();
        assertEquals(1, ids.size());
        assertTrue(lns.stopTunnel(ids.get(0)));
        for (TestSubscriber s : subs.subList(1, 4)) {
            assertTrue(s.await(s.down));
            assertEquals(CallDownCause.Kind.TUNNEL_FAILED, s.cause.kind());
            assertEquals(StopCcnResult.GENERAL_REQUEST_TO_CLEAR.code(), s.cause.resultCode());
        }
        Report r = lns.report();
        assertEquals(3L, r.sessions().byResult().get(CallResult.CLEARED_BY_LNS));
        assertEquals(0, r.sessions().current());
    }

    @Test
    void refusedSilentAndWrongSecret() throws Exception {
        LnsEmulator lns = emulator(Mode.ACCEPT_PROXY, "right");
        L2tpEngine engine = engine();
        lns.refuseCalls(true);
        TestSubscriber refused = place(engine, profile(lns, "right"), TestSubscriber.chap("user1@isp", "pass1"));
        assertTrue(refused.await(refused.down));
        assertEquals(CallDownCause.Kind.REFUSED, refused.cause.kind());
        assertEquals(CdnResult.TEMPORARY_NO_FACILITIES.code(), refused.cause.resultCode());
        lns.refuseCalls(false);

        TestSubscriber wrongSecret = place(engine, TunnelProfile.of("other", lns.address(), "lac-2", "wrong"),
                TestSubscriber.chap("user2@isp", "pass2"));
        assertTrue(wrongSecret.await(wrongSecret.down));
        assertEquals(CallDownCause.Kind.TUNNEL_FAILED, wrongSecret.cause.kind());

        lns.ignoreNewTunnels(true);
        TestSubscriber ignored = place(engine, TunnelProfile.of("third", lns.address(), "lac-3", "right"),
                TestSubscriber.chap("user3@isp", "pass3"));
        assertTrue(ignored.await(ignored.down), "no SCCRP: the LAC gives up");
        assertEquals(CallDownCause.Kind.TUNNEL_FAILED, ignored.cause.kind());

        Report r = lns.report();
        assertEquals(1L, r.sessions().byResult().get(CallResult.REFUSED));
        assertTrue(lns.await(x -> x.tunnels().authFailures() == 1, Duration.ofSeconds(2)));
        assertEquals(0, r.sessions().up());
    }

    @Test
    void manyTunnelsAndSessionsGetDistinctAddresses() throws Exception {
        LnsEmulator lns = emulator(Mode.ACCEPT_PROXY, "m");
        L2tpEngine a = engine();
        L2tpEngine b = engine();
        List<TestSubscriber> subs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            L2tpEngine e = i % 2 == 0 ? a : b;
            TunnelProfile p = TunnelProfile.of("p" + (i % 4), lns.address(), "lac-" + (i % 4), "m");
            subs.add(place(e, p, i % 3 == 0 ? TestSubscriber.pap("user" + i + "@isp", "pass" + i)
                    : TestSubscriber.chap("user" + i + "@isp", "pass" + i)));
        }
        assertTrue(lns.awaitUp(40, Duration.ofSeconds(10)), lns.report().toText());
        Report r = lns.report();
        assertEquals(4, r.tunnels().established(), "one tunnel per (LAC host name) profile");
        Set<String> addresses = new HashSet<>();
        r.calls().forEach(c -> addresses.add(c.address()));
        assertEquals(40, addresses.size());
        assertNotEquals(-1, r.sessions().setupP99Millis());
        for (TestSubscriber s : subs) {
            s.send(udpFrame(s.address, 0x0a000001, 1000, 2000, new byte[32]));
        }
        assertTrue(lns.await(x -> x.traffic().ipv4Reflected() == 40, Duration.ofSeconds(5)));
        for (TestSubscriber s : subs) {
            assertNotNull(s.ipv4.poll(5, TimeUnit.SECONDS));
        }
    }
}
