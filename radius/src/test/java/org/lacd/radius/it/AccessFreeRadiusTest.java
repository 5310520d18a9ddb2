package org.lacd.radius.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.testsupport.RealPeer;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lacd.radius.AaaService;
import org.lacd.radius.AccessDecision;
import org.lacd.radius.AccessDecision.Accept;
import org.lacd.radius.AccessDecision.Reject;
import org.lacd.radius.AccessDecision.RejectReason;
import org.lacd.radius.AccessQuery;
import org.lacd.radius.CountingRadiusStats;
import org.lacd.radius.RadiusSettings;
import org.lacd.radius.RadiusSettings.MessageAuthenticatorMode;
import org.lacd.radius.RadiusSettings.Server;
import org.lacd.radius.RadiusStats;
import org.lacd.radius.TunnelCandidate;
import org.lacd.radius.wire.RadiusCrypto;

/** Access-Request and tunnel steering decisions against a real FreeRADIUS 3.2. */
@RealPeer
class AccessFreeRadiusTest {
    @TempDir
    static Path tmp;
    static FreeRadiusServer radius;

    @BeforeAll
    static void up() throws Exception {
        radius = FreeRadiusServer.start(tmp);
    }

    @AfterAll
    static void down() throws Exception {
        if (radius != null) {
            radius.stop();
        }
    }

    static Server fr(MessageAuthenticatorMode mode) {
        return new Server("127.0.0.1", radius.authPort(), FreeRadiusServer.SECRET, mode);
    }

    static RadiusSettings.Builder settings(List<Server> servers) {
        return RadiusSettings.builder().authServers(servers).timeout(Duration.ofMillis(700)).retries(1).nasIdentifier("lacd-test");
    }

