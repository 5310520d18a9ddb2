package org.lacd.l2tp;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A state machine's transition table as data: rows of (state, event) -> next state, each citing the RFC section that
 * makes it. The machinery the tunnel ({@link Tunnel}) and the call ({@link Session}) share; the machine itself keeps
 * its one funnel (the only code that assigns its state) and decides what an event with no row means (StopCCN, CDN).
 * Immutable and thread-safe once built.
 *
 * @param <S> the states
 * @param <E> the events
 */
public final class TransitionTable<S extends Enum<S>, E extends Enum<E>> {
    /** One row: in state {@code from}, event {@code event} leads to {@code to}; {@code rfc} says why. */
    public record Row<S extends Enum<S>, E extends Enum<E>>(S from, E event, S to, String rfc) {
        public Row {
            if (from == null || event == null || to == null || rfc == null || rfc.isBlank()) {
                throw new IllegalArgumentException("a row needs from, event, to and its reason: " + from + "/" + event + " -> " + to);
            }
        }
    }

    private final List<Row<S, E>> rows;
    private final Map<S, Map<E, Row<S, E>>> lookup;

    private TransitionTable(Class<S> states, Class<E> events, List<Row<S, E>> rows) {
        this.rows = List.copyOf(rows);
        this.lookup = new EnumMap<>(states);
        for (Row<S, E> r : this.rows) {
            Row<S, E> before = lookup.computeIfAbsent(r.from(), k -> new EnumMap<>(events)).putIfAbsent(r.event(), r);
            if (before != null) {
                throw new IllegalArgumentException("two rows for " + r.from() + "/" + r.event() + ": " + before + " and " + r);
            }
        }
    }

    /** The table of these rows; two rows for the same (state, event) are refused. */
    public static <S extends Enum<S>, E extends Enum<E>> TransitionTable<S, E> of(Class<S> states, Class<E> events, List<Row<S, E>> rows) {
        return new TransitionTable<>(states, events, rows);
    }

    /** The row for this state and event, or null when there is none (the machine's defined answer applies). */
    public Row<S, E> find(S state, E event) {
        Map<E, Row<S, E>> byEvent = lookup.get(state);
        return byEvent == null ? null : byEvent.get(event);
    }

    /** Every row, in the order given. */
    public List<Row<S, E>> rows() {
        return rows;
    }
}
