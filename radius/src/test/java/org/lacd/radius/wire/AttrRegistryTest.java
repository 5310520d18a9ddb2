package org.lacd.radius.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every row of the attribute registry encodes, survives a packet round trip, decodes to itself and prints by its row. */
class AttrRegistryTest {

    /** A value for the row and what {@link Attr#format} must print for it (after "Name[:tag] = "). */
    record Sample(RadiusAttribute attr, byte[] data, String printed) { }

    static Sample sample(Attr t) throws Exception {
        int tag = t.tagged() ? 7 : 0;
        if (t.encryption() != Attr.Encryption.NONE) {
            byte[] cipher = new byte[t.tagged() ? 19 : 16]; // tag + salt + one block, or one block
            for (int i = 0; i < cipher.length; i++) {
                cipher[i] = (byte) (0xA0 + i);
            }
            if (t.tagged()) {
                cipher[0] = (byte) tag;
            }
            return new Sample(t.octets(cipher), cipher, "<encrypted, " + (t.tagged() ? 18 : 16) + " octets>");
        }
        return switch (t.type()) {
            case TEXT -> {
                String s = "v-" + t.dictionaryName() + " \"q\" \u00e9";
                RadiusAttribute a = t.tagged() ? t.tagged(tag, s) : t.string(s);
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                byte[] d = t.tagged() ? concat(new byte[] {(byte) tag}, b) : b;
                yield new Sample(a, d, "\"v-" + t.dictionaryName() + " \\\"q\\\" \\xc3\\xa9\"");
            }
            case OCTETS -> {
                byte[] b = {0, 1, (byte) 0xFE, (byte) t.code()};
                yield new Sample(t.octets(b), b, "0x0001fe" + HexFormat.of().toHexDigits((byte) t.code()));
            }
            case INTEGER, DATE -> t.tagged()
                ? new Sample(t.tagged(tag, 0xABCDEF), new byte[] {(byte) tag, (byte) 0xAB, (byte) 0xCD, (byte) 0xEF}, "11259375")
                : new Sample(t.integer(0xFEDCBA98L), new byte[] {(byte) 0xFE, (byte) 0xDC, (byte) 0xBA, (byte) 0x98}, "4275878552");
            case IPV4 -> new Sample(t.address(InetAddress.getByName("192.0.2.33")), new byte[] {(byte) 192, 0, 2, 33}, "192.0.2.33");
            case IPV6 -> new Sample(t.address(InetAddress.getByName("2001:db8::21")), InetAddress.getByName("2001:db8::21").getAddress(),
                "2001:db8:0:0:0:0:0:21");
        };
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void everyRowRoundTripsThroughAPacketAndPrintsByItsRow() throws Exception {
        List<RadiusAttribute> attrs = new ArrayList<>();
        List<Sample> samples = new ArrayList<>();
        for (Attr t : Attr.values()) {
            Sample s = sample(t);
            samples.add(s);
            attrs.add(s.attr());
        }
        byte[] wire = new RadiusPacket(RadiusCode.ACCESS_ACCEPT, 9, new byte[16], attrs).encode();
        List<RadiusAttribute> back = RadiusPacket.decode(wire).attributes();
        assertEquals(attrs.size(), back.size());
        Set<String> names = new HashSet<>();
        for (int i = 0; i < back.size(); i++) {
            Attr t = Attr.values()[i];
            RadiusAttribute a = back.get(i);
            assertEquals(samples.get(i).attr(), a, t + " bytes");
            assertSame(t, Attr.of(a), t + " decodes to its row");
            assertTrue(t.is(a), t.toString());
            assertEquals(t.wireType(), a.type(), t + " type octet");
            assertArrayEquals(samples.get(i).data(), t.data(a), t + " value");
            String name = t.tagged() ? t.dictionaryName() + ":7" : t.dictionaryName();
            assertEquals(name + " = " + samples.get(i).printed(), Attr.format(a), t + " printed");
            assertTrue(names.add(t.dictionaryName()), "one row per name: " + t.dictionaryName());
            if (t.vendor() != 0) {
                assertEquals(Attr.VENDOR_SPECIFIC.code(), a.type(), t + " goes in a Vendor-Specific attribute");
                assertEquals(t.vendor(), (int) new RadiusAttribute(0x1A, java.util.Arrays.copyOf(a.value(), 4)).asInt());
                assertEquals(t.code(), a.value()[4] & 0xFF);
                assertEquals(a.value().length - 4, a.value()[5] & 0xFF, "vendor length");
            }
        }
    }

    @Test
    void vendorRowsEncodeAsTheHandWrittenVendorAttributeDid() {
        // Golden: 1a 1a | 00 00 0d e9 (vendor 3561) | 01 (Agent-Circuit-Id) 14 (length 20) | "dslam1 eth 1/1/1:100" - 18 octets
        assertEquals("1a" + "1a" + "00000de9" + "01" + "14" + HexFormat.of().formatHex("dslam1 eth 1/1/1:1".getBytes(StandardCharsets.US_ASCII)),
            HexFormat.of().formatHex(new RadiusPacket(RadiusCode.ACCESS_REQUEST, 0, new byte[16],
                List.of(Attr.DSL_AGENT_CIRCUIT_ID.string("dslam1 eth 1/1/1:1"))).encode(), 20, 46));
        assertEquals(RadiusAttribute.vendor(3561, 130, new byte[] {0, 0, 0x3e, (byte) 0x80}), Attr.DSL_ACTUAL_DATA_RATE_DOWN.integer(16000));
    }

    @Test
    void taggedRowsCarryTheirTagAndUntaggedRowsRefuseOne() {
        assertArrayEquals(new byte[] {0, 0, 0, 3}, Attr.TUNNEL_TYPE.integer(3).value(), "RFC 2868 s3.1: tag octet 0 when unused");
        assertArrayEquals("lns".getBytes(StandardCharsets.US_ASCII), Attr.TUNNEL_SERVER_ENDPOINT.string("lns").value(),
            "RFC 2868 s3.4: no tag octet on an untagged string");
        assertEquals(0x1F, Attr.TUNNEL_PREFERENCE.tag(Attr.TUNNEL_PREFERENCE.tagged(0x1F, 1)));
        assertThrows(IllegalArgumentException.class, () -> Attr.TUNNEL_PREFERENCE.tagged(0x20, 1), "tag range 0..0x1F");
        assertThrows(IllegalArgumentException.class, () -> Attr.TUNNEL_PREFERENCE.tagged(1, 0x1000000), "3-octet value");
        assertThrows(IllegalArgumentException.class, () -> Attr.USER_NAME.tagged(1, "x"), "untagged row");
        assertThrows(IllegalArgumentException.class, () -> Attr.SESSION_TIMEOUT.tagged(1, 5), "untagged row");
        // A string whose first octet is above 0x1F has no tag (s3.3): printed as tag 0, the whole value kept.
        assertEquals("Tunnel-Server-Endpoint:0 = \"lns\"", Attr.format(Attr.TUNNEL_SERVER_ENDPOINT.string("lns")));
    }

    @Test
    void encryptedRowsNeverTakeOrPrintClearText() {
        for (Attr t : Attr.values()) {
            if (t.encryption() == Attr.Encryption.NONE) {
                continue;
            }
            assertThrows(IllegalArgumentException.class, () -> t.string("secret"), t + ": clear text refused");
            if (t.tagged()) {
                assertThrows(IllegalArgumentException.class, () -> t.tagged(1, "secret"), t.toString());
            }
            RadiusAttribute a = t.octets("not-really-a-secret-but-a-ciphertext".getBytes(StandardCharsets.US_ASCII));
            String printed = Attr.format(a);
            assertFalse(printed.contains("secret"), printed);
            assertFalse(printed.contains(HexFormat.of().formatHex("secret".getBytes(StandardCharsets.US_ASCII))), printed);
            assertTrue(printed.contains("<encrypted, "), printed);
        }
        assertEquals(Attr.Encryption.USER_PASSWORD, Attr.USER_PASSWORD.encryption());
        assertEquals(Attr.Encryption.TUNNEL_PASSWORD, Attr.TUNNEL_PASSWORD.encryption());
    }

    @Test
    void rowsRefuseValuesOfTheWrongType() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> Attr.NAS_PORT.string("5"));
        assertThrows(IllegalArgumentException.class, () -> Attr.USER_NAME.integer(5));
        assertThrows(IllegalArgumentException.class, () -> Attr.NAS_PORT.integer(1L << 32));
        assertThrows(IllegalArgumentException.class, () -> Attr.NAS_IP_ADDRESS.address(InetAddress.getByName("2001:db8::1")));
        assertThrows(IllegalArgumentException.class, () -> Attr.DSL_AGENT_CIRCUIT_ID.string("x".repeat(248)), "247 + 6 > 253");
    }

    @Test
    void unknownAttributesAreKeptAndPrintedByNumber() {
        RadiusAttribute unknown = new RadiusAttribute(200, new byte[] {1, 2});
        assertNull(Attr.of(unknown));
        assertEquals("Attr-200 = 0x0102", Attr.format(unknown));
        RadiusAttribute otherVendor = RadiusAttribute.vendor(9, 1, "cisco-avpair".getBytes(StandardCharsets.US_ASCII));
        assertSame(Attr.VENDOR_SPECIFIC, Attr.of(otherVendor));
        assertEquals("Vendor-9-Attr-1 = 0x" + HexFormat.of().formatHex("cisco-avpair".getBytes(StandardCharsets.US_ASCII)),
            Attr.format(otherVendor));
        RadiusAttribute unknownDslType = RadiusAttribute.vendor(3561, 250, new byte[] {5});
        assertSame(Attr.VENDOR_SPECIFIC, Attr.of(unknownDslType), "a vendor type without a row is not a row");
        assertEquals("Session-Timeout = <malformed 0x01>", Attr.format(new RadiusAttribute(27, new byte[] {1})));
        assertEquals("User-Name = \"a\\x1b[2Jb\\x0a\"", Attr.format(Attr.USER_NAME.string("a\u001b[2Jb\n")), "escaped for a terminal or log");
    }
}
