package org.lacd.pppoe.ppp;

import static org.lacd.pppoe.ppp.LcpAction.IRC;
import static org.lacd.pppoe.ppp.LcpAction.SCA;
import static org.lacd.pppoe.ppp.LcpAction.SCJ;
import static org.lacd.pppoe.ppp.LcpAction.SCN;
import static org.lacd.pppoe.ppp.LcpAction.SCR;
import static org.lacd.pppoe.ppp.LcpAction.SER;
import static org.lacd.pppoe.ppp.LcpAction.STA;
import static org.lacd.pppoe.ppp.LcpAction.STR;
import static org.lacd.pppoe.ppp.LcpAction.TLD;
import static org.lacd.pppoe.ppp.LcpAction.TLF;
import static org.lacd.pppoe.ppp.LcpAction.TLU;
import static org.lacd.pppoe.ppp.LcpAction.ZRC;
import static org.lacd.pppoe.ppp.LcpEvent.CLOSE;
import static org.lacd.pppoe.ppp.LcpEvent.RCA;
import static org.lacd.pppoe.ppp.LcpEvent.RCN;
import static org.lacd.pppoe.ppp.LcpEvent.RCR_MINUS;
import static org.lacd.pppoe.ppp.LcpEvent.RCR_PLUS;
import static org.lacd.pppoe.ppp.LcpEvent.RTA;
import static org.lacd.pppoe.ppp.LcpEvent.RTR;
import static org.lacd.pppoe.ppp.LcpEvent.RUC;
import static org.lacd.pppoe.ppp.LcpEvent.RXJ_MINUS;
import static org.lacd.pppoe.ppp.LcpEvent.RXJ_PLUS;
import static org.lacd.pppoe.ppp.LcpEvent.RXR;
import static org.lacd.pppoe.ppp.LcpEvent.TO_MINUS;
import static org.lacd.pppoe.ppp.LcpEvent.TO_PLUS;
import static org.lacd.pppoe.ppp.LcpState.ACK_RCVD;
import static org.lacd.pppoe.ppp.LcpState.ACK_SENT;
import static org.lacd.pppoe.ppp.LcpState.CLOSED;
import static org.lacd.pppoe.ppp.LcpState.CLOSING;
import static org.lacd.pppoe.ppp.LcpState.OPENED;
import static org.lacd.pppoe.ppp.LcpState.REQ_SENT;
import static org.lacd.pppoe.ppp.LcpState.STOPPED;
import static org.lacd.pppoe.ppp.LcpState.STOPPING;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The LCP state transition table (RFC 1661 section 4.1) as data, for states 2..9. Rows marked "policy" deviate
 * on purpose for an access server; the reason is in the row's note. Finished states (2, 3) take no events: the
 * session that owns the automaton is gone by then.
 */
public final class LcpTransitions {
    private LcpTransitions() {}

    /** One table cell: the actions in order, the next state, and where it comes from. */
    public record Row(LcpState next, List<LcpAction> actions, String ref) {}

    private static final Map<LcpState, Map<LcpEvent, Row>> TABLE = new EnumMap<>(LcpState.class);

    private static void row(LcpState from, LcpEvent ev, LcpState next, String ref, LcpAction... actions) {
        TABLE.computeIfAbsent(from, k -> new EnumMap<>(LcpEvent.class)).put(ev, new Row(next, List.of(actions), ref));
    }

