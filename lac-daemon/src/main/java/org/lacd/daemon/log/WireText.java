package org.lacd.daemon.log;

/**
 * Renders a string that came from the wire (a user name, a PPPoE tag, an L2TP host name or result message, a RADIUS
 * Reply-Message, ...) so that it is safe in a log line, an MDC value or the CLI's text output: one line, printable,
 * bounded, and reversible by eye.
 *
 * <ul>
 *   <li>{@code \} becomes {@code \\} (so that an escape in the output is never ambiguous with one in the input);</li>
 *   <li>newline, carriage return and tab become {@code \n}, {@code \r}, {@code \t};</li>
 *   <li>every other C0 control, DEL and every C1 control (NUL, ESC of an ANSI sequence, ...) becomes {@code \xNN};</li>
 *   <li>other code points that print nothing or move text (Unicode line and paragraph separators, bidirectional and
 *       other format characters, unpaired surrogates, private use, unassigned) become <code>&#92;u{XXXX}</code>;</li>
 *   <li>from bytes: a byte that is not part of a well-formed UTF-8 sequence becomes {@code \xNN};</li>
 *   <li>the output stops at a bound ({@value #DEFAULT_MAX} characters unless told) and then says how many input
 *       characters (or bytes) it left out: {@code ...[+N]}.</li>
 * </ul>
 *
 * The daemon, the L2TP engine and the CLI escape each wire string with {@link #escape} where they use it. Every log
 * line of lacd is also laid out through {@link SafeMessageConverter} and {@link SafeMdcConverter} (logback.xml),
 * which apply {@link #oneLine} to the whole formatted message and MDC: that covers lacd-pppoe and lacd-radius, which
 * log wire strings as they are and depend on neither lacd-daemon nor each other.
 */
public final class WireText {
    /** The default bound on the escaped output, in characters (before the "left out" marker). */
    public static final int DEFAULT_MAX = 256;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private WireText() {
    }

    /**
     * {@code s} made one printable line by the same rules as {@link #escape}, except that a backslash stays as it is and
     * nothing is cut: newline, carriage return and tab become {@code \n} {@code \r} {@code \t}, other C0/C1 controls
     * and DEL {@code \xNN}, invisible or text-moving code points (line and paragraph separators, bidi and other format
     * characters, unpaired surrogates, ...) <code>&#92;u{XXXX}</code>. For a whole formatted log message or MDC, which
     * may already hold strings escaped by {@link #escape}: their output is left unchanged, so nothing is escaped twice.
     * Returns {@code s} itself when there is nothing to do (the common, all-printable-ASCII case); null for null.
     */
    public static String oneLine(String s) {
        if (s == null) {
            return null;
        }
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7f) {
                break;
            }
            i++;
        }
        if (i == n) {
            return s;
        }
        StringBuilder out = new StringBuilder(n + 16).append(s, 0, i);
        while (i < n) {
            int cp = s.codePointAt(i);
            if (cp == '\\') {
                out.append('\\');
            } else {
                appendCodePoint(out, cp);
            }
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    /** {@code s} escaped and bounded to {@value #DEFAULT_MAX} characters; {@code "null"} for null. */
    public static String escape(CharSequence s) {
        return escape(s, DEFAULT_MAX);
    }

    /** {@code s} escaped; the output holds at most {@code max} characters before the "left out" marker. */
    public static String escape(CharSequence s, int max) {
        if (s == null) {
            return "null";
        }
        if (max < 1) {
            throw new IllegalArgumentException("max " + max + " (expected: 1+)");
        }
        int n = s.length();
        if (n <= max && isPlain(s)) {
            return s.toString(); // the common case: nothing to escape, no copy
        }
        StringBuilder out = new StringBuilder(Math.min(n, max) + 16);
        int i = 0;
        while (i < n) {
            int cp = Character.codePointAt(s, i);
            int width = Character.charCount(cp);
            int before = out.length();
            appendCodePoint(out, cp);
            if (out.length() > max) {
                out.setLength(before);
                break;
            }
            i += width;
        }
        if (i < n) {
            out.append("...[+").append(n - i).append(']');
        }
        return out.toString();
    }

    /** {@code b} as UTF-8, escaped and bounded to {@value #DEFAULT_MAX} characters; bytes that are not UTF-8 as \xNN. */
    public static String escape(byte[] b) {
        return escape(b, 0, b == null ? 0 : b.length, DEFAULT_MAX);
    }

    /** {@code b[off, off+len)} as UTF-8, escaped; the output holds at most {@code max} characters before the marker. */
    public static String escape(byte[] b, int off, int len, int max) {
        if (b == null) {
            return "null";
        }
        if (max < 1) {
            throw new IllegalArgumentException("max " + max + " (expected: 1+)");
        }
        StringBuilder out = new StringBuilder(Math.min(len, max) + 16);
        int end = off + len;
        int i = off;
        while (i < end) {
            int seq = utf8Sequence(b, i, end);
            int before = out.length();
            int width;
            if (seq < 0) {
                appendHex(out, b[i] & 0xff);
                width = 1;
            } else {
                appendCodePoint(out, seq & 0x1fffff);
                width = seq >>> 24;
            }
            if (out.length() > max) {
                out.setLength(before);
                break;
            }
            i += width;
        }
        if (i < end) {
            out.append("...[+").append(end - i).append(']');
        }
        return out.toString();
    }

    private static boolean isPlain(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7f || c == '\\') {
                return false; // non-ASCII takes the careful path
            }
        }
        return true;
    }

    private static void appendCodePoint(StringBuilder out, int cp) {
        switch (cp) {
            case '\\' -> out.append("\\\\");
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            default -> {
                if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
                    appendHex(out, cp);
                } else if (cp < 0x7f || printable(cp)) {
                    out.appendCodePoint(cp);
                } else {
                    out.append("\\u{").append(Integer.toHexString(cp)).append('}');
                }
            }
        }
    }

    private static boolean printable(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED -> false;
            default -> true;
        };
    }

    private static void appendHex(StringBuilder out, int v) {
        out.append("\\x").append(HEX[(v >> 4) & 0xf]).append(HEX[v & 0xf]);
    }

    /**
     * The well-formed UTF-8 sequence at {@code b[i]} (RFC 3629: no overlong forms, no surrogates, nothing above
     * U+10FFFF) as {@code length << 24 | codePoint}, or -1 if the byte at {@code i} does not start one.
     */
    private static int utf8Sequence(byte[] b, int i, int end) {
        int b0 = b[i] & 0xff;
        if (b0 < 0x80) {
            return 1 << 24 | b0;
        }
        int len;
        int cp;
        int min;
        if (b0 >= 0xc2 && b0 <= 0xdf) {
            len = 2; cp = b0 & 0x1f; min = 0x80;
        } else if (b0 >= 0xe0 && b0 <= 0xef) {
            len = 3; cp = b0 & 0x0f; min = 0x800;
        } else if (b0 >= 0xf0 && b0 <= 0xf4) {
            len = 4; cp = b0 & 0x07; min = 0x10000;
        } else {
            return -1;
        }
        if (i + len > end) {
            return -1;
        }
        for (int k = 1; k < len; k++) {
            int c = b[i + k] & 0xff;
            if ((c & 0xc0) != 0x80) {
                return -1;
            }
            cp = cp << 6 | (c & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return -1;
        }
        return len << 24 | cp;
    }
}
