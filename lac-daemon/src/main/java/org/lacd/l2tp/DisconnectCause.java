package org.lacd.l2tp;

import org.lacd.l2tp.wire.CdnResult;
import org.lacd.l2tp.wire.ErrorCode;
import org.lacd.l2tp.wire.PppDisconnectCause;

/**
 * What a locally cleared call tells the LNS in its CDN: result/error code, message, and the RFC 3145 PPP cause.
 */
public record DisconnectCause(CdnResult result, ErrorCode error, String message, PppDisconnectCause pppCause) {

    /** The subscriber ended PPP (PADT / LCP Terminate). */
    public static DisconnectCause subscriberHangup() {
        return new DisconnectCause(CdnResult.LOSS_OF_CARRIER, null, null,
                new PppDisconnectCause(PppDisconnectCause.NORMAL_LCP_TERMINATE, 0, PppDisconnectCause.Direction.AT_PEER, null));
    }

    /** An operator or the daemon cleared the call. */
    public static DisconnectCause administrative(String why) {
        return new DisconnectCause(CdnResult.ADMINISTRATIVE, null, why,
                new PppDisconnectCause(PppDisconnectCause.ADMINISTRATIVE, 0, PppDisconnectCause.Direction.AT_LOCAL, null));
    }
}
