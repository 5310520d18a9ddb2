package org.lacd.l2tp;

/** One L2TP session (incoming call) as seen by the daemon. */
public interface L2tpCall {
    /**
     * Sends a PPP frame (protocol field first, no FF 03) to the LNS. Thread-safe; dropped (and counted) unless the call
     * is established. The buffer may be reused once this returns.
     */
    void sendPpp(byte[] buf, int off, int len);

    /** Clears the call with a CDN (thread-safe, asynchronous). callDown follows. */
    void disconnect(DisconnectCause cause);

    CallState state();

    TunnelProfile profile();

    /** Our tunnel id, 0 until a tunnel is assigned. */
    int localTunnelId();

    /** Our session id, 0 until assigned. */
    int localSessionId();

    /** The LNS's session id, 0 until ICRP. */
    int remoteSessionId();

    /** Whether the LNS asked for sequence numbers on data (Sequencing Required, or data received with S). */
    boolean sequencing();
}
