package org.lacd.pppoe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.lacd.pppoe.port.InMemoryPort;
import org.lacd.pppoe.testutil.Hex;
import org.lacd.pppoe.wire.ChapPacket;
import org.lacd.pppoe.wire.EtherType;
import org.lacd.pppoe.wire.LcpCode;
import org.lacd.pppoe.wire.LcpOption;
import org.lacd.pppoe.wire.LcpPacket;
import org.lacd.pppoe.wire.LineInfo;
import org.lacd.pppoe.wire.MacAddress;
import org.lacd.pppoe.wire.PapPacket;
import org.lacd.pppoe.wire.PppControlPacket;
import org.lacd.pppoe.wire.PppoeCode;
import org.lacd.pppoe.wire.PppoeDiscovery;
import org.lacd.pppoe.wire.PppoeTag;
import org.lacd.pppoe.wire.TagType;

/** The server driven through an in-memory port with a manual clock: no sockets, no sleeping. */
class PppoeServerTest {
    static final long AC_MAC = MacAddress.parse("02:ac:00:00:00:01").value();
    static final long SUB_MAC = MacAddress.parse("02:00:00:00:00:07").value();

    final ManualScheduler sched = new ManualScheduler();
    final CountingPppoeStats stats = new CountingPppoeStats();
    final List<String> events = new ArrayList<>();
    final List<AuthExchange> auths = new ArrayList<>();
    final List<SubscriberSession> authed = new ArrayList<>();
    InMemoryPort[] wire;
    PppoeServer server;

    final SubscriberListener listener = new SubscriberListener() {
        @Override
        public void authenticated(SubscriberSession s, AuthExchange a) {
            events.add("auth:" + a.username());
            auths.add(a);
            authed.add(s);
        }

        @Override
        public void sessionClosed(SubscriberSession s, CloseReason r) {
            events.add("closed:" + r);
        }
    };

    PppoeServer start(PppoeSettings settings) {
        wire = InMemoryPort.pair("eth-ac", new MacAddress(AC_MAC), "eth-sub", new MacAddress(SUB_MAC));
        server = new PppoeServer(settings, List.of(wire[0]), listener, stats, sched);
        server.start();
        sched.runPending();
        return server;
    }

    TestClient client(long mac, int tpid, int outer, int inner) {
        TestClient c = new TestClient(wire[1], mac, tpid, outer, inner);
        c.pump = sched::runPending;
        return c;
    }

    TestClient client() {
        return client(SUB_MAC, 0, -1, -1);
    }

    static PppoeSettings.Builder settings() {
        return PppoeSettings.builder().acName("lacd-test").serviceNames(List.of("internet"));
    }

    /** Discovery + LCP + CHAP up to the listener. */
    TestClient chapUpToDecision() throws Exception {
        TestClient c = client();
        c.discover();
        c.openLcp();
        ChapPacket ch = (ChapPacket) c.expectPpp();
        c.sendPpp(ChapPacket.response(ch.id(), TestClient.chapMd5(ch.id(), "pw", ch.value()), "alice@isp"));
        assertEquals(1, auths.size());
        return c;
    }

    @Test
    void discoveryAnswersWithAcNameServiceCookieAndEchoes() {
        start(settings().build());
        TestClient c = client();
        PppoeTag relay = PppoeTag.of(TagType.RELAY_SESSION_ID, new byte[] {1, 2, 3, 4});
        c.padi(TestClient.service(""), TestClient.hostUniq("aabbccdd"), relay);
        PppoeDiscovery.Frame pado = c.expectDiscovery(PppoeCode.PADO);
        assertEquals(AC_MAC, pado.eth().src());
        assertEquals(SUB_MAC, pado.eth().dst());
        PppoeDiscovery p = pado.packet();
        assertEquals(0, p.sessionId());
        assertEquals("lacd-test", p.first(TagType.AC_NAME).orElseThrow().asUtf8());
        assertEquals(List.of("", "internet"), p.all(TagType.SERVICE_NAME).stream().map(PppoeTag::asUtf8).toList());
        assertEquals("aabbccdd", Hex.of(p.first(TagType.HOST_UNIQ).orElseThrow().value()));
        assertEquals(relay, p.first(TagType.RELAY_SESSION_ID).orElseThrow());
        assertEquals(20, p.first(TagType.AC_COOKIE).orElseThrow().value().length);
        assertEquals(1, stats.sent(PppoeCode.PADO));
    }

    @Test
    void answersEchoExactlyTheTagsWhoseRowSaysSo() {
        start(settings().build());
        TestClient c = client();
        // A PADI with one tag of every row lacd does not set in a PADO itself (End-Of-List would end the tags).
        Set<TagType> ownInPado = EnumSet.of(TagType.END_OF_LIST, TagType.SERVICE_NAME, TagType.AC_NAME, TagType.AC_COOKIE,
            TagType.PPP_MAX_PAYLOAD);
        List<PppoeTag> sent = new ArrayList<>(List.of(TestClient.service("")));
        for (TagType t : TagType.values()) {
            if (!ownInPado.contains(t)) {
                sent.add(org.lacd.pppoe.wire.TagRegistryTest.sample(t));
            }
        }
        c.padi(sent.toArray(PppoeTag[]::new));
        PppoeDiscovery p = c.expectDiscovery(PppoeCode.PADO).packet();
        for (PppoeTag tag : sent.subList(1, sent.size())) {
            TagType t = tag.knownType();
            assertEquals(t.echoed() ? List.of(tag) : List.of(), p.all(t), t + (t.echoed() ? " echoed unchanged" : " not echoed"));
        }
        assertEquals(EnumSet.of(TagType.HOST_UNIQ, TagType.RELAY_SESSION_ID),
            EnumSet.copyOf(Arrays.stream(TagType.values()).filter(TagType::echoed).toList()), "RFC 2516 Appendix A");
    }

