package org.lacd.daemon.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.lacd.daemon.metrics.LacdMetrics.Direction;
import org.lacd.daemon.metrics.LacdMetrics.Protocol;
import org.lacd.daemon.metrics.LacdMetrics.Traffic;
import org.lacd.daemon.metrics.LacdMetrics.TunnelState;
import org.lacd.daemon.session.SessionState;
import org.lacd.l2tp.CallState;
import org.lacd.l2tp.L2tpStats;
import org.lacd.wire.MalformedPacketException;
import org.lacd.pppoe.CloseReason;
import org.lacd.pppoe.DropReason;
import org.lacd.pppoe.PppoeStats;
import org.lacd.pppoe.TimeoutKind;
import org.lacd.pppoe.wire.PppoeCode;
import org.lacd.radius.RadiusStats;

/**
 * The engines' stats interfaces, counted into {@link LacdMetrics}. The engines know nothing of Micrometer; this
 * is the one place their events become meters. Per-packet methods touch only cached counters.
 */
public final class EngineStats {
    private EngineStats() {}

    /** A malformed packet, whatever the protocol's own reason: {@code lacd_drops_total{reason="malformed"}}. */
    enum Common { MALFORMED }

    /** PPPoE events: drops by reason, traffic per interface, and the pre-authentication session gauge. */
    public static PppoeStats pppoe(LacdMetrics m) {
        return new PppoeStats() {
            private final Map<String, Traffic> in = new ConcurrentHashMap<>();
            private final Map<String, Traffic> out = new ConcurrentHashMap<>();

            /** Per packet: a plain lock-free get; computeIfAbsent (which may lock the bin) only the first time. */
            private Traffic traffic(Map<String, Traffic> cache, String iface, Direction d) {
                Traffic t = cache.get(iface);
                return t != null ? t : cache.computeIfAbsent(iface, i -> m.traffic(Protocol.PPPOE, d, i));
            }

            @Override
            public void drop(DropReason reason) {
                m.drop(Protocol.PPPOE, reason);
            }

            @Override
            public void discoveryReceived(PppoeCode code) {
                // discovery is counted as rx packets on the interface by the port; nothing per code here
            }

            @Override
            public void discoverySent(PppoeCode code) {
                // see discoveryReceived
            }

            @Override
            public void sessionOpened() {
                m.sessionTransition(null, SessionState.PPPOE);
            }

            @Override
            public void sessionClosed(CloseReason reason) {
                // every close ends a "pppoe" session here; the SessionManager gives back the ones it had taken over
                m.sessionTransition(SessionState.PPPOE, null);
                m.pppoeSessionClosed(reason);
            }

            @Override
            public void timeout(TimeoutKind kind) {
                m.setupTimeout(kind);
            }

            @Override
            public void padoDelayed() {
                m.padoDelayed();
            }

            @Override
            public void dataIn(String iface, int bytes) {
                traffic(in, iface, Direction.RX).count(bytes);
            }

            @Override
            public void dataOut(String iface, int bytes) {
                traffic(out, iface, Direction.TX).count(bytes);
            }

            @Override
            public void dataIn(String iface, int worker, int bytes) {
                traffic(in, iface, Direction.RX).count(worker, bytes);
            }

            @Override
            public void dataOut(String iface, int worker, int bytes) {
                traffic(out, iface, Direction.TX).count(worker, bytes);
            }
        };
    }

    /** L2TP events: tunnel gauge by state, retransmissions, HELLO timeouts, drops, data traffic. */
    public static L2tpStats l2tp(LacdMetrics m) {
        return l2tp(m, 0);
    }

    /** {@link #l2tp(LacdMetrics)} with data counted on worker socket {@code worker}. */
    private static L2tpStats l2tp(LacdMetrics m, int worker) {
        Traffic in = m.traffic(Protocol.L2TP, Direction.RX, "udp");
        Traffic out = m.traffic(Protocol.L2TP, Direction.TX, "udp");
        return new L2tpStats() {
            @Override
            public L2tpStats forWorker(int w) {
                return w == worker ? this : l2tp(m, w);
            }

            @Override
            public void malformed(MalformedPacketException.Reason reason) {
                m.drop(Protocol.L2TP, Common.MALFORMED);
            }

            @Override
            public void controlRetransmit() {
                m.controlRetransmit();
            }

            @Override
            public void helloTimeout() {
                m.helloTimeout();
            }

            @Override
            public void tunnelState(org.lacd.l2tp.TunnelState from, org.lacd.l2tp.TunnelState to) {
                m.tunnelTransition(map(from), map(to));
            }

            @Override
            public void callState(CallState from, CallState to) {
                // call states are reflected in the subscriber session states
            }

            @Override
            public void dataIn(int bytes) {
                in.count(worker, bytes);
            }

            @Override
            public void dataOut(int bytes) {
                out.count(worker, bytes);
            }

            @Override
            public void drop(L2tpStats.DropReason reason) {
                m.drop(Protocol.L2TP, reason);
            }

            @Override
            public void refused(L2tpStats.Refusal reason) {
                m.lacPeerRefused(reason);
            }

            @Override
            public void refused(L2tpStats.Refusal reason, org.lacd.l2tp.LacPeer peer) {
                m.lacPeerRefused(reason, peer.name());
            }
        };
    }

    /** RADIUS events: requests by server/type/result, latency, timeouts, dropped answers, server state, spool, DAE. */
    public static RadiusStats radius(LacdMetrics m) {
        return new RadiusStats() {
            @Override
            public void completed(String server, RequestType type, Result result, double seconds) {
                m.radiusRequest(server, LacdMetrics.label(type), LacdMetrics.label(result));
                if (result == Result.TIMEOUT) {
                    m.radiusTimeout(server);
                } else {
                    m.radiusLatency(server, java.time.Duration.ofNanos((long) (seconds * 1e9)));
                }
            }

            @Override
            public void answerDropped(String server, DropReason reason) {
                m.drop(Protocol.RADIUS, reason);
            }

            @Override
            public void serverDown(String server) {
                m.radiusServerUp(server, false);
            }

            @Override
            public void serverUp(String server) {
                m.radiusServerUp(server, true);
            }

            @Override
            public void spoolDepth(long records) {
                m.spoolRecords(records);
            }

            @Override
            public void spoolOverflow() {
                m.drop(Protocol.RADIUS, SpoolFull.SPOOL_FULL);
            }

            @Override
            public void dae(DaeResult result) {
                m.dae(result);
            }
        };
    }

    /** An accounting record that found the spool full: {@code lacd_drops_total{protocol="radius",reason="spool_full"}}. */
    enum SpoolFull { SPOOL_FULL }

    static TunnelState map(org.lacd.l2tp.TunnelState s) {
        if (s == null) {
            return null;
        }
        return switch (s) {
            case IDLE -> TunnelState.IDLE;
            case WAIT_CTL_REPLY -> TunnelState.WAIT_CTL_REPLY;
            case WAIT_CTL_CONN -> TunnelState.WAIT_CTL_CONN;
            case ESTABLISHED -> TunnelState.ESTABLISHED;
            case CLOSING -> TunnelState.CLOSING;
            case CLOSED -> null;
        };
    }
}
