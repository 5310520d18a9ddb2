package org.lacd.lab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.testsupport.RealPeer;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * lacd with two forwarding workers on its access interface (interfaces[].workers: 2) in the namespace lab: the AF_PACKET
 * ring port with a fanout group, and two L2TP sockets steered by tunnel id. 80 subscribers of two resellers send
 * numbered probes both ways through lacd and their LNSs; every session must forward, nothing may be lost or reordered,
 * both workers must carry traffic, and the counters must add up exactly.
 */
@RealPeer
class WorkersLabTest {
    static Lab lab;

    @BeforeAll
    static void up() {
        lab = LabFixture.start(LabOptions.defaults().withUsers(40).withWorkers(2));
    }

    @AfterAll
    static void down() {
        LabFixture.stop(lab);
    }

    @Test
    void twoWorkersForwardEverySessionInOrderWithExactCounters() throws Exception {
        String log = Files.readString(lab.dir().resolve("lacd.log"));
        assertTrue(log.contains("AF_PACKET ring, 2 workers"), "lacd says it runs the ring with 2 workers:\n" + log);
        assertTrue(log.contains("2 worker sockets"), "and two L2TP worker sockets:\n" + log);
        // PADIs come through a ring of their own (the workers' filters pass everything else): every session below was
        // offered from there, and its PADR, LCP and data reached the worker its MAC belongs to
        assertTrue(log.contains(", PADI ring of "), "and a PADI ring:\n" + log);

        Lab.Subscribers a = lab.startSubscribers(Lab.SubscriberRun.of("a", 40).rate(40).auth("mix").traffic(50, 200).duration("15s"));
        Lab.Subscribers b = lab.startSubscribers(Lab.SubscriberRun.of("b", 40).rate(40).auth("mix").traffic(50, 200).duration("15s"));
        assertTrue(LabFixture.await(Duration.ofSeconds(40), () -> LabFixture.count(lab, "FORWARDING") == 80),
                "80 sessions forwarding; have " + LabFixture.count(lab, null) + "\n" + lab.diagnostics());
        // each session's call runs on the worker its frames arrive on: tunnels of both workers exist to each LNS
        assertEquals(4, (int) Lab.sample(lab.metrics(), "lacd_tunnels", "state=\"established\""),
                "one tunnel per worker to each of the two LNSs: " + lab.api("tunnels"));

        assertEquals(0, a.await(Duration.ofSeconds(60)), a.process().tail(30));
        assertEquals(0, b.await(Duration.ofSeconds(60)), b.process().tail(30));
        long probes = 0;
        for (Lab.Subscribers s : new Lab.Subscribers[] {a, b}) {
            JsonNode r = s.report();
            assertEquals(40, r.path("established").asInt(), r.toString());
            assertEquals(0, r.path("failed").asInt(), r.toString());
            assertTrue(r.path("packetsSent").asLong() > 40 * 50 * 5, "traffic flowed: " + r);
            assertEquals(r.path("packetsSent").asLong(), r.path("packetsReceived").asLong(), "no probe lost: " + r);
            assertEquals(0, r.path("packetsReordered").asLong(), "no probe reordered on the way up or down: " + r);
            probes += r.path("packetsSent").asLong();
        }
        assertTrue(LabFixture.await(Duration.ofSeconds(15), () -> LabFixture.count(lab, null) == 0),
                "no session left after the subscribers hung up: " + lab.sessions());

        String m = lab.metrics();
        double pppoeIn = 0;
        double l2tpOut = 0;
        for (int w = 0; w < 2; w++) {
            String wl = "worker=\"" + w + "\"";
            double in = Lab.sample(m, "lacd_worker_packets_total", "protocol=\"pppoe\"", "direction=\"rx\"", wl);
            double out = Lab.sample(m, "lacd_worker_packets_total", "protocol=\"l2tp\"", "direction=\"tx\"", wl);
            assertTrue(in > probes / 10.0, "worker " + w + " carried a share of the upstream traffic: " + in + " of " + probes);
            // a session's upstream frames leave on the L2TP socket of the worker that received them: never more than
            // it received (a frame on another worker's socket would show here), and the difference is frames whose
            // call had ended at hang-up (counted as drops, checked over both workers below)
            assertTrue(out <= in, "worker " + w + ": sent " + out + " upstream datagrams, received " + in + " frames");
            assertTrue(Lab.sample(m, "lacd_worker_packets_total", "protocol=\"pppoe\"", "direction=\"tx\"", wl) > probes / 10.0,
                    "worker " + w + " carried a share of the downstream traffic");
            assertEquals(0, Lab.sample(m, "lacd_worker_capture_drops_total", wl), 0.1, "worker " + w + ": no ring drops");
            double fill = Lab.sample(m, "lacd_worker_ring_peak_ratio", wl);
            assertTrue(fill > 0 && fill < 1, "worker " + w + ": its ring held frames, never all its slots: " + fill);
            pppoeIn += in;
            l2tpOut += out;
        }
        assertEquals(pppoeIn, Lab.sample(m, "lacd_packets_total", "protocol=\"pppoe\"", "direction=\"rx\""), 0.1,
                "the interface total is the sum of its workers");
        assertEquals(l2tpOut, Lab.sample(m, "lacd_packets_total", "protocol=\"l2tp\"", "direction=\"tx\""), 0.1);
        assertTrue(pppoeIn >= probes, "every probe was counted once on its way up: " + pppoeIn + " >= " + probes);
        double endedCalls = Lab.sample(m, "lacd_drops_total", "protocol=\"l2tp\"", "reason=\"session_not_established\"");
        assertTrue(pppoeIn - l2tpOut <= endedCalls, "every upstream frame left on its worker's socket or was counted as"
                + " a frame for an ended call: " + pppoeIn + " in, " + l2tpOut + " out, " + endedCalls + " counted");
        LabFixture.awaitStopForEveryStart(lab, 80);

        // lacd stats, as an operator runs it: the port and each worker's packets and ring drops
        Sh.Result cli = lab.lacdCli("stats", "--json");
        assertEquals(0, cli.exit(), cli.out());
        JsonNode stats = new com.fasterxml.jackson.databind.ObjectMapper().readTree(cli.out().substring(cli.out().indexOf('{')));
        JsonNode iface = stats.path("dataPlane").path("interfaces").path(0);
        assertTrue(iface.path("port").asText().contains("AF_PACKET ring, 2 workers"), stats.toString());
        assertEquals(2, iface.path("workers").size(), stats.toString());
        for (JsonNode w : iface.path("workers")) {
            assertEquals(Lab.sample(m, "lacd_worker_packets_total", "protocol=\"pppoe\"", "direction=\"rx\"",
                    "worker=\"" + w.path("worker").asInt() + "\""), w.path("rxPackets").asDouble(), 0.1, stats.toString());
            assertEquals(0, w.path("captureDrops").asLong(), stats.toString());
            long peak = w.path("ringPeakWaiting").asLong(-1);
            assertTrue(peak >= 1 && peak < iface.path("ringSlots").asLong(), stats.toString());
        }
        assertEquals(2, stats.path("dataPlane").path("l2tpWorkers").size(), stats.toString());
        for (JsonNode w : stats.path("dataPlane").path("l2tpWorkers")) {
            // the sockets kept up with this lab (SO_MEMINFO; the exact count is L2tpEngineWorkersTest's)
            assertEquals(0, w.path("socketDrops").asLong(-1), stats.toString());
            assertTrue(m.contains("lacd_l2tp_socket_drops_total{worker=\"" + w.path("worker").asInt() + "\"} 0.0"),
                    "each worker socket's kernel drops are exported");
        }
        assertEquals(0, iface.path("padiRingDrops").asLong(-1), stats.toString());
        assertTrue(m.contains("lacd_pppoe_padi_ring_drops_total{interface=\"" + Topology.ACCESS_IF + "\"}"),
                "the PADI ring's drop counter is exported");
    }
}
