package org.lacd.pppoe.port;

import java.util.function.IntFunction;
import org.lacd.pppoe.wire.MacAddress;

/**
 * A raw Ethernet interface carrying PPPoE. A port has one or more <em>workers</em>: receive threads, each delivering
 * its share of the frames to its own {@link FrameReceiver}. Every frame from one source MAC address reaches the same
 * worker, so a subscriber's frames are never reordered across workers. {@link #send} may be called from any number of
 * threads.
 */
public interface EthernetPort {
    /**
     * The worker index a port with a PADI ring of its own asks {@link #start(IntFunction)}'s receivers for: that ring's
     * thread hands PADIs, and nothing else, to it (from any source MAC; a PADI needs no worker of its own). Ports
     * without one never ask for it.
     */
    int PADI_WORKER = -1;

    String name();

    /** The interface's own MAC address: the source of everything the access concentrator sends. */
    MacAddress mac();

    /** Receive workers of this port (1 for ports without a fanout group). Fixed once the port is made. */
    default int workers() {
        return 1;
    }

    /** Starts delivering received frames to one receiver; for a port with several workers, see {@link #start(IntFunction)}. */
    void start(FrameReceiver receiver);

    /**
     * Starts delivering received frames: worker {@code i}'s frames to {@code receivers.apply(i)}, on worker {@code i}'s
     * own thread, for {@code i} in {@code [0, workers())}, and, on a port with a PADI ring, its PADIs to
     * {@code receivers.apply(PADI_WORKER)} on that ring's thread. Throws {@link PortException} when the interface cannot
     * be opened.
     */
    default void start(IntFunction<FrameReceiver> receivers) {
        start(receivers.apply(0));
    }

    /** Sends one frame now; thread-safe. Failures are reported through {@link PortException}. */
    void send(byte[] frame, int off, int len);

    /**
     * Queues one frame to leave at the calling thread's next {@link #flush()} (or earlier, when the thread's batch is
     * full), so that a run of frames costs one system call. A thread that queues must call {@link #flush()} at the end of
     * every run of frames: nothing may wait for a later frame. Ports without batching send at once. Thread-safe (each
     * thread has its own batch). Failures are counted by the port, not thrown: the caller is a forwarding thread.
     */
    default void queue(byte[] frame, int off, int len) {
        send(frame, off, len);
    }

    /**
     * {@link #queue} of the frame {@code head[0, headLen)} followed by {@code body[off, off + len)}: the headers and the
     * payload are written into the send batch directly, without first being put together in another buffer.
     */
    default void queue(byte[] head, int headLen, byte[] body, int off, int len) {
        byte[] f = new byte[headLen + len];
        System.arraycopy(head, 0, f, 0, headLen);
        System.arraycopy(body, off, f, headLen, len);
        queue(f, 0, f.length);
    }

    /** Sends what the calling thread queued with {@link #queue}. Cheap when nothing is queued. */
    default void flush() {}

    /** Frames {@link #queue}d that the port could not send (send buffer full, interface down), since it started. */
    default long queuedSendFailures() {
        return 0;
    }

    /**
     * Frames the kernel dropped on this port because a receive ring was full (the reader fell behind), counted since
     * the port started, over all workers; 0 for ports without a kernel ring. Cheap enough to call at every scrape.
     */
    default long captureDrops() {
        return 0;
    }

    /**
     * PADIs the kernel dropped because the port's PADI ring ({@link #PADI_WORKER}) was full: a storm shed before lacd
     * saw it (the subscriber sends its PADI again). 0 for ports without one.
     */
    default long padiRingDrops() {
        return 0;
    }

    /** Frames each worker's receive ring holds; 0 for ports without a ring of slots (pcap). */
    default int ringSlots() {
        return 0;
    }

    /**
     * The most frames found waiting at once in the worker's receive ring since the port opened, sampled by its reader
     * (against {@link #ringSlots()}: how close the ring came to dropping); 0 for ports without a ring.
     */
    default int ringPeakWaiting(int worker) {
        return 0;
    }

    /** {@link #captureDrops()} of one worker. */
    default long captureDrops(int worker) {
        return worker == 0 ? captureDrops() : 0;
    }

    /** Which kind of port this is and why (for the log and {@code lacd stats}), e.g. "pcap (fallback: ...)". */
    default String description() {
        return getClass().getSimpleName();
    }

    /** Stops the receive threads and releases the interface. Idempotent. */
    void close();
}
