package org.lacd.testsupport;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** A missing peer skips the test on a developer's machine and fails it under CI; a present one does neither. */
class PeersTest {
    @Test
    void missingPeerFailsUnderCi() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> Peers.require(false, "xl2tpd not installed", "true"));
        assertTrue(e.getMessage().contains("xl2tpd not installed"), e.getMessage());
    }

    @Test
    void missingPeerSkipsOutsideCi() {
        for (String ci : new String[] {null, "", "false", "FALSE", "0"}) {
            TestAbortedException e = assertThrows(TestAbortedException.class, () -> Peers.require(false, "tshark not installed", ci), String.valueOf(ci));
            assertTrue(e.getMessage().contains("tshark not installed"), e.getMessage());
        }
    }

    @Test
    void presentPeerNeitherFailsNorSkips() {
        assertDoesNotThrow(() -> Peers.require(true, "x", "true"));
        assertDoesNotThrow(() -> Peers.require(true, "x", null));
    }

    @Test
    void whatCountsAsCi() {
        assertTrue(Peers.underCi("true"));
        assertTrue(Peers.underCi("1"));
        assertTrue(Peers.underCi("yes"));
        assertFalse(Peers.underCi(null));
        assertFalse(Peers.underCi(" "));
        assertFalse(Peers.underCi("false"));
        assertFalse(Peers.underCi("0"));
    }

    @Test
    void theTagIsPeer() {
        assertEquals("peer", RealPeer.class.getAnnotation(org.junit.jupiter.api.Tag.class).value());
    }
}
