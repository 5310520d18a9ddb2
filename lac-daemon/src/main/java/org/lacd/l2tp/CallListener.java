package org.lacd.l2tp;

/**
 * Events of one call, delivered on the tunnel's event loop (never block in them).
 * {@code pppFromLns} gets the PPP frame without the FF 03 address/control bytes; the buffer is only valid during the call.
 */
public interface CallListener {
    void callUp(L2tpCall call);

    void callDown(L2tpCall call, CallDownCause cause);

    void pppFromLns(L2tpCall call, byte[] buf, int off, int len);
}
