package org.lacd.daemon.session;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded pcap of one subscriber's PPP frames as lacd forwards them, both directions, in
 * LINKTYPE_PPP_WITH_DIR (204): a direction byte (0 sent by lacd toward the subscriber, 1 received from it), then the
 * frame in HDLC-like framing (FF 03, protocol, payload), which Wireshark/tshark decode down to IP. Written from the
 * data path threads; only traced sessions pay for it. Ends when its size or time bound is reached, or on close.
 */
final class PcapTrace implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PcapTrace.class);
    static final int LINKTYPE_PPP_WITH_DIR = 204;
    /** Direction byte values of LINKTYPE_PPP_WITH_DIR. */
    static final int TO_SUBSCRIBER = 0;
    static final int FROM_SUBSCRIBER = 1;
    /** Guard: bytes kept of one frame (a full PPPoE frame fits). */
    static final int SNAPLEN = 2048;

    final String target;
    final Path file;
    private final long maxBytes;
    private final Instant until;
    private final Clock clock;
    private OutputStream out;
    private long written;
    private long frames;
    private volatile boolean closed;
    /** Record header + direction + FF 03, reused (writes are serialised). */
    private final byte[] rec = new byte[16 + 3];

    PcapTrace(String target, Path file, long maxBytes, Instant until, Clock clock) throws IOException {
        this.target = target;
        this.file = file;
        this.maxBytes = maxBytes;
        this.until = until;
        this.clock = clock;
        this.out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), 1 << 16);
        byte[] h = new byte[24];
        le32(h, 0, 0xa1b2c3d4);
        le16(h, 4, 2);
        le16(h, 6, 4);
        le32(h, 16, SNAPLEN);
        le32(h, 20, LINKTYPE_PPP_WITH_DIR);
        out.write(h);
        written = h.length;
    }

    boolean closed() {
        return closed;
    }

    long frames() {
        return frames;
    }

    /** One PPP frame (protocol field onward, as forwarded). */
    synchronized void frame(int direction, byte[] buf, int off, int len) {
        if (closed) {
            return;
        }
        Instant now = clock.instant();
        int caplen = Math.min(len + 3, SNAPLEN);
        if (now.isAfter(until) || written + 16 + caplen > maxBytes) {
            close();
            return;
        }
        le32(rec, 0, (int) now.getEpochSecond());
        le32(rec, 4, now.getNano() / 1000);
        le32(rec, 8, caplen);
        le32(rec, 12, len + 3);
        rec[16] = (byte) direction;
        rec[17] = (byte) 0xff;
        rec[18] = 0x03;
        try {
            out.write(rec);
            out.write(buf, off, caplen - 3);
            written += 16 + caplen;
            frames++;
        } catch (IOException e) {
            LOG.warn("trace {}: writing {} failed, trace ended: {}", target, file, e.getMessage());
            close();
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.close();
        } catch (IOException e) {
            LOG.warn("trace {}: closing {}: {}", target, file, e.getMessage());
        }
        LOG.info("trace {} ended: {} frames, {} bytes in {}", target, frames, written, file);
    }

    private static void le32(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    private static void le16(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
    }
}
