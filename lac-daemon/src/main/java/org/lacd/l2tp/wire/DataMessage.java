package org.lacd.l2tp.wire;

import java.util.Arrays;

/**
 * A data message (T=0). {@code ns}/{@code nr} are -1 when the S bit is clear; {@code offsetPadding} is null when the
 * O bit is clear. {@code payload} is the PPP frame as
 * carried (FF 03 included when the sender put it there). The engine's receive path does not build this record: it
 * reads {@link L2tpHeader} and hands the payload window on without copying; this record serves tests and tools.
 */
public record DataMessage(int tunnelId, int sessionId, boolean withLength, int ns, int nr, boolean priority, byte[] offsetPadding,
                          byte[] payload)
        implements L2tpPacket {

    public boolean sequenced() { return ns >= 0; }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataMessage d && d.tunnelId == tunnelId && d.sessionId == sessionId && d.ns == ns && d.nr == nr
                && d.priority == priority && d.withLength == withLength && Arrays.equals(d.offsetPadding, offsetPadding)
                && Arrays.equals(d.payload, payload);
    }

    @Override
    public int hashCode() { return tunnelId * 31 + sessionId; }
}