    static {
        String t = "RFC 1661 4.1";
        // Closing (4)
        row(CLOSING, CLOSE, CLOSING, t);
        row(CLOSING, TO_PLUS, CLOSING, t, STR);
        row(CLOSING, TO_MINUS, CLOSED, t, TLF);
        row(CLOSING, RCR_PLUS, CLOSING, t);
        row(CLOSING, RCR_MINUS, CLOSING, t);
        row(CLOSING, RCA, CLOSING, t);
        row(CLOSING, RCN, CLOSING, t);
        row(CLOSING, RTR, CLOSING, t, STA);
        row(CLOSING, RTA, CLOSED, t, TLF);
        row(CLOSING, RUC, CLOSING, t, SCJ);
        row(CLOSING, RXJ_PLUS, CLOSING, t);
        row(CLOSING, RXJ_MINUS, CLOSED, t, TLF);
        row(CLOSING, RXR, CLOSING, t);
        // Stopping (5)
        row(STOPPING, CLOSE, CLOSING, t);
        row(STOPPING, TO_PLUS, STOPPING, t, STR);
        row(STOPPING, TO_MINUS, STOPPED, t, TLF);
        row(STOPPING, RCR_PLUS, STOPPING, t);
        row(STOPPING, RCR_MINUS, STOPPING, t);
        row(STOPPING, RCA, STOPPING, t);
        row(STOPPING, RCN, STOPPING, t);
        row(STOPPING, RTR, STOPPING, t, STA);
        row(STOPPING, RTA, STOPPED, t, TLF);
        row(STOPPING, RUC, STOPPING, t, SCJ);
        row(STOPPING, RXJ_PLUS, STOPPING, t);
        row(STOPPING, RXJ_MINUS, STOPPED, t, TLF);
        row(STOPPING, RXR, STOPPING, t);
        // Req-Sent (6), Ack-Rcvd (7), Ack-Sent (8)
        String policy = "RFC 1661 4.1 RTR (policy: an access server takes the subscriber's Terminate-Request as"
                + " leaving: sta, then finish after one restart period as from Opened)";
        for (LcpState s : List.of(REQ_SENT, ACK_RCVD, ACK_SENT)) {
            row(s, CLOSE, CLOSING, t, IRC, STR);
            row(s, TO_MINUS, STOPPED, t, TLF);
            row(s, RTR, STOPPING, policy, ZRC, STA);
            row(s, RUC, s, t, SCJ);
            row(s, RXJ_MINUS, STOPPED, t, TLF);
            row(s, RXR, s, t);
        }
        row(REQ_SENT, TO_PLUS, REQ_SENT, t, SCR);
        row(REQ_SENT, RCR_PLUS, ACK_SENT, t, SCA);
        row(REQ_SENT, RCR_MINUS, REQ_SENT, t, SCN);
        row(REQ_SENT, RCA, ACK_RCVD, t, IRC);
        row(REQ_SENT, RCN, REQ_SENT, t, IRC, SCR);
        row(REQ_SENT, RTA, REQ_SENT, t);
        row(REQ_SENT, RXJ_PLUS, REQ_SENT, t);

        row(ACK_RCVD, TO_PLUS, REQ_SENT, t, SCR);
        row(ACK_RCVD, RCR_PLUS, OPENED, t, SCA, TLU);
        row(ACK_RCVD, RCR_MINUS, ACK_RCVD, t, SCN);
        row(ACK_RCVD, RCA, REQ_SENT, t + " (crossed connection)", SCR);
        row(ACK_RCVD, RCN, REQ_SENT, t + " (crossed connection)", SCR);
        row(ACK_RCVD, RTA, REQ_SENT, t);
        row(ACK_RCVD, RXJ_PLUS, REQ_SENT, t);

        row(ACK_SENT, TO_PLUS, ACK_SENT, t, SCR);
        row(ACK_SENT, RCR_PLUS, ACK_SENT, t, SCA);
        row(ACK_SENT, RCR_MINUS, REQ_SENT, t, SCN);
        row(ACK_SENT, RCA, OPENED, t, IRC, TLU);
        row(ACK_SENT, RCN, ACK_SENT, t, IRC, SCR);
        row(ACK_SENT, RTA, ACK_SENT, t);
        row(ACK_SENT, RXJ_PLUS, ACK_SENT, t);
        // Opened (9)
        row(OPENED, CLOSE, CLOSING, t, TLD, IRC, STR);
        row(OPENED, RCR_PLUS, ACK_SENT, t + " (renegotiation)", TLD, SCR, SCA);
        row(OPENED, RCR_MINUS, REQ_SENT, t + " (renegotiation)", TLD, SCR, SCN);
        row(OPENED, RCA, REQ_SENT, t + " (crossed connection)", TLD, SCR);
        row(OPENED, RCN, REQ_SENT, t + " (crossed connection)", TLD, SCR);
        row(OPENED, RTR, STOPPING, t, TLD, ZRC, STA);
        row(OPENED, RTA, REQ_SENT, t, TLD, SCR);
        row(OPENED, RUC, OPENED, t, SCJ);
        row(OPENED, RXJ_PLUS, OPENED, t);
        row(OPENED, RXJ_MINUS, STOPPING, t, TLD, IRC, STR);
        row(OPENED, RXR, OPENED, t + " (ser only answers Echo-Request)", SER);
    }

    /** The row for (state, event), or null when the table has none (finished states, timeouts in Opened). */
    public static Row lookup(LcpState s, LcpEvent e) {
        Map<LcpEvent, Row> m = TABLE.get(s);
        return m == null ? null : m.get(e);
    }
}
