package org.lacd.pppoe.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.lacd.wire.MalformedPacketException;
import org.lacd.wire.WireProtocol;
import org.lacd.wire.WireReader;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every row of the PPPoE tag registry survives a PADI round trip, is checked by its format and printed by it. */
public class TagRegistryTest {

    /** A valid value for the row, distinct per row. */
    public static PppoeTag sample(TagType t) {
        return switch (t.format()) {
            case EMPTY -> PppoeTag.of(t, new byte[0]);
            case UTF8 -> PppoeTag.utf8(t, "v-" + t.name().toLowerCase() + " \"\u00e9\"");
            case BINARY -> PppoeTag.of(t, new byte[] {(byte) t.ordinal(), (byte) 0xFE, 0});
            case U16 -> PppoeTag.u16(t, 1500 + t.ordinal());
            case VENDOR -> PppoeTag.of(t, new byte[] {0, 0, 0x0d, (byte) 0xe9, 1, 1, 'x'});
        };
    }

    static PppoeDiscovery roundTrip(PppoeDiscovery p) throws Exception {
        byte[] b = new byte[p.encodedLength()];
        p.encode(b, 0);
        return PppoeDiscovery.decode(new WireReader(WireProtocol.PPPOE_DISCOVERY, b, 0, b.length));
    }

    @Test
    void everyRowRoundTripsAndPrintsByItsFormat() throws Exception {
        List<PppoeTag> tags = new ArrayList<>();
        for (TagType t : TagType.values()) {
            if (t != TagType.END_OF_LIST) { // ends parsing: tested below
                tags.add(sample(t));
            }
        }
        PppoeDiscovery back = roundTrip(new PppoeDiscovery(PppoeCode.PADI, 0, tags));
        assertEquals(tags, back.tags());
        for (PppoeTag tag : back.tags()) {
            TagType t = tag.knownType();
            assertSame(TagType.fromCodeOrNull(tag.type()), t);
            assertEquals(List.of(tag), back.all(t));
            String expected = t.format() == TagType.Format.UTF8
                ? t.name() + "=\"v-" + t.name().toLowerCase() + " \\\"\\xc3\\xa9\\\"\""
                : t.name() + "=" + HexFormat.of().formatHex(tag.value());
            assertEquals(expected, tag.toString(), "printed by its row, wire text escaped");
        }
        List<PppoeTag> withEnd = new ArrayList<>(List.of(sample(TagType.AC_NAME), PppoeTag.of(TagType.END_OF_LIST, new byte[0]),
            sample(TagType.HOST_UNIQ)));
        assertEquals(List.of(sample(TagType.AC_NAME)), roundTrip(new PppoeDiscovery(PppoeCode.PADI, 0, withEnd)).tags(),
            "End-Of-List ends the tags (RFC 2516 Appendix A)");
    }

    @Test
    void formatsAreChecked() {
        for (TagType t : TagType.values()) {
            byte[] bad = switch (t.format()) {
                case U16 -> new byte[3];
                case VENDOR -> new byte[3];
                default -> null;
            };
            if (bad == null) {
                continue;
            }
            PppoeDiscovery p = new PppoeDiscovery(PppoeCode.PADI, 0, List.of(PppoeTag.of(t, bad)));
            assertThrows(MalformedPacketException.class, () -> roundTrip(p), t + " with " + bad.length + " octets");
        }
    }

    @Test
    void unknownTagsAreKeptAndPrintedByNumber() throws Exception {
        PppoeTag unknown = new PppoeTag(0x0fff, "x\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(List.of(unknown), roundTrip(new PppoeDiscovery(PppoeCode.PADI, 0, List.of(unknown))).tags());
        assertEquals("0xfff=780a", unknown.toString());
    }
}
