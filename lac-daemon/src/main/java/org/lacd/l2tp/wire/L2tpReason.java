package org.lacd.l2tp.wire;

import org.lacd.wire.MalformedPacketException;

/**
 * Why an L2TP datagram was rejected ({@link MalformedPacketException#reason()} with protocol L2TP). Running out of
 * bytes is the shared {@link org.lacd.wire.CommonReason#TRUNCATED}.
 */
public enum L2tpReason implements MalformedPacketException.Reason {
    BAD_VERSION, BAD_LENGTH, RESERVED_BITS, CONTROL_FLAGS, OFFSET_OVERRUN,
    AVP_TOO_SHORT, AVP_OVERRUN, TOO_MANY_AVPS, BAD_AVP_VALUE, FIRST_AVP_NOT_MESSAGE_TYPE,
    HIDDEN_NOT_ALLOWED, HIDDEN_WITHOUT_RANDOM_VECTOR, HIDDEN_WITHOUT_SECRET, BAD_HIDDEN_LENGTH, OVERSIZE
}
