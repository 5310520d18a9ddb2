package org.lacd.pppoe.discovery;

import java.time.Duration;
import java.util.List;

/**
 * How long an access concentrator waits before it answers a PADI with a PADO, by the number of sessions on the
 * interface the PADI came in on: several concentrators on one access network all answer every PADI (RFC 2516 5.2)
 * and the host takes the first PADO, so the one that answers later is the standby, or the one more loaded.
 *
 * <p>A table of steps, each from a session count upward: the last step whose {@code fromSessions} is at most the
 * interface's count gives the delay; a step with a null delay means no PADO at all (the concentrator stays silent,
 * as one that cannot take the session, RFC 2516 5.2). A fixed delay is the one step from 0 sessions.
 *
 * @param steps ordered by strictly increasing {@code fromSessions}, the first from 0
 */
public record PadoDelay(List<Step> steps) {
    /** The longest delay accepted: a PADO later than this loses to any host's PADI timeout anyway. */
    public static final Duration MAX_DELAY = Duration.ofSeconds(10);
    /** The most steps in one table (a DoS guard on the config, not on the wire). */
    public static final int MAX_STEPS = 64;
    /** No delay: the PADO goes out at once. */
    public static final PadoDelay NONE = fixed(Duration.ZERO);
    /** {@link #delayNanos} of a step that sends no PADO. */
    public static final long SUPPRESS = -1;

    /**
     * One row of the table.
     *
     * @param fromSessions this step applies from this many sessions on the interface upward
     * @param delay the PADO delay, or null: no PADO from this many sessions on
     */
    public record Step(int fromSessions, Duration delay) {
        public Step {
            if (fromSessions < 0) {
                throw new IllegalArgumentException("fromSessions must be >= 0, got " + fromSessions);
            }
            if (delay != null && (delay.isNegative() || delay.compareTo(MAX_DELAY) > 0)) {
                throw new IllegalArgumentException("delay must be 0.." + MAX_DELAY.toMillis() + " ms, got " + delay);
            }
        }

        /** True when this step sends no PADO. */
        public boolean suppresses() {
            return delay == null;
        }
    }

    public PadoDelay {
        steps = List.copyOf(steps);
        if (steps.isEmpty() || steps.size() > MAX_STEPS) {
            throw new IllegalArgumentException("a PADO delay table needs 1.." + MAX_STEPS + " steps, got " + steps.size());
        }
        if (steps.get(0).fromSessions() != 0) {
            throw new IllegalArgumentException("the first step must start at 0 sessions, got " + steps.get(0).fromSessions());
        }
        for (int i = 1; i < steps.size(); i++) {
            if (steps.get(i).fromSessions() <= steps.get(i - 1).fromSessions()) {
                throw new IllegalArgumentException("step " + i + " starts at " + steps.get(i).fromSessions()
                        + " sessions, not above the step before (" + steps.get(i - 1).fromSessions() + ")");
            }
        }
    }

    /** The same delay whatever the load. */
    public static PadoDelay fixed(Duration d) {
        return new PadoDelay(List.of(new Step(0, d)));
    }

    /** The delay in nanoseconds for an interface holding {@code sessions}, or {@link #SUPPRESS}: send no PADO. */
    public long delayNanos(int sessions) {
        Step s = steps.get(0);
        for (Step x : steps) {
            if (x.fromSessions() > sessions) {
                break;
            }
            s = x;
        }
        return s.suppresses() ? SUPPRESS : s.delay().toNanos();
    }

    /** True when no step ever delays or suppresses (the PADO goes out at once, as without this feature). */
    public boolean isNone() {
        return steps.stream().allMatch(s -> !s.suppresses() && s.delay().isZero());
    }
}
