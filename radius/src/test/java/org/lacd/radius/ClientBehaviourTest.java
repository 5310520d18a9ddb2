package org.lacd.radius;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

/**
 * Message-Authenticator modes, answer matching, round robin, failover, dead servers and the in-flight bound, against
 * an in-test fake server. Time is a {@link ManualRadiusScheduler}: timeouts, retries and hold-downs happen when the
 * test advances it, never by sleeping; only the fake server's answers travel in real time (awaited as conditions).
 */
class ClientBehaviourTest {
    static final String SECRET = "fake-secret";
    final ManualRadiusScheduler time = new ManualRadiusScheduler();

    AaaService aaa(RadiusSettings.Builder settings, RadiusStats stats) {
        return new AaaService(settings.build(), stats, time);
    }

    static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        ManualRadiusScheduler.await(what, condition);
    }

    static RadiusSettings.Builder settings(Server... servers) {
        return RadiusSettings.builder().authServers(List.of(servers)).timeout(Duration.ofMillis(1000)).retries(0);
    }

    static Server server(FakeRadiusServer f, MessageAuthenticatorMode mode) {
        return new Server("127.0.0.1", f.port(), SECRET, mode);
    }

    /** A request the fake server answers: no time needs to pass. */
    static AccessDecision ask(AaaService aaa, String user) throws Exception {
        return aaa.authorize(AccessQuery.pap(user, "pw", "s")).get(ManualRadiusScheduler.AWAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void theClientSocketHasRoomForAStormsAnswers() throws Exception {
        RadiusSettings s = settings(new Server("127.0.0.1", 1812, SECRET, MessageAuthenticatorMode.AUTO)).build();
        try (RadiusClient c = new RadiusClient(RadiusStats.RequestType.ACCESS, s.authServers(), s, RadiusStats.NOOP)) {
            c.start();
            // (a /proc/sys file read whole: Files.readString reads 1 byte of a file whose size says 0)
            int rmemMax = Integer.parseInt(java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/sys/net/core/rmem_max")).get(0).trim());
            // SO_RCVBUF as asked, capped by the kernel at rmem_max (the JDK reports the size set, the kernel twice
            // that); the default, rmem_default, is 208 KiB
            int got = c.receiveBufferBytes();
            int want = Math.min(RadiusClient.RECEIVE_BUFFER_BYTES, rmemMax);
            assertTrue(got == want || got == 2 * want, "receive buffer " + got + ", rmem_max " + rmemMax);
        }
    }

    @Test
    void autoRequiresMessageAuthenticatorOnceTheServerSentOne() throws Exception {
        CountingRadiusStats stats = new CountingRadiusStats();
        try (FakeRadiusServer fake = new FakeRadiusServer(SECRET);
             AaaService aaa = aaa(settings(server(fake, MessageAuthenticatorMode.AUTO)), stats)) {
            aaa.start();
            fake.ma = FakeRadiusServer.Ma.VALID;
            assertInstanceOf(Accept.class, ask(aaa, "u1"));
            fake.ma = FakeRadiusServer.Ma.NONE;
            CompletableFuture<AccessDecision> f = aaa.authorize(AccessQuery.pap("u2", "pw", "s"));
            await("the answer without M-A dropped", () -> stats.dropped(RadiusStats.DropReason.MISSING_MESSAGE_AUTHENTICATOR) == 1);
            assertFalse(f.isDone(), "still waiting for a valid answer");
            time.advance(Duration.ofMillis(1000));
            Reject r = assertInstanceOf(Reject.class, f.getNow(null));
            assertEquals(AccessDecision.RejectReason.TIMEOUT_ALL_SERVERS, r.reason());
            assertEquals(1, stats.dropped(RadiusStats.DropReason.MISSING_MESSAGE_AUTHENTICATOR));
        }
    }

    @Test
    void autoAcceptsAServerThatNeverSendsOne() throws Exception {
        CountingRadiusStats stats = new CountingRadiusStats();
        try (FakeRadiusServer fake = new FakeRadiusServer(SECRET);
             AaaService aaa = aaa(settings(server(fake, MessageAuthenticatorMode.AUTO)), stats)) {
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
             AaaService aaa = aaa(settings(server(fake, MessageAuthenticatorMode.OFF)), stats)) {
            aaa.start();
            fake.ma = FakeRadiusServer.Ma.CORRUPT;
            CompletableFuture<AccessDecision> f = aaa.authorize(AccessQuery.pap("u1", "pw", "s"));
            await("the corrupt answer dropped", () -> stats.dropped(RadiusStats.DropReason.BAD_MESSAGE_AUTHENTICATOR) == 1);
            time.advance(Duration.ofMillis(1000));
            assertInstanceOf(Reject.class, f.getNow(null));
            assertEquals(1, stats.dropped(RadiusStats.DropReason.BAD_MESSAGE_AUTHENTICATOR));
            assertEquals(0, stats.dropped(RadiusStats.DropReason.BAD_AUTHENTICATOR));
        }
    }

    @Test
    void aDuplicateAnswerIsCountedAsLateNotAsForged() throws Exception {
        CountingRadiusStats stats = new CountingRadiusStats();
        try (FakeRadiusServer fake = new FakeRadiusServer(SECRET);
             AaaService aaa = aaa(settings(server(fake, MessageAuthenticatorMode.AUTO)), stats)) {
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
             AaaService aaa = aaa(oneTryOf2s(fake), stats)) {
            aaa.start();
            fake.hold = true;
            // "first" gives up on identifier X; 255 more take X+1 ... X+255 and give up too; "last" gets X again.
            CompletableFuture<AccessDecision> first = aaa.authorize(AccessQuery.pap("first", "pw", "s"));
            await("first sent", () -> fake.received.get() == 1);
            time.advance(Duration.ofSeconds(2));
            assertInstanceOf(Reject.class, first.getNow(null));
            List<CompletableFuture<AccessDecision>> others = new ArrayList<>();
            for (int i = 0; i < 255; i++) {
                others.add(aaa.authorize(AccessQuery.pap("other" + i, "pw", "s")));
            }
            await("255 more sent", () -> fake.received.get() == 256);
            time.advance(Duration.ofSeconds(2));
            for (CompletableFuture<AccessDecision> f : others) {
                assertInstanceOf(Reject.class, f.getNow(null));
            }
            CompletableFuture<AccessDecision> last = aaa.authorize(AccessQuery.pap("last", "pw", "s"));
            await("last sent", () -> fake.received.get() == 257);
            fake.release(); // in order: first's answer meets last on identifier X, last's answer comes at the end
            assertInstanceOf(Accept.class, last.get(ManualRadiusScheduler.AWAIT.toSeconds(), TimeUnit.SECONDS));
            assertOnlyLateAnswersDropped(stats, 256);
        }
    }

    @Test
    void lateAnswersToRequestsWhoseIdentifierCameRoundSeveralTimesAreCountedAsLate() throws Exception {
        CountingRadiusStats stats = new CountingRadiusStats();
        try (FakeRadiusServer fake = new FakeRadiusServer(SECRET);
             AaaService aaa = aaa(oneTryOf2s(fake), stats)) {
            aaa.start();
            fake.hold = true;
            // three rounds of 256 requests that all give up: each identifier is held by 3 requests in turn, and the
            // server (far behind) answers them all, in order, while a 4th request holds the identifier of the first
            int sent = 0;
            for (int round = 0; round < 3; round++) {
                List<CompletableFuture<AccessDecision>> gaveUp = new ArrayList<>();
                for (int i = 0; i < 256; i++) {
                    gaveUp.add(aaa.authorize(AccessQuery.pap("r" + round + "u" + i, "pw", "s")));
                }
                int upTo = sent += 256;
                await(upTo + " sent", () -> fake.received.get() == upTo);
                time.advance(Duration.ofSeconds(2));
                for (CompletableFuture<AccessDecision> f : gaveUp) {
                    assertInstanceOf(Reject.class, f.getNow(null));
                }
            }
            CompletableFuture<AccessDecision> last = aaa.authorize(AccessQuery.pap("last", "pw", "s"));
            int all = sent + 1;
            await("last sent", () -> fake.received.get() == all);
            fake.release();
            assertInstanceOf(Accept.class, last.get(ManualRadiusScheduler.AWAIT.toSeconds(), TimeUnit.SECONDS));
            assertOnlyLateAnswersDropped(stats, sent);
        }
    }

    /** One server, one 2 s try per request, all 256 identifiers usable at once. */
    static RadiusSettings.Builder oneTryOf2s(FakeRadiusServer fake) {
        return RadiusSettings.builder().authServers(List.of(server(fake, MessageAuthenticatorMode.AUTO)))
                .timeout(Duration.ofSeconds(2)).retries(0).maxInFlight(256);
    }

    /** Waits for {@code n} late answers; none may have been taken for a forged or unknown one. */
    static void assertOnlyLateAnswersDropped(CountingRadiusStats stats, int n) throws InterruptedException {
        await(n + " late answers", () -> stats.dropped(RadiusStats.DropReason.LATE_ANSWER) >= n);
        assertEquals(n, stats.dropped(RadiusStats.DropReason.LATE_ANSWER), stats.toString());
        assertEquals(0, stats.dropped(RadiusStats.DropReason.UNKNOWN_IDENTIFIER), stats.toString());
        assertEquals(0, stats.dropped(RadiusStats.DropReason.BAD_AUTHENTICATOR), stats.toString());
    }

    @Test
    void spoofedAnswersAreDroppedAndTheRealOneAccepted() throws Exception {
        CountingRadiusStats stats = new CountingRadiusStats();
        try (FakeRadiusServer fake = new FakeRadiusServer(SECRET);
             AaaService aaa = aaa(settings(server(fake, MessageAuthenticatorMode.REQUIRED)), stats)) {
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
             AaaService aaa = aaa(settings(server(f1, MessageAuthenticatorMode.AUTO), server(f2, MessageAuthenticatorMode.AUTO))
                 .strategy(RadiusSettings.Strategy.ROUND_ROBIN), stats)) {
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
             AaaService aaa = aaa(settings(server(f1, MessageAuthenticatorMode.AUTO), server(f2, MessageAuthenticatorMode.AUTO)),
                 new CountingRadiusStats())) {
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
             AaaService aaa = aaa(settings(server(f1, MessageAuthenticatorMode.AUTO), server(f2, MessageAuthenticatorMode.AUTO))
                 .timeout(Duration.ofMillis(400)).retries(1).deadHoldDown(Duration.ofMillis(1500)), stats)) {
            aaa.start();
            f1.silent = true;
            CompletableFuture<AccessDecision> a = aaa.authorize(AccessQuery.pap("a", "pw", "s"));
            await("first try", () -> f1.received.get() == 1);
            time.advance(Duration.ofMillis(399));
            assertEquals(1, f1.received.get(), "no retry before the timeout");
            time.advance(Duration.ofMillis(1));
            await("the retry", () -> f1.received.get() == 2);
            time.advance(Duration.ofMillis(400));
            assertInstanceOf(Accept.class, a.get(ManualRadiusScheduler.AWAIT.toSeconds(), TimeUnit.SECONDS));
            assertEquals(2, f1.received.get(), "first try + one retry");
            assertEquals(1, stats.serverDowns());
            assertInstanceOf(Accept.class, ask(aaa, "b"));
            assertEquals(2, f1.received.get(), "held down: skipped");
            assertEquals(2, f2.received.get());
            f1.silent = false;
            time.advance(Duration.ofMillis(1499)); // the 1,500 ms hold-down began when the retry timed out: 1 ms of it is left
            assertInstanceOf(Accept.class, ask(aaa, "still-held"));
            assertEquals(2, f1.received.get(), "still held down");
            assertEquals(3, f2.received.get());
            time.advance(Duration.ofMillis(1));
            assertInstanceOf(Accept.class, ask(aaa, "c"));
            assertEquals(3, f1.received.get(), "after the hold-down the next request probes the first server");
            assertEquals(3, f2.received.get());
            assertEquals(1, stats.get("server.up.127.0.0.1:" + f1.port()));
        }
    }

    @Test
    void statusServerProbesBringADeadServerBackWithoutRiskingARequest() throws Exception {
        CountingRadiusStats stats = new CountingRadiusStats();
        try (FakeRadiusServer f1 = new FakeRadiusServer(SECRET); FakeRadiusServer f2 = new FakeRadiusServer(SECRET);
             AaaService aaa = aaa(settings(server(f1, MessageAuthenticatorMode.AUTO), server(f2, MessageAuthenticatorMode.AUTO))
                 .timeout(Duration.ofMillis(400)).retries(0).deadHoldDown(Duration.ofMillis(500))
                 .probe(RadiusSettings.ProbeMode.STATUS_SERVER), stats)) {
            aaa.start();
            f1.silent = true;
            CompletableFuture<AccessDecision> a = aaa.authorize(AccessQuery.pap("a", "pw", "s"));
            await("first try", () -> f1.received.get() == 1);
            time.advance(Duration.ofMillis(400));
            assertInstanceOf(Accept.class, a.get(ManualRadiusScheduler.AWAIT.toSeconds(), TimeUnit.SECONDS));
            assertEquals(1, stats.serverDowns());
            // One Status-Server per hold-down (500 ms), each unanswered: f1 stays skipped.
            time.advance(Duration.ofMillis(500));
            await("first probe", () -> f1.received.get() == 2);
            time.advance(Duration.ofMillis(500));
            await("second probe", () -> f1.received.get() == 3);
            int probes = f1.received.get() - 1;
            assertInstanceOf(Accept.class, ask(aaa, "b"));
            assertEquals(1 + probes, f1.received.get(), "no request to the dead server, only probes");
            assertEquals(2, f2.received.get());
            f1.silent = false;
            time.advance(Duration.ofMillis(500));
            await("a probe found it alive", () -> stats.get("server.up.127.0.0.1:" + f1.port()) == 1);
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
             AaaService aaa = aaa(settings(server(f1, MessageAuthenticatorMode.AUTO)).timeout(Duration.ofMillis(300)).retries(2)
                 .deadHoldDown(Duration.ofSeconds(60)), stats)) {
            aaa.start();
            f1.silent = true;
            CompletableFuture<AccessDecision> a = aaa.authorize(AccessQuery.pap("a", "pw", "s"));
            for (int tries = 1; tries <= 3; tries++) {
                int n = tries;
                await("try " + n, () -> f1.received.get() == n);
                assertFalse(a.isDone());
                time.advance(Duration.ofMillis(300));
            }
            assertInstanceOf(Reject.class, a.getNow(null));
            assertEquals(3, f1.received.get());
            f1.silent = false;
            assertInstanceOf(Accept.class, ask(aaa, "b"));
            assertEquals(4, f1.received.get(), "one try while held down");
        }
    }

    @Test
    void theLastServerLeftIsWaitedForAsLongAsAllItsTriesWhileHeldDown() throws Exception {
        CountingRadiusStats stats = new CountingRadiusStats();
        try (FakeRadiusServer f1 = new FakeRadiusServer(SECRET); FakeRadiusServer f2 = new FakeRadiusServer(SECRET);
             AaaService aaa = aaa(settings(server(f1, MessageAuthenticatorMode.AUTO), server(f2, MessageAuthenticatorMode.AUTO))
                 .timeout(Duration.ofMillis(300)).retries(2).deadHoldDown(Duration.ofSeconds(60)), stats)) {
            aaa.start();
            f1.silent = true;
            f2.silent = true;
            CompletableFuture<AccessDecision> a = aaa.authorize(AccessQuery.pap("a", "pw", "s"));
            for (int n = 1; n <= 6; n++) {
                int k = n;
                await("try " + k, () -> f1.received.get() + f2.received.get() == k);
                time.advance(Duration.ofMillis(300));
            }
            assertInstanceOf(Reject.class, a.get(ManualRadiusScheduler.AWAIT.toSeconds(), TimeUnit.SECONDS));
            assertEquals(2, stats.serverDowns(), "both held down now");
            // Both dead: f1 gets one try of one timeout; f2, with nothing after it, one try that waits 3 timeouts and is
            // answered late, as a server that fell behind in a storm answers
            f2.silent = false;
            f2.hold = true;
            CompletableFuture<AccessDecision> b = aaa.authorize(AccessQuery.pap("b", "pw", "s"));
            await("f1's one try", () -> f1.received.get() == 4);
            time.advance(Duration.ofMillis(300));
            await("f2's try", () -> f2.received.get() == 4);
            time.advance(Duration.ofMillis(899));
            assertFalse(b.isDone(), "still waiting for f2 after 2 of its 3 timeouts and more");
            assertEquals(4, f2.received.get(), "no retransmission to the held-down server");
            f2.release();
            assertInstanceOf(Accept.class, b.get(ManualRadiusScheduler.AWAIT.toSeconds(), TimeUnit.SECONDS), "f2's late answer taken");
            assertEquals(4, f1.received.get(), "one try, of one timeout, for the held-down server that is not the last");
        }
    }

    @Test
    void inFlightIsBounded() throws Exception {
        CountingRadiusStats stats = new CountingRadiusStats();
        try (FakeRadiusServer fake = new FakeRadiusServer(SECRET);
             AaaService aaa = aaa(settings(server(fake, MessageAuthenticatorMode.AUTO)).timeout(Duration.ofSeconds(5))
                 .maxInFlight(2), stats)) {
            aaa.start();
            fake.hold = true;
            List<CompletableFuture<AccessDecision>> fs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                fs.add(aaa.authorize(AccessQuery.pap("u" + i, "pw", "s" + i)));
            }
            time.settle(); // every authorize has been handled on the client's loop: sent, or queued
            assertEquals(2, stats.sentCount(RadiusStats.RequestType.ACCESS), "only maxInFlight requests are on the wire");
            await("two requests at the server", () -> fake.received.get() == 2);
            fake.release();
            for (CompletableFuture<AccessDecision> f : fs) {
                assertInstanceOf(Accept.class, f.get(ManualRadiusScheduler.AWAIT.toSeconds(), TimeUnit.SECONDS));
            }
            assertEquals(5, fake.received.get());
            assertTrue(fs.stream().allMatch(CompletableFuture::isDone));
        }
    }
}
