package org.lacd.lab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.testsupport.RealPeer;
import org.lacd.testsupport.Peers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The lab's main case, through real namespaces: real FreeRADIUS, lacd as a separate process, four LNS emulators and
 * subscriber emulators as processes. 100 subscribers of two resellers (CHAP and PAP mixed) reach their reseller's
 * preferred LNS, traffic flows both ways without loss, the LNS receives proxy values that verify against the
 * subscriber's password, the subscribers hang up and nothing is left, accounting has a Stop for every Start;
 * rp-pppoe's client sees lacd; a capture on both sides of lacd has no malformed frame.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@RealPeer
class TwoResellersLabTest {
    static Lab lab;

    @BeforeAll
    static void up() {
        lab = LabFixture.start(LabOptions.defaults().withUsers(50).withCapture(Sh.have("dumpcap") && Sh.have("tshark")));
    }

    @AfterAll
    static void down() {
        LabFixture.stop(lab);
    }

    @Test
    @Order(1)
    void hundredSubscribersOfTwoResellersReachTheirLnsWithTrafficBothWays() throws Exception {
        Lab.Subscribers a = lab.startSubscribers(Lab.SubscriberRun.of("a", 50).rate(50).auth("mix").traffic(5, 200).duration("25s"));
        Lab.Subscribers b = lab.startSubscribers(Lab.SubscriberRun.of("b", 50).rate(50).auth("mix").traffic(5, 200).duration("25s"));
        assertTrue(LabFixture.await(Duration.ofSeconds(40), () -> LabFixture.count(lab, "FORWARDING") == 100),
                "100 sessions forwarding in lacd; have " + LabFixture.count(lab, null) + "\n" + lab.diagnostics());

        // lacd's own CLI, as an operator runs it
        Sh.Result cli = lab.lacdCli("sessions", "--json");
        assertEquals(0, cli.exit(), cli.out());
        JsonNode sessions = new ObjectMapper().readTree(cli.out().substring(cli.out().indexOf('[')));
        assertEquals(100, sessions.size());
        Map<String, Integer> byLns = new HashMap<>();
        for (JsonNode s : sessions) {
            String user = s.path("user").asText();
            String lns = s.path("lns").asText();
            assertTrue(user.endsWith("@reseller-a.example") && lns.equals("lns-a1")
                    || user.endsWith("@reseller-b.example") && lns.equals("lns-b1"), user + " on " + lns);
            byLns.merge(lns, 1, Integer::sum);
        }
        assertEquals(Map.of("lns-a1", 50, "lns-b1", 50), byLns);

        // the subscribers hang up by themselves at the end of their run
        assertEquals(0, a.await(Duration.ofSeconds(60)), a.process().tail(30));
        assertEquals(0, b.await(Duration.ofSeconds(60)), b.process().tail(30));
        for (Lab.Subscribers s : new Lab.Subscribers[] {a, b}) {
            JsonNode r = s.report();
            assertEquals(50, r.path("established").asInt(), r.toString());
            assertEquals(0, r.path("failed").asInt(), r.toString());
            assertTrue(r.path("packetsSent").asLong() > 200, r.toString());
            assertEquals(r.path("packetsSent").asLong(), r.path("packetsReceived").asLong(), "no loss at low rate: " + r);
            assertEquals(0, r.path("malformedFrames").asLong(), r.toString());
        }
        assertTrue(LabFixture.await(Duration.ofSeconds(15), () -> LabFixture.count(lab, null) == 0),
                "no session left in lacd after the subscribers hung up: " + lab.sessions());

        String m = lab.metrics();
        assertEquals(100, Lab.sample(m, "lacd_session_setups_total", "result=\"success\""), 0.1);
        assertTrue(Lab.sample(m, "lacd_packets_total", "protocol=\"pppoe\"", "direction=\"rx\"") > 2 * 200,
                "PPPoE packets counted");
        assertTrue(Lab.sample(m, "lacd_packets_total", "protocol=\"l2tp\"", "direction=\"rx\"") > 2 * 200,
                "L2TP packets counted");
        assertTrue(m.contains("lacd_pppoe_capture_drops_total{interface=\"" + Topology.ACCESS_IF + "\"}"),
                "the raw socket's drop counter is exported for the access interface");
        assertEquals(0, Lab.sample(m, "lacd_pppoe_capture_drops_total"), 0.1, "no frame dropped by the kernel at this rate");
    }

