package org.lacd.l2tp.transport;

import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/** A deterministic scheduler for tests: time moves only when {@link #advance} is called. Single-threaded. */
public final class ManualScheduler implements L2tpScheduler {
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private long now;
    private long seq;

    private final class Task implements Comparable<Task>, Cancellable {
        final long at;
        final long order = seq++;
        final Runnable r;
        boolean cancelled;

        Task(long at, Runnable r) {
            this.at = at;
            this.r = r;
        }

        @Override
        public int compareTo(Task o) { return at != o.at ? Long.compare(at, o.at) : Long.compare(order, o.order); }

        @Override
        public void cancel() { cancelled = true; }
    }

    @Override
    public long nanoTime() { return now; }

    @Override
    public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
        Task t = new Task(now + Math.max(0, unit.toNanos(delay)), task);
        queue.add(t);
        return t;
    }

    /** Runs every task due within {@code d}, in time order, moving the clock to each task's time. */
    public void advance(Duration d) {
        long end = now + d.toNanos();
        while (!queue.isEmpty() && queue.peek().at <= end) {
            Task t = queue.poll();
            now = t.at;
            if (!t.cancelled) {
                t.r.run();
            }
        }
        now = end;
    }

    /** Runs tasks that are due now. */
    public void runDue() { advance(Duration.ZERO); }

    public int pendingTasks() {
        return (int) queue.stream().filter(t -> !t.cancelled).count();
    }
}
