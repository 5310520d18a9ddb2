package org.lacd.lab.subscriber;

/**
 * Where one emulated subscriber is. A PPPoE client's life (RFC 2516 discovery, then the PPP phases of RFC 1661
 * section 3.2): the only assignment is in {@code Subscriber.transitionTo}.
 */
public enum SubscriberPhase {
    /** Not started yet. */
    IDLE,
    /** PADI sent, waiting for a PADO (RFC 2516 5.1/5.2). */
    PADI_SENT,
    /** PADR sent, waiting for the PADS (RFC 2516 5.3/5.4). */
    PADR_SENT,
    /** PPPoE session open; LCP negotiating (RFC 1661 Link Establishment phase). */
    LCP,
    /** LCP opened; authenticating (RFC 1661 Authentication phase; RFC 1994 / RFC 1334). */
    AUTH,
    /** Authenticated; IPCP negotiating (RFC 1661 Network-Layer Protocol phase, RFC 1332). */
    IPCP,
    /** IPCP opened: the session is established and carries traffic. */
    UP,
    /** Lifetime over: traffic stopped, in-flight packets draining. */
    DRAINING,
    /** LCP Terminate-Request sent (RFC 1661 Link Termination phase), PADT follows. */
    TERMINATING,
    /**
     * The session was dropped (unanswered LCP echoes) and the subscriber dials again after a hold-off, with the same
     * MAC (pppd's persist + holdoff). Only with {@code redial}.
     */
    REDIAL_WAIT,
    /** Ended as planned (after having been established). */
    DONE,
    /** Ended with a {@link FailureReason}. */
    FAILED;

    public boolean terminal() { return this == DONE || this == FAILED; }
}
