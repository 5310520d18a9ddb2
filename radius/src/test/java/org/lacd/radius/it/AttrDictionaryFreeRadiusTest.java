package org.lacd.radius.it;

import org.lacd.testsupport.Peers;
import org.lacd.testsupport.RealPeer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.lacd.radius.wire.Attr;

/**
 * Every row of lacd's attribute registry agrees with FreeRADIUS's own dictionary (the one the server we test against
 * uses): same name, vendor and number, same data type, same tag and encryption flags. A new row with a typo in its
 * name or number fails here, not in the field.
 */
@RealPeer
class AttrDictionaryFreeRadiusTest {
    static final Path DICTIONARIES = Path.of("/usr/share/freeradius");

    /** One ATTRIBUTE line: its vendor (0 outside BEGIN-VENDOR), number, type and flags. */
    record Entry(int vendor, int code, String type, String flags) { }

    static Map<String, Entry> load() throws Exception {
        Map<String, Integer> vendors = new HashMap<>();
        List<String[]> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(DICTIONARIES)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("dictionary")).sorted().toList()) {
                String vendor = null;
                for (String line : Files.readAllLines(f, java.nio.charset.StandardCharsets.ISO_8859_1)) {
                    String[] w = line.replaceAll("#.*", "").trim().split("\\s+");
                    switch (w[0]) {
                        case "VENDOR" -> vendors.put(w[1], Integer.decode(w[2]));
                        case "BEGIN-VENDOR" -> vendor = w[1];
                        case "END-VENDOR" -> vendor = null;
                        case "ATTRIBUTE" -> lines.add(new String[] {vendor, w[1], w[2], w[3], w.length > 4 ? w[4] : ""});
                        default -> { }
                    }
                }
            }
        }
        Map<String, Entry> byName = new HashMap<>();
        for (String[] l : lines) {
            if (l[2].matches("\\d+")) {
                byName.putIfAbsent(l[1], new Entry(l[0] == null ? 0 : vendors.get(l[0]), Integer.parseInt(l[2]), l[3], l[4]));
            }
        }
        return byName;
    }

    static String expectedType(Attr a) {
        return switch (a.type()) {
            case TEXT -> "string";
            case OCTETS -> a == Attr.VENDOR_SPECIFIC ? "vsa" : a.encryption() != Attr.Encryption.NONE ? "string" : "octets";
            case INTEGER -> "integer";
            case DATE -> "date";
            case IPV4 -> "ipaddr";
            case IPV6 -> "ipv6addr";
        };
    }

    @Test
    void everyRowMatchesFreeRadiusDictionary() throws Exception {
        Peers.require(Files.isRegularFile(DICTIONARIES.resolve("dictionary.rfc2865")), "FreeRADIUS dictionaries not installed");
        Map<String, Entry> dict = load();
        for (Attr a : Attr.values()) {
            Entry e = dict.get(a.dictionaryName());
            assertNotNull(e, a + ": no ATTRIBUTE " + a.dictionaryName() + " in FreeRADIUS's dictionary");
            assertEquals(a.vendor(), e.vendor(), a + " vendor");
            assertEquals(a.code(), e.code(), a + " number");
            assertEquals(expectedType(a), e.type(), a + " data type");
            assertEquals(a.tagged(), e.flags().contains("has_tag"), a + " tag flag (" + e.flags() + ")");
            String encrypt = switch (a.encryption()) {
                case NONE -> "";
                case USER_PASSWORD -> "encrypt=1";
                case TUNNEL_PASSWORD -> "encrypt=2";
            };
            assertTrue(encrypt.isEmpty() ? !e.flags().contains("encrypt=") : e.flags().contains(encrypt), a + " encryption (" + e.flags() + ")");
        }
    }
}
