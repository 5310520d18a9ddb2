package org.lacd.lab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.testsupport.RealPeer;
import org.lacd.testsupport.Peers;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Monitoring with real parts: {@code promtool check metrics} on live scrapes of the lacd process in the lab, and a
 * real Prometheus server (as {@code lab.sh demo --prometheus} starts it) scraping lacd with the shipped alert rules:
 * quiet while everything is up, {@code LacdHelloTimeouts} firing once the preferred LNS of reseller A is killed and
 * lacd finds out by HELLO. Without prometheus/promtool it skips, except under CI (CI set), where it fails.
 */
@RealPeer
class PrometheusLabTest {
    static Lab lab;
    static LabPrometheus prom;

    @BeforeAll
    static void up() {
        String missing = LabPrometheus.missingPrerequisite();
        Peers.require(missing == null, missing + " (test-lab/install-deps.sh installs it)");
        lab = LabFixture.start(LabOptions.defaults().withUsers(4));
        prom = LabPrometheus.start(lab);
    }

    @AfterAll
    static void down() {
        if (prom != null) {
            prom.close();
        }
        LabFixture.stop(lab);
    }

    static void assertPromtoolAccepts(String scrape) {
        Sh.Result r = LabPrometheus.checkMetrics(scrape);
        assertEquals(0, r.exit(), "promtool check metrics on lacd's live /metrics:\n" + r.out());
    }

    static boolean firing(String alert, String label, String value) {
        return prom.firing().stream().anyMatch(a -> a.name().equals(alert) && value.equals(a.labels().get(label)));
    }

    @Test
    void liveScrapesPassPromtoolAndHelloTimeoutAlertFiresWhenTheLnsDies() throws Exception {
        Lab.Subscribers a = lab.startSubscribers(Lab.SubscriberRun.of("a", 2).rate(10).auth("mix").traffic(2, 128).duration("120s"));
        assertTrue(LabFixture.await(Duration.ofSeconds(40), () -> lab.sessionsByLns("forwarding").getOrDefault("lns-a1", 0) == 2),
                "2 sessions on lns-a1: " + lab.sessions() + "\n" + lab.diagnostics());

        // sessions, RADIUS per server, tunnels, traffic: every family of lacd's meters has samples now
        String scrape = lab.metrics();
        assertTrue(Lab.sample(scrape, "lacd_radius_requests_total", "result=\"accept\"") >= 2, scrape);
        assertPromtoolAccepts(scrape);

        // Prometheus scrapes lacd (it parsed the exposition) and the shipped rules see a healthy box
        assertEquals("up", prom.targetHealth());
        assertTrue(LabFixture.await(Duration.ofSeconds(20), () -> !prom.api("query?query=lacd_lns_up").path("result").isEmpty()),
                "lacd_lns_up in Prometheus");
        List<LabPrometheus.Alert> before = prom.alerts();
        assertEquals(List.of(), before, "a healthy lab fires nothing");

        long t0 = System.nanoTime();
        lab.killLns("lns-a1"); // SIGKILL: no StopCCN; lacd learns it only from unanswered HELLOs
        assertTrue(LabFixture.await(Duration.ofSeconds(90), () -> firing("LacdHelloTimeouts", "instance", "127.0.0.1:" + Lab.METRICS_PORT)),
                "LacdHelloTimeouts fires after lns-a1 died; alerts: " + prom.alerts() + "\nlacd_l2tp_hello_timeouts_total "
                        + lab.metric("lacd_l2tp_hello_timeouts_total"));
        System.out.printf("LacdHelloTimeouts firing %.1f s after lns-a1 was killed; alerts: %s%n", (System.nanoTime() - t0) / 1e9,
                prom.alerts());
        assertEquals(1, lab.metric("lacd_l2tp_hello_timeouts_total"), 0.1, "one tunnel lost by HELLO");
        assertTrue(prom.firing().stream().allMatch(x -> x.name().equals("LacdHelloTimeouts")),
                "nothing else fires yet (LacdLnsLockedOut waits 5 minutes): " + prom.alerts());
        assertTrue(LabFixture.await(Duration.ofSeconds(10), () -> prom.alerts().stream().anyMatch(x -> x.name().equals("LacdLnsLockedOut")
                        && x.state().equals("pending") && "lns-a1".equals(x.labels().get("lns")))),
                "lns-a1 locked out: LacdLnsLockedOut pending, waiting out its for: 5m; alerts: " + prom.alerts());

        assertPromtoolAccepts(lab.metrics()); // and after the failure (lockouts, teardowns by cause)
        a.process().kill();
    }
}
