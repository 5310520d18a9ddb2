package org.lacd.radius;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The time source and timers of the RADIUS client and of accounting: retransmit, request timeout, dead-server
 * hold-down, Status-Server probes, Interim-Update and spool-retry timers. Production: {@link #SYSTEM} (the event
 * loop's own timers, {@code System.nanoTime()}); tests inject a manual one and advance time instead of sleeping.
 * Every timer task runs on the {@link EventLoop} it was scheduled for, so protocol state stays on one thread.
 */
public interface RadiusScheduler {

    /** Monotonic time in nanoseconds. */
    long nanoTime();

    /** Runs {@code task} on {@code loop} after {@code delayNanos}. Called on {@code loop}. */
    Cancellable schedule(EventLoop loop, Runnable task, long delayNanos);

    /** The client started on {@code loop} (a manual scheduler waits for the loop's queued work before firing timers). */
    default void started(EventLoop loop) { }

    /** A scheduled timer. */
    interface Cancellable {
        void cancel();

        /** Whether it has run or was cancelled. */
        boolean isDone();
    }

    /** The event loop's timers and the JVM's monotonic clock. */
    RadiusScheduler SYSTEM = new RadiusScheduler() {
        @Override
        public long nanoTime() { return System.nanoTime(); }

        @Override
        public Cancellable schedule(EventLoop loop, Runnable task, long delayNanos) {
            ScheduledFuture<?> f = loop.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
            return new Cancellable() {
                @Override
                public void cancel() { f.cancel(false); }

                @Override
                public boolean isDone() { return f.isDone(); }
            };
        }
    };
}
