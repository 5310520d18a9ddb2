package org.lacd.lab.subscriber;

import static org.lacd.lab.subscriber.SubscriberEvent.AUTH_SUCCESS;
import static org.lacd.lab.subscriber.SubscriberEvent.DRAINED;
import static org.lacd.lab.subscriber.SubscriberEvent.ECHO_TIMEOUT;
import static org.lacd.lab.subscriber.SubscriberEvent.END_OF_RUN;
import static org.lacd.lab.subscriber.SubscriberEvent.FAILURE;
import static org.lacd.lab.subscriber.SubscriberEvent.IPCP_OPENED;
import static org.lacd.lab.subscriber.SubscriberEvent.LCP_OPENED;
import static org.lacd.lab.subscriber.SubscriberEvent.LIFETIME_OVER;
import static org.lacd.lab.subscriber.SubscriberEvent.PADO;
import static org.lacd.lab.subscriber.SubscriberEvent.PADS;
import static org.lacd.lab.subscriber.SubscriberEvent.PEER_HUNG_UP;
import static org.lacd.lab.subscriber.SubscriberEvent.REDIAL;
import static org.lacd.lab.subscriber.SubscriberEvent.RENEGOTIATION;
import static org.lacd.lab.subscriber.SubscriberEvent.START;
import static org.lacd.lab.subscriber.SubscriberEvent.TERMINATED;
import static org.lacd.lab.subscriber.SubscriberPhase.AUTH;
import static org.lacd.lab.subscriber.SubscriberPhase.DONE;
import static org.lacd.lab.subscriber.SubscriberPhase.DRAINING;
import static org.lacd.lab.subscriber.SubscriberPhase.FAILED;
import static org.lacd.lab.subscriber.SubscriberPhase.IDLE;
import static org.lacd.lab.subscriber.SubscriberPhase.IPCP;
import static org.lacd.lab.subscriber.SubscriberPhase.LCP;
import static org.lacd.lab.subscriber.SubscriberPhase.PADI_SENT;
import static org.lacd.lab.subscriber.SubscriberPhase.PADR_SENT;
import static org.lacd.lab.subscriber.SubscriberPhase.REDIAL_WAIT;
import static org.lacd.lab.subscriber.SubscriberPhase.TERMINATING;
import static org.lacd.lab.subscriber.SubscriberPhase.UP;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The emulated client's phase machine as data: one row per (phase, event) with the phase it leads to and where the
 * behaviour comes from. {@code Subscriber.transitionTo} only follows rows; an event without a row is a bug in the
 * emulator (IllegalStateException), never a silent change. Packets that fit no state are counted as "unexpected"
 * before they get here.
 */
public final class SubscriberTransitions {
    private SubscriberTransitions() {}

    /** One row of the table. */
    public record Row(SubscriberPhase from, SubscriberEvent event, SubscriberPhase to, String source) {}

    private static final List<Row> ROWS;
    private static final Map<SubscriberPhase, Map<SubscriberEvent, Row>> TABLE = new EnumMap<>(SubscriberPhase.class);

    static {
        List<Row> r = new ArrayList<>();
        r.add(new Row(IDLE, START, PADI_SENT, "RFC 2516 5.1: the host broadcasts a PADI"));
        r.add(new Row(PADI_SENT, PADO, PADR_SENT, "RFC 2516 5.3: the host sends a PADR to the AC it chose"));
        r.add(new Row(PADR_SENT, PADS, LCP, "RFC 2516 5.4: PADS with a session id, the PPP session starts"));
        r.add(new Row(LCP, LCP_OPENED, AUTH, "RFC 1661 3.5: Authenticate phase after LCP Opened"));
        r.add(new Row(AUTH, AUTH_SUCCESS, IPCP, "RFC 1994 4.2 / RFC 1334 2.2.2 / RFC 1661 3.5: Network phase"));
        for (SubscriberPhase p : List.of(AUTH, IPCP, UP)) {
            r.add(new Row(p, RENEGOTIATION, LCP, "RFC 1661 4.1 Opened + RCR: tld, scr, sca/scn (LNS renegotiation)"));
        }
        r.add(new Row(IPCP, IPCP_OPENED, UP, "RFC 1332 / RFC 1661 3.6: IPv4 may flow"));
        for (SubscriberPhase p : List.of(LCP, AUTH, IPCP, UP)) {
            r.add(new Row(p, LIFETIME_OVER, DRAINING, "emulator: lifetime over, stop probes, wait for in-flight ones"));
        }
        r.add(new Row(UP, ECHO_TIMEOUT, REDIAL_WAIT, "RFC 1661 5.8 / pppd lcp-echo-failure: peer not responding,"
                + " Terminate-Request + PADT without waiting; redial after the hold-off (pppd persist)"));
        r.add(new Row(UP, PEER_HUNG_UP, REDIAL_WAIT, "RFC 2516 5.5 PADT / RFC 1661 5.5 Terminate-Request from the AC while up:"
                + " the session is over; dial again after the hold-off (pppd persist)"));
        r.add(new Row(REDIAL_WAIT, REDIAL, PADI_SENT, "RFC 2516 5.1: dial again, same MAC, new discovery"));
        r.add(new Row(DRAINING, DRAINED, TERMINATING, "RFC 1661 3.7 / 5.5: Terminate-Request"));
        r.add(new Row(TERMINATING, TERMINATED, DONE, "RFC 1661 5.5 Terminate-Ack / RFC 2516 5.5 PADT"));
        for (SubscriberPhase p : List.of(LCP, AUTH, IPCP, UP, DRAINING, TERMINATING)) {
            r.add(new Row(p, END_OF_RUN, DONE, "emulator: run over, Terminate-Request + PADT without waiting"));
        }
        for (SubscriberPhase p : SubscriberPhase.values()) {
            if (!p.terminal()) {
                r.add(new Row(p, FAILURE, FAILED, "emulator: counted by FailureReason, PADT if a session exists"));
            }
        }
        ROWS = Collections.unmodifiableList(r);
        for (Row row : ROWS) {
            Row old = TABLE.computeIfAbsent(row.from(), k -> new EnumMap<>(SubscriberEvent.class)).put(row.event(), row);
            if (old != null) {
                throw new ExceptionInInitializerError("duplicate row " + row);
            }
        }
    }

    public static List<Row> rows() { return ROWS; }

    /** The row for (from, event), or null when there is none. */
    public static Row find(SubscriberPhase from, SubscriberEvent event) {
        Map<SubscriberEvent, Row> m = TABLE.get(from);
        return m == null ? null : m.get(event);
    }
}
