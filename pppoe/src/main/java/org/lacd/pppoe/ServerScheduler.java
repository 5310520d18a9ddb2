package org.lacd.pppoe;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The single thread every state machine of one {@link PppoeServer} runs on, with its clock and timers. Production
 * uses {@link #singleThread}; tests use {@code ManualScheduler} (in the test jar) and advance time without sleeping.
 */
public interface ServerScheduler {

    /** Monotonic time in nanoseconds (timers, rate limits, cookie generations). */
    long nanoTime();

    /** Wall-clock time (session creation stamps). */
    Instant now();

    /** Runs the task on the scheduler thread, in submission order. */
    void execute(Runnable task);

    /** Runs the task on the scheduler thread after the delay. */
    Cancellable schedule(Runnable task, long delayNanos);

    /** Waits for the latch (counted down by tasks on this scheduler) at most {@code bound}. */
    boolean await(CountDownLatch latch, Duration bound) throws InterruptedException;

    /** Stops the thread (pending tasks are dropped). */
    void shutdown();

    /** A scheduled timer. */
    interface Cancellable {
        void cancel();
    }

    /** A daemon thread named {@code name} with a {@link ScheduledThreadPoolExecutor}. */
    static ServerScheduler singleThread(String name) {
        ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        ex.setRemoveOnCancelPolicy(true);
        return new ServerScheduler() {
            @Override public long nanoTime() { return System.nanoTime(); }
            @Override public Instant now() { return Instant.now(); }
            @Override public void execute(Runnable task) { ex.execute(task); }

            @Override
            public Cancellable schedule(Runnable task, long delayNanos) {
                ScheduledFuture<?> f = ex.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
                return () -> f.cancel(false);
            }

            @Override
            public boolean await(CountDownLatch latch, Duration bound) throws InterruptedException {
                return latch.await(bound.toNanos(), TimeUnit.NANOSECONDS);
            }

            @Override public void shutdown() { ex.shutdownNow(); }
        };
    }
}