    @Test
    @Order(2)
    void rpPppoeClientDiscoversLacd() {
        Peers.require(Sh.have("pppoe"), "rp-pppoe not installed");
        Sh.Result r = lab.topology().exec(lab.topology().subscriberNamespace(), 30, "pppoe", "-A", "-I", Topology.SUB_IF);
        assertTrue(r.out().contains("Access-Concentrator: lacd"), r.out());
        assertTrue(r.out().contains("AC-Ethernet-Address:"), r.out());
    }

    @Test
    @Order(3)
    void lnsReceivedProxyValuesMatchingWhatTheSubscribersSentAndAccountingIsClosed() throws Exception {
        HexFormat hex = HexFormat.of();
        int chap = 0;
        int pap = 0;
        for (String name : new String[] {"lns-a1", "lns-b1"}) {
            JsonNode r = lab.stopLns(name);
            assertEquals(50, r.path("sessions").path("everUp").asLong(), name + ": " + r.path("sessions"));
            assertEquals(50, r.path("calls").size());
            for (JsonNode c : r.path("calls")) {
                String user = c.path("user").asText();
                assertTrue(user.endsWith(name.equals("lns-a1") ? "@reseller-a.example" : "@reseller-b.example"), user);
                assertEquals("CLEARED_BY_SUBSCRIBER", c.path("result").asText(), "the subscriber's LCP Terminate reached the LNS: " + c);
                assertTrue(c.path("everUp").asBoolean());
                assertEquals("VALID", c.path("proxyAuthCheck").asText(), "proxy authentication verifies with the subscriber's password: " + c);
                JsonNode p = c.path("proxy");
                assertEquals(user, p.path("authenName").asText());
                assertNotNull(p.path("lastReceivedLcpConfReq").textValue(), "proxy LCP: " + c);
                assertNotNull(p.path("lastSentLcpConfReq").textValue(), "proxy LCP: " + c);
                String n = user.substring(4, user.indexOf('@'));
                switch (p.path("authenType").asInt()) {
                    case 2 -> { // CHAP (RFC 2661 4.4.5)
                        chap++;
                        assertEquals(16, hex.parseHex(p.path("authenResponse").asText()).length);
                        assertTrue(p.path("authenChallenge").asText().length() >= 2);
                    }
                    case 3 -> { // PAP: the password exactly as the subscriber sent it
                        pap++;
                        assertEquals(hex.formatHex(("pass" + n).getBytes(StandardCharsets.US_ASCII)), p.path("authenResponse").asText());
                    }
                    default -> throw new AssertionError("proxy authen type " + p.path("authenType") + " in " + c);
                }
                assertEquals(c.path("ipv4In").asLong(), c.path("ipv4Reflected").asLong());
                assertTrue(c.path("ipv4In").asLong() > 0, "traffic reached the LNS: " + c);
            }
            lab.startLns(name);
        }
        assertEquals(100, chap + pap);
        assertTrue(chap > 20 && pap > 20, "CHAP and PAP mixed: chap " + chap + " pap " + pap);
        for (String name : new String[] {"lns-a2", "lns-b2"}) {
            assertEquals(0, lab.lnsStatus(name)[3], name + " (less preferred) got no call");
        }
        LabFixture.awaitStopForEveryStart(lab, 100);
    }

