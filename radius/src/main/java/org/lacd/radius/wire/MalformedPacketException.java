package org.lacd.radius.wire;

/** A RADIUS packet or attribute that cannot be decoded. Counted and dropped by the caller, never fatal. */
public final class MalformedPacketException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String protocol;
    private final int offset;
    private final String reason;

    public MalformedPacketException(String protocol, int offset, String reason) {
        super(protocol + ": " + reason + " at offset " + offset);
        this.protocol = protocol;
        this.offset = offset;
        this.reason = reason;
    }

    public String protocol() { return protocol; }
    public int offset() { return offset; }
    public String reason() { return reason; }
}
