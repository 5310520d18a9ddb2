package org.lacd.l2tp.transport;

import java.util.concurrent.TimeUnit;

/**
 * Clock and timers of one event loop. Production: the Netty event loop; tests: {@code ManualScheduler} (in the test jar). Tasks run
 * on the owning loop, so protocol code needs no locks.
 */
public interface L2tpScheduler {
    long nanoTime();

    Cancellable schedule(Runnable task, long delay, TimeUnit unit);

    /** A scheduled task handle. */
    interface Cancellable {
        void cancel();
    }
}
