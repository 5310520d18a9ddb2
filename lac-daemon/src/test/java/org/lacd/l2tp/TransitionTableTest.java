package org.lacd.l2tp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The row machinery the tunnel and call tables share: lookup, no row, and the rows a table refuses. */
class TransitionTableTest {
    enum S { A, B }

    enum E { GO, STOP }

    static TransitionTable.Row<S, E> row(S from, E e, S to, String rfc) {
        return new TransitionTable.Row<>(from, e, to, rfc);
    }

    @Test
    void findsTheRowOfAStateAndEventAndNullWhereThereIsNone() {
        TransitionTable<S, E> t = TransitionTable.of(S.class, E.class, List.of(row(S.A, E.GO, S.B, "RFC 0 1"), row(S.B, E.STOP, S.A, "RFC 0 2")));
        assertEquals(S.B, t.find(S.A, E.GO).to());
        assertEquals("RFC 0 2", t.find(S.B, E.STOP).rfc());
        assertNull(t.find(S.A, E.STOP), "no row: the machine's defined answer applies");
        assertNull(t.find(S.B, E.GO));
        assertEquals(2, t.rows().size());
    }

    @Test
    void twoRowsForOneStateAndEventAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TransitionTable.of(S.class, E.class,
                List.of(row(S.A, E.GO, S.B, "RFC 0 1"), row(S.A, E.GO, S.A, "RFC 0 3"))));
        assertTrue(e.getMessage().contains("A/GO"), e.getMessage());
    }

    @Test
    void aRowWithoutItsReasonIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> row(S.A, E.GO, S.B, " "));
        assertThrows(IllegalArgumentException.class, () -> row(S.A, null, S.B, "RFC 0 1"));
    }

    @Test
    void theTunnelAndCallTablesAreBuiltOnIt() {
        assertEquals(TunnelState.WAIT_CTL_REPLY, Tunnel.TABLE.find(TunnelState.IDLE, Tunnel.Event.OPEN).to());
        assertNull(Tunnel.TABLE.find(TunnelState.IDLE, Tunnel.Event.RX_SCCRP_OK), "SCCRP before SCCRQ: no row, StopCCN");
        assertEquals(CallState.ESTABLISHED, Session.TABLE.find(CallState.WAIT_REPLY, Session.Event.RX_ICRP_OK).to());
        assertNull(Session.TABLE.find(CallState.IDLE, Session.Event.RX_CDN), "CDN before ICRQ: no row, CDN");
    }
}
