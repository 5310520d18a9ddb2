package org.lacd.l2tp;

import java.net.InetSocketAddress;

/**
 * Immutable view of a tunnel for management.
 *
 * @param unacknowledged control messages sent and not yet acknowledged by the peer
 * @param lacPeer       the downstream LAC peer of a tunnel it opened toward lacd (tunnel switching); null for a tunnel to an LNS
 */
public record TunnelSnapshot(String profile, InetSocketAddress peer, String peerHostName, int localTunnelId, int remoteTunnelId,
                             TunnelState state, int sessions, long retransmits, int unacknowledged, long stateSinceNanos,
                             String lacPeer) {}
