package org.lacd.lab.subscriber;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.lacd.pppoe.port.InMemoryPort;
import org.lacd.pppoe.wire.EthernetHeader;
import org.lacd.pppoe.wire.LineInfo;
import org.lacd.pppoe.wire.MacAddress;

/**
 * The emulator against {@link FakeAcLns} over an InMemoryPort pair, driven by a manual clock (no sleeping: every
 * step runs what is due at the clock's time; the fake answers synchronously).
 */
class SubscriberEmulatorTest {
    private static final long MS = 1_000_000L;

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final InMemoryPort[] pair = InMemoryPort.pair("sub", new MacAddress(0x02_00_00_00_00_00L),
            "ac", new MacAddress(FakeAcLns.AC_MAC));

    private static EmulatorConfig.Builder base(int count) {
        return EmulatorConfig.builder().count(count).setupRate(1000).duration(Duration.ofSeconds(10))
                .stepTimeout(Duration.ofMillis(100)).retries(2).drain(Duration.ofMillis(20))
                .lifetime(Duration.ofMillis(200));
    }

    /** Runs in 1 ms clock steps until the emulator finished; returns the report. */
    private Report drive(SubscriberEmulator emu) {
        emu.startManual();
        for (int i = 0; i < 100_000 && !emu.step(); i++) {
            clock.addAndGet(MS);
        }
        assertTrue(emu.finished(), "emulator stops by itself");
        return emu.report();
    }

    private SubscriberEmulator emulator(EmulatorConfig cfg) {
        return new SubscriberEmulator(cfg, pair[0], clock::get);
    }

    @Test
    void chapSessionsComeUpCarryTrafficAndEndWithTerminateAndPadt() throws Exception {
        EmulatorConfig cfg = base(20).trafficPps(50).trafficSize(200).build();
        FakeAcLns fake = new FakeAcLns(pair[1], cfg);
        SubscriberEmulator emu = emulator(cfg);
        Report r = drive(emu);
        java.util.List<SubscriberOutcome> out = emu.outcomes();
        assertEquals(20, out.size());
        for (SubscriberOutcome o : out) {
            assertTrue(o.established());
            assertEquals(SubscriberPhase.DONE, o.phase());
            assertEquals("10.1.0." + o.n(), o.address(), "the address the fake Nak'ed with");
            assertEquals("10.0.0.1", o.peerAddress());
            assertEquals("user" + o.n() + "@reseller-a.example", o.user());
            assertEquals(String.format("02:00:00:00:00:%02x", o.n()), o.mac());
            assertTrue(o.setupMs() >= 0);
        }
        assertEquals(20, out.stream().mapToInt(SubscriberOutcome::pppoeSessionId).distinct().count());

        assertEquals(20, r.started());
        assertEquals(20, r.established());
        assertEquals(20, r.completed());
        assertEquals(Map.of(), r.failures());
        assertTrue(r.success());
        assertEquals(20, fake.chapUsersOk.size());
        assertTrue(fake.chapUsersOk.contains("user7@reseller-a.example"));
        assertEquals(0, fake.badCredentials);
        // 200 ms lifetime at 50 pps: about 10 probes each, all reflected
        assertTrue(r.packetsSent() >= 20 * 8 && r.packetsSent() <= 20 * 11, "sent " + r.packetsSent());
        assertEquals(r.packetsSent(), r.packetsReceived());
        assertEquals(fake.reflected, r.packetsSent());
        assertEquals(0, r.packetsLost());
        assertEquals(r.packetsSent() * 200, r.bytesSent());
        assertEquals(r.bytesSent(), r.bytesReceived());
        assertEquals(r.packetsReceived(), r.roundTrip().count());
        assertEquals(20, r.setupLatency().count());
        assertEquals(20, fake.terminateRequests);
        assertEquals(20, fake.padts);
        assertEquals(0, fake.openSessions());
        assertEquals(0, r.malformedFrames());
        // subscribers start 1 ms apart: 19 intervals over the span from the first PADI to the last IPCP-opened
        assertEquals(1000.0, r.setupRate(), 1.0);
    }

