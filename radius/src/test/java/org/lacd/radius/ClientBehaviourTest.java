package org.lacd.radius;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.lacd.radius.AccessDecision.Accept;
import org.lacd.radius.AccessDecision.Reject;
import org.lacd.radius.RadiusSettings.MessageAuthenticatorMode;
import org.lacd.radius.RadiusSettings.Server;

/** Message-Authenticator modes, answer matching, round robin and the in-flight bound, against an in-test fake server. */
class ClientBehaviourTest {
    static final String SECRET = "fake-secret";

    static RadiusSettings.Builder settings(Server... servers) {
        return RadiusSettings.builder().authServers(List.of(servers)).timeout(Duration.ofMillis(1000)).retries(0);
    }

    static Server server(FakeRadiusServer f, MessageAuthenticatorMode mode) {
        return new Server("127.0.0.1", f.port(), SECRET, mode);
    }

    static AccessDecision ask(AaaService aaa, String user) throws Exception {
        return aaa.authorize(AccessQuery.pap(user, "pw", "s")).get(5, TimeUnit.SECONDS);
    }

    @Test
    void autoRequiresMessageAuthenticatorOnceTheServerSentOne() throws Exception {
        CountingRadiusStats stats = new CountingRadiusStats();
        try (FakeRadiusServer fake = new FakeRadiusServer(SECRET);
             AaaService aaa = new AaaService(settings(server(fake, MessageAuthenticatorMode.AUTO)).build(), stats)) {
            aaa.start();
            fake.ma = FakeRadiusServer.Ma.VALID;
            assertInstanceOf(Accept.class, ask(aaa, "u1"));
            fake.ma = FakeRadiusServer.Ma.NONE;
            Reject r = assertInstanceOf(Reject.class, ask(aaa, "u2"));
            assertEquals(AccessDecision.RejectReason.TIMEOUT_ALL_SERVERS, r.reason());
            assertEquals(1, stats.dropped(RadiusStats.DropReason.MISSING_MESSAGE_AUTHENTICATOR));
        }
    }

    @Test
    void autoAcceptsAServerThatNeverSendsOne() throws Exception {
        CountingRadiusStats stats = new CountingRadiusStats();
        try (FakeRadiusServer fake = new FakeRadiusServer(SECRET);
             AaaService aaa = new AaaService(settings(server(fake, MessageAuthenticatorMode.AUTO)).build(), stats)) {
            aaa.start();
            fake.ma = FakeRadiusServer.Ma.NONE;
            assertInstanceOf(Accept.class, ask(aaa, "u1"));
            assertInstanceOf(Accept.class, ask(aaa, "u2"));
            assertEquals(0, stats.dropped(RadiusStats.DropReason.MISSING_MESSAGE_AUTHENTICATOR));
        }
    }

    @Test
    void corruptMessageAuthenticatorIsDroppedEvenWhenOff() throws Exception {
        CountingRadiusStats stats = new CountingRadiusStats();
        try (FakeRadiusServer fake = new FakeRadiusServer(SECRET);
             AaaService aaa = new AaaService(settings(server(fake, MessageAuthenticatorMode.OFF)).build(), stats)) {
            aaa.start();
            fake.ma = FakeRadiusServer.Ma.CORRUPT;
            assertInstanceOf(Reject.class, ask(aaa, "u1"));
            assertEquals(1, stats.dropped(RadiusStats.DropReason.BAD_MESSAGE_AUTHENTICATOR));
            assertEquals(0, stats.dropped(RadiusStats.DropReason.BAD_AUTHENTICATOR));
        }
    }

    @Test
    void aDuplicateAnswerIsCountedAsLateNotAsForged() throws Exception {
        CountingRadiusStats stats = new CountingRadiusStats();
        try (FakeRadiusServer fake = new FakeRadiusServer(SECRET);
             AaaService aaa = new AaaService(settings(server(fake, MessageAuthenticatorMode.AUTO)).build(), stats)) {
            aaa.start();
            fake.duplicate = true;
            assertInstanceOf(Accept.class, ask(aaa, "u1"));
            assertOnlyLateAnswersDropped(stats, 1);
        }
    }