    @Test
    void chapHappyPathKeepsProxyValuesByteForByte() throws Exception {
        start(settings().build());
        TestClient c = client();
        PppoeDiscovery.Frame pads = c.discover();
        assertTrue(c.sid > 0 && c.sid < 0xffff);
        assertEquals("lacd-test", pads.packet().first(TagType.AC_NAME).orElseThrow().asUtf8());
        LcpPacket serverCr = c.expectLcp(LcpCode.CONFIGURE_REQUEST);
        List<LcpOption> opts = serverCr.options();
        assertEquals(LcpOption.mru(1492), opts.get(0));
        assertEquals(LcpOption.authChapMd5(), opts.get(1));
        assertEquals(5, opts.get(2).type());
        LcpPacket ours = c.configureRequest();
        c.sendPpp(ours);
        assertEquals(LcpCode.CONFIGURE_ACK, c.expectLcp(LcpCode.CONFIGURE_ACK).kind());
        c.sendPpp(LcpPacket.of(LcpCode.CONFIGURE_ACK, serverCr.id(), serverCr.data()));
        ChapPacket challenge = (ChapPacket) c.expectPpp();
        assertEquals(ChapPacket.CHALLENGE, challenge.code());
        assertEquals(16, challenge.value().length);
        assertEquals("lacd-test", challenge.nameString());
        byte[] resp = TestClient.chapMd5(challenge.id(), "secret", challenge.value());
        ChapPacket response = ChapPacket.response(challenge.id(), resp, "alice@isp");
        c.sendPpp(response);

        assertEquals(List.of("auth:alice@isp"), events);
        AuthExchange a = auths.get(0);
        assertEquals(AuthType.CHAP_MD5, a.type());
        assertEquals(challenge.id(), a.chapId());
        assertArrayEquals(challenge.value(), a.chapChallenge());
        assertArrayEquals(resp, a.chapResponse());
        assertArrayEquals(response.toPppFrame(), a.rawPacket());
        SubscriberSession s = authed.get(0);
        assertEquals(SessionState.AWAITING_DECISION, s.state());
        assertEquals(c.sid, s.pppoeSessionId());
        assertEquals(new MacAddress(SUB_MAC), s.mac());
        assertEquals("eth-ac", s.interfaceName());
        assertEquals(-1, s.outerVlan());
        assertArrayEquals(ours.data(), s.initialReceivedConfReq());
        assertArrayEquals(ours.data(), s.lastReceivedConfReq());
        assertArrayEquals(serverCr.data(), s.lastSentConfReq());
        assertEquals(1492, s.mru());
        assertEquals(1492, s.peerMru());
        assertNull(c.pollPppRaw(), "no CHAP Success/Failure is sent by lacd");
    }

    @Test
    void papAfterTheSubscriberNaksChap() throws Exception {
        start(settings().build());
        TestClient c = client();
        c.discover();
        LcpPacket cr1 = c.expectLcp(LcpCode.CONFIGURE_REQUEST);
        c.sendPpp(LcpPacket.configure(LcpCode.CONFIGURE_NAK, cr1.id(), List.of(LcpOption.authPap())));
        LcpPacket cr2 = c.expectLcp(LcpCode.CONFIGURE_REQUEST);
        assertNotEquals(cr1.id(), cr2.id());
        assertTrue(cr2.options().contains(LcpOption.authPap()));
        c.sendPpp(c.configureRequest());
        c.expectLcp(LcpCode.CONFIGURE_ACK);
        c.sendPpp(LcpPacket.of(LcpCode.CONFIGURE_ACK, cr2.id(), cr2.data()));
        assertNull(c.pollPppRaw(), "PAP: the authenticator waits for the peer");
        PapPacket req = PapPacket.request(9, "bob", "hunter2".getBytes());
        c.sendPpp(req);
        AuthExchange a = auths.get(0);
        assertEquals(AuthType.PAP, a.type());
        assertEquals("bob", a.username());
        assertEquals(9, a.chapId());
        assertArrayEquals("hunter2".getBytes(), a.papPassword());
        assertArrayEquals(req.toPppFrame(), a.rawPacket());
        assertArrayEquals(cr2.data(), authed.get(0).lastSentConfReq());
    }

    @Test
    void subscriberRefusingEveryAuthProtocolEndsTheSession() throws Exception {
        start(settings().build());
        TestClient c = client();
        c.discover();
        LcpPacket cr1 = c.expectLcp(LcpCode.CONFIGURE_REQUEST);
        c.sendPpp(LcpPacket.configure(LcpCode.CONFIGURE_REJECT, cr1.id(), List.of(LcpOption.authChapMd5())));
        LcpPacket tr = c.expectLcp(LcpCode.TERMINATE_REQUEST);
        c.sendPpp(LcpPacket.of(LcpCode.TERMINATE_ACK, tr.id(), new byte[0]));
        assertEquals(c.sid, c.expectDiscovery(PppoeCode.PADT).packet().sessionId());
        assertEquals(1, stats.closed(CloseReason.AUTH_PROTOCOL_REFUSED));
        assertEquals(List.of(), events, "never authenticated: the listener hears nothing");
        assertEquals(0, server.sessionCount());
    }

    @Test
    void unknownOptionsAreRejectedAndBadMruNaked() throws Exception {
        start(settings().build());
        TestClient c = client();
        c.discover();
        c.expectLcp(LcpCode.CONFIGURE_REQUEST);
        LcpOption accm = new LcpOption(2, new byte[] {0, 0, 0, 0});
        LcpOption pfc = new LcpOption(7, new byte[0]);
        c.sendPpp(LcpPacket.configure(LcpCode.CONFIGURE_REQUEST, 1, List.of(LcpOption.mru(1492), accm, pfc,
                LcpOption.magic(5))));
        LcpPacket rej = c.expectLcp(LcpCode.CONFIGURE_REJECT);
        assertEquals(1, rej.id());
        assertEquals(List.of(accm, pfc), rej.options());
        c.sendPpp(LcpPacket.configure(LcpCode.CONFIGURE_REQUEST, 2, List.of(LcpOption.mru(1500), LcpOption.magic(5))));
        LcpPacket nak = c.expectLcp(LcpCode.CONFIGURE_NAK);
        assertEquals(List.of(LcpOption.mru(1492)), nak.options());
        // without an MRU option the RFC 1661 default of 1500 applies, capped at what the session carries
        c.sendPpp(LcpPacket.configure(LcpCode.CONFIGURE_REQUEST, 3, List.of(LcpOption.magic(5))));
        c.expectLcp(LcpCode.CONFIGURE_ACK);
        assertEquals(1, server.sessions().size());
        assertEquals(1492, server.sessions().get(0).peerMru());
    }

    @Test
    void lostConfigureRequestIsRetransmittedOnTheRestartTimer() throws Exception {
        start(settings().build());
        TestClient c = client();
        AtomicInteger lcpSeen = new AtomicInteger();
        wire[0].lossFilter((f, off, len) -> (f[12] & 0xff) == 0x88 && (f[13] & 0xff) == 0x64
                && lcpSeen.getAndIncrement() == 0);
        c.discover();
        assertNull(c.pollPppRaw(), "first Configure-Request lost");
        sched.advance(Duration.ofMillis(2999));
        assertNull(c.pollPppRaw());
        sched.advance(Duration.ofMillis(1));
        LcpPacket cr = c.expectLcp(LcpCode.CONFIGURE_REQUEST);
        c.sendPpp(c.configureRequest());
        c.expectLcp(LcpCode.CONFIGURE_ACK);
        c.sendPpp(LcpPacket.of(LcpCode.CONFIGURE_ACK, cr.id(), cr.data()));
        ChapPacket ch = (ChapPacket) c.expectPpp();
        // lost CHAP response: the challenge comes again, same id and value (RFC 1994 4.1)
        sched.advance(Duration.ofSeconds(3));
        ChapPacket again = (ChapPacket) c.expectPpp();
        assertEquals(ch, again);
        c.sendPpp(ChapPacket.response(ch.id(), new byte[16], "carol"));
        assertEquals(List.of("auth:carol"), events);
        sched.advance(Duration.ofSeconds(10));
        assertNull(c.pollPppRaw(), "no more challenges once answered");
    }

