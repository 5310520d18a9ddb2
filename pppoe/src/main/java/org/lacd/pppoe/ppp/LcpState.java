package org.lacd.pppoe.ppp;

/** LCP automaton states (RFC 1661 section 4.2), the subset an access server that opens at once goes through. */
public enum LcpState {
    /** 2: finished (after This-Layer-Finished). */
    CLOSED,
    /** 3: finished passively. */
    STOPPED,
    /** 4: Terminate-Request sent after an administrative close. */
    CLOSING,
    /** 5: Terminate-Ack sent / waiting to finish after the peer terminated. */
    STOPPING,
    /** 6: Configure-Request sent. */
    REQ_SENT,
    /** 7: Configure-Ack received. */
    ACK_RCVD,
    /** 8: Configure-Ack sent. */
    ACK_SENT,
    /** 9: opened. */
    OPENED;

    public boolean timerRuns() {
        return this == CLOSING || this == STOPPING || this == REQ_SENT || this == ACK_RCVD || this == ACK_SENT;
    }

    public boolean finished() { return this == CLOSED || this == STOPPED; }
}
