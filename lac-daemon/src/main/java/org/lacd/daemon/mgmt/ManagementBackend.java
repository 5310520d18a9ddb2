package org.lacd.daemon.mgmt;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.lacd.daemon.mgmt.Views.LnsView;
import org.lacd.daemon.mgmt.Views.Result;
import org.lacd.daemon.mgmt.Views.SessionDetail;
import org.lacd.daemon.mgmt.Views.SessionFilter;
import org.lacd.daemon.mgmt.Views.SessionView;
import org.lacd.daemon.mgmt.Views.TunnelView;

/** What the management API can see and do; implemented by the running daemon. */
public interface ManagementBackend {
    List<SessionView> sessions(SessionFilter filter);

    Optional<SessionDetail> session(long id);

    List<TunnelView> tunnels();

    List<LnsView> lns();

    /** Ends matching sessions (CDN, PADT, accounting Stop). Exactly one selector is set. */
    Result kick(Long sessionId, String user, String mac);

    Result drain(String lns, boolean drain);

    /** The downstream LAC peers (tunnel switching). */
    default List<Views.LacPeerView> lacPeers() {
        return List.of();
    }

    /** Refuses (or accepts again) new calls from a downstream LAC peer; its calls up stay. */
    default Result drainLacPeer(String peer, boolean drain) {
        return new Result(false, "no LAC peer named " + peer, 0);
    }

    /** Clears a tunnel (StopCCN) by the LNS name or the local tunnel id. */
    Result clearTunnel(String lnsOrTunnelId);

    Map<String, Object> stats();

    Result reload();

    /** Starts a pcap trace of one subscriber (user name or MAC) to a file, bounded in time and size. */
    Result trace(String userOrMac, String file, int seconds, long maxBytes);
}