    @Test
    void staleAckWithWrongIdIsIgnored() throws Exception {
        start(settings().build());
        TestClient c = client();
        c.discover();
        LcpPacket cr = c.expectLcp(LcpCode.CONFIGURE_REQUEST);
        c.sendPpp(LcpPacket.of(LcpCode.CONFIGURE_ACK, (cr.id() + 1) & 0xff, cr.data()));
        assertEquals(1, stats.drops(DropReason.PPP_IGNORED));
    }

    @Test
    void duplicatePadrGetsTheSameSession() {
        start(settings().build());
        TestClient c = client();
        c.padi(TestClient.service(""), TestClient.hostUniq("01"));
        PppoeDiscovery.Frame pado = c.expectDiscovery(PppoeCode.PADO);
        c.acMac = pado.eth().src();
        PppoeTag cookie = pado.packet().first(TagType.AC_COOKIE).orElseThrow();
        c.padr(TestClient.service(""), TestClient.hostUniq("01"), cookie);
        int sid1 = c.expectDiscovery(PppoeCode.PADS).packet().sessionId();
        c.padr(TestClient.service(""), TestClient.hostUniq("01"), cookie);
        int sid2 = c.expectDiscovery(PppoeCode.PADS).packet().sessionId();
        assertEquals(sid1, sid2);
        assertEquals(1, server.sessionCount());
        assertEquals(1, stats.opened());
    }

    @Test
    void forgedAndStaleCookiesGetNoSession() {
        start(settings().build());
        TestClient c = client();
        c.padi(TestClient.service(""));
        PppoeDiscovery.Frame pado = c.expectDiscovery(PppoeCode.PADO);
        c.acMac = pado.eth().src();
        byte[] cookie = pado.packet().first(TagType.AC_COOKIE).orElseThrow().value();
        byte[] forged = cookie.clone();
        forged[10] ^= 1;
        c.padr(TestClient.service(""), PppoeTag.of(TagType.AC_COOKIE, forged));
        c.padr(TestClient.service("")); // no cookie at all
        assertNull(c.pollDiscovery(PppoeCode.PADS));
        assertEquals(2, stats.drops(DropReason.BAD_COOKIE));
        // the cookie of another MAC does not work either
        TestClient other = client(SUB_MAC + 1, 0, -1, -1);
        other.acMac = AC_MAC;
        other.padr(TestClient.service(""), PppoeTag.of(TagType.AC_COOKIE, cookie));
        assertEquals(3, stats.drops(DropReason.BAD_COOKIE));
        // after two rotations the genuine cookie is stale
        sched.advance(Duration.ofSeconds(61));
        c.padr(TestClient.service(""), PppoeTag.of(TagType.AC_COOKIE, cookie));
        assertNull(c.pollDiscovery(PppoeCode.PADS));
        assertEquals(1, stats.drops(DropReason.STALE_COOKIE));
        assertEquals(0, server.sessionCount());
        // a made-up cookie with that same old generation number is forged, not stale (issue 14, defect 8)
        byte[] madeUp = cookie.clone();
        for (int i = 4; i < madeUp.length; i++) {
            madeUp[i] = (byte) (i * 37);
        }
        c.padr(TestClient.service(""), PppoeTag.of(TagType.AC_COOKIE, madeUp));
        assertEquals(1, stats.drops(DropReason.STALE_COOKIE));
        assertEquals(4, stats.drops(DropReason.BAD_COOKIE));
    }

    @Test
    void cookieOfThePreviousGenerationIsStillAccepted() {
        start(settings().build());
        TestClient c = client();
        c.padi(TestClient.service(""));
        PppoeDiscovery.Frame pado = c.expectDiscovery(PppoeCode.PADO);
        c.acMac = pado.eth().src();
        sched.advance(Duration.ofSeconds(31)); // one rotation
        c.padr(TestClient.service(""), pado.packet().first(TagType.AC_COOKIE).orElseThrow());
        assertNotEquals(0, c.expectDiscovery(PppoeCode.PADS).packet().sessionId());
    }

    @Test
    void sessionLimitsPerMacVlanAndInterface() {
        start(settings().maxSessionsPerMac(1).maxSessionsPerVlan(2).maxSessionsPerInterface(3)
                .padrTotal(new PppoeSettings.Rate(1000, 1000)).build());
        TestClient a = client(SUB_MAC, EtherType.VLAN_8021Q, 10, -1);
        a.discover();
        // same MAC again: PADO is withheld, a PADR gets PADS with AC-System-Error and SESSION_ID 0
        a.padi(TestClient.service(""));
        assertNull(a.pollDiscovery(PppoeCode.PADO));
        assertEquals(1, stats.drops(DropReason.LIMIT_PER_MAC));
        TestClient b = client(SUB_MAC + 1, EtherType.VLAN_8021Q, 10, -1);
        b.discover();
        TestClient c = client(SUB_MAC + 2, EtherType.VLAN_8021Q, 10, -1);
        c.padi(TestClient.service(""));
        assertNull(c.pollDiscovery(PppoeCode.PADO));
        assertEquals(1, stats.drops(DropReason.LIMIT_PER_VLAN));
        TestClient d = client(SUB_MAC + 3, EtherType.VLAN_8021Q, 11, -1);
        d.discover();
        TestClient e = client(SUB_MAC + 4, 0, -1, -1);
        e.padi(TestClient.service(""));
        assertNull(e.pollDiscovery(PppoeCode.PADO));
        assertEquals(1, stats.drops(DropReason.LIMIT_PER_INTERFACE));
        assertEquals(3, server.sessionCount());
        // a session going away frees its place
        d.padt();
        assertEquals(2, server.sessionCount());
        e.discover();
        assertEquals(3, server.sessionCount());
    }

    /**
     * Issue 20, second round: a client that gave its session in setup up and dialled again (same line, same Host-Uniq,
     * a new cookie) was refused (limit_per_interface, limit_per_mac) by its own abandoned session until lacd's timeout
     * ran out (decision: 60 s). Its new PADR now supersedes that session: PADT for the old id, one session, one setup in flight.
     */
    @Test
    void aClientsNewDiscoveryReplacesItsOwnSetupAtTheInterfaceLimit() throws Exception {
        newDiscoveryReplacesOwnSetup(settings().maxSessionsPerInterface(1));
    }

    @Test
    void aClientsNewDiscoveryReplacesItsOwnSetupAtTheMacLimit() throws Exception {
        newDiscoveryReplacesOwnSetup(settings().maxSessionsPerMac(1));
    }

