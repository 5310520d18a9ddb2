package org.lacd.l2tp;

import org.lacd.l2tp.wire.PppDisconnectCause;
import org.lacd.daemon.log.WireText;

/**
 * Why a call ended.
 *
 * @param kind       who ended it and whether the LNS should be considered unreachable
 * @param resultCode RFC 2661 result code (CDN or StopCCN, per kind); -1 when none came on the wire
 * @param errorCode  RFC 2661 error code; -1 when none
 * @param message    error message from the peer or a local reason
 * @param pppCause   RFC 3145 PPP Disconnect Cause from the peer's CDN, or null
 */
public record CallDownCause(Kind kind, int resultCode, int errorCode, String message, PppDisconnectCause pppCause) {

    /** Classes of call end the caller acts on. */
    public enum Kind {
        /** The tunnel could not be established or died (timeout, StopCCN, auth failure): lock the LNS out for a while. */
        TUNNEL_FAILED,
        /** The LNS answered the call attempt with a CDN: try another LNS or reject the subscriber. */
        REFUSED,
        /** The LNS cleared an established call (CDN). */
        CLEARED_BY_PEER,
        /** We cleared it ({@link L2tpCall#disconnect}) or the engine shut down. */
        CLEARED_LOCALLY
    }

    /** True when the LNS itself is unusable (tunnel failed), as opposed to this one call. */
    public boolean tunnelFailure() { return kind == Kind.TUNNEL_FAILED; }

    /** For logs: the message may be the LNS's (a CDN or StopCCN Result Code), so it is escaped. */
    @Override
    public String toString() {
        return "CallDownCause[" + kind + " result " + resultCode + " error " + errorCode
                + (message != null ? " \"" + WireText.escape(message) + "\"" : "") + (pppCause != null ? " " + pppCause : "") + "]";
    }
}
