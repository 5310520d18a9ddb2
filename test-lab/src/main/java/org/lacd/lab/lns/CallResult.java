package org.lacd.lab.lns;

/** Where a call stands, or how it ended, as the emulated LNS saw it. */
public enum CallResult {
    /** ICCN received, PPP (LCP / authentication / IPCP) not finished yet. */
    SETTING_UP(false),
    /** IPCP opened: the subscriber has its address and traffic is reflected. */
    UP(false),
    /** Wrong password (proxy or fresh), unknown user, or no password for the user: CDN sent. */
    AUTH_FAILED(true),
    /** ICRQ refused on demand ({@link LnsEmulator#refuseCalls}). */
    REFUSED(true),
    /** The LAC sent a CDN. */
    CLEARED_BY_LAC(true),
    /** Cleared on demand from the emulator ({@link LnsEmulator#clearCall}, {@link LnsEmulator#stopTunnel}). */
    CLEARED_BY_LNS(true),
    /** The subscriber sent LCP Terminate-Request. */
    CLEARED_BY_SUBSCRIBER(true),
    /** The tunnel went away under the call (StopCCN from the LAC, or the LAC stopped answering). */
    TUNNEL_CLOSED(true),
    /** PPP did not reach IPCP opened within the setup timeout, or a Configure-Request went unanswered. */
    SETUP_TIMEOUT(true),
    /** The subscriber stopped answering the LNS's LCP Echo-Requests. */
    ECHO_TIMEOUT(true),
    /** The address pool is exhausted. */
    NO_ADDRESS(true),
    /** The subscriber rejected what PPP needs (authentication protocol). */
    PROTOCOL_ERROR(true);

    private final boolean terminal;

    CallResult(boolean terminal) { this.terminal = terminal; }

    public boolean terminal() { return terminal; }
}
