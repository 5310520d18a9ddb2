package org.lacd.lab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 19: two lacd boxes on one subscriber segment (a bridge joins the subscribers and both boxes' interfaces), each
 * toward the same LNS emulators. Every PADI reaches both; the subscriber takes the first PADO. Box 1 answers at once,
 * box 2 after 200 ms: box 1 takes every subscriber. Then box 1 gets a load table by reload (no PADO from 3 sessions):
 * the subscribers past its threshold go to box 2.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PadoDelayLabTest {
    static Lab lab;

    @BeforeAll
    static void up() throws Exception {
        lab = LabFixture.start(LabOptions.defaults().withUsers(10), true);
        lab.startSecondLacd("200ms");
    }

    @AfterAll
    static void down() {
        LabFixture.stop(lab);
    }

    static int forwarding(int box) {
        int n = 0;
        for (JsonNode s : lab.api(box, "sessions")) {
            if ("forwarding".equals(s.path("state").asText())) {
                n++;
            }
        }
        return n;
    }

    static boolean noSessions() {
        try {
            return lab.api(1, "sessions").isEmpty() && lab.api(2, "sessions").isEmpty();
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Test
    @Order(1)
    void delays0And200msTheFirstBoxTakesEverySubscriber() throws Exception {
        Lab.Subscribers s = lab.startSubscribers(Lab.SubscriberRun.of("a", 6).rate(5).auth("mix").duration("15s"));
        assertTrue(LabFixture.await(Duration.ofSeconds(30), () -> forwarding(1) == 6),
                "box 1 has all six: " + lab.api(1, "sessions") + "\n" + lab.diagnostics());
        assertEquals(0, forwarding(2), "box 2 has none: " + lab.api(2, "sessions"));
        assertEquals(0, lab.api(2, "sessions").size(), "box 2 did not even open a PPPoE session");
        double delayed = Lab.sample(lab.metrics(2), "lacd_pppoe_pado_delayed_total");
        assertTrue(delayed >= 6, "box 2 did answer every PADI, 200 ms late: " + delayed);
        assertEquals(0.2, Lab.sample(lab.metrics(2), "lacd_pppoe_pado_delay_seconds", "interface=\"acc1\""), 1e-9);
        assertEquals(0, s.await(Duration.ofSeconds(60)), s.process().tail(20));
        assertTrue(LabFixture.await(Duration.ofSeconds(20), PadoDelayLabTest::noSessions), "both boxes empty again");
    }

    @Test
    @Order(2)
    void loadTableSendsTheSubscribersPastTheFirstBoxsThresholdToTheSecond() throws Exception {
        lab.reloadPadoDelay(1, "[{sessions: 0, delay: 0ms}, {sessions: 3, delay: none}]");
        // one subscriber every 0.5 s: box 1 holds its sessions before the next PADI
        Lab.Subscribers s = lab.startSubscribers(Lab.SubscriberRun.of("a", 6).rate(2).auth("mix").duration("20s"));
        assertTrue(LabFixture.await(Duration.ofSeconds(30), () -> forwarding(1) + forwarding(2) == 6),
                "six up: " + lab.diagnostics());
        assertEquals(3, forwarding(1), "box 1 up to its threshold: " + lab.api(1, "sessions"));
        assertEquals(3, forwarding(2), "box 2 the rest: " + lab.api(2, "sessions"));
        String m1 = lab.metrics(1);
        assertTrue(Lab.sample(m1, "lacd_drops_total", "reason=\"pado_suppressed\"") >= 3, "box 1 stayed silent");
        assertEquals(-1, Lab.sample(m1, "lacd_pppoe_pado_delay_seconds", "interface=\"acc0\""), 1e-9,
                "box 1's gauge: no PADO at its load");
        JsonNode stats = lab.api(1, "stats");
        System.out.println("box 1 lacd stats, data plane: " + stats.path("dataPlane").path("interfaces"));
        assertEquals(0, s.await(Duration.ofSeconds(60)), s.process().tail(20));
    }
}