    void newDiscoveryReplacesOwnSetup(PppoeSettings.Builder cfg) throws Exception {
        start(cfg.cookieRotation(Duration.ofSeconds(10)).build());
        TestClient c = chapUpToDecision(); // in setup: RADIUS and the L2TP call are slow in a storm
        int first = c.sid;
        assertEquals(1, server.setupsInFlight());
        // the client gives up and starts over with a new discovery (a new cookie: within one cookie generation the
        // same PADR is a retransmission and gets the same PADS, RFC 2516 5.4)
        sched.advance(Duration.ofSeconds(11));
        c.discover(); // PADO and PADS again, not a refusal
        assertNotEquals(first, c.sid);
        PppoeDiscovery.Frame padt = c.expectDiscovery(PppoeCode.PADT);
        assertEquals(first, padt.packet().sessionId(), "PADT for the session given up");
        assertEquals(1, server.sessionCount());
        assertEquals(1, server.setupsInFlight());
        assertEquals(1, stats.closed(CloseReason.SUPERSEDED));
        for (DropReason r : List.of(DropReason.LIMIT_PER_INTERFACE, DropReason.LIMIT_PER_MAC)) {
            assertEquals(0, stats.drops(r), r.toString());
        }
        assertTrue(events.contains("closed:SUPERSEDED"), "the layer above abandons the old setup: " + events);
        assertEquals(org.lacd.pppoe.SessionState.CLOSED, authed.get(0).state());
        // the new session goes on; only its id is in the table
        c.openLcp();
        assertEquals(1, server.sessions().size());
        assertEquals(c.sid, server.sessions().get(0).pppoeSessionId());
    }

    /**
     * Only a session in setup of the same client is replaced: a forwarding one stays (the LNS's keepalive decides
     * whether it is dead), and so does the setup of another client on the same MAC (another Host-Uniq) or behind a
     * relay with another Relay-Session-Id; the limits refuse those as before.
     */
    @Test
    void forwardingSessionsAndOtherClientsOnTheMacAreNotReplaced() throws Exception {
        start(settings().maxSessionsPerMac(1).build());
        TestClient c = chapUpToDecision();
        authed.get(0).startForwarding((b, o, l) -> { });
        sched.runPending();
        assertEquals(0, server.setupsInFlight());
        c.padi(TestClient.service(""), TestClient.hostUniq("c0ffee"));
        assertNull(c.pollDiscovery(PppoeCode.PADO));
        assertEquals(1, stats.drops(DropReason.LIMIT_PER_MAC));
        assertEquals(org.lacd.pppoe.SessionState.FORWARDING, authed.get(0).state());

        server.stop(Duration.ofSeconds(1));
        start(settings().maxSessionsPerMac(1).build());
        TestClient d = client();
        d.discover(); // Host-Uniq c0ffee, in setup
        d.padi(TestClient.service(""), TestClient.hostUniq("0badcafe"));
        assertNull(d.pollDiscovery(PppoeCode.PADO), "another client on the MAC");
        PppoeTag relay = PppoeTag.of(TagType.RELAY_SESSION_ID, new byte[] {9, 9});
        d.padi(TestClient.service(""), TestClient.hostUniq("c0ffee"), relay);
        assertNull(d.pollDiscovery(PppoeCode.PADO), "a client behind a relay");
        assertEquals(3, stats.drops(DropReason.LIMIT_PER_MAC));
        assertEquals(0, stats.closed(CloseReason.SUPERSEDED));
        assertEquals(1, server.setupsInFlight());
    }

    /**
     * Issue 20, second round: the storm overshot setups-in-flight (3,600 counted against a limit of 2,000) because a
     * PADO reserved nothing: every PADI that arrived before the first PADRs got one. An open offer now counts until its
     * PADR opens the session, or for one to two seconds.
     */
    @Test
    void openOffersCountAgainstSetupsInFlight() throws Exception {
        start(settings().maxSetupsInFlight(2).build());
        TestClient a = client(SUB_MAC, 0, -1, -1);
        TestClient b = client(SUB_MAC + 1, 0, -1, -1);
        TestClient c = client(SUB_MAC + 2, 0, -1, -1);
        a.padi(TestClient.service(""));
        b.padi(TestClient.service(""));
        c.padi(TestClient.service(""));
        PppoeDiscovery.Frame padoA = a.expectDiscovery(PppoeCode.PADO);
        b.expectDiscovery(PppoeCode.PADO);
        assertNull(c.pollDiscovery(PppoeCode.PADO), "two offers open: the third PADI waits");
        assertEquals(1, stats.drops(DropReason.SETUP_PACING));
        assertEquals(2, server.openOffers());
        // a takes its offer up: one session in setup, one offer open, still two places used
        a.acMac = AC_MAC;
        a.padr(TestClient.service(""), padoA.packet().first(TagType.AC_COOKIE).orElseThrow());
        a.expectDiscovery(PppoeCode.PADS);
        assertEquals(1, server.setupsInFlight());
        assertEquals(1, server.openOffers());
        c.padi(TestClient.service(""));
        assertNull(c.pollDiscovery(PppoeCode.PADO));
        // b never sends its PADR: its offer lapses after one to two seconds, and c gets a PADO
        sched.advance(Duration.ofMillis(2100));
        assertEquals(0, server.openOffers());
        c.padi(TestClient.service(""));
        c.expectDiscovery(PppoeCode.PADO);
        assertEquals(1, server.openOffers());
    }

    @Test
    void padrOverTheLimitGetsPadsWithError() {
        start(settings().maxSessionsPerMac(1).build());
        TestClient c = client();
        c.padi(TestClient.service(""), TestClient.hostUniq("01"));
        PppoeTag cookie1 = c.expectDiscovery(PppoeCode.PADO).packet().first(TagType.AC_COOKIE).orElseThrow();
        c.padi(TestClient.service(""), TestClient.hostUniq("02"));
        PppoeTag cookie2 = c.expectDiscovery(PppoeCode.PADO).packet().first(TagType.AC_COOKIE).orElseThrow();
        c.acMac = AC_MAC;
        c.padr(TestClient.service(""), TestClient.hostUniq("01"), cookie1);
        assertNotEquals(0, c.expectDiscovery(PppoeCode.PADS).packet().sessionId());
        c.padr(TestClient.service(""), TestClient.hostUniq("02"), cookie2);
        PppoeDiscovery pads = c.expectDiscovery(PppoeCode.PADS).packet();
        assertEquals(0, pads.sessionId());
        assertEquals("session limit reached", pads.first(TagType.AC_SYSTEM_ERROR).orElseThrow().asUtf8());
        assertEquals("02", Hex.of(pads.first(TagType.HOST_UNIQ).orElseThrow().value()));
        assertEquals(1, stats.drops(DropReason.LIMIT_PER_MAC));
        assertEquals(1, server.sessionCount());
    }

    @Test
    void padiRateLimitPerMacAndOverall() {
        start(settings().padiPerMac(new PppoeSettings.Rate(1, 3)).padiTotal(new PppoeSettings.Rate(0.001, 5)).build());
        TestClient c = client();
        for (int i = 0; i < 5; i++) {
            c.padi(TestClient.service(""));
        }
        int pados = 0;
        while (c.pollDiscovery(PppoeCode.PADO) != null) {
            pados++;
        }
        assertEquals(3, pados);
        assertEquals(2, stats.drops(DropReason.RATE_LIMITED));
        sched.advance(Duration.ofSeconds(1));
        c.padi(TestClient.service(""));
        assertTrue(c.pollDiscovery(PppoeCode.PADO) != null, "one token back after a second");
        // overall bucket: 5 burst, 3 + 1 used
        client(SUB_MAC + 1, 0, -1, -1).padi(TestClient.service(""));
        TestClient x = client(SUB_MAC + 2, 0, -1, -1);
        x.padi(TestClient.service(""));
        assertEquals(3, stats.drops(DropReason.RATE_LIMITED));
    }

