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

    /**
     * Why a downstream LAC's tunnel or call was refused (tunnel switching, {@link L2tpEngine#acceptIncomingCalls}).
     * Tunnel refusals answer with StopCCN, call refusals with CDN.
     */
    enum Refusal {
        /** An SCCRQ from an address in no {@code l2tp.lac-peers} entry (StopCCN result 4). */
        UNKNOWN_PEER,
        /** The peer's Challenge Response in SCCCN was wrong or missing: secret mismatch (RFC 2661 5.1.1; StopCCN 4). */
        AUTH_FAILED,
        /** The peer sent a Challenge but no secret is configured for it (StopCCN 4). */
        NO_SECRET,
        /** The SCCRQ's Host Name is not the one configured for the peer (StopCCN 4). */
        HOST_NAME,
        /**
         * The peer sent StopCCN while we waited for its SCCCN (RFC 2661 7.2.1 wait-ctl-conn): it refused our SCCRP,
         * typically because our Challenge Response in it did not match its secret (a wrong secret it noticed first).
         */
        PEER_REFUSED_TUNNEL,
        /** An SCCRQ without a required AVP, or of another protocol version (StopCCN 2 or 5). */
        BAD_SCCRQ,
        /** An SCCRQ beyond the peer's {@code max-tunnels} (StopCCN result 2). */
        TUNNEL_LIMIT,
        /** An ICRQ beyond the peer's {@code max-sessions} (CDN result 4). */
        SESSION_LIMIT,
        /** An ICRQ while lacd drains (CDN result 4). */
        DRAINING,
        /** An ICCN without Proxy Authen Name: no user to steer the call by (CDN result 6, invalid destination). */
        NO_PROXY_AUTH
    }

    void malformed(MalformedPacketException.Reason reason);

    /** A downstream LAC's tunnel or call refused (tunnel switching). */
    default void refused(Refusal reason) {}

    /** A configured downstream LAC peer's tunnel or call refused: counted for the peer too (its view). */
    default void refused(Refusal reason, LacPeer peer) {
        refused(reason);
    }

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
