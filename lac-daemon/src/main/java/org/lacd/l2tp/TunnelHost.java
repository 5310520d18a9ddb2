package org.lacd.l2tp;

import java.net.InetSocketAddress;
import java.util.Random;
import org.lacd.l2tp.transport.L2tpScheduler;

/** What a tunnel needs from the engine (its socket and event loop). Lets the state machines run without sockets in tests. */
interface TunnelHost {
    L2tpScheduler scheduler();

    L2tpSettings settings();

    L2tpStats stats();

    Random random();

    void sendControl(InetSocketAddress peer, byte[] datagram);

    /** Encapsulates and sends one PPP frame; may be called from any thread. */
    void sendData(Session s, byte[] buf, int off, int len);

    /** Runs a task on the tunnel's event loop (from any thread). */
    void execute(Runnable task);

    void registerSession(Tunnel t, Session s);

    void unregisterSession(Tunnel t, Session s);

    /** The tunnel is gone: forget its id. */
    void tunnelDestroyed(Tunnel t);

    /** Tunnel switching: who takes calls from downstream LACs ({@link L2tpEngine#acceptIncomingCalls}). */
    default IncomingCallHandler incomingHandler() {
        return call -> null;
    }

    /**
     * Tunnel switching: an ICRQ from {@code peer}: null takes one of its sessions (its {@code maxSessions}), else why
     * not. A taken session is given back by {@link #releaseIncoming}.
     */
    default L2tpStats.Refusal admitIncoming(LacPeer peer) {
        return null;
    }

    /** An incoming call of {@code peer} is gone. */
    default void releaseIncoming(LacPeer peer) {}
}