    @Test
    void unknownServiceSilentOrServiceNameError() {
        start(settings().build());
        TestClient c = client();
        c.padi(TestClient.service("video"));
        assertNull(c.pollDiscovery(PppoeCode.PADO));
        assertEquals(1, stats.drops(DropReason.UNKNOWN_SERVICE));
        c.padi(TestClient.service("internet"));
        assertEquals("internet", c.expectDiscovery(PppoeCode.PADO).packet().first(TagType.SERVICE_NAME)
                .orElseThrow().asUtf8());
    }

    @Test
    void unknownServiceWithServiceNameErrorPolicy() {
        start(settings().unknownService(PppoeSettings.UnknownServicePolicy.SERVICE_NAME_ERROR).build());
        TestClient c = client();
        c.padi(TestClient.service("video"));
        PppoeDiscovery pado = c.expectDiscovery(PppoeCode.PADO).packet();
        assertTrue(pado.first(TagType.SERVICE_NAME_ERROR).isPresent());
        assertFalse(pado.first(TagType.AC_COOKIE).isPresent());
        c.padi(TestClient.service(""));
        PppoeTag cookie = c.expectDiscovery(PppoeCode.PADO).packet().first(TagType.AC_COOKIE).orElseThrow();
        c.acMac = AC_MAC;
        c.padr(TestClient.service("video"), cookie);
        PppoeDiscovery pads = c.expectDiscovery(PppoeCode.PADS).packet();
        assertEquals(0, pads.sessionId());
        assertTrue(pads.first(TagType.SERVICE_NAME_ERROR).isPresent());
        assertEquals(0, server.sessionCount());
    }

    @Test
    void pppMaxPayloadIsGrantedUpToTheMaximumAndBecomesTheMru() throws Exception {
        start(settings().maxPayload(1500).build());
        TestClient c = client();
        c.padi(TestClient.service(""), PppoeTag.u16(TagType.PPP_MAX_PAYLOAD, 1508));
        PppoeDiscovery.Frame pado = c.expectDiscovery(PppoeCode.PADO);
        assertEquals(1500, pado.packet().first(TagType.PPP_MAX_PAYLOAD).orElseThrow().asU16());
        c.acMac = AC_MAC;
        c.padr(TestClient.service(""), PppoeTag.u16(TagType.PPP_MAX_PAYLOAD, 1508),
                pado.packet().first(TagType.AC_COOKIE).orElseThrow());
        PppoeDiscovery.Frame pads = c.expectDiscovery(PppoeCode.PADS);
        c.sid = pads.packet().sessionId();
        assertEquals(1500, pads.packet().first(TagType.PPP_MAX_PAYLOAD).orElseThrow().asU16());
        LcpPacket cr = c.expectLcp(LcpCode.CONFIGURE_REQUEST);
        assertEquals(LcpOption.mru(1500), cr.options().get(0));
    }

    @Test
    void qinqSessionWithLineInfo() throws Exception {
        start(settings().build());
        TestClient c = client(SUB_MAC, EtherType.VLAN_8021AD, 100, 200);
        LineInfo li = new LineInfo(List.of(new LineInfo.SubOption(1, "olt1 eth 1/1/1:100".getBytes()),
                new LineInfo.SubOption(2, "cpe-42".getBytes()),
                new LineInfo.SubOption(0x81, new byte[] {0, 0, 0x27, 0x10}),
                new LineInfo.SubOption(0x82, new byte[] {0, 1, (byte) 0x86, (byte) 0xa0})));
        PppoeDiscovery.Frame pads = c.discover(PppoeTag.of(TagType.VENDOR_SPECIFIC, li.toVendorTagValue()));
        assertEquals(100, pads.eth().outerVlan());
        assertEquals(200, pads.eth().innerVlan());
        assertEquals(EtherType.VLAN_8021AD, pads.eth().outerTpid());
        c.openLcp();
        ChapPacket ch = (ChapPacket) c.expectPpp();
        c.sendPpp(ChapPacket.response(ch.id(), new byte[16], "q@isp"));
        SubscriberSession s = authed.get(0);
        assertEquals(100, s.outerVlan());
        assertEquals(200, s.innerVlan());
        assertEquals("olt1 eth 1/1/1:100", s.lineInfo().circuitId().orElseThrow());
        assertEquals("cpe-42", s.lineInfo().remoteId().orElseThrow());
        assertEquals(10000, s.lineInfo().actualRateUp());
        assertEquals(100000, s.lineInfo().actualRateDown());
        // a session frame with the right session id but the wrong VLAN does not reach it
        TestClient wrongVlan = client(SUB_MAC, EtherType.VLAN_8021AD, 100, 201);
        wrongVlan.acMac = AC_MAC;
        wrongVlan.sid = c.sid;
        wrongVlan.sendPpp(LcpPacket.of(LcpCode.TERMINATE_REQUEST, 1, new byte[0]));
        assertEquals(1, stats.drops(DropReason.NO_SESSION));
        assertEquals(SessionState.AWAITING_DECISION, s.state());
    }

    @Test
    void forwardingBothWaysStraightFromTheReceiveThread() throws Exception {
        start(settings().build());
        TestClient c = chapUpToDecision();
        SubscriberSession s = authed.get(0);
        List<String> up = new ArrayList<>();
        List<String> upThreads = new ArrayList<>();
        s.startForwarding((buf, off, len) -> {
            up.add(HexFormat.of().formatHex(buf, off, off + len));
            upThreads.add(Thread.currentThread().getName());
        });
        sched.runPending();
        assertEquals(SessionState.FORWARDING, s.state());
        byte[] ipcp = Hex.parse("8021 01 01 000a 03 06 00000000");
        c.sendPppRaw(ipcp);
        byte[] lcpEcho = Hex.parse("c021 09 01 0008 0badcafe");
        c.sendPppRaw(lcpEcho);
        assertEquals(List.of(Hex.of(ipcp), Hex.of(lcpEcho)), up, "untouched, in order, LCP included");
        assertEquals(Thread.currentThread().getName(), upThreads.get(0));
        assertEquals(0, sched.runPending(), "nothing went through the server thread");
        byte[] chapSuccess = Hex.parse("c223 03 07 0006 6f6b");
        s.sendPpp(chapSuccess, 0, chapSuccess.length);
        assertArrayEquals(chapSuccess, c.pollPppRaw());
        byte[] big = new byte[1495];
        big[0] = 0x00;
        big[1] = 0x21;
        s.sendPpp(big, 0, big.length);
        assertNull(c.pollPppRaw());
        assertEquals(1, stats.drops(DropReason.OVERSIZE));
        assertEquals(2, stats.packetsIn("eth-ac"));
        assertEquals(ipcp.length + lcpEcho.length, stats.bytesIn("eth-ac"));
        assertEquals(1, stats.packetsOut("eth-ac"));
        sched.advance(Duration.ofMinutes(5));
        assertEquals(SessionState.FORWARDING, s.state(), "no decision/auth timer left running");
    }

