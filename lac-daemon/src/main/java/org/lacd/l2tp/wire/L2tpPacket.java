package org.lacd.l2tp.wire;

/** A decoded L2TPv2 message: a control message (ZLB included) or a data message. */
public sealed interface L2tpPacket permits ControlMessage, DataMessage {
    int tunnelId();

    int sessionId();
}
