package org.lacd.l2tp;

import org.lacd.wire.MalformedPacketException;

/** Counters the engine reports; the daemon maps them onto its metrics. Called from event loops and data threads. */
public interface L2tpStats {
    /** Why a packet was dropped without being malformed. */
    enum DropReason {
        UNKNOWN_TUNNEL, UNKNOWN_SESSION, SESSION_NOT_ESTABLISHED, HIDDEN_AVP_UNREADABLE, UNSOLICITED_SCCRQ, CONTROL_OUT_OF_WINDOW,
        CONTROL_DUPLICATE, UNKNOWN_MESSAGE_TYPE, SEND_QUEUE_FULL,
        /** A control message refused: the tunnel's queue of messages waiting for window space was full. */
        CONTROL_QUEUE_FULL, SEND_FAILED, EMPTY_FRAME, DATA_OUT_OF_ORDER,
        /** A PPP frame of a call whose ICCN had not left yet, refused: the call's queue of such frames was full. */
        EARLY_DATA_QUEUE_FULL
    }

    void malformed(MalformedPacketException.Reason reason);

    void controlRetransmit();

    void helloTimeout();

    /** A tunnel entered {@code to}; {@code from} is null when the tunnel was just created (in IDLE). */
    void tunnelState(TunnelState from, TunnelState to);

    void callState(CallState from, CallState to);

    void dataIn(int bytes);

    void dataOut(int bytes);

    void drop(DropReason reason);

    /**
     * These stats as seen by one worker socket: the same counters, with data traffic counted on worker {@code worker}
     * (see {@link L2tpEngine#workers()}). Asked once per socket, not per packet.
     */
    default L2tpStats forWorker(int worker) {
        return this;
    }

    L2tpStats NOOP = new L2tpStats() {
        @Override public void malformed(MalformedPacketException.Reason reason) {}
        @Override public void controlRetransmit() {}
        @Override public void helloTimeout() {}
        @Override public void tunnelState(TunnelState from, TunnelState to) {}
        @Override public void callState(CallState from, CallState to) {}
        @Override public void dataIn(int bytes) {}
        @Override public void dataOut(int bytes) {}
        @Override public void drop(DropReason reason) {}
    };
}
