package org.lacd.radius;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Calling-Station-Id formats (the formatter runs per RADIUS request, so it was rewritten without String.format). */
class MacFormatTest {
    /** 02:0a:bc:00:ff:7e: a leading zero nibble, letters, 0x00 and 0xff, a byte above 0x7f (sign extension). */
    static final byte[] MAC = {0x02, 0x0a, (byte) 0xbc, 0x00, (byte) 0xff, 0x7e};

    @Test
    void everyFormatByteForByte() {
        assertEquals("02:0a:bc:00:ff:7e", RadiusSettings.MacFormat.COLON_LOWER.format(MAC));
        assertEquals("02-0A-BC-00-FF-7E", RadiusSettings.MacFormat.DASH_UPPER.format(MAC)); // RFC 3580 3.21
        assertEquals("020a.bc00.ff7e", RadiusSettings.MacFormat.CISCO_DOTTED.format(MAC));
        assertEquals("020abc00ff7e", RadiusSettings.MacFormat.BARE_LOWER.format(MAC));
    }
}
