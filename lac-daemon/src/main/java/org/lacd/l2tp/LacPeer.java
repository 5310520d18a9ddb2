package org.lacd.l2tp;

import java.net.InetAddress;
import java.util.Objects;

/**
 * A downstream LAC that may open tunnels toward lacd and place calls on them (tunnel switching; config
 * {@code l2tp.lac-peers}). lacd takes the LNS role of RFC 2661 toward it: SCCRQ from an address in {@code network/prefix}
 * is answered, every other SCCRQ refused with StopCCN result 4.
 *
 * @param name        label for logs, metrics and the session views (in place of a subscriber interface)
 * @param network     the peer's address, or the network of its addresses
 * @param prefix      prefix length: 32 (128) for one address
 * @param secret      tunnel secret (RFC 2661 5.1.1 Challenge/Response, AVP hiding); null for a tunnel without
 *                    authentication (a Challenge from the peer is then refused)
 * @param hostName    the Host Name the peer must send in its SCCRQ; null accepts any
 * @param maxSessions most calls at once from this peer, over all its tunnels; 0 for no limit
 * @param maxTunnels  most tunnels at once from this peer (DoS guard: each costs a control channel and timers); 0 for
 *                    no limit. A further SCCRQ is refused with StopCCN result 2 and counted as tunnel_limit.
 */
public record LacPeer(String name, InetAddress network, int prefix, String secret, String hostName, int maxSessions, int maxTunnels) {
    /** {@code l2tp.lac-peers[].max-tunnels} when not given. */
    public static final int DEFAULT_MAX_TUNNELS = 4;

    /** A peer with the default tunnel limit. */
    public LacPeer(String name, InetAddress network, int prefix, String secret, String hostName, int maxSessions) {
        this(name, network, prefix, secret, hostName, maxSessions, DEFAULT_MAX_TUNNELS);
    }

    public LacPeer {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(network, "network");
        int bits = network.getAddress().length * 8;
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("lac peer " + name + ": prefix /" + prefix + " (expected: 0.." + bits + ")");
        }
        if (maxSessions < 0) {
            throw new IllegalArgumentException("lac peer " + name + ": max sessions " + maxSessions);
        }
        if (maxTunnels < 0) {
            throw new IllegalArgumentException("lac peer " + name + ": max tunnels " + maxTunnels);
        }
        if (secret != null && secret.isEmpty()) {
            secret = null;
        }
    }

    /** Whether {@code a} is within this peer's address or prefix (same address family only). */
    public boolean matches(InetAddress a) {
        byte[] n = network.getAddress();
        byte[] x = a.getAddress();
        if (n.length != x.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (n[i] != x[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest) & 0xff;
        return (n[full] & mask) == (x[full] & mask);
    }

    /** The first peer of {@code peers} whose prefix holds {@code a}, or null. */
    public static LacPeer find(java.util.List<LacPeer> peers, InetAddress a) {
        for (LacPeer p : peers) {
            if (p.matches(a)) {
                return p;
            }
        }
        return null;
    }

    /** Secrets stay out of logs. */
    @Override
    public String toString() {
        return "LacPeer[" + name + " " + network.getHostAddress() + "/" + prefix + (secret != null ? " secret" : "")
                + (hostName != null ? " host-name " + hostName : "") + (maxSessions > 0 ? " max " + maxSessions : "") + " max-tunnels " + maxTunnels + "]";
    }
}
