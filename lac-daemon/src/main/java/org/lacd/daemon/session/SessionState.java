package org.lacd.daemon.session;

/** States of a subscriber session, as shown by the management view and the {@code lacd_sessions} gauge. */
public enum SessionState {
    /** PPPoE discovery done, waiting for LCP. */
    PPPOE,
    /** LCP negotiating with the subscriber. */
    LCP,
    /** Waiting for the subscriber's CHAP response or PAP request. */
    AUTH,
    /** Username known; RADIUS and/or realm rules are being asked. */
    DECIDING,
    /** Waiting for a tunnel to the chosen LNS. */
    TUNNEL_SETUP,
    /** ICRQ/ICRP/ICCN under way. */
    CALL_SETUP,
    /** Call up: PPP frames forwarded both ways. */
    FORWARDING,
    /** Being torn down on both sides. */
    TEARDOWN
}
