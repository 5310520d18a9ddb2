package org.lacd.lab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.testsupport.RealPeer;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Failures in the lab: the preferred LNS crashes (SIGKILL) and new subscribers go to the next preference, then it
 * returns and takes new sessions after the lockout; the first RADIUS server stops and the second answers; both stop
 * and subscribers are refused cleanly, then recover when one returns; accounting has a Stop for every Start.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@RealPeer
class FailoverLabTest {
    static final Duration LOCKOUT = Duration.ofSeconds(6);
    static Lab lab;

    @BeforeAll
    static void up() {
        lab = LabFixture.start(LabOptions.defaults().withUsers(10).withRadiusServers(2).withLockout(LOCKOUT));
    }

    @AfterAll
    static void down() {
        LabFixture.stop(lab);
    }

    /** Dials n subscribers that stay up for {@code seconds}, waits until they are established, returns the emulator. */
    static Lab.Subscribers dial(String reseller, int n, int seconds) {
        return lab.startSubscribers(Lab.SubscriberRun.of(reseller, n).rate(10).auth("mix").duration(seconds + "s"));
    }

    @Test
    @Order(1)
    void crashedPreferredLnsIsSkippedThenTakesSessionsAgainAfterLockout() throws Exception {
        lab.killLns("lns-a1");
        long t0 = System.nanoTime();
        Lab.Subscribers s = dial("a", 2, 40);
        assertTrue(LabFixture.await(Duration.ofSeconds(30), () -> lab.sessionsByLns("forwarding").getOrDefault("lns-a2", 0) == 2),
                "both on the second preference: " + lab.sessions() + "\n" + lab.diagnostics());
        double failover = (System.nanoTime() - t0) / 1e9;
        assertTrue(failover < 25, "within the configured timeouts: " + failover + " s");
        assertTrue(lab.metric("lacd_lns_lockouts_total", "lns=\"lns-a1\"") >= 1, "lns-a1 locked out");
        JsonNode lnsView = lab.api("lns");
        for (JsonNode l : lnsView) {
            if ("lns-a1".equals(l.path("name").asText())) {
                assertTrue(l.path("lockoutRemainingSeconds").asLong() > 0 || !"up".equalsIgnoreCase(l.path("state").asText()), l.toString());
            }
        }

        lab.startLns("lns-a1");
        Thread.sleep(LOCKOUT.toMillis() + 1000);
        Lab.Subscribers later = lab.startSubscribers(Lab.SubscriberRun.of("a", 2).rate(10).auth("mix").duration("20s"));
        assertTrue(LabFixture.await(Duration.ofSeconds(30), () -> lab.sessionsByLns("forwarding").getOrDefault("lns-a1", 0) == 2),
                "after the lockout the preferred LNS takes new sessions: " + lab.sessions() + "\n" + lab.diagnostics());
        assertEquals(0, s.await(Duration.ofSeconds(60)), s.process().tail(20));
        assertEquals(0, later.await(Duration.ofSeconds(60)), later.process().tail(20));
    }

    @Test
    @Order(2)
    void firstRadiusDownSecondAnswersAllDownRefusedThenRecovers() throws Exception {
        lab.radius().get(0).stop();
        Lab.Subscribers s = dial("b", 2, 15);
        assertEquals(0, s.await(Duration.ofSeconds(60)), "the second RADIUS server answered:\n" + s.process().tail(20) + lab.diagnostics());
        String m = lab.metrics();
        String radiusLines = m.lines().filter(l -> l.startsWith("lacd_radius")).reduce("", (x, y) -> x + y + "\n");
        System.out.println("radius metrics after the first server stopped:\n" + radiusLines);
        assertTrue(Lab.sample(m, "lacd_radius_requests_total", "server=\"127.0.0.1:1814\"", "result=\"accept\"") >= 1,
                "the second server answered:\n" + radiusLines);

        lab.radius().get(1).stop();
        Lab.Subscribers refused = lab.startSubscribers(Lab.SubscriberRun.of("b", 2).rate(10).auth("mix").duration("25s"));
        assertEquals(1, refused.await(Duration.ofSeconds(60)), refused.process().tail(20));
        JsonNode r = refused.report();
        assertEquals(0, r.path("established").asInt(), r.toString());
        Map<String, Integer> f = new com.fasterxml.jackson.databind.ObjectMapper().convertValue(r.path("failures"),
                new com.fasterxml.jackson.core.type.TypeReference<Map<String, Integer>>() {});
        int clean = f.getOrDefault("CHAP_FAILURE", 0) + f.getOrDefault("PAP_NAK", 0) + f.getOrDefault("PADT_BEFORE_UP", 0)
                + f.getOrDefault("LCP_TERMINATED", 0);
        assertEquals(2, clean, "refused with CHAP Failure / PAP Nak / PADT, not left hanging: " + f);
        assertEquals(0, LabFixture.count(lab, null), "nothing half-open in lacd: " + lab.sessions());

        lab.radius().get(0).startProcess();
        Lab.Subscribers back = dial("b", 2, 15);
        assertEquals(0, back.await(Duration.ofSeconds(60)), "recovered with the first server back:\n" + back.process().tail(20)
                + lab.diagnostics());
        lab.radius().get(1).startProcess();
        assertTrue(LabFixture.await(Duration.ofSeconds(30), () -> {
            try {
                return LabFixture.assertStopForEveryStart(lab) >= 8;
            } catch (Throwable e) {
                return false;
            }
        }), "no accounting record lost: " + lab.accounting());
    }
}
