package org.lacd.pppoe.discovery;

import java.util.HashMap;
import java.util.Map;
import org.lacd.pppoe.DropReason;

/**
 * Admission to the PPPoE server thread's work queue (discovery frames and the PPP frames of sessions not yet
 * forwarding), the rule that decides what is dropped when a storm of PADIs arrives faster than the thread works.
 *
 * <p>The rule: new work is dropped before old work, and the busiest MACs' new work first.
 * <ul>
 *   <li>Everything but a PADI (a PADR, a PADT, LCP and authentication of a session already opened) is older work: it
 *       continues a subscriber that lacd has already spent an answer on. It is refused only when the whole queue is
 *       full ({@link DropReason#QUEUE_FULL}).</li>
 *   <li>A PADI starts new work. PADIs may hold at most {@code padiLimit} places (half of the queue by default), so a
 *       PADI flood never takes the room of the sessions it would delay ({@link DropReason#PADI_QUEUE_FULL} when that
 *       share is full, {@link DropReason#QUEUE_FULL} when the whole queue is).</li>
 *   <li>A PADT of an existing session ({@link Kind#TEARDOWN}) is always admitted, past the limit: the caller admits one
 *       per session, so the queue grows by at most the session count. A mass hang-up must tear every session down;
 *       a refused PADT would leave a session up until the LNS's keepalive noticed (RFC 2516 5.5).</li>
 *   <li>Under pressure (PADIs hold half of their share or more), a PADI from a MAC that already has one waiting is
 *       dropped ({@link DropReason#QUEUE_SAME_MAC}): the waiting one will get the answer, and a MAC that retransmits (or
 *       floods) never takes a second place while others wait for a first. RFC 2516 5.1: a host that gets no PADO sends
 *       the PADI again; nothing is lost by answering once. Without pressure the queue takes what comes.</li>
 * </ul>
 *
 * <p>Thread-safe: the receive threads admit, the server thread releases. One lock, held for a few map operations per
 * frame of the control plane (a forwarding session's data never comes here).
 */
public final class WorkQueueGuard {
    /** What is queued. */
    public enum Kind { PADI, OTHER, TEARDOWN }

    private final int limit;
    private final int padiLimit;
    /** Waiting PADIs from which a MAC gets one place only: half of their share. */
    private final int pressure;
    private int queued;
    private int queuedPadis;
    /** Waiting PADIs per MAC key (port and MAC): at most {@code padiLimit} entries. */
    private final Map<Long, Integer> padisByMac = new HashMap<>();

    /**
     * @param limit     places in the queue (DoS guard)
     * @param padiLimit places that PADIs may hold, 1..limit
     */
    public WorkQueueGuard(int limit, int padiLimit) {
        if (limit < 1 || padiLimit < 1 || padiLimit > limit) {
            throw new IllegalArgumentException("limit " + limit + ", padiLimit " + padiLimit + " (expected: 1 <= padiLimit <= limit)");
        }
        this.limit = limit;
        this.padiLimit = padiLimit;
        this.pressure = Math.max(1, padiLimit / 2);
    }

    /**
     * Takes a place for work of {@code kind} from {@code macKey} (only PADIs look at it); null when admitted (then
     * {@link #release} must follow once the work ran), else why not.
     */
    public DropReason admit(Kind kind, long macKey) {
        return admit(kind, macKey, Integer.MAX_VALUE);
    }

    /**
     * As {@link #admit(Kind, long)}, and a PADI is shed ({@link DropReason#SETUP_PACING}) when {@code padiRoom} PADIs
     * wait already: the setups lacd can still start ({@code setups-in-flight} less those in flight and the offers
     * open). A PADI waiting in the queue is a PADO the server thread may send, so it takes a place of its own; without
     * that, each setup that ends lets a burst of PADIs into the queue, all but one to be shed there at the cost of the
     * PADRs and LCP frames they crowd out.
     */
    public synchronized DropReason admit(Kind kind, long macKey, int padiRoom) {
        if (kind == Kind.TEARDOWN) {
            queued++;
            return null;
        }
        if (kind == Kind.PADI && queuedPadis >= padiRoom) {
            return DropReason.SETUP_PACING;
        }
        if (queued >= limit) {
            return DropReason.QUEUE_FULL;
        }
        if (kind == Kind.PADI) {
            if (queuedPadis >= pressure && padisByMac.containsKey(macKey)) {
                return DropReason.QUEUE_SAME_MAC;
            }
            if (queuedPadis >= padiLimit) {
                return DropReason.PADI_QUEUE_FULL;
            }
            padisByMac.merge(macKey, 1, Integer::sum);
            queuedPadis++;
        }
        queued++;
        return null;
    }

    /** The admitted work of {@code kind} from {@code macKey} was taken off the queue. */
    public synchronized void release(Kind kind, long macKey) {
        queued--;
        if (kind == Kind.PADI) {
            queuedPadis--;
            padisByMac.computeIfPresent(macKey, (k, v) -> v <= 1 ? null : v - 1);
        }
    }

    public synchronized int queued() {
        return queued;
    }

    public synchronized int queuedPadis() {
        return queuedPadis;
    }
}
