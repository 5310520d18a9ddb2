package org.lacd.daemon.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WireTextTest {

    @Test
    void plainAsciiIsReturnedAsIs() {
        String s = "alice@isp.example";
        assertSame(s, WireText.escape(s));
    }

    @Test
    void lineBreaksNulAndAnsiEscapeAreEscaped() {
        String forged = "bob\n2026-12-06 INFO session 1 admin up\r\0\u001b[31mred";
        String e = WireText.escape(forged);
        assertEquals("bob\\n2026-12-06 INFO session 1 admin up\\r\\x00\\x1b[31mred", e);
        assertTrue(e.chars().allMatch(c -> c >= 0x20 && c < 0x7f), e);
    }

    @Test
    void backslashIsDoubledSoThatAnEscapeInTheInputCannotPassForOne() {
        assertEquals("a\\\\nb", WireText.escape("a\\nb"));
        assertEquals("tab\\t del\\x7f c1\\x85", WireText.escape("tab\t del\u007f c1\u0085"));
    }

    @Test
    void printableUnicodeStaysAndInvisibleOrMovingCodePointsAreEscaped() {
        assertEquals("jürgen@dömäin.de 日本", WireText.escape("jürgen@dömäin.de 日本"));
        // U+2028 line separator, U+202E right-to-left override, U+200B zero width space, a lone surrogate
        assertEquals("a\\u{2028}b\\u{202e}c\\u{200b}d\\u{d800}", WireText.escape("a\u2028b\u202ec\u200bd\ud800"));
        assertEquals("\uD83D\uDE00", WireText.escape("\uD83D\uDE00")); // a paired surrogate prints
    }

    @Test
    void bytesThatAreNotUtf8BecomeHex() {
        byte[] b = {'o', 'k', (byte) 0xff, (byte) 0xc3, (byte) 0xa9, (byte) 0xc3, '!', (byte) 0xc0, (byte) 0x80,
                (byte) 0xed, (byte) 0xa0, (byte) 0x80, 0x0a};
        // é is well formed; a lone 0xc3, the overlong C0 80 and the encoded surrogate ED A0 80 are not
        assertEquals("ok\\xffé\\xc3!\\xc0\\x80\\xed\\xa0\\x80\\n", WireText.escape(b));
        assertEquals("日", WireText.escape("日".getBytes(StandardCharsets.UTF_8)));
        assertEquals("\\xf4\\x90\\x80\\x80", WireText.escape(new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}));
    }

    @Test
    void outputIsBoundedAndSaysHowMuchWasLeftOut() {
        String e = WireText.escape("x".repeat(1400));
        assertEquals("x".repeat(WireText.DEFAULT_MAX) + "...[+" + (1400 - WireText.DEFAULT_MAX) + "]", e);
        // an escape is never cut in half
        assertEquals("ab...[+2]", WireText.escape("ab\n\n", 3));
        assertEquals("ab\\n...[+1]", WireText.escape("ab\n\n", 5));
        assertEquals("\\x00...[+3]", WireText.escape(new byte[4], 0, 4, 5));
        assertFalse(WireText.escape("\n".repeat(10_000)).length() > WireText.DEFAULT_MAX + 16);
    }

    @Test
    void oneLineEscapesControlsAndInvisiblesButLeavesBackslashesAndLength() {
        String plain = "session 7 alice@isp.example up";
        assertSame(plain, WireText.oneLine(plain));
        assertEquals("a\\b\\nc\\r\\x00\\x1b[2J\\t\\x85\\u{2028}\\u{202e}ü", WireText.oneLine("a\\b\nc\r\0\u001b[2J\t\u0085\u2028\u202eü"));
        assertEquals(2000, WireText.oneLine("x".repeat(2000)).length()); // a whole log message is never cut
        String once = WireText.escape("bob\n\\");
        assertSame(once, WireText.oneLine(once)); // escape's output passes unchanged: nothing is escaped twice
        assertEquals(null, WireText.oneLine(null));
    }

    @Test
    void nullAndBadBound() {
        assertEquals("null", WireText.escape((String) null));
        assertEquals("null", WireText.escape((byte[]) null));
        assertThrows(IllegalArgumentException.class, () -> WireText.escape("a", 0));
    }
}
