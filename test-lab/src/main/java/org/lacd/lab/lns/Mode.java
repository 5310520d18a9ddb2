package org.lacd.lab.lns;

/** How the emulated LNS treats the LAC's proxy LCP and proxy authentication (RFC 2661 section 4.4.5 and 18). */
public enum Mode {
    /** Accept the proxied LCP, verify the proxy authentication, answer CHAP Success / PAP Ack at once, then IPCP. */
    ACCEPT_PROXY("accept-proxy"),
    /** Ignore the proxied LCP: send an LCP Configure-Request, complete LCP, challenge (CHAP) or wait for PAP, then IPCP. */
    RENEGOTIATE_LCP("renegotiate-lcp"),
    /** Keep the proxied LCP but send a fresh CHAP Challenge and verify the fresh response (PAP: as accept-proxy). */
    CHALLENGE_AGAIN("challenge-again"),
    /**
     * Ignore the proxy authentication AVPs: wait for the subscriber's own PAP Request / CHAP Response through the tunnel
     * (the LAC replays it) and answer it. Like a real LNS, a login that arrives before the call's ICCN is dropped
     * (counted as {@code loginsBeforeConnected} in the report); the subscriber has to send it again.
     */
    EXPECT_AUTH_PACKET("expect-auth-packet");

    private final String cliName;

    Mode(String cliName) { this.cliName = cliName; }

    public String cliName() { return cliName; }

    /** Parses the command-line spelling ({@code accept-proxy}) or the enum name. */
    public static Mode parse(String s) {
        for (Mode m : values()) {
            if (m.cliName.equalsIgnoreCase(s) || m.name().equalsIgnoreCase(s)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown mode '" + s + "' (expected: accept-proxy, renegotiate-lcp, challenge-again, expect-auth-packet)");
    }
}
