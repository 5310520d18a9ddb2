package org.lacd.radius;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lacd.radius.AcctSession.Counters;
import org.lacd.radius.RadiusSettings.MessageAuthenticatorMode;
import org.lacd.radius.RadiusSettings.Server;
import org.lacd.radius.wire.Attr;
import org.lacd.radius.wire.RadiusAttribute;
import org.lacd.radius.wire.RadiusPacket;

/**
 * A session's accounting records reach the server in the order they were made, even when the server answers them out
 * of order or one of them fails to be delivered. FreeRADIUS handles requests on a thread pool, so Start and Stop in
 * flight together can be written to its detail file Stop first (CI saw it with Tunnel-Link-Start/-Stop).
 */
class AccountingOrderTest {
    static final String SECRET = "fake-secret";
    @TempDir
    Path tmp;

    static RadiusSettings settings(FakeRadiusServer fake, Path spool, Duration timeout) {
        return RadiusSettings.builder()
            .acctServers(List.of(new Server("127.0.0.1", fake.port(), SECRET, MessageAuthenticatorMode.AUTO)))
            .timeout(timeout).retries(0).deadHoldDown(Duration.ofMillis(100)).nasIdentifier("lacd-order")
            .accounting(new RadiusSettings.Accounting(Duration.ZERO, spool, 100, Duration.ofMillis(200), true)).build();
    }

    static AcctSession session(String id) {
        return new AcctSession(id, id + "@resellera.example", new byte[] {2, 0, 0, 0, 0, 1}, "eth1", OptionalInt.empty(), OptionalInt.empty(),
            1, "", Instant.now(), () -> new Counters(1, 2, 3, 4), Optional.of(AcctSession.TunnelInfo.l2tp("192.0.2.9", null, "1/2/3")),
            List.of(), OptionalInt.empty(), AcctSession.AUTHENTIC_RADIUS, Optional.empty());
    }

