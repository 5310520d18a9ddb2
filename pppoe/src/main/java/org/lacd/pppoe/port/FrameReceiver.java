package org.lacd.pppoe.port;

/**
 * Receives raw Ethernet frames (no FCS) from a port's receive thread. The buffer is only valid during the call:
 * copy what you keep. Must not block.
 */
@FunctionalInterface
public interface FrameReceiver {
    void frame(byte[] buf, int off, int len);
}
