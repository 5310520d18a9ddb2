package org.lacd.l2tp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.lacd.l2tp.CallDownCause;

/** Issue 14, defect 4: the LNS's result and disconnect messages are escaped wherever their toString reaches a log. */
class WireStringLogFormTest {
    static final String FORGED = "bye\n2026-12-06 INFO forged\r\0\033[2J";
    static final String ESCAPED = "bye\\n2026-12-06 INFO forged\\r\\x00\\x1b[2J";

    @Test
    void resultCodeMessage() {
        assertEquals("result 2 error 6 \"" + ESCAPED + "\"", new ResultCode(2, 6, FORGED).toString());
    }

    @Test
    void pppDisconnectCauseMessage() {
        assertEquals("PppDisconnectCause[code 3 protocol 0xc021 AT_PEER \"" + ESCAPED + "\"]",
                new PppDisconnectCause(3, 0xc021, PppDisconnectCause.Direction.AT_PEER, FORGED).toString());
    }

    @Test
    void callDownCauseMessage() {
        assertEquals("CallDownCause[CLEARED_BY_PEER result 2 error -1 \"" + ESCAPED + "\"]",
                new CallDownCause(CallDownCause.Kind.CLEARED_BY_PEER, 2, -1, FORGED, null).toString());
    }
}
