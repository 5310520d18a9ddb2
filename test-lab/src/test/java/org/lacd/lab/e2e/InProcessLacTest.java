package org.lacd.lab.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lacd.lab.lns.CallReport;
import org.lacd.lab.lns.CallResult;
import org.lacd.lab.lns.Mode;
import org.lacd.lab.subscriber.AuthMode;
import org.lacd.lab.subscriber.Report;

/**
 * Issue 5 end to end, in one process: lacd's real PPPoE server, sessions, RADIUS client and L2TP engine between the
 * subscriber emulator (in-memory Ethernet), real FreeRADIUS on loopback and four emulated LNSs on loopback UDP.
 */
class InProcessLacTest {
    @TempDir
    Path dir;
    LacHarness lab;

    @AfterEach
    void tearDown() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    private static String describe(Report r) {
        return r.toText();
    }

    @Test
    void radiusSteersTwoResellersChapAndPapWithProxyValuesAndAccounting() throws Exception {
        lab = new LacHarness(dir).startLns(Mode.ACCEPT_PROXY).startRadius().startLacd("");
        Report a = lab.run("sub-a", LacHarness.subscribers("reseller-a", 10, AuthMode.MIX)
                .lifetime(Duration.ofSeconds(2)).trafficPps(20).trafficSize(200).build());
        Report b = lab.run("sub-b", LacHarness.subscribers("reseller-b", 20, AuthMode.MIX)
                .lifetime(Duration.ofSeconds(2)).trafficPps(20).trafficSize(200).build());
        assertEquals(10, a.established(), describe(a));
        assertEquals(0, a.failed(), describe(a));
        assertEquals(20, b.established(), describe(b));
        assertEquals(0, b.failed(), describe(b));
        assertTrue(a.packetsSent() > 0 && a.packetsLost() == 0, "traffic both ways, no loss at low rate: " + describe(a));
        assertTrue(b.packetsSent() > 0 && b.packetsLost() == 0, describe(b));

        // reseller A: all on the preferred LNS; reseller B: spread over the two equal ones
        assertEquals(10, lab.lns.get("lns-a1").report().calls().size());
        assertEquals(0, lab.lns.get("lns-a2").report().calls().size());
        int b1 = lab.lns.get("lns-b1").report().calls().size();
        int b2 = lab.lns.get("lns-b2").report().calls().size();
        assertEquals(20, b1 + b2);
        assertTrue(b1 > 0 && b2 > 0, "equal preferences spread: b1=" + b1 + " b2=" + b2);

        // proxy values: what the subscriber sent, byte for byte; proxy authentication verified by the LNS
        for (int n = 1; n <= 10; n++) {
            String user = "user" + n + "@reseller-a.example";
            List<CallReport> calls = lab.callsOf(user).get("lns-a1");
            assertEquals(1, calls.size(), user);
            CallReport c = calls.get(0);
            assertEquals("VALID", c.proxyAuthCheck(), user + ": " + c);
            assertEquals(n % 2 == 1 ? 2 : 3, c.proxy().authenType(), "CHAP for odd, PAP for even: " + c);
            assertEquals(user, c.proxy().authenName());
            String sent = lab.firstConfReqOptions(0x02_00_00_0a_00_00L + n);
            assertNotNull(sent, "captured the subscriber's Configure-Request");
            assertEquals(sent, c.proxy().initialReceivedLcpConfReq(), user);
            assertEquals(sent, c.proxy().lastReceivedLcpConfReq(), user + " (no renegotiation)");
            assertNotNull(c.proxy().lastSentLcpConfReq());
            // the subscriber's LCP Terminate-Request passes through the tunnel, then its PADT becomes lacd's CDN
            assertTrue(c.result() == CallResult.CLEARED_BY_SUBSCRIBER || c.result() == CallResult.CLEARED_BY_LAC, c.toString());
        }

        // accounting: a Stop for every Start, with the session id
        assertTrue(LacHarness.await(Duration.ofSeconds(10), () -> count(detail(), "Acct-Status-Type = Stop") >= 30), detail());
        Set<String> starts = ids(detail(), "Start");
        Set<String> stops = ids(detail(), "Stop");
        assertEquals(30, starts.size(), detail());
        assertEquals(starts, stops);
        assertTrue(detail().contains("Acct-Terminate-Cause = User-Request"), detail());
        assertEquals(0, lab.daemon.lac().sessions().count(), "nothing left in lacd");
    }

    private String detail() {
        try {
            return lab.radius.detail();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    /** Acct-Session-Ids of the records of one status type in a FreeRADIUS detail file. */
    static Set<String> ids(String detail, String status) {
        Set<String> out = new HashSet<>();
        for (String rec : detail.split("\n\n")) {
            if (rec.contains("Acct-Status-Type = " + status)) {
                Matcher m = Pattern.compile("Acct-Session-Id = \"([^\"]+)\"").matcher(rec);
                if (m.find()) {
                    out.add(m.group(1));
                }
            }
        }
        return out;
    }
}