    @Test
    void aLostProbeIsCountedForItsSessionOnly() throws Exception {
        EmulatorConfig cfg = base(4).trafficPps(50).trafficSize(200).build();
        FakeAcLns fake = new FakeAcLns(pair[1], cfg);
        fake.dropProbeOf = 2;
        fake.dropProbe = 3;
        SubscriberEmulator emu = emulator(cfg);
        Report r = drive(emu);
        assertEquals(1, r.packetsLost());
        for (SubscriberOutcome o : emu.outcomes()) {
            assertEquals(o.n() == 2 ? 1 : 0, o.probesMissing(), "subscriber " + o.n());
        }
    }

    @Test
    void mixedAuthNaksChapForPapSubscribers() throws Exception {
        EmulatorConfig cfg = base(10).auth(AuthMode.MIX).userPattern("u{n}@reseller-b.example")
                .passwordPattern("pw-{n}").build();
        FakeAcLns fake = new FakeAcLns(pair[1], cfg);
        Report r = drive(emulator(cfg));

        assertTrue(r.success(), r.toText());
        assertEquals(5, fake.chapUsersOk.size());
        assertEquals(5, fake.papUsersOk.size());
        assertEquals(5, fake.authNaksSeen, "each PAP subscriber naks the AC's CHAP request once");
        assertTrue(fake.papUsersOk.contains("u2@reseller-b.example"));
        assertTrue(fake.chapUsersOk.contains("u1@reseller-b.example"));
        assertEquals(0, fake.badCredentials);
    }

    @Test
    void chapFailureAndPapNakAreCountedByReason() throws Exception {
        EmulatorConfig cfg = base(12).auth(AuthMode.MIX).build();
        FakeAcLns fake = new FakeAcLns(pair[1], cfg);
        fake.refuse = n -> n % 3 == 0; // refuses 3, 9 (CHAP) and 6, 12 (PAP)
        SubscriberEmulator emu = emulator(cfg);
        Report r = drive(emu);
        SubscriberOutcome o3 = emu.outcomes().get(2);
        assertEquals(FailureReason.CHAP_FAILURE, o3.failure());
        assertEquals(SubscriberPhase.AUTH, o3.failedIn());
        assertFalse(o3.established());
        assertEquals(FailureReason.PAP_NAK, emu.outcomes().get(5).failure());
        assertEquals(null, emu.outcomes().get(0).failure());

        assertEquals(8, r.established());
        assertEquals(2, r.failures(FailureReason.CHAP_FAILURE));
        assertEquals(2, r.failures(FailureReason.PAP_NAK));
        assertEquals(4, r.failed());
        assertFalse(r.success());
        assertEquals(12, fake.padts, "refused subscribers also send PADT");
    }

    /** A lost login (issue 14: a replay an LNS dropped) is sent again after the step timeout, PAP and CHAP, and counted. */
    @Test
    void lostLoginsAreRetransmittedAndCounted() throws Exception {
        EmulatorConfig cfg = base(6).auth(AuthMode.MIX).build();
        FakeAcLns fake = new FakeAcLns(pair[1], cfg);
        fake.loseFirstLogin = true;
        Report r = drive(emulator(cfg));
        assertTrue(r.success(), r.toText());
        assertEquals(6, fake.loginsLost);
        assertEquals(6, r.authRetransmits(), "one retransmission per lost login, CHAP and PAP");
        assertEquals(3, fake.chapUsersOk.size());
        assertEquals(3, fake.papUsersOk.size());
    }

    @Test
    void lnsRenegotiationIsAnsweredAndAuthRepeated() throws Exception {
        EmulatorConfig cfg = base(6).build();
        FakeAcLns fake = new FakeAcLns(pair[1], cfg);
        fake.mode = FakeAcLns.Mode.RENEGOTIATE;
        Report r = drive(emulator(cfg));

        assertTrue(r.success(), r.toText());
        assertEquals(6, r.renegotiations());
        assertEquals(0, r.rechallenges());
    }

    @Test
    void secondChallengeIsAnswered() throws Exception {
        EmulatorConfig cfg = base(6).build();
        FakeAcLns fake = new FakeAcLns(pair[1], cfg);
        fake.mode = FakeAcLns.Mode.CHALLENGE_AGAIN;
        fake.sendEcho = true;
        Report r = drive(emulator(cfg));

        assertTrue(r.success(), r.toText());
        assertEquals(6, r.rechallenges());
        assertEquals(6, r.echoReplies());
        assertEquals(6, fake.echoReplies);
    }

