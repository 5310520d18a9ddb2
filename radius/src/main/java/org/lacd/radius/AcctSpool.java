package org.lacd.radius;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Bounded on-disk FIFO of accounting records that no server took.
 *
 * <p>Layout in the spool directory: append-only segment files {@code acct-NNNNNNNNNNNNNNNNNNNN.spool} (20-digit sequence),
 * one record per line: {@code <created epoch millis> <base64 of the RADIUS attributes>\n}, synced to disk after each
 * append; and {@code acct.pos} ({@code <segment sequence> <lines delivered>}), replaced atomically after each delivery.
 * A segment is deleted once fully delivered and no longer written. A line cut short by a crash (no newline) is
 * truncated away on open. A record may be sent twice if lacd dies between delivery and the position update
 * (accounting servers de-duplicate on Acct-Session-Id + status + Event-Timestamp); none is lost.
 *
 * <p>Not thread-safe: the owner calls it from one thread.
 */
final class AcctSpool implements AutoCloseable {
    /** Records per segment before a new one is started. */
    static final int SEGMENT_RECORDS = 10_000;
    private static final String POS = "acct.pos";

    record Entry(long createdMillis, byte[] attributes) { }

    private final Path dir;
    private final int segmentRecords;
    private final int maxRecords;
    /** segment sequence -> number of complete lines in it */
    private final TreeMap<Long, Integer> segments = new TreeMap<>();
    private long headSeq;
    private int headDelivered;
    private final ArrayDeque<Entry> headCache = new ArrayDeque<>();
    private boolean headLoaded;
    private FileChannel writer;
    private long writerSeq = -1;

    AcctSpool(Path dir, int maxRecords) throws IOException {
        this(dir, maxRecords, SEGMENT_RECORDS);
    }

