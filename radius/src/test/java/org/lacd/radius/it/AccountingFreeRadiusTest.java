package org.lacd.radius.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.testsupport.RealPeer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lacd.radius.AccountingService;
import org.lacd.radius.AcctSession;
import org.lacd.radius.AcctSession.Counters;
import org.lacd.radius.AcctSession.TunnelInfo;
import org.lacd.radius.CountingRadiusStats;
import org.lacd.radius.ManualRadiusScheduler;
import org.lacd.radius.RadiusStats.RequestType;
import org.lacd.radius.RadiusStats.Result;
import org.lacd.radius.RadiusSettings;
import org.lacd.radius.RadiusSettings.MessageAuthenticatorMode;
import org.lacd.radius.RadiusSettings.Server;
import org.lacd.radius.TerminateCause;

/**
 * Accounting records checked in FreeRADIUS's detail file; spool while FreeRADIUS is down and across a restart.
 * lacd's time (timeouts, retries, Interim-Update, spool retry, Acct-Delay-Time) is a {@link ManualRadiusScheduler}
 * that the tests advance; FreeRADIUS runs in real time, so its answers and detail file are awaited as conditions.
 */
@RealPeer
class AccountingFreeRadiusTest {
    @TempDir
    static Path tmp;
    static FreeRadiusServer radius;
    final ManualRadiusScheduler time = new ManualRadiusScheduler();

    AccountingService accounting(RadiusSettings settings, CountingRadiusStats stats) {
        return new AccountingService(settings, stats, time.clock(), time);
    }

    /** Waits until {@code n} accounting requests have been answered (before time moves, so no answered one is retried). */
    static void awaitAnswered(CountingRadiusStats stats, long n) throws InterruptedException {
        ManualRadiusScheduler.await(n + " accounting answers (" + stats + ")",
            () -> stats.completed(RequestType.ACCOUNTING, Result.ACCOUNTING_RESPONSE) >= n);
    }

    static void awaitSent(CountingRadiusStats stats, long n) throws InterruptedException {
        ManualRadiusScheduler.await(n + " accounting requests sent (" + stats + ")", () -> stats.sentCount(RequestType.ACCOUNTING) >= n);
    }

    @BeforeAll
    static void up() throws Exception {
        radius = FreeRadiusServer.start(tmp.resolve("fr"));
    }

    @AfterAll
    static void down() throws Exception {
        if (radius != null) {
            radius.stop();
        }
    }

    static RadiusSettings settings(Path spool, Duration interim, int spoolMax, boolean tunnelAcct) {
        return RadiusSettings.builder()
            .acctServers(List.of(new Server("127.0.0.1", radius.acctPort(), FreeRadiusServer.SECRET, MessageAuthenticatorMode.AUTO)))
            // 1 s per try: FreeRADIUS writes a retried record twice (a retry is a new request, RFC 2866 s5.2), and the
            // tests count records.
            .timeout(Duration.ofSeconds(1)).retries(1).deadHoldDown(Duration.ofMillis(200)).nasIdentifier("lacd-acct")
            .accounting(new RadiusSettings.Accounting(interim, spool, spoolMax, Duration.ofMillis(200), tunnelAcct)).build();
    }

    AcctSession session(String id, AtomicLong octets) {
        TunnelInfo t = new TunnelInfo(3, 1, "192.0.2.10:1702", Optional.of("198.51.100.1"), Optional.of("resA-primary"),
            Optional.of("lac-for-a"), Optional.of("lns-a1"), Optional.empty(), "4711/42/9");
        return new AcctSession(id, "alice@resellera.example", new byte[] {2, 0, 0, 0, 0, 1}, "eth1", OptionalInt.of(10), OptionalInt.of(20),
            7, "internet", time.clock().instant().minusSeconds(65), () -> new Counters(octets.get(), 5_000_000_123L, 1234, 5678), Optional.of(t),
            List.of("resA-class".getBytes(StandardCharsets.US_ASCII)), OptionalInt.empty(), AcctSession.AUTHENTIC_RADIUS,
            Optional.of(org.lacd.radius.AccessQuery.LineInfo.of("dslam1 eth 1/1/1:100", null)));
    }

    /** The detail file's records (blank-line separated) mentioning the session id. */
    static List<String> records(String sessionId) throws IOException {
        return java.util.Arrays.stream(radius.detail().split("\n\n")).filter(r -> r.contains("Acct-Session-Id = \"" + sessionId + "\"")).toList();
    }

    static List<String> waitRecords(String sessionId, int n) throws Exception {
        return waitRecords(sessionId, r -> r.size() >= n);
    }

