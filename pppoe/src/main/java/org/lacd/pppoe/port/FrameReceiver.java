package org.lacd.pppoe.port;

/**
 * Receives raw Ethernet frames (no FCS) from a port's receive thread. The buffer is only valid during the call:
 * copy what you keep. Must not block.
 */
@FunctionalInterface
public interface FrameReceiver {
    void frame(byte[] buf, int off, int len);

    /**
     * The receive thread has handed over every frame that had arrived when it last looked; it is about to wait for
     * more. A receiver that batches its output (lacd's L2TP sends) sends the batch here: nothing may wait for a
     * later frame. Called on the receive thread only, and only after at least one frame.
     */
    default void endOfBatch() {}
}
