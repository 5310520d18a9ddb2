package org.lacd.l2tp.wire;

/**
 * A received L2TP datagram that cannot be decoded. Counted and dropped by the engine; never escapes a channel.
 * Carries no stack trace (created on the receive path, possibly at line rate by an attacker).
 */
public final class MalformedPacketException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why the packet was rejected. */
    public enum Reason {
        TRUNCATED, BAD_VERSION, BAD_LENGTH, RESERVED_BITS, CONTROL_FLAGS, OFFSET_OVERRUN,
        AVP_TOO_SHORT, AVP_OVERRUN, TOO_MANY_AVPS, BAD_AVP_VALUE, FIRST_AVP_NOT_MESSAGE_TYPE,
        HIDDEN_NOT_ALLOWED, HIDDEN_WITHOUT_RANDOM_VECTOR, HIDDEN_WITHOUT_SECRET, BAD_HIDDEN_LENGTH, OVERSIZE
    }

    private final Reason reason;
    private final int offset;

    public MalformedPacketException(Reason reason, int offset, String detail) {
        super("L2TP: " + detail + " at offset " + offset + " (" + reason + ")", null, false, false);
        this.reason = reason;
        this.offset = offset;
    }

    public Reason reason() { return reason; }

    public String protocol() { return "L2TP"; }

    public int offset() { return offset; }
}
