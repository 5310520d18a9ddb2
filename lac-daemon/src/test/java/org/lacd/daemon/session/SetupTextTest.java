package org.lacd.daemon.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The per-setup text helpers that replaced String.format and String.matches on the storm's hot path. */
class SetupTextTest {
    @Test
    void acctSessionIdIsWhatTheFormatGave() {
        long[] values = {0, 1, 0xabc, 0xffff_ffffL, 0x1_0000_0000L, 0x7fff_ffff_ffff_ffffL, -1, 1_765_000_000L};
        for (long boot : values) {
            for (long id : values) {
                assertEquals(String.format("%08x%08x", boot, id), SessionManager.acctSessionId(boot, id), boot + "/" + id);
            }
        }
    }

    @Test
    void tunnelServerEndpointsAreAddressLiteralsOnly() throws Exception {
        assertEquals(InetAddress.getByName("192.0.2.11"), Steering.literal("192.0.2.11"));
        assertEquals(InetAddress.getByName("2001:db8::11"), Steering.literal("2001:db8::11"));
        assertEquals(InetAddress.getByName("2001:db8::11"), Steering.literal("[2001:db8::11]"));
        assertEquals(InetAddress.getByName("::ffff:192.0.2.1"), Steering.literal("::ffff:192.0.2.1"));
        for (String notLiteral : new String[] {"lns.example", "", "192.0.2.11 ", "localhost", "[lns]", "10.0.0.1/24"}) {
            assertThrows(IllegalArgumentException.class, () -> Steering.literal(notLiteral), notLiteral);
        }
    }
}