    @Test
    void answeredEchoesKeepTheSessionUp() throws Exception {
        EmulatorConfig cfg = base(4).lifetime(Duration.ofMillis(500)).lcpEchoInterval(Duration.ofMillis(50)).build();
        FakeAcLns fake = new FakeAcLns(pair[1], cfg);
        Report r = drive(emulator(cfg));

        assertTrue(r.success(), r.toText());
        assertEquals(4, r.completed());
        assertEquals(0, r.echoFailures());
        // up at ~0 ms, lifetime 500 ms: echoes at 50, 100, .., 500 (the last one races the lifetime) per subscriber
        assertTrue(r.echoRequests() >= 4 * 9 && r.echoRequests() <= 4 * 10, r.toText());
        assertEquals(r.echoRequests(), fake.echoRequests, "every Echo-Request reached the peer");
        assertTrue(r.toText().contains("echo failures 0"), r.toText());
    }

    @Test
    void noEchoWithoutAnInterval() throws Exception {
        EmulatorConfig cfg = base(3).build();
        FakeAcLns fake = new FakeAcLns(pair[1], cfg);
        Report r = drive(emulator(cfg));
        assertTrue(r.success(), r.toText());
        assertEquals(0, r.echoRequests());
        assertEquals(0, fake.echoRequests, "off by default: the emulator only answers echoes");
    }

    @Test
    void unansweredEchoesDropTheSessionLikePppdLcpEchoFailure() throws Exception {
        EmulatorConfig cfg = base(1).lifetime(Duration.ZERO).duration(Duration.ofSeconds(5))
                .lcpEchoInterval(Duration.ofMillis(100)).lcpEchoFailures(3).build();
        FakeAcLns fake = new FakeAcLns(pair[1], cfg);
        fake.answerEcho = false;
        long t0 = clock.get();
        Report r = drive(emulator(cfg));

        // up at t0 (the fake answers at once); echoes at 100, 200, 300 ms; at 400 ms three are pending: dropped
        assertEquals(400 * MS, clock.get() - t0);
        assertEquals(3, fake.echoRequests);
        assertEquals(1, r.echoFailures());
        assertEquals(1, r.failures(FailureReason.LCP_ECHO_TIMEOUT));
        assertEquals(0, r.redials(), "redial is off");
        assertEquals(1, fake.terminateRequests, "Terminate-Request sent as pppd does");
        assertEquals(1, fake.padts, "and a PADT");
        assertFalse(r.success());
    }

    @Test
    void afterTheBoxDiesTheSubscribersRedialWithTheirMacAndComeBackUp() throws Exception {
        EmulatorConfig cfg = base(5).lifetime(Duration.ZERO).duration(Duration.ofSeconds(10))
                .lcpEchoInterval(Duration.ofMillis(100)).lcpEchoFailures(3)
                .redial(true).redialHoldoff(Duration.ofMillis(50)).build();
        FakeAcLns fake = new FakeAcLns(pair[1], cfg);
        SubscriberEmulator emu = emulator(cfg);
        emu.startManual();
        runUntil(emu, () -> emu.report().established() == 5);
        assertEquals(0, emu.report().echoFailures(), "the live box answers every echo");

        fake.crash();
        long killed = clock.get();
        runUntil(emu, () -> emu.report().echoFailures() == 5);
        long detected = clock.get() - killed;
        // the last reply came at most one interval before the kill: 3 more intervals unanswered, then the 4th tick
        assertTrue(detected > 300 * MS && detected <= 400 * MS, "detected after " + detected / MS + " ms");
        for (SubscriberOutcome o : emu.outcomes()) {
            assertTrue(o.phase() == SubscriberPhase.REDIAL_WAIT || o.phase() == SubscriberPhase.PADI_SENT, o.toString());
        }
        fake.restart(); // the other box answers
        runUntil(emu, () -> emu.report().reestablished() == 5);
        long recovered = clock.get() - killed;
        assertTrue(recovered <= 460 * MS, "back up " + recovered / MS + " ms after the kill");

        for (int i = 0; i < 100_000 && !emu.step(); i++) {
            clock.addAndGet(MS);
        }
        Report r = emu.report();
        assertTrue(r.success(), r.toText());
        assertEquals(5, r.redials());
        assertEquals(5, r.reestablished());
        assertEquals(5, r.completed(), "the new sessions end politely at the end of the run");
        for (int n = 1; n <= 5; n++) {
            assertEquals(2, fake.padis.get(cfg.mac(n)), "subscriber " + n + " dialed twice with its own MAC");
        }
        assertEquals(10, fake.sessionIds.size());
        assertEquals(10, new java.util.HashSet<>(fake.sessionIds).size(), "new sessions after the redial");
        for (SubscriberOutcome o : emu.outcomes()) {
            assertEquals(SubscriberPhase.DONE, o.phase());
            assertTrue(o.pppoeSessionId() > 5, "subscriber " + o.n() + " ended on its second session: " + o.pppoeSessionId());
        }
        assertTrue(r.toText().contains("redials 5, re-established 5"), r.toText());
    }

