package org.lacd.l2tp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Where and how to build a tunnel. Calls whose profiles share (peer, local address, local host name, secret,
 * assignment id) share tunnels (RFC 2868 Tunnel-Assignment-Id semantics).
 *
 * @param name            label for logs and management
 * @param peer            LNS address and port (normally 1701)
 * @param localAddress    source address; null uses the engine's bind address
 * @param localHostName   Host Name AVP; null uses the engine default
 * @param secret          tunnel secret (challenge/response and AVP hiding); null for none
 * @param assignmentId    RFC 2868 Tunnel-Assignment-Id; null for none
 * @param hideAvps        hide the sensitive AVPs (RFC 2661 4.3) — needs a secret
 * @param maxSessions     per-tunnel session limit; 0 uses the engine default
 * @param receiveWindow   our Receive Window Size; 0 uses the engine default
 * @param accessLineAvps  send the RFC 5515 access-line AVPs (vendor 3561). xl2tpd 1.3 ignores the vendor id and
 *                        takes Agent-Remote-Id (3561:2) for Protocol Version (0:2), then tears the tunnel down: turn
 *                        this off toward such LNSs
 */
public record TunnelProfile(String name, InetSocketAddress peer, InetAddress localAddress, String localHostName, String secret,
                            String assignmentId, boolean hideAvps, int maxSessions, int receiveWindow,
                            boolean accessLineAvps) {
    public TunnelProfile {
        Objects.requireNonNull(peer, "peer");
        if (hideAvps && (secret == null || secret.isEmpty())) {
            throw new IllegalArgumentException("profile " + name + ": hiding AVPs needs a secret");
        }
        if (maxSessions < 0 || receiveWindow < 0 || receiveWindow > 65535) {
            throw new IllegalArgumentException("profile " + name + ": bad maxSessions/receiveWindow");
        }
    }

    public static TunnelProfile of(String name, InetSocketAddress peer, String hostName, String secret) {
        return new TunnelProfile(name, peer, null, hostName, secret, null, false, 0, 0, true);
    }

    public TunnelProfile withHideAvps(boolean hide) {
        return new TunnelProfile(name, peer, localAddress, localHostName, secret, assignmentId, hide, maxSessions, receiveWindow, accessLineAvps);
    }

    public TunnelProfile withMaxSessions(int n) {
        return new TunnelProfile(name, peer, localAddress, localHostName, secret, assignmentId, hideAvps, n, receiveWindow, accessLineAvps);
    }

    public TunnelProfile withAssignmentId(String id) {
        return new TunnelProfile(name, peer, localAddress, localHostName, secret, id, hideAvps, maxSessions, receiveWindow, accessLineAvps);
    }

    public TunnelProfile withAccessLineAvps(boolean send) {
        return new TunnelProfile(name, peer, localAddress, localHostName, secret, assignmentId, hideAvps, maxSessions, receiveWindow, send);
    }

    /** The tunnel-sharing key. */
    record Key(InetSocketAddress peer, InetAddress localAddress, String hostName, String secret, String assignmentId) {}

    Key key() { return new Key(peer, localAddress, localHostName, secret, assignmentId); }
}