    @Test
    void rejectSendsChapFailureThenTerminateThenPadt() throws Exception {
        start(settings().build());
        TestClient c = chapUpToDecision();
        authed.get(0).reject("unknown realm");
        sched.runPending();
        ChapPacket fail = (ChapPacket) c.expectPpp();
        assertEquals(ChapPacket.FAILURE, fail.code());
        assertEquals(auths.get(0).chapId(), fail.id());
        assertEquals("unknown realm", new String(fail.message()));
        LcpPacket tr = c.expectLcp(LcpCode.TERMINATE_REQUEST);
        assertNull(c.pollDiscovery(PppoeCode.PADT), "PADT only after the Terminate-Ack (or the bound)");
        c.sendPpp(LcpPacket.of(LcpCode.TERMINATE_ACK, tr.id(), new byte[0]));
        assertEquals(c.sid, c.expectDiscovery(PppoeCode.PADT).packet().sessionId());
        assertEquals(List.of("auth:alice@isp", "closed:REJECTED"), events);
        assertEquals(SessionState.CLOSED, authed.get(0).state());
    }

    @Test
    void papRejectIsAnAuthenticateNakAndTerminateIsBounded() throws Exception {
        start(settings().authPreference(List.of(AuthType.PAP)).build());
        TestClient c = client();
        c.discover();
        c.openLcp();
        c.sendPpp(PapPacket.request(4, "dave", "x".getBytes()));
        authed.get(0).reject("no LNS");
        sched.runPending();
        PapPacket nak = (PapPacket) c.expectPpp();
        assertEquals(PapPacket.AUTH_NAK, nak.code());
        assertEquals(4, nak.id());
        assertEquals("no LNS", new String(nak.message()));
        c.expectLcp(LcpCode.TERMINATE_REQUEST);
        sched.advance(Duration.ofSeconds(3));
        c.expectLcp(LcpCode.TERMINATE_REQUEST); // Max-Terminate 2
        sched.advance(Duration.ofSeconds(3));
        c.expectDiscovery(PppoeCode.PADT);
        assertEquals(1, stats.timeouts(TimeoutKind.TERMINATE));
        assertEquals(List.of("auth:dave", "closed:REJECTED"), events);
    }

    @Test
    void padtFromSubscriberEndsTheSessionAndTellsTheLayerAbove() throws Exception {
        start(settings().build());
        TestClient c = chapUpToDecision();
        c.padt();
        assertEquals(List.of("auth:alice@isp", "closed:PADT_FROM_SUBSCRIBER"), events);
        assertEquals(0, server.sessionCount());
        assertNull(c.pollDiscovery(PppoeCode.PADT), "no PADT back for a PADT");
        c.sendPppRaw(Hex.parse("0021 4500"));
        assertEquals(1, stats.drops(DropReason.NO_SESSION));
    }

    @Test
    void framesForwardedBeforeAPadtAreSentBeforeTheServerThreadHearsOfIt() throws Exception {
        start(settings().build());
        server.onReceiveBatchEnd(() -> events.add("send queued"));
        TestClient c = chapUpToDecision();
        SubscriberSession s = authed.get(0);
        s.startForwarding((buf, off, len) -> events.add("forwarded " + HexFormat.of().formatHex(buf, off, off + len)));
        sched.runPending();
        events.clear();
        // a port that has never reported a batch end (pcap4j's loop(), the in-memory port) queues nothing: no task
        c.sendPppRaw(Hex.parse("0021 4500"));
        client(SUB_MAC + 1, 0, -1, -1).padi(TestClient.service(""));
        assertEquals(List.of("forwarded 00214500"), events);
        wire[1].sendBatchEnd();
        assertEquals(List.of("forwarded 00214500", "send queued"), events);
        events.clear();
        // the subscriber's LCP Terminate-Request, forwarded from the receive thread, then its PADT for the server thread
        c.sendPppRaw(Hex.parse("c021 05 07 0004"));
        assertEquals(List.of("forwarded c02105070004"), events, "forwarding itself sends nothing: that waits for the batch end");
        c.padt();
        assertEquals(List.of("forwarded c02105070004"), events, "the PADT waits for the end of the run of frames");
        wire[1].sendBatchEnd();
        sched.runPending();
        assertEquals(List.of("forwarded c02105070004", "send queued", "closed:PADT_FROM_SUBSCRIBER"), events,
                "what was forwarded is sent before the PADT is handed over, so the CDN cannot overtake it");
    }

