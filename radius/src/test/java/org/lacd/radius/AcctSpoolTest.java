package org.lacd.radius;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AcctSpoolTest {
    @TempDir
    Path dir;

    static AcctSpool.Entry e(int i) {
        return new AcctSpool.Entry(1000L + i, ("record-" + i).getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void fifoAcrossReopen() throws Exception {
        try (AcctSpool s = new AcctSpool(dir, 100)) {
            for (int i = 0; i < 5; i++) {
                assertTrue(s.append(e(i)));
            }
            assertEquals(5, s.depth());
            assertArrayEquals(e(0).attributes(), s.peek().orElseThrow().attributes());
            s.ack();
            s.ack();
            assertEquals(1002L, s.peek().orElseThrow().createdMillis());
        }
        try (AcctSpool s = new AcctSpool(dir, 100)) {
            assertEquals(3, s.depth(), "two delivered before the restart");
            assertEquals(1002L, s.peek().orElseThrow().createdMillis());
            assertTrue(s.append(e(9)));
            s.ack();
            s.ack();
            s.ack();
            assertEquals(1009L, s.peek().orElseThrow().createdMillis());
            s.ack();
            assertTrue(s.isEmpty());
            assertTrue(s.files().isEmpty());
        }
        try (var files = Files.list(dir)) {
            assertEquals(0, files.filter(p -> p.toString().endsWith(".spool")).count(), "delivered segments are deleted");
        }
        try (AcctSpool s = new AcctSpool(dir, 100)) {
            assertTrue(s.isEmpty());
            assertTrue(s.append(e(20)));
            assertEquals(1020L, s.peek().orElseThrow().createdMillis());
        }
    }

    @Test
    void aWindowFromTheHeadIsAcknowledgedAtOnceWithinItsSegment() throws Exception {
        try (AcctSpool s = new AcctSpool(dir, 100, 4)) {
            for (int i = 0; i < 6; i++) {
                assertTrue(s.append(e(i)));
            }
            java.util.List<AcctSpool.Entry> w = s.peek(10);
            assertEquals(java.util.List.of(1000L, 1001L, 1002L, 1003L), w.stream().map(AcctSpool.Entry::createdMillis).toList(),
                "the head segment's records only (4 per segment)");
            assertEquals(2, s.peek(2).size());
            s.ack(3);
            assertEquals(3, s.depth());
            assertEquals(java.util.List.of(1003L), s.peek(10).stream().map(AcctSpool.Entry::createdMillis).toList());
            s.ack(1);
            assertEquals(java.util.List.of(1004L, 1005L), s.peek(10).stream().map(AcctSpool.Entry::createdMillis).toList(),
                "the next segment once the first is delivered");
        }
        try (AcctSpool s = new AcctSpool(dir, 100, 4)) {
            assertEquals(2, s.depth(), "the position survives a restart");
            assertEquals(1004L, s.peek().orElseThrow().createdMillis());
            s.ack(5);
            assertTrue(s.isEmpty(), "no more than is spooled is acknowledged");
        }
    }

    @Test
    void boundedAndTruncatedLineRepaired() throws Exception {
        try (AcctSpool s = new AcctSpool(dir, 2)) {
            assertTrue(s.append(e(0)));
            assertTrue(s.append(e(1)));
            assertFalse(s.append(e(2)), "full");
            assertEquals(2, s.depth());
        }
        Path seg;
        try (var files = Files.list(dir)) {
            seg = files.filter(p -> p.toString().endsWith(".spool")).findFirst().orElseThrow();
        }
        Files.writeString(seg, "1234 cGFydGlh", StandardOpenOption.APPEND); // crash in the middle of a line
        try (AcctSpool s = new AcctSpool(dir, 3)) {
            assertEquals(2, s.depth());
            assertTrue(s.append(e(3)));
            s.ack();
            s.ack();
            assertEquals(1003L, s.peek().orElseThrow().createdMillis());
        }
    }

    @Test
    void rollsOverSegments() throws Exception {
        try (AcctSpool s = new AcctSpool(dir, 30, 10)) {
            for (int i = 0; i < 13; i++) {
                s.append(e(i));
            }
            assertEquals(2, s.files().size());
            for (int i = 0; i < 10; i++) {
                assertEquals(1000L + i, s.peek().orElseThrow().createdMillis());
                s.ack();
            }
            assertEquals(1, s.files().size(), "first segment deleted once delivered");
            assertEquals(1010L, s.peek().orElseThrow().createdMillis());
        }
        try (AcctSpool s = new AcctSpool(dir, 30, 10)) {
            assertEquals(3, s.depth());
            assertEquals(1010L, s.peek().orElseThrow().createdMillis());
        }
    }
}
