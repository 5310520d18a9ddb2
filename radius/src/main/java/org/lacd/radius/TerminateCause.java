package org.lacd.radius;

/**
 * Why a session ended: RFC 2866 s5.10 Acct-Terminate-Cause. What lacd events map to (the daemon picks):
 * <ul>
 * <li>subscriber sent PADT or LCP Terminate-Request: {@link #USER_REQUEST}</li>
 * <li>subscriber vanished (LCP echo timeout, PPPoE interface down): {@link #LOST_CARRIER}</li>
 * <li>the LNS ended the call with a CDN: {@link #HOST_REQUEST} (the LNS is the "login host" of RFC 2866)</li>
 * <li>the tunnel to the LNS was lost (StopCCN, no answer to Hello, retransmissions exhausted): {@link #LOST_SERVICE}</li>
 * <li>no LNS could be reached at setup, or all candidates refused the call: {@link #SERVICE_UNAVAILABLE}</li>
 * <li>Disconnect-Request (RFC 5176) or operator command: {@link #ADMIN_RESET}</li>
 * <li>lacd shutting down: {@link #NAS_REBOOT}; lacd's own decision otherwise: {@link #NAS_REQUEST}</li>
 * <li>Idle-Timeout / Session-Timeout from the Access-Accept: {@link #IDLE_TIMEOUT} / {@link #SESSION_TIMEOUT}</li>
 * <li>PPPoE/PPP protocol error on the subscriber side: {@link #PORT_ERROR}</li>
 * </ul>
 */
public enum TerminateCause {
    USER_REQUEST(1), LOST_CARRIER(2), LOST_SERVICE(3), IDLE_TIMEOUT(4), SESSION_TIMEOUT(5), ADMIN_RESET(6), ADMIN_REBOOT(7),
    PORT_ERROR(8), NAS_ERROR(9), NAS_REQUEST(10), NAS_REBOOT(11), PORT_UNNEEDED(12), PORT_PREEMPTED(13), PORT_SUSPENDED(14),
    SERVICE_UNAVAILABLE(15), CALLBACK(16), USER_ERROR(17), HOST_REQUEST(18);

    private final int code;

    TerminateCause(int code) { this.code = code; }

    public int code() { return code; }

    /** @return the cause, or null when unknown */
    public static TerminateCause fromCode(int code) {
        for (TerminateCause c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return null;
    }
}
