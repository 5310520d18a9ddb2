package org.lacd.lab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Random loss on the L2TP path (nftables in lacd's namespace, both directions): with 5% and then 20% of the L2TP control
 * messages to and from port 1701 dropped, tunnels and sessions still come up, and lacd's control retransmissions
 * show in its metrics.
 */
class LossLabTest {
    static Lab lab;

    @BeforeAll
    static void up() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Sh.have("nft"), "nftables not installed");
        // lacd's default setup-timeout (10 s per LNS attempt), not the lab's 4 s for quick failover tests: at 20 % loss a
        // call on an established tunnel took more than 4 s in 2 of 10 setups in half the runs, and once both attempts
        // did, and the subscriber was refused (CI, PAP_NAK). Two attempts of 10 s fit in the clients' 30 s of PAP tries.
        lab = LabFixture.start(LabOptions.defaults().withUsers(10).withSetupTimeout(Duration.ofSeconds(10)));
    }

    @AfterAll
    static void down() {
        LabFixture.stop(lab);
    }

    @Test
    void tunnelsAndSessionsComeUpThroughFiveAndTwentyPercentLoss() throws Exception {
        double before = lab.metric("lacd_l2tp_control_retransmits_total");
        // reseller A at 5%, then reseller B at 20%: each run opens fresh tunnels under loss
        String[][] runs = {{"5", "a"}, {"20", "b"}};
        long dropped = 0;
        StringBuilder losses = new StringBuilder();
        for (String[] run : runs) {
            lab.l2tpLoss(Integer.parseInt(run[0]));
            // Clients wait as long as pppd does (PAP 10 tries, 3 s apart): at 20 % loss RFC 2661's slow start and
            // backoff can hold an ICCN back for several seconds while the window drains, and the LNS answers the
            // proxy authentication only after the ICCN (seen once: 5 of 10 gave up after the emulator's default 12 s).
            Lab.Subscribers s = lab.startSubscribers(Lab.SubscriberRun.of(run[1], 10).rate(10).auth("mix").retries(9).duration("45s"));
            int rc = s.await(Duration.ofSeconds(90));
            JsonNode r = s.report();
            assertEquals(10, r.path("established").asInt(), run[0] + "% loss: " + r + "\n" + lab.diagnostics());
            assertEquals(0, rc, run[0] + "% loss: " + r);
            Lab.LossCounters loss = lab.l2tpLossCounters();
            assertTrue(loss.control() > 0, run[0] + "% loss: the loss rules saw no L2TP control datagram: " + loss);
            dropped += loss.dropped();
            losses.append(run[0]).append("% loss: ").append(loss).append("; ");
            lab.l2tpLoss(0);
            assertTrue(LabFixture.await(Duration.ofSeconds(20), () -> LabFixture.count(lab, null) == 0), lab.sessions().toString());
        }
        // Not per run: one run carries about 70 control datagrams, so at 5 % none is dropped in about 3 % of runs
        // (0.95^70; CI saw it once). At 20 % that chance is below one in a million.
        assertTrue(dropped > 0, "the loss rules dropped control datagrams: " + losses);
        System.out.println(losses);
        double retransmits = lab.metric("lacd_l2tp_control_retransmits_total") - before;
        assertTrue(retransmits > 0, "control retransmissions visible in the metrics: " + retransmits);
        System.out.println("lacd_l2tp_control_retransmits_total after 5% and 20% loss: " + retransmits);
        LabFixture.assertStopForEveryStart(lab);
    }
}
