package org.lacd.pppoe;

/** Why a subscriber session ended. */
public enum CloseReason {
    /** PADT received from the subscriber (RFC 2516 5.5). */
    PADT_FROM_SUBSCRIBER,
    /** LCP Terminate-Request received from the subscriber (RFC 1661 5.5). */
    LCP_TERMINATE_FROM_SUBSCRIBER,
    /** LCP negotiation did not converge: Max-Configure exhausted without an answer (RFC 1661 4.6). */
    LCP_TIMEOUT,
    /** The subscriber rejected LCP itself or something we cannot work without (RFC 1661 5.6/5.7). */
    LCP_NEGOTIATION_FAILED,
    /** The subscriber refused every authentication protocol we offer. */
    AUTH_PROTOCOL_REFUSED,
    /** The username was not known {@link PppoeSettings#authTimeout} after PADS (LCP or authentication stalled). */
    AUTH_TIMEOUT,
    /** No LCP packet from the subscriber {@link PppoeSettings#discoveryTimeout} after PADS. */
    DISCOVERY_TIMEOUT,
    /**
     * The subscriber answered more than Max-Failure of our Configure-Requests in a row with Configure-Nak/Reject
     * without ever acking one (policy on RFC 1661 4.6: Max-Failure bounds the Naks we receive as well as the ones we
     * send).
     */
    LCP_NOT_CONVERGING,
    /** The layer above did not decide (reject/forward) in time. */
    DECISION_TIMEOUT,
    /** Our magic number came back: the line loops back (RFC 1661 6.4). */
    LOOPBACK,
    /** The layer above rejected the subscriber ({@link SubscriberSession#reject}). */
    REJECTED,
    /** Ended by the layer above or an operator ({@link SubscriberSession#terminate}). */
    ADMIN,
    /** The upstream side (tunnel, LNS) went away. */
    UPSTREAM_DOWN,
    /**
     * Still in setup when the same client (line, Host-Uniq, Relay-Session-Id) sent a new PADR: it gave this one up
     * (PppoeServer#supersede).
     */
    SUPERSEDED,
    /** The server is stopping. */
    SHUTDOWN
}
