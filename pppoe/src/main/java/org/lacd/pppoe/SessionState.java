package org.lacd.pppoe;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Phases of a subscriber session (after PADS). The allowed transitions are data, each citing where it comes from.
 */
public enum SessionState {
    /** LCP negotiating (RFC 1661 3.2 Link Establishment). */
    LCP,
    /** LCP open, waiting for the subscriber's PAP/CHAP (RFC 1661 3.3 Authentication phase). */
    AUTHENTICATING,
    /** Username known, the layer above decides. */
    AWAITING_DECISION,
    /** A pipe to the upstream: LCP and auth now run end to end with the LNS (RFC 2661 proxy LCP). */
    FORWARDING,
    /** LCP Terminate-Request sent, waiting for the Ack before PADT (RFC 1661 3.7). */
    TERMINATING,
    /** Gone (PADT sent or received, RFC 2516 5.5). */
    CLOSED;

    private static final Map<SessionState, Set<SessionState>> ALLOWED = new EnumMap<>(SessionState.class);

    static {
        ALLOWED.put(LCP, EnumSet.of(AUTHENTICATING, TERMINATING, CLOSED));      // tlu; admin close; tlf or PADT
        ALLOWED.put(AUTHENTICATING, EnumSet.of(AWAITING_DECISION, LCP, TERMINATING, CLOSED)); // auth done; tld; timeout
        ALLOWED.put(AWAITING_DECISION, EnumSet.of(FORWARDING, TERMINATING, CLOSED)); // forward; reject/timeout; PADT
        ALLOWED.put(FORWARDING, EnumSet.of(TERMINATING, CLOSED));              // terminate; PADT
        ALLOWED.put(TERMINATING, EnumSet.of(CLOSED));                          // Terminate-Ack or Max-Terminate
        ALLOWED.put(CLOSED, EnumSet.noneOf(SessionState.class));
    }

    public boolean canGo(SessionState next) { return ALLOWED.get(this).contains(next); }
}
