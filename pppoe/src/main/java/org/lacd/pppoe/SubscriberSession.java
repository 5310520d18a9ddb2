package org.lacd.pppoe;

import java.time.Instant;
import org.lacd.pppoe.wire.LineInfo;
import org.lacd.pppoe.wire.MacAddress;

/**
 * One subscriber's PPPoE session as the layer above sees it. Getters are safe from any thread; the four actions
 * may be called from any thread and take effect on the server thread (except {@link #sendPpp}, which sends at once).
 */
public interface SubscriberSession {
    /** Unique within the server's lifetime (not the PPPoE session id). */
    long id();
    String interfaceName();

    /** The receive worker of the interface that carries this subscriber's frames (0 on a port with one worker). */
    default int worker() {
        return 0;
    }
    MacAddress mac();
    /** Outer VLAN ID, -1 when untagged. */
    int outerVlan();
    /** Inner VLAN ID (QinQ), -1 when absent. */
    int innerVlan();
    int pppoeSessionId();
    String serviceName();
    /** TR-101 line information from the PADR (or PADI), {@link LineInfo#EMPTY} when none. */
    LineInfo lineInfo();
    /** The MRU we asked for (1492, or the RFC 4638 grant). */
    int mru();
    /** The subscriber's MRU as negotiated by LCP (1500 when it did not say, capped by {@link #mru()}). */
    int peerMru();
    /** Option bytes of the first LCP Configure-Request received (proxy LCP, RFC 2661 AVP 26). */
    byte[] initialReceivedConfReq();
    /** Option bytes of the last LCP Configure-Request sent (AVP 27). */
    byte[] lastSentConfReq();
    /** Option bytes of the last LCP Configure-Request received (AVP 28). */
    byte[] lastReceivedConfReq();
    Instant createdAt();
    SessionState state();

    /** CHAP Failure / PAP Authenticate-Nak with {@code message}, then LCP Terminate (bounded) and PADT. */
    void reject(String message);

    /**
     * Stop running LCP here: from now on every PPP frame from the subscriber (protocol field onward) goes to
     * {@code upstream} directly from the port's receive thread. Ignored unless the session awaits a decision.
     */
    void startForwarding(PppSink upstream);

    /** Sends a PPP frame (protocol field onward) to the subscriber; thread-safe; oversize frames are counted and dropped. */
    void sendPpp(byte[] buf, int off, int len);

    /**
     * Like {@link #sendPpp}, but the frame is queued on the calling thread and leaves at its next
     * {@link PppoeServer#flushQueued()}, which the caller must call at the end of its run of frames (the L2TP side
     * does at the end of each batch of datagrams it read). One system call per run instead of per frame.
     */
    default void queuePpp(byte[] buf, int off, int len) {
        sendPpp(buf, off, len);
    }

    /** LCP Terminate-Request (bounded wait for the Ack), then PADT. */
    void terminate(CloseReason reason);
}
