package org.lacd.pppoe;

/**
 * Receives a forwarding session's PPP frames (protocol field onward) straight from the port's receive thread.
 * The buffer is only valid during the call. Must not block.
 */
@FunctionalInterface
public interface PppSink {
    void ppp(byte[] buf, int off, int len);
}
