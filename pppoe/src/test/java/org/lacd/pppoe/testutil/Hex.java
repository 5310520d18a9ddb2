package org.lacd.pppoe.testutil;

import java.util.HexFormat;

/** Annotated hex: everything after '#' on a line is a comment; whitespace is ignored. */
public final class Hex {
    private Hex() {}

    public static byte[] parse(String annotated) {
        StringBuilder sb = new StringBuilder();
        for (String line : annotated.split("\n")) {
            int c = line.indexOf('#');
            sb.append((c >= 0 ? line.substring(0, c) : line).replaceAll("\\s+", ""));
        }
        return HexFormat.of().parseHex(sb.toString());
    }

    public static String of(byte[] b) { return HexFormat.of().formatHex(b); }
}
