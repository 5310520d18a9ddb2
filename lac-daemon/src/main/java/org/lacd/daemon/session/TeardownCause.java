package org.lacd.daemon.session;

import org.lacd.radius.TerminateCause;

/**
 * Why an established session ended ({@code lacd_session_teardowns_total{cause}}), with the RADIUS
 * Acct-Terminate-Cause (RFC 2866 5.10) it is accounted as.
 */
public enum TeardownCause {
    /** PADT from the subscriber. */
    SUBSCRIBER_PADT(TerminateCause.USER_REQUEST),
    /** LCP Terminate-Request from the subscriber. */
    SUBSCRIBER_TERMINATE(TerminateCause.USER_REQUEST),
    /** The subscriber stopped answering (LCP echo or PPPoE timeout). */
    SUBSCRIBER_LOST(TerminateCause.LOST_CARRIER),
    /** CDN from the LNS. */
    LNS_DISCONNECT(TerminateCause.HOST_REQUEST),
    /** The tunnel was closed by StopCCN or died (HELLO or retransmission give-up). */
    TUNNEL_LOST(TerminateCause.LOST_SERVICE),
    /**
     * The IPsec SA that protected the path to the LNS went down (DPD, IKE failure, deleted): the session ends at once and
     * nothing more is sent to the LNS (no CDN in clear).
     */
    IPSEC_LOST(TerminateCause.LOST_SERVICE),
    /** lacd kick / clear-tunnel. */
    ADMIN(TerminateCause.ADMIN_RESET),
    /** RFC 5176 Disconnect-Request. */
    RADIUS_DISCONNECT(TerminateCause.ADMIN_RESET),
    /** Session-Timeout from RADIUS reached. */
    SESSION_TIMEOUT(TerminateCause.SESSION_TIMEOUT),
    /** The daemon is stopping. */
    SHUTDOWN(TerminateCause.NAS_REBOOT);

    private final TerminateCause acct;

    TeardownCause(TerminateCause acct) {
        this.acct = acct;
    }

    public TerminateCause acctTerminateCause() {
        return acct;
    }
}