    @Test
    void aRedialThatFindsNoBoxFailsWithinItsRetries() throws Exception {
        EmulatorConfig cfg = base(2).lifetime(Duration.ZERO).duration(Duration.ofSeconds(10))
                .lcpEchoInterval(Duration.ofMillis(100)).redial(true).redialHoldoff(Duration.ofMillis(50)).build();
        FakeAcLns fake = new FakeAcLns(pair[1], cfg);
        SubscriberEmulator emu = emulator(cfg);
        emu.startManual();
        runUntil(emu, () -> emu.report().established() == 2);
        fake.crash();
        for (int i = 0; i < 100_000 && !emu.step(); i++) {
            clock.addAndGet(MS);
        }
        Report r = emu.report();
        assertEquals(2, r.redials());
        assertEquals(0, r.reestablished());
        assertEquals(2, r.failures(FailureReason.PADO_TIMEOUT), r.toText());
    }

    /** Steps the manual clock 1 ms at a time until {@code cond} holds (at most 20 s of emulated time). */
    private void runUntil(SubscriberEmulator emu, java.util.function.BooleanSupplier cond) {
        for (int i = 0; i < 20_000; i++) {
            emu.step();
            if (cond.getAsBoolean()) {
                return;
            }
            clock.addAndGet(MS);
        }
        throw new AssertionError("condition not reached: " + emu.report().toText());
    }

    @Test
    void peerTerminationAfterUpIsAFailureWithReason() throws Exception {
        EmulatorConfig cfg = base(4).build();
        FakeAcLns fake = new FakeAcLns(pair[1], cfg);
        fake.mode = FakeAcLns.Mode.TERMINATE_AFTER_UP;
        Report r = drive(emulator(cfg));
        assertEquals(4, r.established());
        assertEquals(4, r.failures(FailureReason.LCP_TERMINATED));
        assertFalse(r.success());
    }

    @Test
    void padtAfterUpIsAFailureWithReason() throws Exception {
        EmulatorConfig cfg = base(4).build();
        FakeAcLns fake = new FakeAcLns(pair[1], cfg);
        fake.mode = FakeAcLns.Mode.PADT_AFTER_UP;
        Report r = drive(emulator(cfg));
        assertEquals(4, r.established());
        assertEquals(4, r.failures(FailureReason.PADT_AFTER_UP));
        assertEquals(0, r.completed());
    }

    /** With redial on, an AC that hangs up (PADT, or LCP Terminate-Request) is dialed again, as pppd's persist does. */
    @Test
    void withRedialAPadtFromTheAcIsDialedAgain() throws Exception {
        hangUpThenRedial(FakeAcLns.Mode.PADT_AFTER_UP);
    }

    @Test
    void withRedialATerminateRequestFromTheAcIsDialedAgain() throws Exception {
        hangUpThenRedial(FakeAcLns.Mode.TERMINATE_AFTER_UP);
    }

