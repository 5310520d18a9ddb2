package org.lacd.pppoe.port;

import org.lacd.pppoe.wire.MacAddress;

/**
 * A raw Ethernet interface carrying PPPoE. One receive thread per port delivers frames to the receiver given to
 * {@link #start}; {@link #send} may be called from any number of threads.
 */
public interface EthernetPort {
    String name();

    /** The interface's own MAC address: the source of everything the access concentrator sends. */
    MacAddress mac();

    /** Starts delivering received frames; throws {@link PortException} when the interface cannot be opened. */
    void start(FrameReceiver receiver);

    /** Sends one frame; thread-safe. Failures are reported through {@link PortException}. */
    void send(byte[] frame, int off, int len);

    /**
     * Frames the kernel dropped on this port because the receive ring was full (the reader fell behind), counted since
     * the port started; 0 for ports without a kernel ring. Cheap enough to call at every metrics scrape.
     */
    default long captureDrops() {
        return 0;
    }

    /** Stops the receive thread and releases the interface. Idempotent. */
    void close();
}
