package org.lacd.radius;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A {@link RadiusScheduler} whose time moves only when the test calls {@link #advance}: timeouts, retransmits,
 * hold-downs, probes and accounting timers fire then, in due order, each on its event loop (the test thread waits
 * for it). Sockets stay real: the answers of a fake or real server arrive when they arrive, so tests wait for them
 * with {@link #await} (a condition, never a fixed sleep). {@link #clock()} is the matching wall clock.
 */
public final class ManualRadiusScheduler implements RadiusScheduler {
    /** Upper bound of a wait for a condition that depends on real sockets (generous: the machine may be loaded). */
    public static final Duration AWAIT = Duration.ofSeconds(20);

    private final Instant epoch = Instant.parse("2026-01-01T00:00:00Z");
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final List<EventLoop> loops = new CopyOnWriteArrayList<>();
    private long now;
    private long seq;

    private final class Timer implements Comparable<Timer>, Cancellable {
        final long due;
        final long order;
        final EventLoop loop;
        final Runnable task;
        volatile boolean cancelled;
        volatile boolean done;

        Timer(long due, long order, EventLoop loop, Runnable task) {
            this.due = due;
            this.order = order;
            this.loop = loop;
            this.task = task;
        }

        @Override
        public int compareTo(Timer o) { return due != o.due ? Long.compare(due, o.due) : Long.compare(order, o.order); }

        @Override
        public void cancel() { cancelled = true; }

        @Override
        public boolean isDone() { return done || cancelled; }
    }

    @Override
    public synchronized long nanoTime() { return now; }

    @Override
    public synchronized Cancellable schedule(EventLoop loop, Runnable task, long delayNanos) {
        Timer t = new Timer(now + Math.max(0, delayNanos), seq++, loop, task);
        timers.add(t);
        return t;
    }

    @Override
    public void started(EventLoop loop) {
        if (!loops.contains(loop)) {
            loops.add(loop);
        }
    }

    /** The wall clock that moves with this scheduler (for Event-Timestamp, Acct-Delay-Time). */
    public Clock clock() {
        return new Clock() {
            @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public Instant instant() { return epoch.plusNanos(nanoTime()); }
        };
    }

    /** Moves time forward by {@code d}, firing due timers in order, each on its loop; waits for the loops' queued work. */
    public void advance(Duration d) throws Exception {
        long target;
        synchronized (this) {
            target = now + d.toNanos();
        }
        settle();
        while (true) {
            Timer t;
            synchronized (this) {
                t = timers.peek();
                if (t == null || t.due > target) {
                    break;
                }
                timers.poll();
                if (t.cancelled) {
                    continue;
                }
                now = Math.max(now, t.due);
            }
            if (t.loop.isShuttingDown()) {
                continue; // its client was stopped: the timer dies with the loop, as it would in production
            }
            t.loop.submit(() -> {
                if (!t.cancelled) {
                    t.done = true;
                    t.task.run();
                }
            }).get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
            settle();
        }
        synchronized (this) {
            now = target;
        }
        settle();
    }

    /** Waits until every loop the clients started on has run what was queued on it (and what that queued). */
    public void settle() throws Exception {
        loops.removeIf(EventLoop::isShuttingDown);
        for (EventLoop loop : loops) {
            for (int i = 0; i < 100; i++) {
                loop.submit(() -> { }).get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
                if (!(loop instanceof SingleThreadEventExecutor e) || e.pendingTasks() == 0) {
                    break;
                }
            }
        }
    }

    /** Live (not cancelled, not run) timers. */
    public synchronized int liveTimers() {
        return (int) timers.stream().filter(t -> !t.cancelled).count();
    }

    /** Waits (real time, bounded by {@link #AWAIT}) for a condition that depends on real sockets; fails the test when it never holds. */
    public static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + AWAIT.toSeconds() + " s: " + what);
            }
            Thread.sleep(5);
        }
    }
}