    @Test
    void aLateAnswerThatMeetsANewerRequestOnItsIdentifierIsCountedAsLate() throws Exception {
        CountingRadiusStats stats = new CountingRadiusStats();
        try (FakeRadiusServer fake = new FakeRadiusServer(SECRET);
             AaaService aaa = new AaaService(RadiusSettings.builder().authServers(List.of(server(fake, MessageAuthenticatorMode.AUTO)))
                 .timeout(Duration.ofSeconds(2)).retries(0).maxInFlight(256).build(), stats)) {
            aaa.start();
            fake.hold = true;
            // "first" gives up on identifier X; 255 more take X+1 ... X+255 and give up too; "last" gets X again.
            assertInstanceOf(Reject.class, ask(aaa, "first"));
            List<CompletableFuture<AccessDecision>> others = new ArrayList<>();
            for (int i = 0; i < 255; i++) {
                others.add(aaa.authorize(AccessQuery.pap("other" + i, "pw", "s")));
            }
            for (CompletableFuture<AccessDecision> f : others) {
                assertInstanceOf(Reject.class, f.get(10, TimeUnit.SECONDS));
            }
            CompletableFuture<AccessDecision> last = aaa.authorize(AccessQuery.pap("last", "pw", "s"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (fake.received.get() < 257 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(257, fake.received.get());
            fake.release(); // in order: first's answer meets last on identifier X, last's answer comes at the end
            assertInstanceOf(Accept.class, last.get(5, TimeUnit.SECONDS));
            assertOnlyLateAnswersDropped(stats, 256);
        }
    }

    /** Waits for {@code n} late answers; none may have been taken for a forged or unknown one. */
    static void assertOnlyLateAnswersDropped(CountingRadiusStats stats, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (stats.dropped(RadiusStats.DropReason.LATE_ANSWER) < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(n, stats.dropped(RadiusStats.DropReason.LATE_ANSWER), stats.toString());
        assertEquals(0, stats.dropped(RadiusStats.DropReason.UNKNOWN_IDENTIFIER), stats.toString());
        assertEquals(0, stats.dropped(RadiusStats.DropReason.BAD_AUTHENTICATOR), stats.toString());
    }

    @Test
    void spoofedAnswersAreDroppedAndTheRealOneAccepted() throws Exception {
        CountingRadiusStats stats = new CountingRadiusStats();
        try (FakeRadiusServer fake = new FakeRadiusServer(SECRET);
             AaaService aaa = new AaaService(settings(server(fake, MessageAuthenticatorMode.REQUIRED)).build(), stats)) {
            aaa.start();
            fake.spoofFirst = true;
            Accept a = assertInstanceOf(Accept.class, ask(aaa, "u1"));
            assertEquals("fake ok", a.replyMessage());
            assertEquals(1, stats.dropped(RadiusStats.DropReason.UNKNOWN_IDENTIFIER));
            assertEquals(1, stats.dropped(RadiusStats.DropReason.BAD_AUTHENTICATOR));
        }
    }

    @Test
    void roundRobinAlternatesServers() throws Exception {
        CountingRadiusStats stats = new CountingRadiusStats();
        try (FakeRadiusServer f1 = new FakeRadiusServer(SECRET); FakeRadiusServer f2 = new FakeRadiusServer(SECRET);
             AaaService aaa = new AaaService(settings(server(f1, MessageAuthenticatorMode.AUTO), server(f2, MessageAuthenticatorMode.AUTO))
                 .strategy(RadiusSettings.Strategy.ROUND_ROBIN).build(), stats)) {
            aaa.start();
            for (int i = 0; i < 6; i++) {
                assertInstanceOf(Accept.class, ask(aaa, "u" + i));
            }
            assertEquals(3, f1.received.get());
            assertEquals(3, f2.received.get());
        }
    }

    @Test
    void failoverKeepsOrderWhileTheFirstServerIsAlive() throws Exception {
        try (FakeRadiusServer f1 = new FakeRadiusServer(SECRET); FakeRadiusServer f2 = new FakeRadiusServer(SECRET);
             AaaService aaa = new AaaService(settings(server(f1, MessageAuthenticatorMode.AUTO), server(f2, MessageAuthenticatorMode.AUTO))
                 .build(), new CountingRadiusStats())) {
            aaa.start();
            for (int i = 0; i < 4; i++) {
                assertInstanceOf(Accept.class, ask(aaa, "u" + i));
            }
            assertEquals(4, f1.received.get());
            assertEquals(0, f2.received.get());
        }
    }

    @Test
    void deadServerIsHeldDownThenProbedBackByTheNextRequest() throws Exception {
        CountingRadiusStats stats = new CountingRadiusStats();
        try (FakeRadiusServer f1 = new FakeRadiusServer(SECRET); FakeRadiusServer f2 = new FakeRadiusServer(SECRET);
             AaaService aaa = new AaaService(settings(server(f1, MessageAuthenticatorMode.AUTO), server(f2, MessageAuthenticatorMode.AUTO))
                 .timeout(Duration.ofMillis(400)).retries(1).deadHoldDown(Duration.ofMillis(1500)).build(), stats)) {
            aaa.start();
            f1.silent = true;
            assertInstanceOf(Accept.class, ask(aaa, "a"));
            assertEquals(2, f1.received.get(), "first try + one retry");
            assertEquals(1, stats.serverDowns());
            assertInstanceOf(Accept.class, ask(aaa, "b"));
            assertEquals(2, f1.received.get(), "held down: skipped");
            assertEquals(2, f2.received.get());
            f1.silent = false;
            Thread.sleep(1600);
            assertInstanceOf(Accept.class, ask(aaa, "c"));
            assertEquals(3, f1.received.get(), "after the hold-down the next request probes the first server");
            assertEquals(2, f2.received.get());
            assertEquals(1, stats.get("server.up.127.0.0.1:" + f1.port()));
        }
    }

    @Test
    void statusServerProbesBringADeadServerBackWithoutRiskingARequest() throws Exception {
        CountingRadiusStats stats = new CountingRadiusStats();
        try (FakeRadiusServer f1 = new FakeRadiusServer(SECRET); FakeRadiusServer f2 = new FakeRadiusServer(SECRET);
             AaaService aaa = new AaaService(settings(server(f1, MessageAuthenticatorMode.AUTO), server(f2, MessageAuthenticatorMode.AUTO))
                 .timeout(Duration.ofMillis(400)).retries(0).deadHoldDown(Duration.ofMillis(500))
                 .probe(RadiusSettings.ProbeMode.STATUS_SERVER).build(), stats)) {
            aaa.start();
            f1.silent = true;
            assertInstanceOf(Accept.class, ask(aaa, "a"));
            assertEquals(1, stats.serverDowns());
            Thread.sleep(1200); // hold-down passed, probes unanswered: f1 stays skipped
            int probes = f1.received.get() - 1;
            assertTrue(probes >= 1, "Status-Server probes sent: " + probes);
            assertInstanceOf(Accept.class, ask(aaa, "b"));
            assertEquals(1 + probes, f1.received.get(), "no request to the dead server, only probes");
            assertEquals(2, f2.received.get());
            f1.silent = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (stats.get("server.up.127.0.0.1:" + f1.port()) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(1, stats.get("server.up.127.0.0.1:" + f1.port()), "a probe found it alive");
            int before = f1.received.get();
            assertInstanceOf(Accept.class, ask(aaa, "c"));
            assertEquals(before + 1, f1.received.get(), "failover order restored");
            assertEquals(2, f2.received.get());
            assertEquals(3, stats.completed(RadiusStats.RequestType.ACCESS, RadiusStats.Result.ACCEPT), "probes are not counted as requests");
        }
    }

    @Test
    void allServersDeadStillTriesEachOnceSoARecoveredOneIsFound() throws Exception {
        CountingRadiusStats stats = new CountingRadiusStats();
        try (FakeRadiusServer f1 = new FakeRadiusServer(SECRET);
             AaaService aaa = new AaaService(settings(server(f1, MessageAuthenticatorMode.AUTO)).timeout(Duration.ofMillis(300)).retries(2)
                 .deadHoldDown(Duration.ofSeconds(60)).build(), stats)) {
            aaa.start();
            f1.silent = true;
            assertInstanceOf(Reject.class, ask(aaa, "a"));
            assertEquals(3, f1.received.get());
            f1.silent = false;
            assertInstanceOf(Accept.class, ask(aaa, "b"));
            assertEquals(4, f1.received.get(), "one try while held down");
        }
    }

    @Test
    void inFlightIsBounded() throws Exception {
        try (FakeRadiusServer fake = new FakeRadiusServer(SECRET);
             AaaService aaa = new AaaService(settings(server(fake, MessageAuthenticatorMode.AUTO)).timeout(Duration.ofSeconds(5))
                 .maxInFlight(2).build(), new CountingRadiusStats())) {
            aaa.start();
            fake.hold = true;
            List<CompletableFuture<AccessDecision>> fs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                fs.add(aaa.authorize(AccessQuery.pap("u" + i, "pw", "s" + i)));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (fake.received.get() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(200);
            assertEquals(2, fake.received.get(), "only maxInFlight requests are on the wire");
            fake.release();
            for (CompletableFuture<AccessDecision> f : fs) {
                assertInstanceOf(Accept.class, f.get(5, TimeUnit.SECONDS));
            }
            assertEquals(5, fake.received.get());
            assertTrue(fs.stream().allMatch(CompletableFuture::isDone));
        }
    }
}
