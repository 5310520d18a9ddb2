package org.lacd.radius.dae;

import java.util.List;
import org.lacd.radius.TerminateCause;

/**
 * What the daemon gives the Dynamic Authorization server. Both methods are called on the DAE thread: they must be
 * thread-safe and must not block for long (hand the actual teardown to the session's own event loop).
 *
 * @param <S> the daemon's session reference
 */
public interface DisconnectHandler<S> {
    /** Sessions matching every criterion present. */
    List<S> find(SessionCriteria criteria);

    /** Starts ending the session (the Stop record carries {@code cause}). @return false if it cannot be ended */
    boolean disconnect(S session, TerminateCause cause);
}
