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
 * Issue 19: two lacd boxes on one subscriber segment (a bridge joins the subscribers and both boxes' interfaces), each
 * toward the same LNS emulators. Every PADI reaches both; the subscriber takes the first PADO. Box 1 answers at once,
 * box 2 after 200 ms: box 1 takes every subscriber. Then box 1 gets a load table by reload (no PADO from 3 sessions):
 * the subscribers past its threshold go to box 2. Last, box 1 is killed (SIGKILL): its subscribers, which send an LCP
 * echo every second, drop their sessions after three unanswered ones, dial again, and box 2 takes them; the time from
 * the kill to the last one forwarding on box 2 is printed (BENCHMARKS.md, benchmarks/lab.md).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@RealPeer
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

    static final int RECOVERY_SUBSCRIBERS = 6;

    @Test
    @Order(3)
    void firstBoxKilledItsSubscribersComeBackUpOnTheSecond() throws Exception {
        assertTrue(LabFixture.await(Duration.ofSeconds(30), PadoDelayLabTest::noSessions), "both boxes empty again");
        lab.reloadPadoDelay(1, "0ms");
        int n = RECOVERY_SUBSCRIBERS;
        long callsBefore = lnsCalls();
        // as a CPE with pppd's lcp-echo-interval 1, lcp-echo-failure 3, persist, holdoff 1
        Lab.Subscribers s = lab.startSubscribers(Lab.SubscriberRun.of("a", n).rate(5).auth("mix").duration("120s"),
                "--lcp-echo-interval", "1s", "--lcp-echo-failures", "3", "--redial", "--redial-holdoff", "1s");
        assertTrue(LabFixture.await(Duration.ofSeconds(30), () -> forwarding(1) == n),
                "box 1 has all of them: " + lab.diagnostics());
        assertEquals(0, lab.api(2, "sessions").size(), "box 2 has none");
        assertTrue(LabFixture.await(Duration.ofSeconds(20), () -> lnsCalls() >= callsBefore + n),
                "the LNSs saw box 1's calls: " + (lnsCalls() - callsBefore));
        long callsFromBox1 = lnsCalls();
        java.util.Set<String> macsOnBox1 = macs(1);

        LabProcess box1 = lab.lacd(1);
        long t0 = System.nanoTime();
        box1.kill(); // SIGKILL: no PADT, no CDN, no StopCCN
        assertTrue(!box1.alive(), "box 1 is gone");
        long[] firstUp = {-1};
        boolean recovered = LabFixture.await(Duration.ofSeconds(30), () -> {
            int f = forwarding(2);
            if (f > 0 && firstUp[0] < 0) {
                firstUp[0] = System.nanoTime();
            }
            return f == n;
        });
        long t1 = System.nanoTime();
        assertTrue(recovered, "every subscriber forwarding on box 2 within 30 s of the kill: " + lab.api(2, "sessions")
                + "\n" + s.process().tail(20) + "\n" + lab.diagnostics());
        double recoverySeconds = (t1 - t0) / 1e9;
        double firstSeconds = (firstUp[0] - t0) / 1e9;
        assertEquals(macsOnBox1, macs(2), "the same subscribers (MACs) on box 2");
        for (JsonNode x : lab.api(2, "sessions")) {
            assertTrue(x.path("user").asText().endsWith("@reseller-a.example"), x.toString());
            assertTrue(x.path("lns").asText("").startsWith("lns-a"), "tunnelled to a reseller-a LNS: " + x);
        }
        assertTrue(LabFixture.await(Duration.ofSeconds(20), () -> lnsCalls() >= callsFromBox1 + n),
                "the LNSs saw box 2's new calls: " + (lnsCalls() - callsFromBox1));

        // end the run politely (LCP Terminate + PADT to box 2); the emulator writes its report and exits 130 (SIGINT)
        s.process().signal("INT");
        assertTrue(s.await(Duration.ofSeconds(30)) >= 0, s.process().tail(30));
        JsonNode r = s.report();
        assertTrue(r.path("success").asBoolean(), "all established, none failed: " + r);
        assertEquals(n, r.path("completed").asInt(), "all ended politely on box 2: " + r);
        assertEquals(n, r.path("echoFailures").asInt(), "each subscriber noticed the dead box once: " + r);
        assertEquals(n, r.path("redials").asInt(), r.toString());
        assertEquals(n, r.path("reestablished").asInt(), r.toString());
        System.out.printf(java.util.Locale.ROOT, "issue 19 recovery: %d subscribers, LCP echo 1 s x 3, hold-off 1 s,"
                + " box 2 PADO delay 200 ms: first up on box 2 %.2f s, last %.2f s after the SIGKILL of box 1%n",
                n, firstSeconds, recoverySeconds);
    }

    static java.util.Set<String> macs(int box) {
        java.util.Set<String> m = new java.util.TreeSet<>();
        for (JsonNode x : lab.api(box, "sessions")) {
            m.add(x.path("mac").asText());
        }
        return m;
    }

    /** Calls the reseller-a LNS emulators took so far (their status lines, every 2 s). */
    static long lnsCalls() {
        return lab.lnsStatus("lns-a1")[3] + lab.lnsStatus("lns-a2")[3];
    }
}
