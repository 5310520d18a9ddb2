package org.lacd.l2tp;

/**
 * Events of one call, delivered on the tunnel's event loop (never block in them).
 * {@code pppFromLns} gets the PPP frame without the FF 03 address/control bytes; the buffer is only valid during the call.
 */
public interface CallListener {
    /**
     * The call's tunnel is established and its ICRQ has left (RFC 2661 7.4.1): the call itself is being set up now.
     * Always before {@link #callUp} or {@link #callDown} of a call that got this far.
     */
    default void callPlacing(L2tpCall call) {}

    void callUp(L2tpCall call);

    void callDown(L2tpCall call, CallDownCause cause);

    void pppFromLns(L2tpCall call, byte[] buf, int off, int len);
}
