package org.lacd.wire;

/** Reasons every protocol shares: the bytes ran out, or a check without a code of its own failed. */
public enum CommonReason implements MalformedPacketException.Reason {
    /** A field needs more bytes than are left (thrown by {@link WireReader}). */
    TRUNCATED,
    /** A value or structure is wrong; the detail says which. */
    MALFORMED
}