    AcctSpool(Path dir, int maxRecords, int segmentRecords) throws IOException {
        this.segmentRecords = segmentRecords;
        this.dir = dir;
        this.maxRecords = maxRecords;
        Files.createDirectories(dir);
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String n = p.getFileName().toString();
                if (n.startsWith("acct-") && n.endsWith(".spool")) {
                    long seq = Long.parseLong(n.substring(5, n.length() - 6));
                    segments.put(seq, repairAndCount(p));
                }
            }
        }
        Path pos = dir.resolve(POS);
        if (Files.exists(pos)) {
            String[] f = Files.readString(pos).trim().split(" ");
            headSeq = Long.parseLong(f[0]);
            headDelivered = Integer.parseInt(f[1]);
        }
        // Segments before the recorded head were delivered (deletion may have been interrupted).
        while (!segments.isEmpty() && segments.firstKey() < headSeq) {
            Files.deleteIfExists(segment(segments.pollFirstEntry().getKey()));
        }
        if (segments.isEmpty() || segments.firstKey() != headSeq) {
            headDelivered = 0;
            headSeq = segments.isEmpty() ? headSeq : segments.firstKey();
        }
        dropDeliveredSegments();
    }

    private Path segment(long seq) {
        return dir.resolve(String.format("acct-%020d.spool", seq));
    }

    /** Counts complete lines; cuts off a trailing partial line. */
    private static int repairAndCount(Path p) throws IOException {
        byte[] all = Files.readAllBytes(p);
        int lines = 0;
        int lastNl = -1;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == '\n') {
                lines++;
                lastNl = i;
            }
        }
        if (lastNl != all.length - 1) {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                ch.truncate(lastNl + 1L);
            }
        }
        return lines;
    }

    long depth() {
        long n = 0;
        for (int c : segments.values()) {
            n += c;
        }
        return n - headDelivered;
    }

    boolean isEmpty() { return depth() == 0; }

    /** @return false when the spool is full (the caller logs and counts) */
    boolean append(Entry e) throws IOException {
        if (depth() >= maxRecords) {
            return false;
        }
        long last = segments.isEmpty() ? headSeq : segments.lastKey();
        if (segments.isEmpty() || segments.get(last) >= segmentRecords) {
            long seq = segments.isEmpty() ? last : last + 1;
            segments.put(seq, 0);
            if (segments.size() == 1) {
                headSeq = seq;
                headDelivered = 0;
                headLoaded = false;
                headCache.clear();
            }
            last = seq;
        }
        if (writerSeq != last) {
            if (writer != null) {
                writer.close();
            }
            writer = FileChannel.open(segment(last), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            writerSeq = last;
        }
        byte[] line = (e.createdMillis() + " " + Base64.getEncoder().encodeToString(e.attributes()) + "\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.wrap(line);
        while (b.hasRemaining()) {
            writer.write(b);
        }
        writer.force(false);
        segments.merge(last, 1, Integer::sum);
        if (last == headSeq && headLoaded) {
            headCache.add(e);
        }
        return true;
    }

    Optional<Entry> peek() throws IOException {
        if (isEmpty()) {
            return Optional.empty();
        }
        if (!headLoaded) {
            headCache.clear();
            List<String> lines = Files.readAllLines(segment(headSeq), StandardCharsets.US_ASCII);
            int complete = segments.get(headSeq);
            for (int i = headDelivered; i < complete && i < lines.size(); i++) {
                String[] f = lines.get(i).split(" ", 2);
                headCache.add(new Entry(Long.parseLong(f[0]), Base64.getDecoder().decode(f[1])));
            }
            headLoaded = true;
        }
        return Optional.ofNullable(headCache.peek());
    }

    /**
     * Up to {@code n} records from the head, oldest first, all from the head segment (so fewer near a segment's end
     * even when more are spooled); empty when the spool is.
     */
    List<Entry> peek(int n) throws IOException {
        if (peek().isEmpty()) {
            return List.of();
        }
        List<Entry> l = new ArrayList<>(Math.min(n, headCache.size()));
        for (Entry e : headCache) {
            if (l.size() >= n) {
                break;
            }
            l.add(e);
        }
        return l;
    }

    /** Marks the head record delivered. */
    void ack() throws IOException {
        ack(1);
    }

    /**
     * Marks the {@code n} oldest records delivered, with one position update: records from one {@link #peek(int)}
     * (a window delivered in order at its head).
     */
    void ack(int n) throws IOException {
        if (isEmpty() || n <= 0) {
            return;
        }
        peek(); // the head segment's records are in the cache
        int k = Math.min(n, headCache.size());
        for (int i = 0; i < k; i++) {
            headCache.poll();
        }
        headDelivered += k;
        writePos();
        dropDeliveredSegments();
    }

    private void dropDeliveredSegments() throws IOException {
        while (!segments.isEmpty() && headDelivered >= segments.get(headSeq) && segments.size() > 1) {
            segments.remove(headSeq);
            Files.deleteIfExists(segment(headSeq));
            headSeq = segments.firstKey();
            headDelivered = 0;
            headLoaded = false;
            writePos();
        }
        if (segments.size() == 1 && headDelivered >= segments.get(headSeq) && headDelivered > 0) {
            // Everything delivered: start afresh with the next sequence number.
            if (writer != null) {
                writer.close();
                writer = null;
                writerSeq = -1;
            }
            Files.deleteIfExists(segment(headSeq));
            segments.clear();
            headSeq++;
            headDelivered = 0;
            headLoaded = false;
            headCache.clear();
            writePos();
        }
    }

    private void writePos() throws IOException {
        Path tmp = dir.resolve(POS + ".tmp");
        Files.writeString(tmp, headSeq + " " + headDelivered + "\n");
        Files.move(tmp, dir.resolve(POS), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Segment files present (for tests and diagnostics). */
    List<Path> files() {
        List<Path> l = new ArrayList<>();
        for (long s : segments.keySet()) {
            l.add(segment(s));
        }
        return l;
    }

    @Override
    public void close() throws IOException {
        if (writer != null) {
            writer.close();
            writer = null;
            writerSeq = -1;
        }
    }
}
