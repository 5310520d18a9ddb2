package org.lacd.daemon.ipsec.vici;

/** A VICI packet from charon that cannot be decoded: counted and the connection dropped (it has no resync point). */
public final class MalformedViciException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why the packet was rejected. */
    public enum Reason { TRUNCATED, UNKNOWN_PACKET_TYPE, UNKNOWN_ELEMENT_TYPE, BAD_NESTING, TOO_DEEP, TOO_MANY_ELEMENTS, OVERSIZE }

    private final Reason reason;
    private final int offset;

    public MalformedViciException(Reason reason, int offset, String detail) {
        super("VICI: " + detail + " at offset " + offset + " (" + reason + ")", null, false, false);
        this.reason = reason;
        this.offset = offset;
    }

    public Reason reason() { return reason; }

    public int offset() { return offset; }
}
