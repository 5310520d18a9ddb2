package org.lacd.pppoe;

/** Bounded waits that can expire ({@code lacd_session_setup_timeouts_total{kind}} in the daemon). */
public enum TimeoutKind {
    /** No LCP packet from the subscriber within {@link PppoeSettings#discoveryTimeout} after PADS. */
    DISCOVERY,
    /** Max-Configure Configure-Requests went unanswered (RFC 1661 4.6). */
    LCP_NEGOTIATION,
    /** {@link PppoeSettings#authTimeout} after PADS with LCP still not open (e.g. a subscriber that Naks forever). */
    LCP_DEADLINE,
    /** {@link PppoeSettings#authTimeout} after PADS with LCP open but no PAP/CHAP from the subscriber. */
    AUTHENTICATION,
    /** The layer above did not decide within {@link PppoeSettings#decisionTimeout}. */
    DECISION,
    /** Our Terminate-Request went unanswered Max-Terminate times. */
    TERMINATE
}
