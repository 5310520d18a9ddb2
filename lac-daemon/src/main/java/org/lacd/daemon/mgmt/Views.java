package org.lacd.daemon.mgmt;

import java.util.List;
import java.util.Map;

/** What the management API shows: plain records, serialised as JSON. No secrets in any of them. */
public final class Views {
    private Views() {}

    public record SessionView(long id, String state, String user, String mac, String iface, int outerVlan, int innerVlan,
                              int pppoeSessionId, String lns, int tunnelId, int callId, String since,
                              long bytesUp, long bytesDown, long packetsUp, long packetsDown) {}

    public record StateChange(String state, String at) {}

    public record SessionDetail(SessionView session, String serviceName, String acctSessionId, String authType,
                                Map<String, String> lineInfo, Map<String, String> proxy, List<String> lnsTried,
                                List<StateChange> timeline) {}

    public record TunnelView(String lns, String peer, int localId, int remoteId, String state, int sessions,
                             long retransmits, long stateSeconds) {}

    /** @param ipsec {@code off}, or for an LNS that requires IPsec {@code up} / {@code down} (its SA per charon) */
    /**
     * A downstream LAC peer (tunnel switching, {@code l2tp.lac-peers}): its tunnels toward lacd that are up, its calls now
     * (being set up or forwarding), its limits (0: none), whether it is drained (config or operator) and how many of its
     * tunnels and calls were refused since start.
     */
    public record LacPeerView(String name, String address, int tunnelsUp, int maxTunnels, int sessions, int maxSessions,
                              boolean drain, long refusals) {}

    public record LnsView(String name, String address, String state, long lockoutRemainingSeconds, int sessions,
                          int maxSessions, boolean drain, String ipsec) {
        public LnsView(String name, String address, String state, long lockoutRemainingSeconds, int sessions,
                       int maxSessions, boolean drain) {
            this(name, address, state, lockoutRemainingSeconds, sessions, maxSessions, drain, "off");
        }
    }

    /** Filters of {@code lacd sessions}; null fields match everything. */
    public record SessionFilter(String user, String mac, String iface, Integer vlan, String lns, String state) {}

    public record Result(boolean ok, String message, int affected) {}
}