    private void hangUpThenRedial(FakeAcLns.Mode hangUp) throws Exception {
        {
            EmulatorConfig cfg = base(4).lifetime(Duration.ZERO).duration(Duration.ofSeconds(10))
                    .redial(true).redialHoldoff(Duration.ofSeconds(1)).build();
            FakeAcLns fake = new FakeAcLns(pair[1], cfg);
            fake.mode = hangUp;
            SubscriberEmulator emu = emulator(cfg);
            emu.startManual();
            // every first session is hung up as soon as it is up; the redials wait a second, long after the last one
            runUntil(emu, () -> emu.report().established() == 4);
            fake.mode = FakeAcLns.Mode.ACCEPT; // the next sessions stay up
            runUntil(emu, () -> emu.report().reestablished() == 4);
            for (int i = 0; i < 100_000 && !emu.step(); i++) {
                clock.addAndGet(MS);
            }
            Report r = emu.report();
            assertTrue(r.success(), hangUp + ": " + r.toText());
            assertEquals(0, r.echoFailures(), hangUp + ": not an echo timeout");
            for (int n = 1; n <= 4; n++) {
                assertEquals(2, fake.padis.get(cfg.mac(n)), hangUp + ": subscriber " + n + " dialed twice");
            }
        }
    }

    @Test
    void qinqTagsAndLineTagsAreOnTheWire() throws Exception {
        EmulatorConfig cfg = base(5).vlan(VlanPlan.qinq(100, 4093)).lineTags(true).build();
        FakeAcLns fake = new FakeAcLns(pair[1], cfg);
        Report r = drive(emulator(cfg));

        assertTrue(r.success(), r.toText());
        EthernetHeader h1 = fake.padiHeaders.get(cfg.mac(1));
        assertEquals(0x88a8, h1.outerTpid());
        assertEquals(100, h1.outerVlan());
        assertEquals(4093, h1.innerVlan());
        EthernetHeader h3 = fake.padiHeaders.get(cfg.mac(3));
        assertEquals(101, h3.outerVlan(), "inner VLAN wrapped after 4094: carried into the outer");
        assertEquals(1, h3.innerVlan());
        LineInfo li = fake.lineInfo.get(cfg.mac(4));
        assertEquals("lab/1/4", li.circuitId().orElseThrow());
        assertEquals("remote-4", li.remoteId().orElseThrow());
        assertEquals(10_004, li.actualRateUp());
    }

    @Test
    void dot1qTagPerSubscriber() throws Exception {
        EmulatorConfig cfg = base(3).vlan(VlanPlan.dot1q(200)).build();
        FakeAcLns fake = new FakeAcLns(pair[1], cfg);
        Report r = drive(emulator(cfg));
        assertTrue(r.success(), r.toText());
        for (int n = 1; n <= 3; n++) {
            EthernetHeader h = fake.padiHeaders.get(cfg.mac(n));
            assertEquals(1, h.tagCount());
            assertEquals(0x8100, h.outerTpid());
            assertEquals(199 + n, h.outerVlan());
        }
    }

    @Test
    void lostPadiAndIpcpRequestAreRetransmitted() throws Exception {
        EmulatorConfig cfg = base(5).build();
        FakeAcLns fake = new FakeAcLns(pair[1], cfg);
        // drop each subscriber's first PADI and first IPCP Configure-Request
        java.util.Set<String> seen = new java.util.HashSet<>();
        pair[0].lossFilter((b, off, len) -> {
            int type = ((b[off + 12] & 0xff) << 8) | (b[off + 13] & 0xff);
            long src = MacAddress.read(b, off + 6);
            if (type == 0x8863 && (b[off + 15] & 0xff) == 0x09) {
                return seen.add("padi" + src);
            }
            if (type == 0x8864 && ((b[off + 20] & 0xff) << 8 | (b[off + 21] & 0xff)) == 0x8021 && (b[off + 22] & 0xff) == 1) {
                return seen.add("ipcp" + src);
            }
            return false;
        });
        Report r = drive(emulator(cfg));
        assertTrue(r.success(), r.toText());
        assertEquals(10, pair[0].framesDropped());
        // two timeouts of 100 ms on the way up
        assertTrue(r.setupLatency().p50Ms() >= 200 && r.setupLatency().maxMs() < 300, r.toText());
        // the waits show up in the phases they happened in
        assertEquals(100, r.phaseLatency().get("padiToPado").p50Ms(), 2, r.toText());
        assertEquals(100, r.phaseLatency().get("ipcp").p50Ms(), 2, r.toText());
        assertEquals(0, r.phaseLatency().get("auth").maxMs(), 0.001, r.toText());
        assertEquals(5, r.phaseLatency().get("lcp").count());
        assertEquals(5, fake.chapUsersOk.size());
    }

