package org.lacd.pppoe;

/** Why a received frame was dropped (or a request refused). */
public enum DropReason {
    MALFORMED,
    NOT_FOR_US,
    BAD_SOURCE_MAC,
    RATE_LIMITED,
    /** The server thread's work queue (or the PADIs' share of it) was full ({@link org.lacd.pppoe.discovery.WorkQueueGuard}). */
    QUEUE_FULL,
    /** A PADI while PADIs already held their share (half) of the server thread's queue: new work before old. */
    PADI_QUEUE_FULL,
    /** A PADI from a MAC whose earlier PADI still waits in the server thread's queue: the busiest MACs' new work goes first. */
    QUEUE_SAME_MAC,
    /**
     * A PADI not answered because {@code pppoe.limits.setups-in-flight} sessions are still being set up (a storm), counting
     * the offers not yet taken up and the PADIs already waiting for an answer: shed on the receive thread before a
     * session exists, the subscriber sends its PADI again later (RFC 2516 5.1).
     */
    SETUP_PACING,
    LIMIT_PER_MAC,
    LIMIT_PER_VLAN,
    LIMIT_PER_INTERFACE,
    NO_SESSION_ID_FREE,
    BAD_COOKIE,
    STALE_COOKIE,
    UNKNOWN_SERVICE,
    UNEXPECTED_CODE,
    OVERSIZE,
    /**
     * A PADI or PADR whose answer would not fit in a 1500-byte Ethernet payload (a long Host-Uniq or Relay-Session-Id
     * to echo): refused, no PADO/PADS. Not {@link #SEND_FAILED}: nothing is wrong with the NIC.
     */
    DISCOVERY_OVERSIZE,
    NO_SESSION,
    /** A PPP packet the current phase does not take (e.g. an NCP before forwarding, a stale auth reply). */
    PPP_IGNORED,
    /**
     * A PADI not answered because the interface's session count is at or above the last step of its PADO delay table
     * that sends no PADO ({@code pppoe.pado-delay}): another concentrator on the segment is to take the subscriber.
     */
    PADO_SUPPRESSED,
    /** A PADI whose PADO would have been delayed while the most delayed PADOs were already waiting (a PADI flood). */
    PADO_QUEUE_FULL,
    /** The port refused to send (interface down, closed). */
    SEND_FAILED
}
