package org.lacd.daemon;

import java.time.Duration;
import org.lacd.daemon.config.LacdConfig;

/** A part of the daemon with a lifecycle. Started in order, stopped in reverse. */
public interface Component {
    /** Short name for the start/stop log lines. */
    String name();

    void start() throws Exception;

    /** Stops within {@code budget}; must not throw. */
    void stop(Duration budget);

    /** Applies a new, already validated config. Parts it cannot change live are left as they are and logged. */
    default void reconfigure(LacdConfig config) {}
}
