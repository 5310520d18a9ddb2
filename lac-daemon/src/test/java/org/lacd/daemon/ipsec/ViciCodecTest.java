package org.lacd.daemon.ipsec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import org.lacd.daemon.ipsec.vici.MalformedViciException;
import org.lacd.daemon.ipsec.vici.ViciMessage;
import org.lacd.daemon.ipsec.vici.ViciPacket;
import org.junit.jupiter.api.Test;

/** VICI packets and messages against annotated vectors (strongSwan vici/README.md), both ways, and broken variants. */
class ViciCodecTest {
    /** An "initiate" request as lacd sends it. */
    static final String INITIATE = """
            00                         # CMD_REQUEST
            08 69 6e 69 74 69 61 74 65 # command name, 8 bytes: "initiate"
            03 05 63 68 69 6c 64       # KEY_VALUE, name 5 "child"
            00 04 6c 32 74 70          #   value 4 "l2tp"
            03 03 69 6b 65             # KEY_VALUE, name 3 "ike"
            00 04 6c 6e 73 31          #   value 4 "lns1"
            """;

    /** A child-updown event, as charon sends when a CHILD_SA goes down (no "up" key), trimmed to what lacd reads. */
    static final String CHILD_DOWN = """
            07                                  # EVENT
            0c 63 68 69 6c 64 2d 75 70 64 6f 77 6e   # event name, 12 bytes: "child-updown"
            01 04 6c 6e 73 31                   # SECTION_START "lns1" (the IKE_SA's connection name)
            03 05 73 74 61 74 65                #   KEY_VALUE "state"
            00 0b 45 53 54 41 42 4c 49 53 48 45 44   #     "ESTABLISHED"
            01 09 63 68 69 6c 64 2d 73 61 73    #   SECTION_START "child-sas"
            01 06 6c 32 74 70 2d 31             #     SECTION_START "l2tp-1" (unique name)
            03 04 6e 61 6d 65 00 04 6c 32 74 70 #       KEY_VALUE "name" = "l2tp"
            04 09 72 65 6d 6f 74 65 2d 74 73    #       LIST_START "remote-ts"
            05 00 14 31 39 32 2e 31 36 38 2e 37 32 2e 31 2f 33 32 5b 75 64 70 5d  # LIST_ITEM "192.168.72.1/32[udp]"
            06                                  #       LIST_END
            02                                  #     SECTION_END l2tp-1
            02                                  #   SECTION_END child-sas
            02                                  # SECTION_END lns1
            """;

    static byte[] hex(String annotated) {
        StringBuilder sb = new StringBuilder();
        for (String line : annotated.split("\n")) {
            int hash = line.indexOf('#');
            sb.append(hash < 0 ? line : line.substring(0, hash));
        }
        String h = sb.toString().replaceAll("\\s+", "");
        byte[] out = new byte[h.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    @Test
    void initiateRequestEncodesAsTheVectorAndRoundTrips() throws Exception {
        ViciPacket p = new ViciPacket.CommandRequest("initiate", ViciMessage.builder().put("child", "l2tp").put("ike", "lns1").build());
        byte[] wire = hex(INITIATE);
        assertArrayEquals(wire, p.encode());
        assertEquals(p, ViciPacket.decode(wire, 0, wire.length));
    }

    @Test
    void childDownEventDecodesToTheTreeAndReencodes() throws Exception {
        byte[] wire = hex(CHILD_DOWN);
        ViciPacket.Event e = assertInstanceOf(ViciPacket.Event.class, ViciPacket.decode(wire, 0, wire.length));
        assertEquals("child-updown", e.event());
        ViciMessage ike = e.body().section("lns1").orElseThrow();
        assertEquals("ESTABLISHED", ike.text("state").orElseThrow());
        ViciMessage child = ike.section("child-sas").orElseThrow().sections().get("l2tp-1");
        assertEquals("l2tp", child.text("name").orElseThrow());
        assertEquals(List.of("192.168.72.1/32[udp]"), child.list("remote-ts"));
        assertEquals(e.body().text("up"), java.util.Optional.empty()); // down: charon leaves "up" out
        assertArrayEquals(wire, e.encode());
    }

    @Test
    void everyTruncationIsATypedError() {
        byte[] wire = hex(CHILD_DOWN);
        for (int len = 0; len < wire.length; len++) {
            int n = len;
            if (n == 0) {
                assertThrows(MalformedViciException.class, () -> ViciPacket.decode(wire, 0, n));
                continue;
            }
            // cut anywhere inside the name or a section: always refused with the typed exception, never another one
            try {
                ViciPacket.decode(Arrays.copyOf(wire, n), 0, n);
                // a cut exactly between top-level elements of the body is a shorter, valid message: only possible
                // after the event name here, where the body is one section (so nothing is valid but the empty body)
                assertEquals(1 + 1 + 12, n, "decoded a packet cut at " + n);
            } catch (MalformedViciException expected) {
                assertEquals(true, expected.getMessage().startsWith("VICI: "));
            }
        }
    }

    @Test
    void strayElementsAndUnknownTypesAreRefused() {
        byte[] strayEnd = {1, 0x02};                      // CMD_RESPONSE, SECTION_END at top level
        byte[] itemOutside = {1, 0x05, 0, 0};             // LIST_ITEM outside a list
        byte[] unknownElement = {1, 0x09};                // element type 9
        byte[] unknownPacket = {0x08};                    // packet type 8
        byte[] badList = {1, 0x04, 1, 'x', 0x03, 1, 'y', 0, 0, 0x06}; // KEY_VALUE inside a list
        assertEquals(MalformedViciException.Reason.BAD_NESTING, reason(strayEnd));
        assertEquals(MalformedViciException.Reason.BAD_NESTING, reason(itemOutside));
        assertEquals(MalformedViciException.Reason.UNKNOWN_ELEMENT_TYPE, reason(unknownElement));
        assertEquals(MalformedViciException.Reason.UNKNOWN_PACKET_TYPE, reason(unknownPacket));
        assertEquals(MalformedViciException.Reason.BAD_NESTING, reason(badList));
    }

    @Test
    void nestingDeeperThanTheGuardIsRefused() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(1); // CMD_RESPONSE
        for (int i = 0; i <= ViciMessage.MAX_DEPTH; i++) {
            b.writeBytes(new byte[] {0x01, 1, 's'});
        }
        for (int i = 0; i <= ViciMessage.MAX_DEPTH; i++) {
            b.write(0x02);
        }
        assertEquals(MalformedViciException.Reason.TOO_DEEP, reason(b.toByteArray()));
    }

    private static MalformedViciException.Reason reason(byte[] p) {
        return assertThrows(MalformedViciException.class, () -> ViciPacket.decode(p, 0, p.length)).reason();
    }
}
