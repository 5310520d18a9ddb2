package org.lacd.lab.subscriber;

/** Why an emulated subscriber did not reach (or did not stay in) the established state. One count per subscriber. */
public enum FailureReason {
    /** No PADO after the PADI retransmissions (RFC 2516 section 5.1). */
    PADO_TIMEOUT,
    /** No PADS after the PADR retransmissions (RFC 2516 section 5.3). */
    PADS_TIMEOUT,
    /** PADS with SESSION_ID 0 or an error tag (Service-Name-Error, AC-System-Error, Generic-Error). */
    PADS_ERROR,
    /** PADT from the access concentrator before the session was established. */
    PADT_BEFORE_UP,
    /** PADT while established, before the session lifetime ran out. */
    PADT_AFTER_UP,
    /** LCP did not open in time (RFC 1661 Max-Configure exhausted). */
    LCP_TIMEOUT,
    /** The peer insisted on an authentication protocol this subscriber is configured not to do. */
    AUTH_PROTOCOL_REFUSED,
    /** LCP Terminate-Request from the peer before the lifetime ran out. */
    LCP_TERMINATED,
    /** No CHAP Challenge, or no answer to our PAP/CHAP message, in time. */
    AUTH_TIMEOUT,
    /** CHAP Failure (RFC 1994 section 4.2). */
    CHAP_FAILURE,
    /** PAP Authenticate-Nak (RFC 1334 section 2.2.3). */
    PAP_NAK,
    /** IPCP did not open in time. */
    IPCP_TIMEOUT,
    /** IPCP Configure-Reject of our IP-Address, Protocol-Reject of IPCP, or IPCP Terminate-Request. */
    IPCP_REJECTED,
    /** LCP Echo-Requests went unanswered (pppd's lcp-echo-failure) and redial was off. */
    LCP_ECHO_TIMEOUT,
    /** The overall duration ended before the session was established. */
    NOT_ESTABLISHED_BY_DEADLINE,
    /** A bug in the emulator (logged at ERROR); the other subscribers go on. */
    EMULATOR_ERROR
}
