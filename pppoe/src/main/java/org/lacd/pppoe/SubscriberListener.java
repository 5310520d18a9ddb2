package org.lacd.pppoe;

/**
 * The layer above (the daemon's subscriber session). Called on the PPPoE server thread: return quickly and
 * answer later, from any thread, through {@link SubscriberSession#reject}, {@link SubscriberSession#startForwarding}
 * or {@link SubscriberSession#terminate}.
 */
public interface SubscriberListener {
    /** The subscriber authenticated (username learned); nothing has been answered to it yet. */
    void authenticated(SubscriberSession session, AuthExchange auth);

    /**
     * The session ended. Called once, and only for sessions that were passed to {@link #authenticated} before
     * (earlier failures are only counted).
     */
    void sessionClosed(SubscriberSession session, CloseReason reason);
}