    static List<String> waitRecords(String sessionId, java.util.function.Predicate<List<String>> done) throws Exception {
        try {
            ManualRadiusScheduler.await("records of " + sessionId, () -> {
                try {
                    return done.test(records(sessionId));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        } catch (AssertionError e) {
            // fall through: the caller's assertion shows what is there
        }
        return records(sessionId);
    }

    static long attr(String record, String name) {
        Matcher m = Pattern.compile("\\b" + Pattern.quote(name) + " = (\\d+)").matcher(record);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    @Test
    void startInterimStopInDetailFile() throws Exception {
        AtomicLong octets = new AtomicLong(100);
        CountingRadiusStats stats = new CountingRadiusStats();
        try (AccountingService acct = accounting(settings(tmp.resolve("spool1"), Duration.ofMillis(700), 100, false), stats)) {
            acct.start();
            AcctSession s = session("acct-live-1", octets);
            acct.start(s);
            awaitAnswered(stats, 1);
            time.advance(Duration.ofMillis(699));
            assertEquals(1, stats.sentCount(RequestType.ACCOUNTING), "no Interim-Update before the interval");
            time.advance(Duration.ofMillis(1));
            assertEquals(2, stats.sentCount(RequestType.ACCOUNTING), "the Interim-Update leaves when the interval is up");
            awaitAnswered(stats, 2);
            List<String> r = waitRecords("acct-live-1", 2);
            assertEquals(2, r.size(), "Start and one Interim-Update: " + r);
            octets.set((6L << 32) + 77); // 6 x 4 GiB + 77 octets: Acct-Input-Gigawords 6
            acct.stop(s, TerminateCause.USER_REQUEST);
            awaitAnswered(stats, 3);
            r = waitRecords("acct-live-1", l -> l.stream().anyMatch(x -> x.contains("Acct-Status-Type = Stop")));
            String start = r.get(0);
            assertTrue(start.contains("Acct-Status-Type = Start"), start);
            for (String line : List.of("User-Name = \"alice@resellera.example\"", "NAS-Identifier = \"lacd-acct\"", "NAS-Port-Id = \"eth1:10.20\"",
                "Calling-Station-Id = \"02:00:00:00:00:01\"", "Called-Station-Id = \"internet\"", "Class = 0x" + hex("resA-class"),
                "Tunnel-Type:0 = L2TP", "Tunnel-Medium-Type:0 = IPv4", "Tunnel-Server-Endpoint:0 = \"192.0.2.10:1702\"",
                "Tunnel-Client-Endpoint:0 = \"198.51.100.1\"", "Tunnel-Assignment-Id:0 = \"resA-primary\"", "Acct-Tunnel-Connection = \"4711/42/9\"",
                "Acct-Authentic = RADIUS", "Acct-Delay-Time = 0", "Event-Timestamp = ",
                "ADSL-Agent-Circuit-Id = 0x" + hex("dslam1 eth 1/1/1:100"))) {
                assertTrue(start.contains(line), "no '" + line + "' in\n" + start);
            }
            assertTrue(r.get(1).contains("Acct-Status-Type = Interim-Update"), r.get(1));
            assertEquals(100, attr(r.get(1), "Acct-Input-Octets"));
            String stop = r.get(r.size() - 1);
            assertTrue(stop.contains("Acct-Status-Type = Stop"), stop);
            assertTrue(stop.contains("Acct-Terminate-Cause = User-Request"), stop);
            assertEquals(77, attr(stop, "Acct-Input-Octets"));
            assertEquals(6, attr(stop, "Acct-Input-Gigawords"));
            assertEquals(5_000_000_123L & 0xFFFFFFFFL, attr(stop, "Acct-Output-Octets"));
            assertEquals(1, attr(stop, "Acct-Output-Gigawords"));
            assertEquals(1234, attr(stop, "Acct-Input-Packets"));
            assertEquals(5678, attr(stop, "Acct-Output-Packets"));
            assertEquals(65, attr(stop, "Acct-Session-Time"), stop);
            time.advance(Duration.ofMillis(2100)); // three more intervals
            assertEquals(3, stats.sentCount(RequestType.ACCOUNTING), "no Interim-Update after Stop");
            assertEquals(0, time.liveTimers(), "no timer left behind");
            assertEquals(r.size(), records("acct-live-1").size(), "no Interim-Update after Stop");
            assertEquals(0, acct.spoolDepth());
        }
    }

    @Test
    void accountingOnAndOff() throws Exception {
        CountingRadiusStats stats = new CountingRadiusStats();
        try (AccountingService acct = accounting(settings(tmp.resolve("spool5"), Duration.ZERO, 100, false), stats)) {
            acct.start();
            acct.accountingOn();
            acct.accountingOff();
            // Two Acct-Session-Ids, so both are in flight at once, and FreeRADIUS's threads may write them either way round.
            awaitAnswered(stats, 2);
            String d = radius.detail();
            assertTrue(d.contains("Acct-Status-Type = Accounting-On"), d);
            assertTrue(d.contains("Acct-Status-Type = Accounting-Off"), d);
            assertTrue(d.contains("Acct-Session-Id = \"lacd-acct-accounting_on-"), d);
        }
    }

    @Test
    void tunnelRecordsWhenEnabled() throws Exception {
        try (AccountingService acct = accounting(settings(tmp.resolve("spool2"), Duration.ZERO, 100, true), new CountingRadiusStats())) {
            acct.start();
            AcctSession s = session("acct-tun-1", new AtomicLong());
            acct.tunnelStart(s.tunnel().orElseThrow());
            acct.tunnelLinkStart(s);
            acct.tunnelLinkStop(s, TerminateCause.HOST_REQUEST);
            List<String> link = waitRecords("acct-tun-1", 2);
            assertEquals(2, link.size(), link.toString());
            assertTrue(link.get(0).contains("Acct-Status-Type = Tunnel-Link-Start"), link.get(0));
            assertTrue(link.get(1).contains("Acct-Status-Type = Tunnel-Link-Stop"), link.get(1));
            assertTrue(link.get(1).contains("Acct-Terminate-Cause = Host-Request"), link.get(1));
            List<String> tun = waitRecords("4711/42/9", 1);
            assertTrue(tun.get(0).contains("Acct-Status-Type = Tunnel-Start"), tun.toString());
        }
    }

    @Test
    void spoolsWhileFreeRadiusIsDownAndDeliversAfterItsRestartAndAcrossOurRestart() throws Exception {
        CountingRadiusStats stats = new CountingRadiusStats();
        Path spoolDir = tmp.resolve("spool3");
        radius.stop();
        try {
            try (AccountingService acct = accounting(settings(spoolDir, Duration.ZERO, 100, false), stats)) {
                acct.start();
                AcctSession s = session("acct-spool-1", new AtomicLong(5));
                acct.start(s);
                acct.stop(s, TerminateCause.LOST_CARRIER);
                AcctSession s2 = session("acct-spool-2", new AtomicLong(5));
                acct.start(s2);
                awaitSent(stats, 2); // the two Starts; the Stop waits behind its Start
                time.advance(Duration.ofSeconds(1)); // timeout: one retry each
                assertEquals(4, stats.sentCount(RequestType.ACCOUNTING));
                time.advance(Duration.ofSeconds(1)); // no answer: spooled, the Stop behind its Start
                assertEquals(3, acct.spoolDepth());
                assertEquals(3, stats.spoolDepth());
            }
            // lacd "restarts": a new instance on the same spool directory, FreeRADIUS still down.
            try (AccountingService acct = accounting(settings(spoolDir, Duration.ZERO, 100, false), stats)) {
                long sent = stats.sentCount(RequestType.ACCOUNTING);
                acct.start();
                awaitSent(stats, sent + 1); // the spool's head, to a server still down
                acct.stop(session("acct-spool-2", new AtomicLong(9)), TerminateCause.ADMIN_RESET);
                assertEquals(4, acct.spoolDepth(), "queued behind the spool");
                radius.startProcess();
                time.advance(Duration.ofSeconds(1)); // the head's retry reaches FreeRADIUS; the rest follows answer by answer
                List<String> r1 = waitRecords("acct-spool-1", 2);
                List<String> r2 = waitRecords("acct-spool-2", 2);
                assertEquals(2, r1.size(), r1.toString());
                assertEquals(2, r2.size(), r2.toString());
                assertTrue(r1.get(0).contains("Acct-Status-Type = Start") && r1.get(1).contains("Acct-Status-Type = Stop"), "order kept");
                assertTrue(r1.get(1).contains("Acct-Terminate-Cause = Lost-Carrier"));
                assertTrue(r2.get(1).contains("Acct-Terminate-Cause = Admin-Reset"));
                // Made at 0 s, retried at 3 s (2 s of tries before the spool, 1 s after our restart): Acct-Delay-Time 3.
                assertEquals(3, attr(r1.get(0), "Acct-Delay-Time"), r1.get(0));
                ManualRadiusScheduler.await("spool delivered", () -> acct.spoolDepth() == 0);
            }
        } finally {
            radius.startProcessIfStopped();
        }
        try (var files = Files.list(spoolDir)) {
            assertEquals(0, files.filter(p -> p.toString().endsWith(".spool")).count());
        }
    }

    @Test
    void fullSpoolIsCountedNeverSilent() throws Exception {
        CountingRadiusStats stats = new CountingRadiusStats();
        RadiusSettings s = RadiusSettings.builder()
            .acctServers(List.of(new Server("127.0.0.1", FreeRadiusServer.freeUdpPort(), "x", MessageAuthenticatorMode.AUTO)))
            .timeout(Duration.ofMillis(100)).retries(0)
            .accounting(new RadiusSettings.Accounting(Duration.ZERO, tmp.resolve("spool4"), 2, Duration.ofSeconds(30), false)).build();
        try (AccountingService acct = accounting(s, stats)) {
            acct.start();
            for (int i = 0; i < 3; i++) {
                acct.start(session("full-" + i, new AtomicLong()));
            }
            awaitSent(stats, 3);
            time.advance(Duration.ofMillis(100)); // all three time out: two fit the spool, the third overflows
            assertEquals(1, stats.spoolOverflows());
            assertEquals(2, acct.spoolDepth());
        }
    }

    static String hex(String s) {
        return java.util.HexFormat.of().formatHex(s.getBytes(StandardCharsets.US_ASCII));
    }
}
