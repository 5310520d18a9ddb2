package org.lacd.l2tp;

import java.net.InetSocketAddress;

/**
 * Immutable view of a tunnel for management.
 *
 * @param unacknowledged control messages sent and not yet acknowledged by the peer
 */
public record TunnelSnapshot(String profile, InetSocketAddress peer, String peerHostName, int localTunnelId, int remoteTunnelId,
                             TunnelState state, int sessions, long retransmits, int unacknowledged, long stateSinceNanos) {}
