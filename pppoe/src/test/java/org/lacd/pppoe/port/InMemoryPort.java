package org.lacd.pppoe.port;

import java.util.concurrent.atomic.AtomicLong;
import org.lacd.pppoe.wire.MacAddress;

/**
 * A port wired back-to-back to a peer port, for tests and the lab. {@link #send} delivers a copy of the frame
 * synchronously to the peer's receiver on the sending thread (the peer's "receive thread" is whoever sends).
 * Frames sent before the peer started are dropped, as on a cable. A drop filter lets tests lose frames.
 */
public final class InMemoryPort implements EthernetPort {
    /** Decides per frame whether to drop it (lost on the wire). */
    @FunctionalInterface
    public interface LossFilter {
        boolean drop(byte[] frame, int off, int len);
    }

    private final String name;
    private final MacAddress mac;
    private volatile InMemoryPort peer;
    private volatile FrameReceiver receiver;
    private volatile LossFilter loss;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    public InMemoryPort(String name, MacAddress mac) {
        this.name = name;
        this.mac = mac;
    }

    /** Two ports connected to each other. */
    public static InMemoryPort[] pair(String nameA, MacAddress macA, String nameB, MacAddress macB) {
        InMemoryPort a = new InMemoryPort(nameA, macA);
        InMemoryPort b = new InMemoryPort(nameB, macB);
        a.peer = b;
        b.peer = a;
        return new InMemoryPort[] {a, b};
    }

    /** Frames this port sends are dropped when the filter says so (null: no loss). */
    public void lossFilter(LossFilter f) { this.loss = f; }

    public InMemoryPort peer() { return peer; }

    public long framesSent() { return sent.get(); }

    public long framesDropped() { return dropped.get(); }

    @Override public String name() { return name; }

    @Override public MacAddress mac() { return mac; }

    @Override
    public void start(FrameReceiver r) { this.receiver = r; }

    @Override
    public void send(byte[] frame, int off, int len) {
        LossFilter l = loss;
        if (l != null && l.drop(frame, off, len)) {
            dropped.incrementAndGet();
            return;
        }
        sent.incrementAndGet();
        InMemoryPort p = peer;
        FrameReceiver r = p == null ? null : p.receiver;
        if (r != null) {
            byte[] copy = new byte[len];
            System.arraycopy(frame, off, copy, 0, len);
            r.frame(copy, 0, len);
        }
    }

    /**
     * The peer's receiver hears {@link FrameReceiver#endOfBatch()} on this thread, as a real port's receiver does after
     * each run of frames. {@link #send} never reports one by itself.
     */
    public void sendBatchEnd() {
        InMemoryPort p = peer;
        FrameReceiver r = p == null ? null : p.receiver;
        if (r != null) {
            r.endOfBatch();
        }
    }

    @Override
    public void close() { receiver = null; }
}
