package org.lacd.lab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lacd.testsupport.Peers;
import org.lacd.testsupport.RealPeer;

/**
 * Tunnel switching with a real LNS at the end (issue 18): subscribers -> lacd #1 -> lacd #2 (LTS, FreeRADIUS) ->
 * Debian's l2tpns as lns-a1. l2tpns ignores the proxy LCP and authenticates again: its LCP renegotiation and its own
 * CHAP/PAP challenge cross both lacd boxes as data, the subscribers get their address from l2tpns's pool and their
 * probes come back through both hops. Same two-box arrangement as {@link TunnelSwitchingLabTest}.
 */
@RealPeer
class TunnelSwitchingL2tpnsLabTest {
    static final String LNS = "lns-a1";
    static Lab lab;

    @BeforeAll
    static void up() throws Exception {
        String missing = L2tpns.missing();
        Peers.require(missing == null, "l2tpns not runnable here (test-lab/install-deps.sh installs it): " + missing);
        lab = LabFixture.start(LabOptions.defaults().withUsers(4).withL2tpns(LNS), true);
        lab.stopLacd(Duration.ofSeconds(10));
        lab.restartLacdWithConfig(TunnelSwitchingLabTest.ltsConfig(lab, TunnelSwitchingLabTest.LTS_SECRET));
        lab.startSecondLacdWithConfig(TunnelSwitchingLabTest.frontConfig(lab, TunnelSwitchingLabTest.LTS_SECRET));
    }

    @AfterAll
    static void down() throws Exception {
        if (lab != null && lab.lacd(2) != null) {
            lab.lacd(2).stop(Duration.ofSeconds(10));
        }
        LabFixture.stop(lab);
    }

    @Test
    void subscribersThroughTheLtsGetTheirAddressFromL2tpnsAndProbesComeBack() throws Exception {
        Lab.Subscribers s = lab.startSubscribers(Lab.SubscriberRun.of("a", 2).rate(10).auth("mix").traffic(5, 128).duration("8s"));
        assertTrue(LabFixture.await(Duration.ofSeconds(30), () -> lab.sessionsByLns("forwarding").getOrDefault(LNS, 0) == 2),
                "2 switched sessions on " + LNS + " at the LTS: " + lab.sessions() + "\n" + lab.diagnostics());
        assertEquals(0, s.await(Duration.ofSeconds(30)), s.process().tail(30) + "\n" + lab.diagnostics());
        JsonNode r = s.report();
        assertEquals(2, r.path("established").asInt(), r.toString());
        assertEquals(2, r.path("renegotiations").asInt(), "l2tpns renegotiates LCP through both hops: " + r);
        assertTrue(r.path("packetsSent").asLong() >= 20, r.toString());
        assertEquals(r.path("packetsSent").asLong(), r.path("packetsReceived").asLong(), "every probe came back: " + r);
        Set<String> auth = new TreeSet<>();
        for (JsonNode o : s.outcomes()) {
            auth.add(o.path("auth").asText());
            assertEquals(lab.topology().lns(LNS).address(), o.path("peerAddress").asText(), "l2tpns's own IPCP address: " + o);
        }
        assertEquals(Set.of("chap", "pap"), auth);
        assertTrue(LabFixture.await(Duration.ofSeconds(10), () -> LabFixture.count(lab, null) == 0), lab.sessions().toString());
    }
}
