package org.lacd.daemon.session;

/** Why a subscriber could not be placed on an LNS ({@code lacd_session_failures_total{reason}}). */
public enum SetupFailure {
    /** RADIUS answered Access-Reject. */
    RADIUS_REJECT,
    /** No RADIUS server answered (all timed out, overloaded, or stopped). */
    RADIUS_UNAVAILABLE,
    /** Neither RADIUS nor a realm rule named an LNS for this user. */
    NO_TUNNEL,
    /** Candidates existed but all were drained or at their session limit. */
    NO_USABLE_LNS,
    /** Every candidate was tried and failed (tunnel down, call refused, timeout). */
    ALL_LNS_FAILED,
    /**
     * The user name is longer than what lacd can carry on (see {@link Steering#maxUsernameBytes}): refused at once,
     * before any RADIUS request or L2TP call, so no server and no LNS is blamed or locked out for it.
     */
    USERNAME_TOO_LONG,
    /** The subscriber went away (PADT, LCP Terminate, timeout) before the call was up. */
    SUBSCRIBER_LEFT,
    /** An operator or RADIUS Disconnect-Request ended the session during setup. */
    ADMIN,
    /** The daemon is stopping. */
    SHUTDOWN
}
