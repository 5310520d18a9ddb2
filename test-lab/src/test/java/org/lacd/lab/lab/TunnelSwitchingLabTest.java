package org.lacd.lab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.lacd.testsupport.RealPeer;

/**
 * Tunnel switching through namespaces (issue 18): subscribers (emulator) -> lacd #1, a plain LAC whose only LNS is
 * lacd #2 -> lacd #2, the LTS, steering each call by its user with real FreeRADIUS to one of two resellers -> LNS
 * emulators. Both lacd boxes run in the lab's lacd namespace (box 2 of the two-box topology is lacd #1: it answers
 * the subscribers at once; the LTS is box 1 with a PADO delay, so the subscribers pick lacd #1). lacd #1 reaches the
 * LTS on 127.0.0.1:1701 from its own source port 1702.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@RealPeer
class TunnelSwitchingLabTest {
    static final String LTS_SECRET = "lts-secret";
    static final int FRONT = 2;
    static Lab lab;

    @BeforeAll
    static void up() throws Exception {
        lab = LabFixture.start(LabOptions.defaults().withUsers(10).withHello(Duration.ofSeconds(2), 2)
                .withLockout(Duration.ofSeconds(30)), true);
        // box 1 becomes the LTS: lacd #1 (127.0.0.1, any port) may place calls; it no longer answers subscribers first
        lab.stopLacd(Duration.ofSeconds(10));
        lab.restartLacdWithConfig(ltsConfig(lab, LTS_SECRET));
        lab.startSecondLacdWithConfig(frontConfig(lab, LTS_SECRET));
    }

    /** The LTS: the lab's lacd with {@code l2tp.lac-peers} and a PADO delay (subscribers answer the front box first). */
    static String ltsConfig(Lab lab, String secret) {
        return Lab.withPadoDelay(lab.lacdConfig(), "3s").replace("l2tp:\n  hostname:",
                "l2tp:\n  lac-peers: [{name: lacd-1, address: 127.0.0.1, secret: " + secret + ", max-sessions: 100}]\n  hostname:");
    }

    /** lacd #1: every user to the LTS (realm rules only; RADIUS only for its own accounting). */
    static String frontConfig(Lab lab, String secret) {
        String c = lab.secondLacdConfig("0s");
        int lns = c.indexOf("  lns:\n");
        int metrics = c.indexOf("metrics:");
        return c.substring(0, lns)
                + "  lns:\n    - {name: lts, address: 127.0.0.1, port: 1701, secret: " + secret + "}\n"
                + "steering:\n  source: realm\n  rules:\n    - {user-regex: \".*\", lns: [{name: lts}]}\n"
                + c.substring(metrics);
    }

    @AfterAll
    static void down() throws Exception {
        if (lab != null && lab.lacd(FRONT) != null) {
            lab.lacd(FRONT).stop(Duration.ofSeconds(10));
        }
        LabFixture.stop(lab);
    }

    static int sessions(int box, String state, String lns) {
        int n = 0;
        for (JsonNode s : lab.api(box, "sessions")) {
            if ((state == null || state.equalsIgnoreCase(s.path("state").asText())) && (lns == null || lns.equals(s.path("lns").asText()))) {
                n++;
            }
        }
        return n;
    }

    @Test
    @Order(1)
    void subscribersOfTwoResellersAreSwitchedToTheirLnsWithValidProxyAuthAndTrafficBothWays() throws Exception {
        Lab.Subscribers a = lab.startSubscribers(Lab.SubscriberRun.of("a", 10).rate(10).auth("mix").traffic(5, 200).duration("20s"));
        Lab.Subscribers b = lab.startSubscribers(Lab.SubscriberRun.of("b", 10).rate(10).auth("mix").traffic(5, 200).duration("20s"));
        assertTrue(LabFixture.await(Duration.ofSeconds(40), () -> sessions(FRONT, "forwarding", "lts") == 20
                && sessions(1, "forwarding", null) == 20), "20 sessions forwarding in both boxes: front " + lab.api(FRONT, "sessions")
                + "\nLTS " + lab.sessions() + "\n" + lab.diagnostics());
        Map<String, Integer> byLns = new HashMap<>();
        for (JsonNode s : lab.sessions()) {
            String user = s.path("user").asText();
            assertEquals("lacd-1", s.path("iface").asText(), "the downstream peer in place of the interface: " + s);
            byLns.merge(s.path("lns").asText(), 1, Integer::sum);
            assertTrue(user.endsWith("@reseller-a.example") == s.path("lns").asText().equals("lns-a1"), s.toString());
        }
        assertEquals(Map.of("lns-a1", 10, "lns-b1", 10), byLns, "steered by FreeRADIUS at the LTS");

        assertEquals(0, a.await(Duration.ofSeconds(60)), a.process().tail(30));
        assertEquals(0, b.await(Duration.ofSeconds(60)), b.process().tail(30));
        for (Lab.Subscribers s : new Lab.Subscribers[] {a, b}) {
            JsonNode r = s.report();
            assertEquals(10, r.path("established").asInt(), r.toString());
            assertEquals(0, r.path("failed").asInt(), r.toString());
            assertTrue(r.path("packetsSent").asLong() > 50, r.toString());
            assertEquals(r.path("packetsSent").asLong(), r.path("packetsReceived").asLong(), "no loss at low rate: " + r);
        }
        assertTrue(LabFixture.await(Duration.ofSeconds(15), () -> sessions(FRONT, null, null) == 0 && sessions(1, null, null) == 0),
                "no session left in either box after the subscribers hung up");
        for (String name : new String[] {"lns-a1", "lns-b1"}) {
            JsonNode r = lab.stopLns(name);
            assertEquals(10, r.path("calls").size(), name + ": " + r.path("sessions"));
            for (JsonNode c : r.path("calls")) {
                assertTrue(c.path("everUp").asBoolean(), c.toString());
                // the LNS checks the proxy authentication against the subscriber's password: byte for byte through two hops
                assertEquals("VALID", c.path("proxyAuthCheck").asText(), c.toString());
                assertEquals("CLEARED_BY_SUBSCRIBER", c.path("result").asText(), "the subscriber's hang-up reached the LNS: " + c);
                assertTrue(c.path("ipv4In").asLong() > 0, "traffic reached the LNS: " + c);
                assertEquals(c.path("ipv4In").asLong(), c.path("ipv4Reflected").asLong());
            }
            lab.startLns(name);
        }
        assertEquals(0, Lab.sample(lab.metrics(), "lacd_l2tp_lac_peer_refusals_total"), 0.1, "nothing refused");
    }

    /** Teardown from the LNS (CDN) and from the LTS (operator kick); the subscriber side is the first test's hang-up. */
    @Test
    @Order(2)
    void aCdnFromTheLnsOrAKickAtTheLtsEndsTheSwitchedCallOnBothSides() throws Exception {
        Lab.Subscribers s = lab.startSubscribers(Lab.SubscriberRun.of("b", 2).rate(10).auth("mix").duration("60s"));
        assertTrue(LabFixture.await(Duration.ofSeconds(30), () -> sessions(1, "forwarding", "lns-b1") == 2
                && sessions(FRONT, "forwarding", "lts") == 2), "two on lns-b1 through the LTS: " + lab.sessions());
        // the LTS forwards once its ICCN is sent; the LNS knows a call's user once it has taken the ICCN: wait for that
        assertTrue(LabFixture.await(Duration.ofSeconds(15),
                () -> lab.lnsControl("lns-b1", "GET", "/summary").path("sessions").path("up").asInt(-1) == 2),
                "both calls up at lns-b1: " + lab.lnsControl("lns-b1", "GET", "/summary"));
        // the LNS clears user1's call: the LTS sends a CDN downstream, lacd #1 ends that subscriber's PPP session
        JsonNode cleared = lab.lnsControl("lns-b1", "POST", "/calls/clear?user=user1@reseller-b.example");
        assertEquals(1, cleared.path("cleared").asInt(), cleared.toString());
        assertTrue(LabFixture.await(Duration.ofSeconds(15), () -> sessions(1, null, null) == 1 && sessions(FRONT, null, null) == 1
                && !users(FRONT).contains("user1@reseller-b.example")), "user1 gone from both boxes: " + lab.api(FRONT, "sessions"));
        // the LTS's operator kicks user2: CDN toward the LNS and toward lacd #1
        JsonNode kicked = lab.apiPost("kick?user=user2@reseller-b.example");
        assertTrue(kicked.toString().contains("1"), kicked.toString());
        assertTrue(LabFixture.await(Duration.ofSeconds(15), () -> sessions(1, null, null) == 0 && sessions(FRONT, null, null) == 0),
                "user2 gone from both boxes: " + lab.api(FRONT, "sessions"));
        assertTrue(LabFixture.await(Duration.ofSeconds(10),
                () -> lab.lnsControl("lns-b1", "GET", "/summary").path("sessions").path("current").asInt(-1) == 0),
                "the LTS's CDN reached lns-b1: " + lab.lnsControl("lns-b1", "GET", "/summary"));
        // both subscribers' sessions are over, so the emulator ends by itself and writes its outcomes: wait for that
        // rather than SIGTERM it (a SIGTERM landing while it writes them has lost the outcomes file, 2 of 4 class runs)
        s.await(Duration.ofSeconds(30));
        for (JsonNode o : s.outcomes()) {
            assertTrue(o.path("established").asBoolean(), o.toString());
            assertEquals("LCP_TERMINATED", o.path("failure").asText(), "lacd #1 ended the PPP session cleanly: " + o);
        }
    }

    static java.util.List<String> users(int box) {
        java.util.List<String> l = new java.util.ArrayList<>();
        for (JsonNode s : lab.api(box, "sessions")) {
            l.add(s.path("user").asText());
        }
        return l;
    }

    @Test
    @Order(3)
    void aKilledLnsEndsItsSwitchedCallsCleanlyAndTheSubscribersRedialToTheNextPreference() throws Exception {
        // a little traffic, which a subscriber sends only once its IPCP is open: lns-a1 seeing IPv4 from both calls
        // means both subscribers are established (the LTS's "forwarding" comes at the ICCN, before IPCP; killing the LNS
        // then has caught a subscriber in IPCP, once in CI)
        Lab.Subscribers first = lab.startSubscribers(Lab.SubscriberRun.of("a", 2).rate(10).auth("mix").traffic(5, 64).duration("60s"));
        assertTrue(LabFixture.await(Duration.ofSeconds(30), () -> sessions(1, "forwarding", "lns-a1") == 2),
                "two on lns-a1 through the LTS: " + lab.sessions());
        assertTrue(LabFixture.await(Duration.ofSeconds(30), () -> {
            JsonNode calls = lab.lnsControl("lns-a1", "GET", "/report").path("calls");
            int talking = 0;
            for (JsonNode c : calls) {
                // this test's calls only: the earlier tests' ended calls stay in the report when one of them failed
                talking += "UP".equals(c.path("result").asText()) && c.path("ipv4In").asLong() > 0 ? 1 : 0;
            }
            return talking == 2;
        }), "both subscribers established (IPv4 at lns-a1): " + lab.lnsControl("lns-a1", "GET", "/report").path("calls"));
        lab.killLns("lns-a1");
        // the LTS notices (HELLO unanswered), ends the switched calls: CDN toward lacd #1, which ends the PPP sessions
        assertTrue(LabFixture.await(Duration.ofSeconds(30), () -> sessions(1, null, null) == 0 && sessions(FRONT, null, null) == 0),
                "the switched calls and the subscribers' sessions ended: LTS " + lab.sessions() + " front " + lab.api(FRONT, "sessions"));
        assertTrue(lab.metric("lacd_lns_lockouts_total", "lns=\"lns-a1\"") >= 1, "lns-a1 locked out at the LTS");
        first.await(Duration.ofSeconds(30)); // over for both: it ends by itself (see above)
        // what lacd #1's subscribers saw: an LCP Terminate-Request from lacd #1 (then PADT), not a silent drop. An
        // established PPP session cannot move to another LNS (its IPCP and authentication state are there), so the
        // switched call ends and the subscriber redials
        for (JsonNode o : first.outcomes()) {
            assertTrue(o.path("established").asBoolean(), o.toString());
            assertEquals("LCP_TERMINATED", o.path("failure").asText(), o.toString());
        }
        // new calls of reseller A go to its second LNS
        Lab.Subscribers again = lab.startSubscribers(Lab.SubscriberRun.of("a", 2).rate(10).auth("mix").duration("5s"));
        assertTrue(LabFixture.await(Duration.ofSeconds(30), () -> sessions(1, "forwarding", "lns-a2") == 2),
                "redialled subscribers on lns-a2: " + lab.sessions());
        assertEquals(0, again.await(Duration.ofSeconds(40)), again.process().tail(30));
        lab.startLns("lns-a1");
    }

    @Test
    @Order(4)
    void aFrontLacWithTheWrongSecretIsRefused() throws Exception {
        lab.lacd(FRONT).stop(Duration.ofSeconds(10));
        lab.startSecondLacdWithConfig(frontConfig(lab, "not-the-secret"));
        Lab.Subscribers s = lab.startSubscribers(Lab.SubscriberRun.of("b", 1).rate(1).auth("pap").duration("5s").retries(0));
        s.await(Duration.ofSeconds(60));
        assertEquals(0, s.report().path("established").asInt(), s.report().toString());
        assertEquals(0, sessions(1, null, null), "nothing reached the LTS's sessions");
        String m = lab.metrics(FRONT);
        assertTrue(Lab.sample(m, "lacd_session_setups_total", "result=\"failure\"") >= 1, "lacd #1 refused its subscriber");
        // lacd #1 challenges the LTS too, so it notices the wrong secret first (the LTS's response in SCCRP) and sends
        // StopCCN before any SCCCN: the LTS counts that as its own reason, and for the peer
        String lts = lab.metrics();
        assertTrue(Lab.sample(lts, "lacd_l2tp_lac_peer_refusals_total", "reason=\"peer_refused_tunnel\"") >= 1, lts);
    }
}
