package org.lacd.lab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.testsupport.RealPeer;
import org.lacd.testsupport.Peers;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * lacd in front of a real LNS that terminates PPP: Debian's l2tpns as lns-a1 (reseller A's first preference), with its
 * own FreeRADIUS and a UDP echo behind its tun0 ({@link L2tpns}). CHAP and PAP subscribers from the emulator are
 * challenged again by l2tpns through lacd, get their IPCP address from l2tpns's pool, and their probes cross lacd and
 * l2tpns both ways; a subscriber's hang-up reaches l2tpns's accounting as User-Request; l2tpns stopping (SIGQUIT:
 * StopCCN) and l2tpns killed (SIGKILL: found out by lacd's HELLO) end the sessions on the PPPoE side too.
 *
 * <p>Under CI (environment variable CI set, as {@code .ci/run} does) a missing l2tpns fails the test instead of
 * skipping it: {@code test-lab/install-deps.sh} installs it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@RealPeer
class L2tpnsLabTest {
    static final String LNS = "lns-a1";
    static Lab lab;

    @BeforeAll
    static void up() {
        String missing = L2tpns.missing();
        Peers.require(missing == null, "l2tpns not runnable here (test-lab/install-deps.sh installs it): " + missing);
        // HELLO every 2 s and 3 retransmissions: a killed l2tpns is found out in about 2 + 0.5 + 1 + 2 + 4 s
        lab = LabFixture.start(LabOptions.defaults().withUsers(4).withL2tpns(LNS).withHello(Duration.ofSeconds(2), 3)
                .withLockout(Duration.ofSeconds(2)).withCapture(true));
    }

    @AfterAll
    static void down() {
        LabFixture.stop(lab);
    }

    static L2tpns l2tpns() {
        return lab.l2tpns(LNS);
    }

    static Lab.Subscribers dial(int n, String duration) throws InterruptedException {
        Lab.Subscribers s = lab.startSubscribers(Lab.SubscriberRun.of("a", n).rate(10).auth("mix").traffic(5, 128).duration(duration));
        assertTrue(LabFixture.await(Duration.ofSeconds(30), () -> lab.sessionsByLns("forwarding").getOrDefault(LNS, 0) == n),
                n + " sessions forwarding through " + LNS + ": " + lab.sessions() + "\n" + lab.diagnostics());
        return s;
    }

    /** Acct-Terminate-Cause of every Stop l2tpns sent to its FreeRADIUS. */
    static List<String> l2tpnsStopCauses() throws Exception {
        List<String> causes = new ArrayList<>();
        for (String rec : l2tpns().radius().detail().split("\n\\s*\n")) {
            if (rec.contains("Acct-Status-Type = Stop")) {
                causes.add(rec.lines().filter(l -> l.contains("Acct-Terminate-Cause")).map(l -> l.replaceAll(".*= ", "").strip())
                        .findFirst().orElse("(none)"));
            }
        }
        return causes;
    }

    @Test
    @Order(1)
    void chapAndPapSubscribersGetTheirAddressFromL2tpnsProbesCrossBothWaysHangUpIsUserRequest() throws Exception {
        Lab.Subscribers s = dial(2, "8s");
        // the emulator hangs up by itself when its 8 s are over (LCP Terminate-Request, PADT)
        assertEquals(0, s.await(Duration.ofSeconds(30)), s.process().tail(30) + "\n" + lab.diagnostics());
        JsonNode r = s.report();
        assertEquals(2, r.path("established").asInt(), r.toString());
        assertEquals(2, r.path("renegotiations").asInt(), "l2tpns ignores the proxy LCP and renegotiates LCP: " + r);
        assertTrue(r.path("packetsSent").asLong() >= 20, r.toString());
        assertEquals(r.path("packetsSent").asLong(), r.path("packetsReceived").asLong(),
                "every probe came back through l2tpns's tun0 and lacd: " + r);

        Set<String> auth = new TreeSet<>();
        for (JsonNode o : s.outcomes()) {
            auth.add(o.path("auth").asText());
            String a = o.path("address").asText();
            assertTrue(a.startsWith("100.64.") && Integer.parseInt(a.split("\\.")[2]) < 4,
                    "IPCP address from l2tpns's pool " + Lab.l2tpnsPool(0) + ": " + o);
            assertEquals(lab.topology().lns(LNS).address(), o.path("peerAddress").asText(), "l2tpns's own IPCP address: " + o);
        }
        assertEquals(Set.of("chap", "pap"), auth);
        // l2tpns asked its own RADIUS: one CHAP and one PAP Access-Request, from its own challenge
        String asked = l2tpns().radius().authDetail();
        assertTrue(asked.contains("CHAP-Password") && asked.contains("CHAP-Challenge") && asked.contains("User-Password"), asked);

        assertTrue(LabFixture.await(Duration.ofSeconds(10), () -> LabFixture.count(lab, null) == 0), lab.sessions().toString());
        assertTrue(LabFixture.await(Duration.ofSeconds(10), () -> {
            try {
                return l2tpnsStopCauses().size() == 2;
            } catch (Exception e) {
                return false;
            }
        }), "two Stops in l2tpns's accounting: " + l2tpns().radius().detail());
        // lacd's CDN says the hang-up happened on its side (RFC 3145 direction "at local"): User-Request, not Lost-Carrier
        assertEquals(List.of("User-Request", "User-Request"), l2tpnsStopCauses());
    }

    @Test
    @Order(2)
    void afterLacdClosedTheIdleTunnelNothingIsSentOnIt() throws Exception {
        // Test 1 left the tunnel idle: lacd closes it after tunnel-linger (5 s) with StopCCN, which l2tpns acknowledges,
        // and l2tpns's session reaper ends its copies of the two calls about 10 s after the hang-up. lacd keeps no state
        // for a closed tunnel: it sends nothing more on it (a late message from the LNS is counted and dropped).
        assertTrue(LabFixture.await(Duration.ofSeconds(20), () -> l2tpns().logLines("Kill session").size() >= 2),
                "l2tpns reaped the calls lacd cleared: " + l2tpns().tail(20));
        assertTrue(LabFixture.await(Duration.ofSeconds(10), () -> lab.lacd().logContains("CLOSING -> CLOSED on STOP_ACKED")),
                lab.lacd().tail(20));
        lab.stopCaptures();
        List<String[]> control = new ArrayList<>();
        Sh.Result t = Sh.run(60, List.of("tshark", "-r", lab.captureFile().toString(), "-Y", "l2tp.type == 1", "-T", "fields",
                "-e", "ip.src", "-e", "l2tp.avp.message_type"));
        for (String line : t.out().lines().toList()) {
            control.add(line.split("\t", -1));
        }
        int stop = -1;
        for (int i = 0; i < control.size(); i++) {
            if (control.get(i).length > 1 && control.get(i)[1].equals("4")) {
                stop = i;
            }
        }
        assertTrue(stop >= 0, "lacd's StopCCN in the capture:\n" + t.out());
        String lac = lab.topology().lns(LNS).lacAddress();
        List<String> afterStop = new ArrayList<>();
        for (String[] c : control.subList(stop + 1, control.size())) {
            afterStop.add(String.join(" ", c));
        }
        assertTrue(afterStop.stream().noneMatch(c -> c.startsWith(lac + " ")), "lacd sent nothing after its StopCCN: " + afterStop);
        System.out.println("l2tpns after lacd's StopCCN: " + afterStop + "; lacd drops: "
                + lab.metrics().lines().filter(l -> l.startsWith("lacd_drops_total")).toList());
    }

    @Test
    @Order(3)
    void l2tpnsStoppingSendsStopCcnAndLacdEndsTheSessions() throws Exception {
        Lab.Subscribers s = dial(2, "60s");
        long t0 = System.nanoTime();
        l2tpns().process().signal("QUIT");
        assertTrue(LabFixture.await(Duration.ofSeconds(10), () -> LabFixture.count(lab, null) == 0),
                "StopCCN from l2tpns ended every session in lacd: " + lab.sessions() + "\n" + lab.lacd().tail(20)
                        + "\n" + l2tpns().tail(20));
        assertTrue(lab.lacd().logContains("ESTABLISHED -> CLOSED on RX_STOPCCN"), lab.lacd().tail(20));
        assertTrue(l2tpns().logLines("Dropping sessions and tunnels").size() == 1, l2tpns().tail(20));
        boolean exited = l2tpns().quit(Duration.ofSeconds(3)); // it retransmits its own StopCCN for long: not waited for
        System.out.printf("l2tpns after SIGQUIT: sessions gone in lacd, l2tpns %s after %.1f s%n",
                exited ? "exited" : "still running (killed)", (System.nanoTime() - t0) / 1e9);
        assertEquals(1, s.await(Duration.ofSeconds(20)), "the emulator saw its sessions end early");
        JsonNode r = s.report();
        assertEquals(2, r.path("established").asInt(), r.toString());
        assertEquals(2, r.path("failed").asInt(), "both hung up by the network side: " + r);
        lab.startLns(LNS);
    }

    @Test
    @Order(4)
    void l2tpnsKilledIsFoundOutByHello() throws Exception {
        Lab.Subscribers s = dial(1, "60s");
        double before = lab.metric("lacd_tunnels", "state=\"established\"");
        l2tpns().kill();
        long t0 = System.nanoTime();
        assertTrue(LabFixture.await(Duration.ofSeconds(25), () -> LabFixture.count(lab, null) == 0),
                "lacd found the dead LNS by HELLO and ended the session: " + lab.sessions() + "\n" + lab.lacd().tail(20));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(lab.lacd().logContains("ESTABLISHED -> CLOSED on GAVE_UP"), lab.lacd().tail(20));
        assertEquals(before - 1, lab.metric("lacd_tunnels", "state=\"established\""), 0.0);
        assertEquals(1, s.await(Duration.ofSeconds(20)), "the subscriber was hung up");
        System.out.printf("killed l2tpns found out after %.1f s%n", seconds);
    }
}