    /** {@code n} subscribers with CHAP done, each session forwarding into a sink that records "forwarded <i>". */
    private List<TestClient> forwardingSessions(int n) throws Exception {
        List<TestClient> cs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TestClient c = client(SUB_MAC + 1 + i, 0, -1, -1);
            c.discover();
            c.openLcp();
            ChapPacket ch = (ChapPacket) c.expectPpp();
            c.sendPpp(ChapPacket.response(ch.id(), TestClient.chapMd5(ch.id(), "pw", ch.value()), "user" + i));
            cs.add(c);
        }
        assertEquals(n, authed.size());
        for (int i = 0; i < n; i++) {
            int k = i;
            authed.get(i).startForwarding((buf, off, len) -> events.add("forwarded " + k));
        }
        sched.runPending();
        return cs;
    }

    private static int count(List<String> events, String prefix) {
        return (int) events.stream().filter(e -> e.startsWith(prefix)).count();
    }

    @Test
    void aMassHangUpIsHandedOverInBatchesEachSentAfterTheFramesForwardedBeforeIt() throws Exception {
        start(settings().build());
        server.onReceiveBatchEnd(() -> events.add("send queued"));
        List<TestClient> cs = forwardingSessions(100);
        wire[1].sendBatchEnd(); // the port reports the ends of its runs of frames from now on
        sched.runPending();
        events.clear();
        // every subscriber hangs up in one run of frames: its LCP Terminate-Request (forwarded), then its PADT
        for (TestClient c : cs) {
            c.sendPppRaw(Hex.parse("c021 05 07 0004"));
            c.padt();
        }
        sched.runPending();
        assertEquals(100, count(events, "forwarded"));
        assertEquals(1, count(events, "send queued"), "one send for the first 64 PADTs, not one each: " + events);
        assertEquals(64, count(events, "closed:PADT_FROM_SUBSCRIBER"), "the first 64 handed over in one task");
        assertTrue(events.indexOf("send queued") > events.indexOf("forwarded 63")
                && events.indexOf("send queued") < events.indexOf("closed:PADT_FROM_SUBSCRIBER"),
                "sent what was forwarded before those PADTs, then handed them over: " + events);
        wire[1].sendBatchEnd();
        sched.runPending();
        assertEquals(2, count(events, "send queued"), events.toString());
        assertEquals(100, count(events, "closed:PADT_FROM_SUBSCRIBER"), "the rest at the end of the run");
        assertTrue(events.lastIndexOf("send queued") > events.indexOf("forwarded 99")
                && events.lastIndexOf("send queued") < events.lastIndexOf("closed:PADT_FROM_SUBSCRIBER"), events.toString());
        assertEquals(0, server.sessionCount());
    }

    @Test
    void frameWorkWaitsAtMostAFixedNumberOfFramesWhenTheRunDoesNotEnd() throws Exception {
        start(settings().build());
        TestClient busy = forwardingSessions(1).get(0);
        wire[1].sendBatchEnd();
        sched.runPending();
        TestClient late = client(SUB_MAC + 1000, 0, -1, -1);
        late.padi(TestClient.service(""));
        // the PADI is the first of the HANDOFF_FRAMES frames its work waits for at most
        for (int i = 2; i < PppoeServer.HANDOFF_FRAMES; i++) {
            busy.sendPppRaw(Hex.parse("0021 4500"));
        }
        assertNull(late.pollDiscovery(PppoeCode.PADO), "collected while the run of frames goes on");
        busy.sendPppRaw(Hex.parse("0021 4500"));
        late.expectDiscovery(PppoeCode.PADO); // handed over after HANDOFF_FRAMES frames, though the run did not end
    }

    @Test
    void terminateFromAboveSendsTerminateRequestThenPadt() throws Exception {
        start(settings().build());
        TestClient c = chapUpToDecision();
        authed.get(0).startForwarding((b, o, l) -> { });
        sched.runPending();
        authed.get(0).terminate(CloseReason.UPSTREAM_DOWN);
        sched.runPending();
        LcpPacket tr = c.expectLcp(LcpCode.TERMINATE_REQUEST);
        c.sendPpp(LcpPacket.of(LcpCode.TERMINATE_ACK, tr.id(), new byte[0]));
        c.expectDiscovery(PppoeCode.PADT);
        assertEquals(List.of("auth:alice@isp", "closed:UPSTREAM_DOWN"), events);
    }

    @Test
    void echoAnsweredAndSubscriberTerminateHandled() throws Exception {
        start(settings().build());
        TestClient c = client();
        c.discover();
        LcpPacket serverCr = c.openLcp();
        byte[] ourMagic = java.util.Arrays.copyOfRange(serverCr.options().get(2).data(), 0, 4);
        c.expectPpp(); // challenge
        c.sendPpp(LcpPacket.of(LcpCode.ECHO_REQUEST, 42, Hex.parse("0badcafe 01020304")));
        LcpPacket reply = c.expectLcp(LcpCode.ECHO_REPLY);
        assertEquals(42, reply.id());
        assertArrayEquals(ourMagic, java.util.Arrays.copyOfRange(reply.data(), 0, 4));
        assertEquals("01020304", Hex.of(java.util.Arrays.copyOfRange(reply.data(), 4, 8)));
        c.sendPpp(LcpPacket.of(LcpCode.TERMINATE_REQUEST, 43, new byte[0]));
        assertEquals(43, c.expectLcp(LcpCode.TERMINATE_ACK).id());
        sched.advance(Duration.ofSeconds(3));
        c.expectDiscovery(PppoeCode.PADT);
        assertEquals(1, stats.closed(CloseReason.LCP_TERMINATE_FROM_SUBSCRIBER));
    }

    @Test
    void unknownLcpCodeGetsCodeReject() throws Exception {
        start(settings().build());
        TestClient c = client();
        c.discover();
        c.expectLcp(LcpCode.CONFIGURE_REQUEST);
        byte[] weird = Hex.parse("c021 20 05 0006 abcd");
        c.sendPppRaw(weird);
        LcpPacket cj = c.expectLcp(LcpCode.CODE_REJECT);
        assertEquals(Hex.of(java.util.Arrays.copyOfRange(weird, 2, weird.length)), Hex.of(cj.data()));
    }

    @Test
    void loopbackIsDetectedFromOurOwnMagic() throws Exception {
        start(settings().lcpMaxFailure(2).build());
        TestClient c = client();
        c.discover();
        // the peer keeps offering the magic number we sent: a looped-back line (RFC 1661 6.4)
        for (int i = 0; i < 3; i++) {
            LcpPacket cr = c.expectLcp(LcpCode.CONFIGURE_REQUEST);
            LcpOption magic = cr.options().get(2);
            c.sendPpp(LcpPacket.configure(LcpCode.CONFIGURE_REQUEST, 50 + i, List.of(LcpOption.mru(1492), magic)));
            if (i < 2) {
                LcpPacket nak = c.expectLcp(LcpCode.CONFIGURE_NAK);
                assertEquals(5, nak.options().get(0).type());
                assertNotEquals(magic, nak.options().get(0));
                sched.advance(Duration.ofSeconds(3));
            }
        }
        c.expectLcp(LcpCode.TERMINATE_REQUEST);
        sched.advance(Duration.ofSeconds(10));
        c.expectDiscovery(PppoeCode.PADT);
        assertEquals(1, stats.closed(CloseReason.LOOPBACK));
    }

    @Test
    void lcpTimeoutWhenTheSubscriberNeverAnswers() {
        // discovery and auth timeouts above Max-Configure x restart (30 s): this test is about the LCP bound alone
        start(settings().discoveryTimeout(Duration.ofSeconds(60)).authTimeout(Duration.ofSeconds(60)).build());
        TestClient c = client();
        c.discover();
        for (int i = 0; i < 10; i++) {
            c.expectLcp(LcpCode.CONFIGURE_REQUEST);
            sched.advance(Duration.ofSeconds(3));
        }
        assertNull(c.pollPppRaw(), "Max-Configure 10");
        c.expectDiscovery(PppoeCode.PADT);
        assertEquals(1, stats.timeouts(TimeoutKind.LCP_NEGOTIATION));
        assertEquals(1, stats.closed(CloseReason.LCP_TIMEOUT));
        assertEquals(0, server.sessionCount());
        assertEquals(0, sched.liveTimers() - 3, "only the cookie rotation, sweep and offer expiry timers remain");
    }

    @Test
    void authTimeoutAndDecisionTimeout() throws Exception {
        start(settings().authPreference(List.of(AuthType.PAP)).authTimeout(Duration.ofSeconds(20))
                .decisionTimeout(Duration.ofSeconds(40)).build());
        TestClient c = client();
        c.discover();
        c.openLcp();
        sched.advance(Duration.ofSeconds(19));
        assertEquals(1, server.sessionCount());
        sched.advance(Duration.ofSeconds(1));
        c.expectLcp(LcpCode.TERMINATE_REQUEST);
        sched.advance(Duration.ofSeconds(6));
        c.expectDiscovery(PppoeCode.PADT);
        assertEquals(1, stats.timeouts(TimeoutKind.AUTHENTICATION));
        assertEquals(1, stats.closed(CloseReason.AUTH_TIMEOUT));

        TestClient d = client(SUB_MAC + 1, 0, -1, -1);
        d.discover();
        d.openLcp();
        d.sendPpp(PapPacket.request(1, "eve", new byte[0]));
        sched.advance(Duration.ofSeconds(40));
        d.expectLcp(LcpCode.TERMINATE_REQUEST);
        sched.advance(Duration.ofSeconds(6));
        assertEquals(List.of("auth:eve", "closed:DECISION_TIMEOUT"), events);
    }

    @Test
    void stopTerminatesEverySession() throws Exception {
        start(settings().build());
        TestClient c = chapUpToDecision();
        TestClient d = client(SUB_MAC + 1, 0, -1, -1);
        d.discover();
        server.stop(Duration.ofSeconds(1));
        c.expectLcp(LcpCode.TERMINATE_REQUEST);
        c.expectDiscovery(PppoeCode.PADT);
        d.expectDiscovery(PppoeCode.PADT);
        assertEquals(List.of("auth:alice@isp", "closed:SHUTDOWN"), events);
        assertEquals(2, stats.closed(CloseReason.SHUTDOWN));
    }

    @Test
    void malformedFramesAreCountedAndDropped() {
        start(settings().build());
        TestClient c = client();
        byte[] shortFrame = Hex.parse("ffffffffffff 020000000007 8863 11 09");
        wire[1].send(shortFrame, 0, shortFrame.length);
        byte[] badTag = Hex.parse("ffffffffffff 020000000007 8863 11 09 0000 0008 0101 00ff 0103 0000");
        wire[1].send(badTag, 0, badTag.length);
        byte[] noService = Hex.parse("ffffffffffff 020000000007 8863 11 09 0000 0004 0103 0000");
        wire[1].send(noService, 0, noService.length);
        sched.runPending();
        assertEquals(3, stats.drops(DropReason.MALFORMED));
        assertNull(c.pollDiscovery(PppoeCode.PADO));
        // malformed LCP inside a session
        c.discover();
        c.sendPppRaw(Hex.parse("c021 01 01 0006 0101"));
        assertEquals(4, stats.drops(DropReason.MALFORMED));
    }

    @Test
    void padrRateLimitPerMac() {
        start(settings().padrPerMac(new PppoeSettings.Rate(1, 1)).build());
        TestClient c = client();
        c.padi(TestClient.service(""));
        PppoeTag cookie = c.expectDiscovery(PppoeCode.PADO).packet().first(TagType.AC_COOKIE).orElseThrow();
        c.acMac = AC_MAC;
        c.padr(TestClient.service(""), cookie);
        c.expectDiscovery(PppoeCode.PADS);
        c.padr(TestClient.service(""), cookie);
        assertNull(c.pollDiscovery(PppoeCode.PADS), "second PADR within the second is refused");
        assertEquals(1, stats.drops(DropReason.RATE_LIMITED));
        sched.advance(Duration.ofSeconds(1));
        c.padr(TestClient.service(""), cookie);
        c.expectDiscovery(PppoeCode.PADS);
    }

    @Test
    void severalInterfacesKeepTheirSessionsApart() throws Exception {
        InMemoryPort[] a = InMemoryPort.pair("ac-a", new MacAddress(AC_MAC), "sub-a", new MacAddress(SUB_MAC));
        InMemoryPort[] b = InMemoryPort.pair("ac-b", new MacAddress(AC_MAC + 1), "sub-b", new MacAddress(SUB_MAC));
        server = new PppoeServer(settings().build(), List.of(a[0], b[0]), listener, stats, sched);
        server.start();
        sched.runPending();
        TestClient ca = new TestClient(a[1], SUB_MAC, 0, -1, -1);
        ca.pump = sched::runPending;
        TestClient cb = new TestClient(b[1], SUB_MAC, 0, -1, -1);
        cb.pump = sched::runPending;
        ca.discover();
        cb.discover();
        assertEquals(AC_MAC, ca.acMac);
        assertEquals(AC_MAC + 1, cb.acMac);
        assertEquals(2, server.sessionCount());
        List<String> names = server.sessions().stream().map(SubscriberSession::interfaceName).sorted().toList();
        assertEquals(List.of("ac-a", "ac-b"), names);
        // a PADT for a's session id arriving on b matches nothing there (unless the ids collide, then b's own)
        cb.padt();
        assertEquals(1, server.sessionCount());
        assertEquals("ac-a", server.sessions().get(0).interfaceName());
    }

    /** Issue 14, defect 8: an answer that cannot fit the MTU is refused as oversize, not counted as a NIC fault. */
    @Test
    void discoveryWhoseAnswerWouldExceedTheMtuIsRefusedAsOversize() {
        start(settings().build());
        TestClient c = client();
        // a 1,468-byte PADI (RFC 2516 5.1 allows 1,484); its PADO would be 6 + AC-Name + Service-Name + cookie +
        // Host-Uniq = 1,511 bytes, more than the 1,500 of an Ethernet payload
        PppoeTag bigUniq = PppoeTag.of(TagType.HOST_UNIQ, new byte[1460]);
        c.padi(TestClient.service(""), bigUniq);
        assertNull(c.pollDiscovery(PppoeCode.PADO));
        assertEquals(1, stats.drops(DropReason.DISCOVERY_OVERSIZE));
        assertEquals(0, stats.drops(DropReason.SEND_FAILED));

        // a PADR (on a jumbo-frame line) with the same Host-Uniq and a Relay-Session-Id: its PADS would be 1,531
        // bytes; no PADS, no session id taken
        c.padi(TestClient.service(""));
        PppoeDiscovery.Frame pado = c.expectDiscovery(PppoeCode.PADO);
        c.acMac = pado.eth().src();
        c.padr(TestClient.service(""), pado.packet().first(TagType.AC_COOKIE).orElseThrow(), bigUniq,
                PppoeTag.of(TagType.RELAY_SESSION_ID, new byte[40]));
        assertNull(c.pollDiscovery(PppoeCode.PADS));
        assertEquals(2, stats.drops(DropReason.DISCOVERY_OVERSIZE));
        assertEquals(0, server.sessionCount());
        assertEquals(0, stats.drops(DropReason.SEND_FAILED));
    }

    /** Issue 14, defect 8: RFC 2516 5.1 and 5.3, the SESSION_ID of a PADI or PADR must be zero. */
    @Test
    void padiAndPadrWithASessionIdAreMalformed() {
        start(settings().build());
        TestClient c = client();
        c.send(new PppoeDiscovery(PppoeCode.PADI, 0x1234, List.of(TestClient.service(""))), MacAddress.BROADCAST.value());
        assertNull(c.pollDiscovery(PppoeCode.PADO));
        assertEquals(1, stats.drops(DropReason.MALFORMED));

        c.padi(TestClient.service(""));
        PppoeDiscovery.Frame pado = c.expectDiscovery(PppoeCode.PADO);
        c.acMac = pado.eth().src();
        c.send(new PppoeDiscovery(PppoeCode.PADR, 0x1234, List.of(TestClient.service(""),
                pado.packet().first(TagType.AC_COOKIE).orElseThrow())), c.acMac);
        assertNull(c.pollDiscovery(PppoeCode.PADS));
        assertEquals(2, stats.drops(DropReason.MALFORMED));
        assertEquals(0, server.sessionCount());
    }
}
