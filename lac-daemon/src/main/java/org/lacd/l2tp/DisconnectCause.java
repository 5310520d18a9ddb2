package org.lacd.l2tp;

import org.lacd.l2tp.wire.CdnResult;
import org.lacd.l2tp.wire.ErrorCode;
import org.lacd.l2tp.wire.PppDisconnectCause;

/**
 * What a locally cleared call tells the LNS in its CDN: result/error code, message, and the RFC 3145 PPP cause.
 */
public record DisconnectCause(CdnResult result, ErrorCode error, String message, PppDisconnectCause pppCause) {

    /**
     * The subscriber ended PPP (PADT / LCP Terminate). RFC 3145's direction is seen from the host that sends the AVP:
     * "at peer" is the L2TP peer that receives the CDN (the LNS), "at local" is the sender's side. The subscriber is
     * on lacd's side of the tunnel, so a hang-up is AT_LOCAL. l2tpns reads it so (direction 2 with code 3 becomes
     * Acct-Terminate-Cause User-Request, direction 1 is ignored and leaves Lost-Carrier from the Result Code), and so
     * does our LNS emulator when it reports a subscriber's Terminate-Request the other way (AT_PEER). Found against
     * l2tpns in the lab (issue 16, test-lab/l2tpns.md).
     */
    public static DisconnectCause subscriberHangup() {
        return new DisconnectCause(CdnResult.LOSS_OF_CARRIER, null, null,
                new PppDisconnectCause(PppDisconnectCause.NORMAL_LCP_TERMINATE, 0, PppDisconnectCause.Direction.AT_LOCAL, null));
    }

    /** An operator or the daemon cleared the call. */
    public static DisconnectCause administrative(String why) {
        return new DisconnectCause(CdnResult.ADMINISTRATIVE, null, why,
                new PppDisconnectCause(PppDisconnectCause.ADMINISTRATIVE, 0, PppDisconnectCause.Direction.AT_LOCAL, null));
    }
}
