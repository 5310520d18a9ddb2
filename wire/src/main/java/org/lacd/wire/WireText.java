package org.lacd.wire;

/** Octets from the wire made safe for a log line or a terminal. */
public final class WireText {
    private WireText() {}

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** Quoted, with quote, backslash and every octet outside printable ASCII written as \xNN. */
    public static String quoted(byte[] v) {
        StringBuilder sb = new StringBuilder(v.length + 2).append('"');
        for (byte b : v) {
            int c = b & 0xFF;
            if (c == '"' || c == '\\') {
                sb.append('\\').append((char) c);
            } else if (c >= 0x20 && c < 0x7F) {
                sb.append((char) c);
            } else {
                sb.append("\\x").append(HEX[c >>> 4]).append(HEX[c & 0xF]);
            }
        }
        return sb.append('"').toString();
    }
}