    @Test
    void silentAcFailsEverySubscriberWithPadoTimeoutInBoundedTime() throws Exception {
        EmulatorConfig cfg = base(7).build();
        FakeAcLns fake = new FakeAcLns(pair[1], cfg);
        fake.silent = true;
        long t0 = clock.get();
        Report r = drive(emulator(cfg));
        assertEquals(0, r.established());
        assertEquals(7, r.failures(FailureReason.PADO_TIMEOUT));
        // 1 + 2 retries of 100 ms each, starts spread over 7 ms
        assertTrue(clock.get() - t0 <= 310 * MS, "ended after " + (clock.get() - t0) / MS + " ms");
        assertFalse(r.success());
    }

    @Test
    void durationBoundEndsARunWithoutLifetime() throws Exception {
        EmulatorConfig cfg = base(3).lifetime(Duration.ZERO).duration(Duration.ofMillis(500)).trafficPps(10).build();
        FakeAcLns fake = new FakeAcLns(pair[1], cfg);
        long t0 = clock.get();
        Report r = drive(emulator(cfg));
        assertEquals(500 * MS, clock.get() - t0);
        assertTrue(r.success(), r.toText());
        assertEquals(3, r.completed());
        assertEquals(3, fake.padts);
        assertEquals(r.packetsSent(), r.packetsReceived(), "traffic stops a drain time before the end");
        assertTrue(r.packetsSent() >= 3 * 4, "sent " + r.packetsSent());
    }

    @Test
    void runTooShortForAllStartsReportsTheRest() throws Exception {
        EmulatorConfig cfg = base(10).setupRate(10).lifetime(Duration.ZERO).duration(Duration.ofMillis(450)).build();
        new FakeAcLns(pair[1], cfg);
        Report r = drive(emulator(cfg));
        assertEquals(5, r.started()); // starts at 0, 100, 200, 300, 400 ms
        assertEquals(5, r.established());
        assertEquals(5, r.failures(FailureReason.NOT_ESTABLISHED_BY_DEADLINE));
    }

    @Test
    void threadedRunWithTwoWorkersStopsByItself() throws Exception {
        EmulatorConfig cfg = base(300).setupRate(5000).shards(2).lifetime(Duration.ofMillis(300))
                .stepTimeout(Duration.ofSeconds(1)).trafficPps(20).build();
        FakeAcLns fake = new FakeAcLns(pair[1], cfg);
        Report r;
        try (SubscriberEmulator emu = new SubscriberEmulator(cfg, pair[0])) {
            r = emu.run();
        }
        assertTrue(r.success(), r.toText());
        assertEquals(300, r.completed());
        assertEquals(300, fake.padts);
        assertEquals(r.packetsSent(), r.packetsReceived());
        assertTrue(r.elapsedSeconds() < 5, r.toText());
    }

    @Test
    void endNowTerminatesEstablishedSessionsPolitely() throws Exception {
        EmulatorConfig cfg = base(50).setupRate(5000).lifetime(Duration.ZERO).duration(Duration.ofSeconds(60))
                .stepTimeout(Duration.ofSeconds(1)).build();
        FakeAcLns fake = new FakeAcLns(pair[1], cfg);
        Report r;
        try (SubscriberEmulator emu = new SubscriberEmulator(cfg, pair[0])) {
            emu.start();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (emu.report().established() < 50 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(emu.progress().contains("established 50"), emu.progress());
            emu.endNow();
            r = emu.awaitReport();
        }
        assertTrue(r.success(), r.toText());
        assertEquals(50, r.completed());
        assertEquals(50, fake.padts);
        assertTrue(r.elapsedSeconds() < 10, r.toText());
    }

    @Test
    void aPeerThatNeverAgreesOnIpcpIsBounded() throws Exception {
        EmulatorConfig cfg = base(3).build();
        FakeAcLns fake = new FakeAcLns(pair[1], cfg);
        fake.mode = FakeAcLns.Mode.IPCP_NAK_FOREVER;
        long framesBefore = pair[0].framesSent();
        Report r = drive(emulator(cfg));
        assertEquals(3, r.failures(FailureReason.IPCP_REJECTED), r.toText());
        assertEquals(0, r.established());
        assertTrue(pair[0].framesSent() - framesBefore < 3 * 30, "no Nak/Request livelock");
    }
}