    @Test
    @Order(4)
    void captureOnBothSidesOfLacdHasNoMalformedFrame() {
        Peers.require(lab.options().capture(), "tshark/dumpcap not installed");
        lab.stopCaptures();
        Sh.Result all = Sh.run(120, java.util.List.of("tshark", "-n", "-r", lab.captureFile().toString(), "-qz", "io,phs"));
        assertEquals(0, all.exit(), all.out());
        assertTrue(all.out().contains("pppoes") && all.out().contains("l2tp"), "capture holds both sides: " + all.out());
        Sh.Result bad = Sh.run(120, java.util.List.of("tshark", "-n", "-r", lab.captureFile().toString(), "-Y", "_ws.malformed"));
        assertEquals(0, bad.exit(), bad.out());
        String frames = bad.out().lines().filter(l -> !l.contains("Running as user")).reduce("", (x, y) -> x + y + "\n");
        assertEquals("", frames.strip(), "malformed frames:\n" + frames);
    }

    @Test
    @Order(5)
    void proxyAvpsOnTheWireEqualWhatTheSubscribersSentOnTheWire() {
        Peers.require(lab.options().capture(), "tshark/dumpcap not installed");
        lab.stopCaptures();
        String f = lab.captureFile().toString();
        // PPPoE side: what each subscriber sent (CHAP response value, PAP password, LCP magic number), by MAC
        Map<String, String> userByMac = new HashMap<>();
        Map<String, String> chapByUser = new HashMap<>();
        for (String[] l : fields(f, "chap.code == 2 && eth.src[0:2] == 02:00", "eth.src", "chap.name", "chap.value")) {
            userByMac.put(l[0], l[1]);
            chapByUser.put(l[1], l[2]);
        }
        Map<String, String> papByUser = new HashMap<>();
        for (String[] l : fields(f, "pap.code == 1 && eth.src[0:2] == 02:00", "eth.src", "pap.peer_id", "pap.password")) {
            userByMac.put(l[0], l[1]);
            papByUser.put(l[1], HexFormat.of().formatHex(l[2].getBytes(StandardCharsets.US_ASCII)));
        }
        Map<String, String> magicByUser = new HashMap<>();
        for (String[] l : fields(f, "lcp && ppp.code == 1 && eth.src[0:2] == 02:00", "eth.src", "lcp.opt.magic_number")) {
            if (userByMac.containsKey(l[0])) {
                magicByUser.put(userByMac.get(l[0]), l[1].replace("0x", ""));
            }
        }
        // L2TP side: the ICCNs lacd sent to the LNSs (a retransmitted ICCN is in the capture twice, and checked twice)
        java.util.Set<String> iccnUsers = new java.util.HashSet<>();
        for (String[] l : fields(f, "l2tp.avp.proxy_authen_type", "l2tp.avp.proxy_authen_name", "l2tp.avp.proxy_authen_type",
                "l2tp.avp.proxy_authen_response", "l2tp.avp.last_received_lcp_confreq")) {
            String user = l[0];
            iccnUsers.add(user);
            assertTrue(magicByUser.containsKey(user), "an ICCN for " + user + ", who sent no LCP Configure-Request in the capture");
            String expected = "2".equals(l[1]) ? chapByUser.get(user) : papByUser.get(user);
            assertEquals(expected, l[2].replace(":", ""), "proxy authen response of " + user + " (type " + l[1] + ")");
            assertTrue(l[3].replace(":", "").contains(magicByUser.get(user)),
                    "last received LCP ConfReq of " + user + " carries the subscriber's magic number: " + l[3]);
        }
        assertEquals(100, iccnUsers.size(), "an ICCN for every subscriber in the capture: " + iccnUsers);
    }

    /** tshark -T fields on the lab capture: one String[] per matching frame. */
    static java.util.List<String[]> fields(String file, String filter, String... names) {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("tshark", "-n", "-r", file, "-Y", filter, "-T", "fields",
                "-E", "separator=/t"));
        for (String n : names) {
            cmd.add("-e");
            cmd.add(n);
        }
        Sh.Result r = Sh.run(120, cmd);
        assertEquals(0, r.exit(), r.out());
        return r.out().lines().filter(x -> !x.contains("Running as user") && !x.isBlank()).map(x -> x.split("\t", -1))
                .filter(a -> a.length == names.length).toList();
    }
}
