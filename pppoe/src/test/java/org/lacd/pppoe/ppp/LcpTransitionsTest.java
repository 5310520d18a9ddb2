package org.lacd.pppoe.ppp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The table itself: complete where it must be, and a few rows checked against RFC 1661 4.1 by hand. */
class LcpTransitionsTest {

    @Test
    void everyLiveStateHasARowForEveryEventExceptTimeoutsInOpened() {
        for (LcpState s : LcpState.values()) {
            for (LcpEvent e : LcpEvent.values()) {
                LcpTransitions.Row row = LcpTransitions.lookup(s, e);
                if (s.finished() || (s == LcpState.OPENED && (e == LcpEvent.TO_PLUS || e == LcpEvent.TO_MINUS))) {
                    assertNull(row, s + "/" + e);
                } else {
                    assertNotNull(row, s + "/" + e);
                    assertTrue(row.ref().startsWith("RFC 1661"), row.ref());
                }
            }
        }
    }

    @Test
    void rowsMatchRfc1661() {
        assertRow(LcpState.REQ_SENT, LcpEvent.RCR_PLUS, LcpState.ACK_SENT, LcpAction.SCA);
        assertRow(LcpState.REQ_SENT, LcpEvent.RCA, LcpState.ACK_RCVD, LcpAction.IRC);
        assertRow(LcpState.ACK_RCVD, LcpEvent.RCR_PLUS, LcpState.OPENED, LcpAction.SCA, LcpAction.TLU);
        assertRow(LcpState.ACK_SENT, LcpEvent.RCA, LcpState.OPENED, LcpAction.IRC, LcpAction.TLU);
        assertRow(LcpState.ACK_SENT, LcpEvent.RCR_MINUS, LcpState.REQ_SENT, LcpAction.SCN);
        assertRow(LcpState.OPENED, LcpEvent.RCR_PLUS, LcpState.ACK_SENT, LcpAction.TLD, LcpAction.SCR, LcpAction.SCA);
        assertRow(LcpState.OPENED, LcpEvent.RTR, LcpState.STOPPING, LcpAction.TLD, LcpAction.ZRC, LcpAction.STA);
        assertRow(LcpState.OPENED, LcpEvent.RXR, LcpState.OPENED, LcpAction.SER);
        assertRow(LcpState.REQ_SENT, LcpEvent.TO_MINUS, LcpState.STOPPED, LcpAction.TLF);
        assertRow(LcpState.CLOSING, LcpEvent.RTA, LcpState.CLOSED, LcpAction.TLF);
    }

    private static void assertRow(LcpState s, LcpEvent e, LcpState next, LcpAction... actions) {
        LcpTransitions.Row row = LcpTransitions.lookup(s, e);
        assertEquals(next, row.next(), s + "/" + e);
        assertEquals(List.of(actions), row.actions(), s + "/" + e);
    }
}
