package org.lacd.pppoe.wire;

/**
 * A received packet that cannot be decoded. Carries the protocol layer, the offset (relative to the start of that
 * layer's bytes) and a reason. Thrown by every decoder in this package; the caller counts and drops the packet.
 */
public final class MalformedPacketException extends Exception {
    private static final long serialVersionUID = 1L;
    private final WireProtocol protocol;
    private final int offset;
    private final String reason;

    public MalformedPacketException(WireProtocol protocol, int offset, String reason) {
        super(protocol + " at offset " + offset + ": " + reason, null, false, false);
        this.protocol = protocol;
        this.offset = offset;
        this.reason = reason;
    }

    public WireProtocol protocol() { return protocol; }
    public int offset() { return offset; }
    public String reason() { return reason; }
}
