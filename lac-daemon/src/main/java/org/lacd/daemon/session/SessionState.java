package org.lacd.daemon.session;

/** States of a subscriber session, as shown by the management view and the {@code lacd_sessions} gauge. */
public enum SessionState {
    /**
     * On the PPPoE side, from PADS until the user name is known: LCP negotiation and the wait for CHAP/PAP (the PPPoE
     * session's own phases, {@code org.lacd.pppoe.SessionState}). There is no separate "lcp" state here (issue 15).
     */
    PPPOE,
    /** Handed over with the user name, before steering is asked (momentary). */
    AUTH,
    /** Username known; RADIUS and/or realm rules are being asked. */
    DECIDING,
    /** A call is placed on the chosen LNS and waits for its tunnel (SCCRQ/SCCRP/SCCCN). */
    TUNNEL_SETUP,
    /** The tunnel is up and the call is under way: ICRQ sent, waiting for ICRP (RFC 2661 7.4.1). */
    CALL_SETUP,
    /** Call up: PPP frames forwarded both ways. */
    FORWARDING,
    /** Being torn down on both sides. */
    TEARDOWN
}
