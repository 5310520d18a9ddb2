package org.lacd.lab.subscriber;

/** What moves an emulated subscriber from one {@link SubscriberPhase} to the next; see {@link SubscriberTransitions}. */
public enum SubscriberEvent {
    /** Its start time came (setup rate): PADI sent. */
    START,
    /** A PADO for us arrived: PADR sent. */
    PADO,
    /** A good PADS arrived: session id known, LCP Configure-Request sent. */
    PADS,
    /** Both LCP Configure-Requests acked (This-Layer-Up). */
    LCP_OPENED,
    /** CHAP Success, PAP Authenticate-Ack, or no authentication asked for. */
    AUTH_SUCCESS,
    /** The peer sent an LCP Configure-Request after LCP had opened. */
    RENEGOTIATION,
    /** Both IPCP Configure-Requests acked. */
    IPCP_OPENED,
    /** The session lifetime ran out. */
    LIFETIME_OVER,
    /** The drain wait after the traffic stopped is over: LCP Terminate-Request sent. */
    DRAINED,
    /** Terminate-Ack, the peer's own Terminate-Request or PADT, or the terminate retries ran out: PADT, done. */
    TERMINATED,
    /** The run's duration is over (or it was ended early) while the session had been established. */
    END_OF_RUN,
    /** {@code lcpEchoFailures} Echo-Requests in a row went unanswered and redial is on: the session is dropped. */
    ECHO_TIMEOUT,
    /** Redial on, the session up: the access concentrator hung up (PADT or LCP Terminate-Request): redial after the hold-off. */
    PEER_HUNG_UP,
    /** The redial hold-off is over: PADI sent again. */
    REDIAL,
    /** Any failure with a {@link FailureReason}. */
    FAILURE
}
