package org.lacd.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The one reader: big-endian reads inside a window, offsets relative to it, typed errors with protocol and offset. */
class WireReaderTest {
    enum Check implements MalformedPacketException.Reason { BAD_LENGTH }

    static final byte[] BUF = {(byte) 0xee, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, (byte) 0xee};

    @Test
    void readsBigEndianInsideItsWindow() throws MalformedPacketException {
        WireReader r = new WireReader(WireProtocol.L2TP, BUF, 1, 7);
        assertEquals(0x01, r.u8("a"));
        assertEquals(0x0203, r.u16("b"));
        assertEquals(3, r.offset());
        assertEquals(4, r.absolutePosition());
        assertEquals(0x04050607L, r.u32("c"));
        assertEquals(0, r.remaining());
    }

    @Test
    void runningOutIsTruncatedAtTheOffsetWithinTheWindow() throws MalformedPacketException {
        WireReader r = new WireReader(WireProtocol.LCP, BUF, 1, 7);
        r.skip(6, "x");
        MalformedPacketException e = assertThrows(MalformedPacketException.class, () -> r.u16("Nr"));
        assertEquals(WireProtocol.LCP, e.protocol());
        assertEquals(CommonReason.TRUNCATED, e.reason());
        assertEquals(6, e.offset());
        assertEquals("LCP at offset 6: Nr needs 2 bytes, 1 left (TRUNCATED)", e.getMessage());
    }

    @Test
    void limitToShrinksTheWindowOrRefusesALengthBeyondIt() throws MalformedPacketException {
        WireReader r = new WireReader(WireProtocol.L2TP, BUF, 1, 7);
        r.u16("flags");
        r.limitTo(4, Check.BAD_LENGTH);
        assertEquals(2, r.remaining());
        assertArrayEquals(new byte[] {0x03, 0x04}, r.bytes(2, "rest"));
        WireReader s = new WireReader(WireProtocol.L2TP, BUF, 1, 7);
        MalformedPacketException e = assertThrows(MalformedPacketException.class, () -> s.limitTo(8, Check.BAD_LENGTH));
        assertEquals(Check.BAD_LENGTH, e.reason());
        assertEquals("length field 8 exceeds datagram of 7", e.detail());
    }

    @Test
    void anErrorWithoutItsOwnCodeIsMalformed() {
        MalformedPacketException e = new WireReader(WireProtocol.PPPOE_TAG, BUF, 0, 4).error("tag length 9 exceeds 4");
        assertEquals(CommonReason.MALFORMED, e.reason());
        assertEquals(0, e.offset());
        assertEquals("PPPOE_TAG at offset 0: tag length 9 exceeds 4 (MALFORMED)", e.getMessage());
    }
}