    /** "session-id status" of each request the server answered, in the order it answered them. */
    static List<String> answered(FakeRadiusServer fake) {
        List<String> out = new ArrayList<>();
        synchronized (fake.answered) {
            for (RadiusPacket p : fake.answered) {
                out.add(p.first(Attr.ACCT_SESSION_ID).map(RadiusAttribute::asString).orElse("?") + " "
                    + p.first(Attr.ACCT_STATUS_TYPE).map(RadiusAttribute::asInt).orElse(-1L));
            }
        }
        return out;
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    @Test
    void aSessionsNextRecordWaitsForTheAnswerToTheOneBeforeWhileOtherSessionsGoAhead() throws Exception {
        try (FakeRadiusServer fake = new FakeRadiusServer(SECRET);
             // A long timeout: the held answers must not time out (that is the other test).
             AccountingService acct = new AccountingService(settings(fake, tmp.resolve("spool"), Duration.ofSeconds(10)), new CountingRadiusStats())) {
            acct.start();
            fake.hold = true; // nothing is answered until release()
            AcctSession a = session("a");
            AcctSession b = session("b");
            acct.tunnelLinkStart(a);
            acct.tunnelLinkStop(a, TerminateCause.HOST_REQUEST);
            acct.start(b);
            // b's Start was submitted after a's Tunnel-Link-Stop on the same thread: had that Stop been sent at once, it
            // would have reached the server before b's Start.
            await(() -> fake.received.get() >= 2, "two requests");
            assertEquals(2, fake.received.get(), "a's Tunnel-Link-Stop was sent before its Start was answered");
            fake.release();
            await(() -> fake.answered.size() == 3, "three answers");
            List<String> order = answered(fake);
            assertEquals(List.of("a 12", "b 1", "a 13"), order);
            assertEquals(0, acct.spoolDepth());
        }
    }

    @Test
    void theRecordsBehindOneThatFailsAreSpooledBehindItAndDeliveredInOrder() throws Exception {
        CountingRadiusStats stats = new CountingRadiusStats();
        try (FakeRadiusServer fake = new FakeRadiusServer(SECRET);
             AccountingService acct = new AccountingService(settings(fake, tmp.resolve("spool"), Duration.ofMillis(300)), stats)) {
            acct.start();
            AtomicBoolean loseStart = new AtomicBoolean(true);
            fake.ignore = req -> loseStart.get() && req.first(Attr.ACCT_STATUS_TYPE).map(RadiusAttribute::asInt).orElse(-1L) == 1;
            AcctSession a = session("a");
            acct.start(a);
            acct.stop(a, TerminateCause.USER_REQUEST);
            await(() -> acct.spoolDepth() > 0, "the Start to be spooled");
            assertEquals(2, acct.spoolDepth(), "the Stop is spooled behind its Start, not sent on its own");
            assertEquals(List.of(), answered(fake));
            loseStart.set(false);
            await(() -> fake.answered.size() == 2, "the spool to be delivered");
            assertEquals(List.of("a 1", "a 2"), answered(fake));
            await(() -> acct.spoolDepth() == 0, "an empty spool");
        }
    }

    /** Everything a silent server left: {@code n} sessions' Starts spooled. */
    private static void spoolStarts(AccountingService acct, FakeRadiusServer fake, int n) throws InterruptedException {
        fake.silent = true;
        for (int i = 1; i <= n; i++) {
            acct.start(session("s" + i));
        }
        await(() -> acct.spoolDepth() == n, n + " Starts spooled");
    }

    @Test
    void spooledRecordsAreDeliveredSeveralAtATime() throws Exception {
        CountingRadiusStats stats = new CountingRadiusStats();
        try (FakeRadiusServer fake = new FakeRadiusServer(SECRET);
             AccountingService acct = new AccountingService(settings(fake, tmp.resolve("spool"), Duration.ofMillis(300)), stats)) {
            acct.start();
            spoolStarts(acct, fake, 40);
            fake.hold = true;
            int before = fake.received.get();
            fake.silent = false;
            // one at a time, the server would see 1 request until it answers; the window sends 32 at once
            await(() -> fake.received.get() - before >= 32, "a window of 32 spooled records");
            assertEquals(32, fake.received.get() - before, "no more than the window before an answer");
            fake.release();
            await(() -> acct.spoolDepth() == 0, "an empty spool");
            List<String> got = answered(fake);
            for (int i = 1; i <= 40; i++) {
                assertTrue(got.contains("s" + i + " 1"), "s" + i + "'s Start delivered: " + got);
            }
        }
    }

    @Test
    void theDrainWindowKeepsEachSessionsRecordsInOrder() throws Exception {
        try (FakeRadiusServer fake = new FakeRadiusServer(SECRET);
             AccountingService acct = new AccountingService(settings(fake, tmp.resolve("spool"), Duration.ofMillis(300)), new CountingRadiusStats())) {
            acct.start();
            fake.silent = true;
            AcctSession a = session("a");
            AcctSession b = session("b");
            acct.start(a);
            acct.stop(a, TerminateCause.USER_REQUEST);
            acct.start(b);
            await(() -> acct.spoolDepth() == 3, "a's Start and Stop and b's Start spooled");
            fake.hold = true;
            fake.releaseReversed = true; // had a's Stop been sent with its Start, it would be answered first
            int before = fake.received.get();
            fake.silent = false;
            await(() -> fake.received.get() - before >= 1, "the drain to start");
            fake.release();
            await(() -> acct.spoolDepth() == 0, "an empty spool");
            List<String> got = answered(fake);
            assertEquals(3, got.size(), got.toString());
            assertTrue(got.indexOf("a 1") < got.indexOf("a 2"), "a's Stop after its Start was answered: " + got);
            assertTrue(got.contains("b 1"));
        }
    }

    @Test
    void aFullSpoolCountsEveryDiscardedRecordButLogsAtMostOneLinePerInterval() throws Exception {
        CountingRadiusStats stats = new CountingRadiusStats();
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(AccountingService.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log = new ch.qos.logback.core.read.ListAppender<>();
        log.start();
        logger.addAppender(log);
        try (FakeRadiusServer fake = new FakeRadiusServer(SECRET);
             AccountingService acct = new AccountingService(settings(fake, tmp.resolve("spool"), Duration.ofMillis(300)), stats)) {
            acct.start();
            spoolStarts(acct, fake, 100); // the spool's bound in these settings
            for (int i = 101; i <= 150; i++) {
                acct.start(session("s" + i));
            }
            await(() -> stats.spoolOverflows() == 50, "50 records discarded");
            List<String> lines = new ArrayList<>();
            synchronized (log.list) {
                log.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).filter(m -> m.contains("DISCARDED"))
                    .forEach(lines::add);
            }
            assertEquals(1, lines.size(), "one line for 50 discards within 10 s: " + lines);
            assertTrue(lines.get(0).contains("spool FULL (100 records in"), lines.get(0));
            assertTrue(lines.get(0).contains("s101"), "the first discarded record is named: " + lines.get(0));
        } finally {
            logger.detachAppender(log);
        }
    }
}
