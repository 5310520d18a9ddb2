package org.lacd.daemon.steering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.lacd.daemon.config.LacdConfig.LnsProfile;
import org.lacd.daemon.config.LacdConfig.Spread;

class LnsSelectorTest {
    /** A clock the test moves by hand. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    final TestClock clock = new TestClock();
    final List<String> events = new ArrayList<>();
    final LnsSelector.Listener listener = new LnsSelector.Listener() {
        @Override
        public void lockedOut(String key, Duration d) {
            events.add("lockout " + key + " " + d.toSeconds());
        }

        @Override
        public void usable(String key) {
            events.add("usable " + key);
        }
    };

    static LnsProfile profile(String name, int maxSessions, boolean drain) throws Exception {
        return new LnsProfile(name, InetAddress.getByName("127.0.0.1"), 1701, Optional.empty(), "lacd", Optional.empty(),
                Optional.empty(), false, maxSessions, 8000, 1, drain, false, true);
    }

    static LnsCandidate cand(String name, int pref, int weight) throws Exception {
        return new LnsCandidate(name, profile(name, 0, false), pref, weight);
    }

    LnsSelector selector(Spread spread) {
        return new LnsSelector(Duration.ofSeconds(300), spread, clock, new SplittableRandom(42), listener);
    }

    static List<String> keys(List<LnsCandidate> plan) {
        return plan.stream().map(LnsCandidate::key).toList();
    }

    @Test
    void lowerPreferenceFirst() throws Exception {
        LnsSelector s = selector(Spread.WEIGHT);
        assertEquals(List.of("a", "b", "c"), keys(s.plan(List.of(cand("c", 3, 1), cand("a", 1, 1), cand("b", 2, 1)))));
    }

    @Test
    void weightedSpreadAmongEqualPreferences() throws Exception {
        LnsSelector s = selector(Spread.WEIGHT);
        List<LnsCandidate> cands = List.of(cand("x", 1, 3), cand("y", 1, 1), cand("backup", 2, 1));
        Map<String, Integer> first = new HashMap<>();
        for (int i = 0; i < 8000; i++) {
            List<String> plan = keys(s.plan(cands));
            assertEquals("backup", plan.get(2), "lower preference never ahead of a usable better one");
            first.merge(plan.get(0), 1, Integer::sum);
        }
        double ratio = first.get("x") / (double) first.get("y");
        assertTrue(ratio > 2.6 && ratio < 3.4, "3:1 weights give about 3:1 first picks, got " + first);
    }

    @Test
    void leastSessionsSpread() throws Exception {
        LnsSelector s = selector(Spread.LEAST_SESSIONS);
        s.sessionUp("x");
        s.sessionUp("x");
        s.sessionUp("y");
        assertEquals(List.of("z", "y", "x"), keys(s.plan(List.of(cand("x", 1, 1), cand("y", 1, 1), cand("z", 1, 1)))));
    }

    @Test
    void failedLnsIsLockedOutThenTriedAgain() throws Exception {
        LnsSelector s = selector(Spread.WEIGHT);
        List<LnsCandidate> cands = List.of(cand("primary", 1, 1), cand("secondary", 2, 1));
        s.failed("primary");
        assertEquals(List.of("lockout primary 300"), events);
        assertEquals(List.of("secondary"), keys(s.plan(cands)));
        assertEquals(Duration.ofSeconds(300), s.lockoutRemaining("primary").orElseThrow());
        clock.now = clock.now.plusSeconds(299);
        assertEquals(List.of("secondary"), keys(s.plan(cands)));
        clock.now = clock.now.plusSeconds(1);
        assertEquals(List.of("primary", "secondary"), keys(s.plan(cands)), "lockout over: tried again");
        assertTrue(s.lockoutRemaining("primary").isEmpty());
    }

    @Test
    void allLockedOutTriesLeastRecentlyFailedFirst() throws Exception {
        LnsSelector s = selector(Spread.WEIGHT);
        s.failed("b");
        clock.now = clock.now.plusSeconds(10);
        s.failed("a");
        assertEquals(List.of("b", "a"), keys(s.plan(List.of(cand("a", 1, 1), cand("b", 2, 1)))));
    }

    @Test
    void successEndsLockout() throws Exception {
        LnsSelector s = selector(Spread.WEIGHT);
        s.failed("a");
        s.succeeded("a");
        assertEquals(List.of("lockout a 300", "usable a"), events);
        assertEquals(List.of("a", "b"), keys(s.plan(List.of(cand("a", 1, 1), cand("b", 2, 1)))));
    }

    @Test
    void drainedAndFullAreSkipped() throws Exception {
        LnsSelector s = selector(Spread.WEIGHT);
        LnsCandidate full = new LnsCandidate("full", profile("full", 2, false), 1, 1);
        LnsCandidate drainedByConfig = new LnsCandidate("cfg-drain", profile("cfg-drain", 0, true), 1, 1);
        s.sessionUp("full");
        s.sessionUp("full");
        s.setDrain("admin-drain", true);
        List<LnsCandidate> plan = s.plan(List.of(full, drainedByConfig, cand("admin-drain", 1, 1), cand("ok", 5, 1)));
        assertEquals(List.of("ok"), keys(plan));
        s.sessionDown("full");
        s.setDrain("admin-drain", false);
        assertEquals(List.of("admin-drain", "full", "ok"),
                keys(s.plan(List.of(full, drainedByConfig, cand("admin-drain", 1, 1), cand("ok", 5, 1)))).stream().sorted().toList());
    }

    @Test
    void noUsableCandidateGivesEmptyPlan() throws Exception {
        LnsSelector s = selector(Spread.WEIGHT);
        s.setDrain("a", true);
        assertTrue(s.plan(List.of(cand("a", 1, 1))).isEmpty());
        assertTrue(s.plan(List.of()).isEmpty());
    }

    @Test
    void zeroLockoutNeverLocks() throws Exception {
        LnsSelector s = new LnsSelector(Duration.ZERO, Spread.WEIGHT, clock, new SplittableRandom(1), listener);
        s.failed("a");
        assertEquals(List.of("a", "b"), keys(s.plan(List.of(cand("a", 1, 1), cand("b", 2, 1)))));
        assertTrue(events.isEmpty());
    }
}
