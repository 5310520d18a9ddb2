package org.lacd.lab.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.testsupport.RealPeer;
import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lacd.lab.lns.CallReport;
import org.lacd.lab.lns.Mode;
import org.lacd.lab.subscriber.AuthMode;
import org.lacd.lab.subscriber.EmulatorConfig;
import org.lacd.lab.subscriber.FailureReason;
import org.lacd.lab.subscriber.Report;

/**
 * Issue 14 defect 5: a user name longer than lacd can carry on (RADIUS User-Name: 253 bytes; without RADIUS the
 * L2TP Proxy Authen Name AVP: 1015 bytes) is refused at once with a CHAP Failure / PAP Authenticate-Nak and counted
 * as {@code username_too_long}; no RADIUS request and no call is sent, no LNS and no server is blamed. A name at the
 * limit still works.
 */
class UsernameLimitTest {
    @TempDir
    Path dir;
    LacHarness lab;

    @AfterEach
    void tearDown() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    /** A user pattern whose name for subscriber 1 is exactly {@code bytes} long, in reseller A's realm. */
    static String userOfLength(int bytes) {
        String tail = "{n}@reseller-a.example";
        String name = "u".repeat(bytes - (tail.length() - 2)) + tail;
        assertEquals(bytes, name.replace("{n}", "1").getBytes(StandardCharsets.UTF_8).length);
        return name;
    }

    /**
     * One subscriber, no retransmission: with a step timeout of 2 s and no retry, an answer that comes later than
     * that is a timeout, not a CHAP Failure / PAP Nak, so "refused" here also means "refused at once".
     */
    static EmulatorConfig one(String user, AuthMode auth, long mac) {
        return LacHarness.subscribers("reseller-a", 1, auth).userPattern(user).macBase(mac).retries(0)
                .stepTimeout(Duration.ofSeconds(2)).lifetime(Duration.ofSeconds(1)).build();
    }

    double failures(String reason) {
        return lab.daemon.metrics().count("lacd.session.failures", "reason", reason);
    }

    double accessRequests() {
        return lab.daemon.metrics().registry().find("lacd.radius.requests").tag("type", "access").counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    List<CallReport> allCalls() {
        return lab.lns.values().stream().flatMap(e -> e.report().calls().stream()).toList();
    }

    @Test
    void withoutRadiusANameOverTheL2tpLimitIsRefusedAtOnceAndOneAtTheLimitWorks() throws Exception {
        lab = new LacHarness(dir).startLns(Mode.ACCEPT_PROXY).startLacd("  source: realm\n" + LacHarness.REALM_RULES);

        Report chap = lab.run("sub-a", one(userOfLength(1400), AuthMode.CHAP, 0x02_00_00_0e_01_00L));
        assertEquals(1, chap.failures(FailureReason.CHAP_FAILURE), chap.toText());
        // PAP cannot get here: its Peer-ID-Length is one octet (RFC 1334 2.2.1), so a PAP name always fits the AVP
        Report over = lab.run("sub-a", one(userOfLength(1016), AuthMode.CHAP, 0x02_00_00_0e_02_00L));
        assertEquals(1, over.failures(FailureReason.CHAP_FAILURE), over.toText());

        assertEquals(2.0, failures("username_too_long"));
        assertEquals(0.0, failures("all_lns_failed"), "the LNS is not blamed");
        assertEquals(List.of(), allCalls(), "no ICRQ sent");
        assertEquals(0, lab.daemon.management().tunnels().size(), "no tunnel opened for it either");

        Report atLimit = lab.run("sub-a", one(userOfLength(1015), AuthMode.CHAP, 0x02_00_00_0e_03_00L));
        assertEquals(1, atLimit.established(), atLimit.toText());
        List<CallReport> calls = allCalls();
        assertEquals(1, calls.size());
        assertEquals(1015, calls.get(0).user().getBytes(StandardCharsets.UTF_8).length, "the whole name reached the LNS");
        assertEquals("lns-a1", lab.lns.entrySet().stream().filter(e -> !e.getValue().report().calls().isEmpty())
                .findFirst().orElseThrow().getKey(), "the preferred LNS: nothing was locked out");
        assertEquals(2.0, failures("username_too_long"));
    }

    @Test
    @RealPeer
    void withRadiusANameOverTheUserNameLimitIsRefusedWithoutARequest() throws Exception {
        lab = new LacHarness(dir).startLns(Mode.ACCEPT_PROXY).startRadius().startLacd("");

        Report chap = lab.run("sub-a", one(userOfLength(1400), AuthMode.CHAP, 0x02_00_00_0e_04_00L));
        assertEquals(1, chap.failures(FailureReason.CHAP_FAILURE), chap.toText());
        Report pap = lab.run("sub-a", one(userOfLength(254), AuthMode.PAP, 0x02_00_00_0e_05_00L));
        assertEquals(1, pap.failures(FailureReason.PAP_NAK), pap.toText());

        assertEquals(2.0, failures("username_too_long"));
        assertEquals(0.0, failures("radius_reject"), "RADIUS is not blamed");
        assertEquals(0.0, accessRequests(), "no Access-Request sent");
        assertEquals(List.of(), allCalls(), "no ICRQ sent");

        // 253 bytes fit the User-Name attribute: the request goes out (FreeRADIUS does not know the user: a reject)
        Report atLimit = lab.run("sub-a", one(userOfLength(253), AuthMode.CHAP, 0x02_00_00_0e_06_00L));
        assertEquals(1, atLimit.failures(FailureReason.CHAP_FAILURE), atLimit.toText());
        assertTrue(accessRequests() >= 1.0, "an Access-Request was sent for the name at the limit");
        assertEquals(1.0, failures("radius_reject"));
        assertEquals(2.0, failures("username_too_long"));
    }
}
