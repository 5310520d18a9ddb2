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
