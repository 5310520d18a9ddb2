package org.lacd.pppoe.ppp;

/** LCP automaton events (RFC 1661 section 4.3). */
public enum LcpEvent {
    /** Timeout with counter > 0. */
    TO_PLUS,
    /** Timeout with counter expired. */
    TO_MINUS,
    /** Receive-Configure-Request, acceptable. */
    RCR_PLUS,
    /** Receive-Configure-Request, not acceptable (we Nak or Reject). */
    RCR_MINUS,
    /** Receive-Configure-Ack. */
    RCA,
    /** Receive-Configure-Nak/Rej. */
    RCN,
    /** Receive-Terminate-Request. */
    RTR,
    /** Receive-Terminate-Ack. */
    RTA,
    /** Receive-Unknown-Code. */
    RUC,
    /** Receive-Code-Reject/Protocol-Reject, permitted. */
    RXJ_PLUS,
    /** Receive-Code-Reject/Protocol-Reject, catastrophic. */
    RXJ_MINUS,
    /** Receive-Echo-Request, Echo-Reply or Discard-Request. */
    RXR,
    /** Administrative Close. */
    CLOSE
}
