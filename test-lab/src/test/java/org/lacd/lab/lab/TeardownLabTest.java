package org.lacd.lab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.testsupport.RealPeer;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Teardown carried both ways through the lab: an operator kick, the LNS closing its tunnel (StopCCN), the LNS
 * clearing calls (CDN), a RADIUS Disconnect-Request (radclient to lacd's RFC 5176 listener) and lacd stopping
 * (SIGTERM): nothing left in lacd, at the LNS or at the subscriber, and an accounting Stop for every Start.
 * (Teardown from the subscriber is covered by {@link TwoResellersLabTest}.)
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@RealPeer
class TeardownLabTest {
    static Lab lab;

    @BeforeAll
    static void up() {
        lab = LabFixture.start(LabOptions.defaults().withUsers(10).withLockout(Duration.ofSeconds(2)));
    }

    @AfterAll
    static void down() {
        LabFixture.stop(lab);
    }

    static Lab.Subscribers dial(String reseller, int n) throws InterruptedException {
        Lab.Subscribers s = lab.startSubscribers(Lab.SubscriberRun.of(reseller, n).rate(20).auth("mix").traffic(2, 128).duration("90s"));
        assertTrue(LabFixture.await(Duration.ofSeconds(30), () -> LabFixture.count(lab, "FORWARDING") == n),
                n + " sessions up; have " + lab.sessions() + "\n" + lab.diagnostics());
        return s;
    }

    static boolean gone(String user) {
        for (JsonNode s : lab.sessions()) {
            if (user.equals(s.path("user").asText())) {
                return false;
            }
        }
        return true;
    }

    @Test
    @Order(1)
    void operatorKickAndLnsStopCcnTearDownBothSides() throws Exception {
        Lab.Subscribers subs = dial("a", 4);
        // operator kick through lacd's CLI: CDN to the LNS, PADT to the subscriber
        Sh.Result kick = lab.lacdCli("kick", "--user", "user1@reseller-a.example");
        assertEquals(0, kick.exit(), kick.out());
        assertTrue(LabFixture.await(Duration.ofSeconds(10), () -> gone("user1@reseller-a.example")), "kicked: " + lab.sessions());
        assertEquals(3, LabFixture.count(lab, "FORWARDING"));
        assertTrue(LabFixture.await(Duration.ofSeconds(10), () -> lab.lnsStatus("lns-a1")[2] == 3),
                "LNS has 3 calls up after the kick: " + lab.lns("lns-a1").tail(3));

        // the LNS closes its tunnel (SIGTERM: StopCCN): every session on it ends on the PPPoE side too
        JsonNode report = lab.stopLns("lns-a1");
        assertEquals(0, report.path("sessions").path("current").asInt(), report.path("sessions").toString());
        assertTrue(LabFixture.await(Duration.ofSeconds(15), () -> LabFixture.count(lab, null) == 0),
                "StopCCN from the LNS ended every session in lacd: " + lab.sessions() + "\n" + lab.lacd().tail(20));
        assertEquals(1, subs.await(Duration.ofSeconds(30)), "the emulator saw its sessions end early");
        JsonNode r = subs.report();
        assertEquals(4, r.path("established").asInt(), r.toString());
        assertEquals(4, r.path("failed").asInt(), "all four were hung up by the network side: " + r);
        long cleared = 0;
        for (JsonNode c : report.path("calls")) {
            cleared += "CLEARED_BY_LAC".equals(c.path("result").asText()) ? 1 : 0;
        }
        assertEquals(1, cleared, "the kicked call was cleared by lacd (CDN): " + report.path("calls"));
        lab.startLns("lns-a1");
        LabFixture.awaitStopForEveryStart(lab, 4);
    }

    @Test
    @Order(2)
    void lnsCdnEndsTheSubscribersSession() throws Exception {
        Lab.Subscribers subs = dial("b", 2);
        assertEquals(1, lab.lnsControl("lns-b1", "POST", "/calls/clear?user=user1@reseller-b.example").path("cleared").asInt());
        assertTrue(LabFixture.await(Duration.ofSeconds(10), () -> gone("user1@reseller-b.example")),
                "CDN from the LNS ended the session in lacd: " + lab.sessions() + "\n" + lab.lns("lns-b1").tail(5));
        assertEquals(1, LabFixture.count(lab, "FORWARDING"));
        assertEquals(1, lab.lnsControl("lns-b1", "POST", "/calls/clear").path("cleared").asInt());
        assertTrue(LabFixture.await(Duration.ofSeconds(10), () -> LabFixture.count(lab, null) == 0), lab.sessions().toString());
        assertEquals(1, subs.await(Duration.ofSeconds(30)), "the subscribers were hung up early");
        JsonNode r = subs.report();
        assertEquals(2, r.path("established").asInt(), r.toString());
        assertEquals(2, r.path("failed").asInt(), "both hung up by the network (LCP Terminate / PADT): " + r);
        JsonNode lns = lab.lnsControl("lns-b1", "GET", "/report");
        int byLns = 0;
        for (JsonNode c : lns.path("calls")) {
            byLns += "CLEARED_BY_LNS".equals(c.path("result").asText()) ? 1 : 0;
        }
        assertEquals(2, byLns, lns.path("calls").toString());
        LabFixture.awaitStopForEveryStart(lab, 6);
    }

    @Test
    @Order(3)
    void radiusDisconnectRequestEndsTheSession() throws Exception {
        Lab.Subscribers subs = dial("b", 2);
        var ack = lab.disconnect("User-Name = \"user1@reseller-b.example\"\n");
        assertEquals(0, ack.exitCode(), "Disconnect-ACK from lacd's DAE listener:\n" + ack.output() + "\n" + lab.lacd().tail(10));
        assertTrue(ack.output().contains("Disconnect-ACK"), ack.output());
        assertTrue(LabFixture.await(Duration.ofSeconds(10), () -> gone("user1@reseller-b.example")), "disconnected: " + lab.sessions());
        assertEquals(1, LabFixture.count(lab, "FORWARDING"));
        var nak = lab.disconnect("User-Name = \"nobody@reseller-b.example\"\n");
        assertTrue(nak.output().contains("Disconnect-NAK"), "unknown session: NAK\n" + nak.output());
        assertEquals(0, lab.lacdCli("kick", "--user", "user2@reseller-b.example").exit());
        assertEquals(1, subs.await(Duration.ofSeconds(30)), "both hung up by the network");
        JsonNode calls = lab.lnsControl("lns-b1", "GET", "/report").path("calls");
        int byLac = 0;
        for (JsonNode c : calls) {
            byLac += "user1@reseller-b.example".equals(c.path("user").asText()) && "CLEARED_BY_LAC".equals(c.path("result").asText()) ? 1 : 0;
        }
        assertTrue(byLac >= 1, "the Disconnect-Request reached the LNS as a CDN: " + calls);
        LabFixture.awaitStopForEveryStart(lab, 8);
    }

    @Test
    @Order(4)
    void lacdStopSendsCdnPadtAndStopForEverySession() throws Exception {
        Lab.Subscribers subs = dial("b", 3);
        assertEquals(0, lab.stopLacd(Duration.ofSeconds(25)), "lacd exits 0 on SIGTERM:\n" + lab.lacd().tail(20));
        assertEquals(1, subs.await(Duration.ofSeconds(30)), "the emulator saw its sessions end");
        JsonNode r = subs.report();
        assertEquals(3, r.path("established").asInt(), r.toString());
        assertEquals(3, r.path("failed").asInt(), "all three hung up by lacd (PADT/LCP Terminate): " + r);
        assertTrue(LabFixture.await(Duration.ofSeconds(10), () -> lab.lnsStatus("lns-b1")[1] == 0),
                "LNS has no call left: " + lab.lns("lns-b1").tail(3));
        lab.restartLacd();
        assertTrue(lab.health());
        // 4 + 2 + 2 sessions in the tests before, 3 here: a Stop that lacd could not deliver before it exited is in its
        // spool, and the restarted lacd delivers it
        LabFixture.awaitStopForEveryStart(lab, 11);
    }
}
