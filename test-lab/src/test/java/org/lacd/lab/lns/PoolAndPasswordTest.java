package org.lacd.lab.lns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PoolAndPasswordTest {
    @Test
    void passwordPatterns() {
        assertEquals("pass17", new PasswordPattern("pass{n}").passwordFor("user17@reseller-a.example"));
        assertEquals("pass17", new PasswordPattern("pass{n}").passwordFor("user17"));
        assertEquals("pass2", new PasswordPattern("pass{n}").passwordFor("u1ser2@isp3"), "digits of the local part, last run");
        assertNull(new PasswordPattern("pass{n}").passwordFor("alice@isp9"));
        assertEquals("secret", new PasswordPattern("secret").passwordFor("anyone"));
        assertEquals("bob-pw@x", new PasswordPattern("{local}-pw@x").passwordFor("bob@isp"));
        assertEquals("bob@isp!", new PasswordPattern("{user}!").passwordFor("bob@isp"));
    }

    @Test
    void poolHandsOutHostsAfterTheLnsAndReusesReleased() {
        AddressPool p = new AddressPool("192.0.2.77/29"); // network 192.0.2.72
        assertEquals("192.0.2.72/29", p.cidr());
        assertEquals("192.0.2.73", AddressPool.toString(p.lnsAddress()));
        assertEquals(5, p.capacity());
        int[] got = new int[5];
        for (int i = 0; i < 5; i++) {
            got[i] = p.allocate();
        }
        assertEquals("192.0.2.74", AddressPool.toString(got[0]));
        assertEquals("192.0.2.78", AddressPool.toString(got[4]), "broadcast .79 is not handed out");
        assertEquals(0, p.allocate(), "exhausted");
        p.release(got[2]);
        assertEquals(got[2], p.allocate());
        assertEquals(5, p.inUse());
        assertThrows(IllegalArgumentException.class, () -> new AddressPool("10.0.0.0"));
        assertThrows(IllegalArgumentException.class, () -> new AddressPool("10.0.0.0/31"));
        assertThrows(IllegalArgumentException.class, () -> new AddressPool("2001:db8::/64"));
    }

    @Test
    void modeNames() {
        assertEquals(Mode.RENEGOTIATE_LCP, Mode.parse("renegotiate-lcp"));
        assertEquals(Mode.EXPECT_AUTH_PACKET, Mode.parse("EXPECT_AUTH_PACKET"));
        assertThrows(IllegalArgumentException.class, () -> Mode.parse("nope"));
    }
}
