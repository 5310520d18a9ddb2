package org.lacd.pppoe;

import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;

/**
 * A scheduler driven by the test (or a benchmark driver) thread: tasks run when {@link #runPending()} or
 * {@link #advance} is called, timers fire when time is advanced. No sleeping, fully deterministic.
 * {@link #execute} may be called from any thread; everything else from the driving thread.
 */
public final class ManualScheduler implements ServerScheduler {
    private final ConcurrentLinkedQueue<Runnable> pending = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final Instant epoch;
    private long now;
    private long seq;
    private int cancelledCount;

    /** Cancelled timers are dropped in bulk so that a long run without advancing time does not accumulate them. */
    private void purgeIfMostlyCancelled() {
        if (cancelledCount > 1024 && cancelledCount > timers.size() / 2) {
            timers.removeIf(t -> t.cancelled);
            cancelledCount = 0;
        }
    }

    private final class Timer implements Comparable<Timer>, Cancellable {
        final long due;
        final long order;
        final Runnable task;
        boolean cancelled;

        Timer(long due, long order, Runnable task) {
            this.due = due;
            this.order = order;
            this.task = task;
        }

        @Override
        public int compareTo(Timer o) {
            return due != o.due ? Long.compare(due, o.due) : Long.compare(order, o.order);
        }

        @Override
        public void cancel() {
            if (!cancelled) {
                cancelled = true;
                cancelledCount++;
                purgeIfMostlyCancelled();
            }
        }
    }

    public ManualScheduler() {
        this(Instant.parse("2026-01-01T00:00:00Z"));
    }

    public ManualScheduler(Instant epoch) {
        this.epoch = epoch;
    }

    @Override public long nanoTime() { return now; }
    @Override public Instant now() { return epoch.plusNanos(now); }
    @Override public void execute(Runnable task) { pending.add(task); }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
        Timer t = new Timer(now + Math.max(0, delayNanos), seq++, task);
        timers.add(t);
        return t;
    }

    /** Runs queued tasks (including ones they queue) until none is left; returns how many ran. */
    public int runPending() {
        int n = 0;
        Runnable r;
        while ((r = pending.poll()) != null) {
            r.run();
            n++;
        }
        return n;
    }

    /** Moves time forward, firing due timers in order (and running queued tasks after each). */
    public void advance(Duration d) {
        long target = now + d.toNanos();
        runPending();
        while (true) {
            Timer t = timers.peek();
            if (t == null || t.due > target) {
                break;
            }
            timers.poll();
            if (t.cancelled) {
                cancelledCount--;
                continue;
            }
            now = Math.max(now, t.due);
            t.task.run();
            runPending();
        }
        now = target;
        runPending();
    }

    /** Number of live (not cancelled) timers. */
    public int liveTimers() {
        int n = 0;
        for (Timer t : timers) {
            if (!t.cancelled) {
                n++;
            }
        }
        return n;
    }

    @Override
    public boolean await(CountDownLatch latch, Duration bound) {
        runPending();
        return latch.getCount() == 0;
    }

    @Override
    public void shutdown() {
        pending.clear();
        timers.clear();
    }
}