    static AccessDecision ask(RadiusSettings s, CountingRadiusStats stats, AccessQuery q) throws Exception {
        try (AaaService aaa = new AaaService(s, stats)) {
            aaa.start();
            return aaa.authorize(q).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void papUserOfResellerAGetsRankedCandidatesWithDecryptedPasswords() throws Exception {
        CountingRadiusStats stats = new CountingRadiusStats();
        AccessDecision d = ask(settings(List.of(fr(MessageAuthenticatorMode.AUTO))).build(), stats,
            AccessQuery.pap("alice@resellera.example", "alicepw", "sess-0001"));
        Accept a = assertInstanceOf(Accept.class, d);
        assertEquals("welcome alice", a.replyMessage());
        assertEquals(OptionalLong.of(7200), a.attributes().sessionTimeout());
        assertEquals("resA-class", new String(a.attributes().classes().get(0), StandardCharsets.UTF_8));
        // The PPTP group (tag 3, preference 1) is dropped; tag 2 (preference 10) before tag 1 (preference 20).
        assertEquals(2, a.candidates().size(), a.candidates().toString());
        TunnelCandidate first = a.candidates().get(0);
        assertEquals(2, first.tag());
        assertEquals(10, first.preference());
        assertEquals("192.0.2.10", first.serverHost());
        assertEquals(OptionalInt.of(1702), first.serverPort());
        assertEquals(Optional.of("resA-first-a-rather-long-tunnel-secret-over-16"), first.password());
        assertEquals(Optional.of("lac-for-a"), first.clientAuthId());
        assertEquals(Optional.of("lns-a1"), first.serverAuthId());
        assertEquals(Optional.of("resA-primary"), first.assignmentId());
        assertEquals(Optional.of("grpA"), first.privateGroupId());
        assertEquals(Optional.of("198.51.100.1"), first.clientEndpoint());
        assertEquals(TunnelCandidate.MEDIUM_IPV4, first.mediumType());
        TunnelCandidate second = a.candidates().get(1);
        assertEquals(1, second.tag());
        assertEquals(20, second.preference());
        assertEquals("192.0.2.20", second.serverHost());
        assertEquals(OptionalInt.empty(), second.serverPort());
        assertEquals(Optional.of("resA-second"), second.password());
        assertEquals(Optional.of("resA-backup"), second.assignmentId());
        assertEquals(1, stats.completed(RadiusStats.RequestType.ACCESS, RadiusStats.Result.ACCEPT));
    }

    @Test
    void chapUserOfResellerBWithIpv6AndEqualPreferences() throws Exception {
        byte[] challenge = "0123456789abcdef-challenge".getBytes(StandardCharsets.US_ASCII);
        byte[] response = RadiusCrypto.chapResponse(7, "bobpw".getBytes(StandardCharsets.US_ASCII), challenge);
        AccessQuery q = AccessQuery.chap("bob@resellerb.example", 7, challenge, response, "sess-0002")
            .withPort("eth1", OptionalInt.of(100), OptionalInt.of(7), new byte[] {2, 0, 0, 0, 0, 0x42}, "internet", 12345,
                Optional.of(new AccessQuery.LineInfo(Optional.of("dslam1 atm 1/1:8.35"), Optional.of("remote-xyz"), OptionalLong.of(1024),
                    OptionalLong.of(16384), OptionalLong.empty(), OptionalLong.empty())));
        RadiusSettings s = settings(List.of(fr(MessageAuthenticatorMode.AUTO))).nasIpAddress(InetAddress.getByName("192.0.2.1"))
            .nasIpv6Address(InetAddress.getByName("2001:db8::1")).callingStationIdFormat(RadiusSettings.MacFormat.DASH_UPPER).build();
        Accept a = assertInstanceOf(Accept.class, ask(s, new CountingRadiusStats(), q));
        assertEquals(3, a.candidates().size(), a.candidates().toString());
        assertEquals(List.of(1, 2, 3), a.candidates().stream().map(TunnelCandidate::tag).toList());
        assertEquals(List.of(5L, 5L, 50L), a.candidates().stream().map(TunnelCandidate::preference).toList());
        TunnelCandidate v6 = a.candidates().get(0);
        assertEquals(TunnelCandidate.MEDIUM_IPV6, v6.mediumType());
        assertEquals("2001:db8::10", v6.serverHost());
        assertEquals(OptionalInt.of(1701), v6.serverPort());
        assertEquals(Optional.of("resB"), v6.password());
        assertEquals("lns-b.example.net", a.candidates().get(1).serverHost());
        assertEquals(Optional.empty(), a.candidates().get(2).password());
        // What FreeRADIUS decoded from our Access-Request:
        String req = radius.authDetail();
        for (String line : List.of("User-Name = \"bob@resellerb.example\"", "NAS-Identifier = \"lacd-test\"", "NAS-Port = 12345",
            "NAS-Port-Id = \"eth1:100.7\"", "NAS-Port-Type = Virtual", "Service-Type = Framed-User", "Framed-Protocol = PPP",
            "Calling-Station-Id = \"02-00-00-00-00-42\"", "Called-Station-Id = \"internet\"", "Acct-Session-Id = \"sess-0002\"",
            "NAS-IP-Address = 192.0.2.1", "NAS-IPv6-Address = 2001:db8::1", "ADSL-Agent-Circuit-Id = 0x" + hex("dslam1 atm 1/1:8.35"),
            "ADSL-Agent-Remote-Id = 0x" + hex("remote-xyz"), "Actual-Data-Rate-Upstream = 1024", "Actual-Data-Rate-Downstream = 16384",
            "CHAP-Challenge = 0x", "CHAP-Password = 0x07", "Message-Authenticator = 0x")) {
            assertTrue(req.contains(line), "FreeRADIUS saw no '" + line + "' in\n" + req);
        }
    }

    /**
     * A switched call (tunnel switching): its L2TP Calling Number goes out as Calling-Station-Id as it is, not as a MAC,
     * and its NAS-Port-Type is Virtual (RFC 2865 5.41) even where the configured one (a PPPoE port's) is Ethernet.
     */
    @Test
    void aSwitchedCallSendsItsCallingNumberAsIsAndNasPortTypeVirtual() throws Exception {
        byte[] callingNumber = "+49 30 1234567/olt7 eth 1/1/1:100".getBytes(StandardCharsets.US_ASCII);
        AccessQuery q = AccessQuery.pap("alice@resellera.example", "alicepw", "sess-switched-1")
            .withPort("partner-a", OptionalInt.empty(), OptionalInt.empty(), null, "", 77, Optional.empty())
            .withCallingStation(callingNumber, RadiusSettings.NasPortType.VIRTUAL);
        RadiusSettings s = settings(List.of(fr(MessageAuthenticatorMode.AUTO))).nasPortType(RadiusSettings.NasPortType.ETHERNET).build();
        assertInstanceOf(Accept.class, ask(s, new CountingRadiusStats(), q));
        String req = java.util.Arrays.stream(radius.authDetail().split("\n\s*\n"))
            .filter(b -> b.contains("Acct-Session-Id = \"sess-switched-1\"")).findFirst().orElseThrow();
        for (String line : List.of("Calling-Station-Id = \"+49 30 1234567/olt7 eth 1/1/1:100\"", "NAS-Port-Type = Virtual",
            "NAS-Port-Id = \"partner-a\"", "NAS-Port = 77")) {
            assertTrue(req.contains(line), "FreeRADIUS saw no '" + line + "' in\n" + req);
        }
    }

    /** FreeRADIUS's dictionary.rfc4679 declares Agent-Circuit-Id and Agent-Remote-Id as octets: it prints hex. */
    static String hex(String s) {
        return java.util.HexFormat.of().formatHex(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void rejectCarriesReplyMessage() throws Exception {
        Reject r = assertInstanceOf(Reject.class, ask(settings(List.of(fr(MessageAuthenticatorMode.AUTO))).build(), new CountingRadiusStats(),
            AccessQuery.pap("mallory@resellera.example", "whatever", "sess-0003")));
        assertEquals(RejectReason.ACCESS_REJECT, r.reason());
        assertEquals("account suspended", r.replyMessage());
    }

    @Test
    void wrongPasswordIsRejected() throws Exception {
        Reject r = assertInstanceOf(Reject.class, ask(settings(List.of(fr(MessageAuthenticatorMode.AUTO))).build(), new CountingRadiusStats(),
            AccessQuery.pap("alice@resellera.example", "wrong", "sess-0004")));
        assertEquals(RejectReason.ACCESS_REJECT, r.reason());
    }

    @Test
    void acceptWithoutTunnelAttributesHasNoCandidates() throws Exception {
        Accept a = assertInstanceOf(Accept.class, ask(settings(List.of(fr(MessageAuthenticatorMode.AUTO))).build(), new CountingRadiusStats(),
            AccessQuery.pap("plain@isp.example", "plainpw", "sess-0005")));
        assertEquals(List.of(), a.candidates());
        assertEquals(OptionalLong.of(3600), a.attributes().sessionTimeout());
        assertEquals(OptionalLong.of(600), a.attributes().idleTimeout());
    }

    @Test
    void acceptWithOnlyBrokenTunnelsIsNoUsableTunnel() throws Exception {
        Reject r = assertInstanceOf(Reject.class, ask(settings(List.of(fr(MessageAuthenticatorMode.AUTO))).build(), new CountingRadiusStats(),
            AccessQuery.pap("broken@resellerb.example", "brokenpw", "sess-0006")));
        assertEquals(RejectReason.NO_USABLE_TUNNEL, r.reason());
    }

    @Test
    void steeringOnlySendsTheSteeringPasswordAndReadsUntaggedAttributes() throws Exception {
        RadiusSettings s = settings(List.of(fr(MessageAuthenticatorMode.AUTO))).authenticateAtLac(false).steeringPassword("lacd").build();
        byte[] challenge = new byte[16];
        AccessQuery q = AccessQuery.chap("steer@resellera.example", 1, challenge,
            RadiusCrypto.chapResponse(1, "subscriber-secret".getBytes(StandardCharsets.US_ASCII), challenge), "sess-0007");
        Accept a = assertInstanceOf(Accept.class, ask(s, new CountingRadiusStats(), q));
        assertEquals(1, a.candidates().size());
        assertEquals(0, a.candidates().get(0).tag());
        assertEquals("192.0.2.40", a.candidates().get(0).serverHost());
        assertEquals(TunnelCandidate.NO_PREFERENCE, a.candidates().get(0).preference());
    }

    @Test
    void requiredMessageAuthenticatorDropsFreeRadiusAnswers() throws Exception {
        CountingRadiusStats stats = new CountingRadiusStats();
        RadiusSettings s = settings(List.of(fr(MessageAuthenticatorMode.REQUIRED))).timeout(Duration.ofMillis(300)).retries(1).build();
        Reject r = assertInstanceOf(Reject.class, ask(s, stats, AccessQuery.pap("alice@resellera.example", "alicepw", "sess-0008")));
        assertEquals(RejectReason.TIMEOUT_ALL_SERVERS, r.reason());
        // Normally 2 (first try + retry); a reply arriving after the last timeout counts as LATE_ANSWER instead.
        assertTrue(stats.dropped(RadiusStats.DropReason.MISSING_MESSAGE_AUTHENTICATOR) >= 1, stats.toString());
        assertEquals(0, stats.completed(RadiusStats.RequestType.ACCESS, RadiusStats.Result.ACCEPT));
    }

    @Test
    void offModeAcceptsAnswersWithoutMessageAuthenticator() throws Exception {
        Accept a = assertInstanceOf(Accept.class, ask(settings(List.of(fr(MessageAuthenticatorMode.OFF))).build(), new CountingRadiusStats(),
            AccessQuery.pap("alice@resellera.example", "alicepw", "sess-0009")));
        assertEquals(2, a.candidates().size());
    }

    @Test
    void wrongSecretAnswersAreDroppedAsBadAuthenticator() throws Exception {
        CountingRadiusStats stats = new CountingRadiusStats();
        Server wrong = new Server("127.0.0.1", radius.authPort(), "not-the-secret", MessageAuthenticatorMode.OFF);
        RadiusSettings s = settings(List.of(wrong)).timeout(Duration.ofMillis(300)).retries(0).build();
        // With the wrong secret FreeRADIUS cannot verify our Message-Authenticator and stays silent, or answers with a
        // response authenticator we cannot verify: either way there is no decision.
        Reject r = assertInstanceOf(Reject.class, ask(s, stats, AccessQuery.pap("plain@isp.example", "plainpw", "sess-0010")));
        assertEquals(RejectReason.TIMEOUT_ALL_SERVERS, r.reason());
    }

    @Test
    void failsOverFromADeadServerAndHoldsItDown() throws Exception {
        CountingRadiusStats stats = new CountingRadiusStats();
        Server dead = new Server("127.0.0.1", FreeRadiusServer.freeUdpPort(), FreeRadiusServer.SECRET, MessageAuthenticatorMode.AUTO);
        // 1 s per try, not less: the counts below assume FreeRADIUS answers its first try (a slow answer would be retried).
        RadiusSettings s = settings(List.of(dead, fr(MessageAuthenticatorMode.AUTO))).timeout(Duration.ofSeconds(1)).retries(1)
            .deadHoldDown(Duration.ofSeconds(60)).build();
        try (AaaService aaa = new AaaService(s, stats)) {
            aaa.start();
            Accept a = assertInstanceOf(Accept.class,
                aaa.authorize(AccessQuery.pap("alice@resellera.example", "alicepw", "s1")).get(10, TimeUnit.SECONDS));
            assertEquals(2, a.candidates().size());
            assertEquals(1, stats.serverDowns());
            assertEquals(3, stats.sentCount(RadiusStats.RequestType.ACCESS), "2 tries to the dead server + 1 to FreeRADIUS");
            assertEquals(2, stats.tryTimeouts(RadiusStats.RequestType.ACCESS));
            assertEquals(1, stats.retries(RadiusStats.RequestType.ACCESS));
            assertInstanceOf(Accept.class, aaa.authorize(AccessQuery.pap("plain@isp.example", "plainpw", "s2")).get(10, TimeUnit.SECONDS));
            assertEquals(4, stats.sentCount(RadiusStats.RequestType.ACCESS), "the dead server is skipped during its hold-down");
        }
    }

    @Test
    void unencodableQueryIsRejectedNotHung() throws Exception {
        Reject r = assertInstanceOf(Reject.class, ask(settings(List.of(fr(MessageAuthenticatorMode.AUTO))).build(), new CountingRadiusStats(),
            AccessQuery.pap("u".repeat(300), "pw", "s")));
        assertEquals(RejectReason.INVALID_QUERY, r.reason());
        r = assertInstanceOf(Reject.class, ask(settings(List.of(fr(MessageAuthenticatorMode.AUTO))).build(), new CountingRadiusStats(),
            AccessQuery.pap("plain@isp.example", "p".repeat(200), "s")));
        assertEquals(RejectReason.INVALID_QUERY, r.reason());
    }

    @Test
    void testAaaToolPrintsRankedCandidatesOrReject() throws Exception {
        RadiusSettings s = settings(List.of(fr(MessageAuthenticatorMode.AUTO))).build();
        String out = org.lacd.radius.tool.TestAaa.run(s, "alice@resellera.example", "alicepw", true, true);
        assertTrue(out.startsWith("ACCEPT (Reply-Message: \"welcome alice\")"), out);
        assertTrue(out.contains("1. TunnelCandidate[tag=2, pref=10, type=3, medium=1, server=192.0.2.10:1702"), out);
        assertTrue(out.contains("password=\"resA-first-a-rather-long-tunnel-secret-over-16\""), out);
        assertTrue(out.contains("2. TunnelCandidate[tag=1, pref=20"), out);
        String hidden = org.lacd.radius.tool.TestAaa.run(s, "alice@resellera.example", "alicepw", false, false);
        assertTrue(hidden.contains("password=***") && !hidden.contains("resA-second"), hidden);
        assertEquals("REJECT ACCESS_REJECT (Reply-Message: \"account suspended\")\n",
            org.lacd.radius.tool.TestAaa.run(s, "mallory@resellera.example", "x", true, false));
    }
}
