package org.lacd.l2tp;

import java.net.InetSocketAddress;
import org.lacd.l2tp.wire.ControlMessage;

/**
 * A call a downstream LAC placed on lacd (tunnel switching: lacd in the LNS role of RFC 2661 7.4.2), once its ICCN
 * has arrived. Its ICRQ and ICCN are kept as received (hidden AVPs revealed), so that the switched call's outgoing
 * ICRQ/ICCN can carry their proxy LCP, proxy authentication, Calling Number and access-line AVPs byte for byte.
 * {@link #sendPpp} sends toward the downstream LAC.
 */
public interface IncomingCall extends L2tpCall {
    /** The configured peer the call came from. */
    LacPeer lacPeer();

    /** The downstream LAC's address and port. */
    InetSocketAddress downstream();

    /** The ICRQ as received. */
    ControlMessage icrq();

    /** The ICCN as received. */
    ControlMessage iccn();
}
