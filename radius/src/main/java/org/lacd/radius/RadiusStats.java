package org.lacd.radius;

/**
 * Counters of the RADIUS module. The daemon maps them to its metrics registry; no label grows with subscribers
 * (server labels are configured addresses).
 */
public interface RadiusStats {

    enum RequestType { ACCESS, ACCOUNTING }

    enum Result { ACCEPT, REJECT, CHALLENGE, ACCOUNTING_RESPONSE, TIMEOUT }

    /**
     * Why an answer was dropped. {@code LATE_ANSWER}: a genuine answer (its Response Authenticator verifies) to a request
     * that no longer holds its identifier: answered already (a duplicate), given up on, or retried under a new
     * identifier. {@code UNKNOWN_IDENTIFIER} and {@code BAD_AUTHENTICATOR} are answers that match nothing we sent.
     */
    enum DropReason { MALFORMED, UNKNOWN_SERVER, UNKNOWN_IDENTIFIER, BAD_AUTHENTICATOR, MISSING_MESSAGE_AUTHENTICATOR, BAD_MESSAGE_AUTHENTICATOR,
        UNEXPECTED_CODE, LATE_ANSWER }

    enum DaeResult { DISCONNECT_ACK, DISCONNECT_NAK, COA_NAK, DROPPED_UNKNOWN_CLIENT, DROPPED_BAD_AUTHENTICATOR, DROPPED_MALFORMED,
        DROPPED_STALE }

    /** One transmission (first try or retry) to a server. */
    default void sent(String server, RequestType type, boolean retry) { }

    /** A request completed at a server: result and latency of the successful try (or the time to give up). */
    default void completed(String server, RequestType type, Result result, double seconds) { }

    /** One try got no acceptable answer within the timeout (a retry or the next server follows). */
    default void tryTimedOut(String server, RequestType type) { }

    default void answerDropped(String server, DropReason reason) { }

    default void serverDown(String server) { }

    default void serverUp(String server) { }

    default void spoolDepth(long records) { }

    /** The spool is full and a record was discarded (also logged at ERROR). */
    default void spoolOverflow() { }

    default void dae(DaeResult result) { }

    RadiusStats NOOP = new RadiusStats() { };
}
