package org.lacd.pppoe;

import org.lacd.pppoe.wire.PppoeCode;

/**
 * Counters of the PPPoE side. Called from the server thread and (for data) from port receive threads and callers
 * of {@link SubscriberSession#sendPpp}: implementations must be thread-safe and cheap.
 */
public interface PppoeStats {
    void drop(DropReason reason);
    void discoveryReceived(PppoeCode code);
    void discoverySent(PppoeCode code);
    void sessionOpened();
    void sessionClosed(CloseReason reason);
    void timeout(TimeoutKind kind);
    void dataIn(String interfaceName, int bytes);
    void dataOut(String interfaceName, int bytes);

    /** A data frame of a session on port worker {@code worker} (see {@link SubscriberSession#worker()}). */
    default void dataIn(String interfaceName, int worker, int bytes) {
        dataIn(interfaceName, bytes);
    }

    /** A data frame sent to a session on port worker {@code worker}. */
    default void dataOut(String interfaceName, int worker, int bytes) {
        dataOut(interfaceName, bytes);
    }

    /** A PADO scheduled to leave after its delay ({@code pppoe.pado-delay}) instead of at once. */
    default void padoDelayed() { }

    PppoeStats NOOP = new PppoeStats() {
        @Override public void drop(DropReason reason) { }
        @Override public void discoveryReceived(PppoeCode code) { }
        @Override public void discoverySent(PppoeCode code) { }
        @Override public void sessionOpened() { }
        @Override public void sessionClosed(CloseReason reason) { }
        @Override public void timeout(TimeoutKind kind) { }
        @Override public void dataIn(String interfaceName, int bytes) { }
        @Override public void dataOut(String interfaceName, int bytes) { }
    };
}
