package org.lacd.l2tp;

/**
 * What the engine asks the layer above about calls from downstream LACs (tunnel switching). Called on the tunnel's
 * event loop: never block.
 */
public interface IncomingCallHandler {
    /**
     * An ICRQ from {@code peer}: null admits it (ICRP follows), a refusal answers with CDN result 4 (temporary lack of
     * facilities) and is counted. The engine itself checks the peer's {@code maxSessions}.
     */
    default L2tpStats.Refusal admit(LacPeer peer) {
        return null;
    }

    /**
     * The call is connected (ICCN received and acceptable). Returns the listener of its events from now on (data from
     * the downstream LAC arrives as {@link CallListener#pppFromLns}, the end as {@link CallListener#callDown}); null
     * clears the call with a CDN.
     */
    CallListener connected(IncomingCall call);
}
