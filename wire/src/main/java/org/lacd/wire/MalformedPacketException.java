package org.lacd.wire;

/**
 * A received packet that cannot be decoded: the protocol layer, the offset (relative to the start of that layer's
 * bytes, as the {@link WireReader} counts), why ({@link Reason}: a protocol's own closed set, or {@link CommonReason})
 * and a detail for the log. Thrown by every decoder of lacd; the caller counts and drops the packet, it never kills a
 * channel, a thread or a tunnel. Carries no stack trace: created on receive paths, possibly at line rate by an attacker.
 */
public final class MalformedPacketException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a packet was rejected: an enum per protocol (e.g. {@code L2tpReason}) or {@link CommonReason}. */
    public interface Reason {
        String name();
    }

    private final WireProtocol protocol;
    private final int offset;
    private final transient Reason reason;
    private final String detail;

    public MalformedPacketException(WireProtocol protocol, Reason reason, int offset, String detail) {
        super(protocol + " at offset " + offset + ": " + detail + " (" + reason.name() + ")", null, false, false);
        this.protocol = protocol;
        this.offset = offset;
        this.reason = reason;
        this.detail = detail;
    }

    /** A malformation without a reason code of its own ({@link CommonReason#MALFORMED}). */
    public MalformedPacketException(WireProtocol protocol, int offset, String detail) {
        this(protocol, CommonReason.MALFORMED, offset, detail);
    }

    public WireProtocol protocol() { return protocol; }
    public int offset() { return offset; }
    public Reason reason() { return reason; }
    /** The human part, e.g. "AVP length 4 (expected: 6+)". */
    public String detail() { return detail; }
}
