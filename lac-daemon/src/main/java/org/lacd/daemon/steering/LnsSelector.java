package org.lacd.daemon.steering;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.lacd.daemon.config.LacdConfig.Spread;

/**
 * Orders LNS candidates the way commercial LACs do: by preference; among equal preferences by weighted random
 * choice or fewest sessions; drained LNSs and LNSs at their session limit skipped; an LNS that failed is locked
 * out for a while so new subscribers do not wait on it, and if every usable candidate is locked out, the least
 * recently failed is tried rather than refusing the subscriber.
 *
 * <p>Thread-safe: the per-LNS state is in concurrent maps of atomics; a plan is a snapshot and may be slightly
 * stale, which is harmless (a call over a limit is refused by the tunnel layer as well).
 */
public final class LnsSelector {
    /** What the selector knows of one LNS. */
    public static final class LnsState {
        private final AtomicInteger sessions = new AtomicInteger();
        private volatile Instant lockedUntil = Instant.MIN;
        private volatile Instant lastFailure = Instant.MIN;
        private volatile boolean drain;

        public int sessions() {
            return sessions.get();
        }

        public Instant lockedUntil() {
            return lockedUntil;
        }

        public Instant lastFailure() {
            return lastFailure;
        }

        public boolean drain() {
            return drain;
        }
    }

    /** Notified when an LNS is locked out or becomes usable again (metrics, logs). */
    public interface Listener {
        void lockedOut(String key, Duration duration);

        void usable(String key);
    }

    private final Clock clock;
    private final RandomGenerator random;
    private final Listener listener;
    private final Map<String, LnsState> states = new ConcurrentHashMap<>();
    private volatile Duration lockout;
    private volatile Spread spread;

    public LnsSelector(Duration lockout, Spread spread, Clock clock, RandomGenerator random, Listener listener) {
        this.lockout = lockout;
        this.spread = spread;
        this.clock = clock;
        this.random = random;
        this.listener = listener;
    }

    public void reconfigure(Duration lockout, Spread spread) {
        this.lockout = lockout;
        this.spread = spread;
    }

    public LnsState state(String key) {
        return states.computeIfAbsent(key, k -> new LnsState());
    }

    public Map<String, LnsState> states() {
        return Map.copyOf(states);
    }

    public void setDrain(String key, boolean drain) {
        state(key).drain = drain;
    }

    /**
     * The order in which to try the candidates for one subscriber. Empty when none is usable (all drained or
     * full). Candidates that are locked out are left out unless every usable one is, in which case the least
     * recently failed comes first, then the others by failure time.
     */
    public List<LnsCandidate> plan(List<LnsCandidate> candidates) {
        Instant now = clock.instant();
        TreeMap<Integer, List<LnsCandidate>> byPreference = new TreeMap<>();
        List<LnsCandidate> lockedOut = new ArrayList<>();
        for (LnsCandidate c : candidates) {
            LnsState s = state(c.key());
            if (s.drain || c.profile().drain() || atLimit(c, s)) {
                continue;
            }
            if (s.lockedUntil.isAfter(now)) {
                lockedOut.add(c);
                continue;
            }
            byPreference.computeIfAbsent(c.preference(), p -> new ArrayList<>()).add(c);
        }
        List<LnsCandidate> out = new ArrayList<>();
        for (List<LnsCandidate> group : byPreference.values()) {
            out.addAll(spread == Spread.LEAST_SESSIONS ? leastSessions(group) : weighted(group));
        }
        if (out.isEmpty() && !lockedOut.isEmpty()) {
            lockedOut.sort(Comparator.comparing((LnsCandidate c) -> state(c.key()).lastFailure)
                    .thenComparingInt(LnsCandidate::preference));
            out.addAll(lockedOut);
        }
        return out;
    }

    private static boolean atLimit(LnsCandidate c, LnsState s) {
        int max = c.profile().maxSessions();
        return max > 0 && s.sessions.get() >= max;
    }

    private List<LnsCandidate> leastSessions(List<LnsCandidate> group) {
        List<LnsCandidate> g = new ArrayList<>(group);
        g.sort(Comparator.comparingInt((LnsCandidate c) -> state(c.key()).sessions.get()));
        return g;
    }

    /** Weighted random order without replacement: each pick is proportional to the remaining weights. */
    private List<LnsCandidate> weighted(List<LnsCandidate> group) {
        List<LnsCandidate> left = new ArrayList<>(group);
        List<LnsCandidate> out = new ArrayList<>(group.size());
        while (!left.isEmpty()) {
            long total = 0;
            for (LnsCandidate c : left) {
                total += c.weight();
            }
            long r = random.nextLong(total);
            for (int i = 0; i < left.size(); i++) {
                r -= left.get(i).weight();
                if (r < 0) {
                    out.add(left.remove(i));
                    break;
                }
            }
        }
        return out;
    }

    /** The tunnel to this LNS did not come up, or it refused the call, or the tunnel died: lock it out. */
    public void failed(String key) {
        LnsState s = state(key);
        Instant now = clock.instant();
        s.lastFailure = now;
        Duration d = lockout;
        if (!d.isZero()) {
            boolean wasUsable = !s.lockedUntil.isAfter(now);
            s.lockedUntil = now.plus(d);
            if (wasUsable) {
                listener.lockedOut(key, d);
            }
        }
    }

    /** A call came up on this LNS: it is usable (ends a lockout early, as the LNS has proven itself). */
    public void succeeded(String key) {
        LnsState s = state(key);
        if (s.lockedUntil != Instant.MIN) {
            s.lockedUntil = Instant.MIN;
            listener.usable(key);
        }
    }

    public void sessionUp(String key) {
        state(key).sessions.incrementAndGet();
    }

    public void sessionDown(String key) {
        state(key).sessions.decrementAndGet();
    }

    /** Remaining lockout, for the management view. */
    public Optional<Duration> lockoutRemaining(String key) {
        Instant until = state(key).lockedUntil;
        Instant now = clock.instant();
        return until.isAfter(now) ? Optional.of(Duration.between(now, until)) : Optional.empty();
    }
}
