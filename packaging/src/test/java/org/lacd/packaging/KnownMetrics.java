package org.lacd.packaging;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The series lacd exposes, as scraped by Prometheus, with their labels and, where the label is a
 * closed set, its values. Mirrors the meters LacdMetrics declares (issue 7); a dashboard or alert
 * that names anything else is wrong.
 */
final class KnownMetrics {
    private KnownMetrics() {}

    /** Labels every scraped series carries. */
    static final Set<String> TARGET_LABELS = Set.of("instance", "job");

    /** series name -> label -> allowed values (an empty set: any value). */
    static final Map<String, Map<String, Set<String>>> SERIES = build();

    private static Map<String, Map<String, Set<String>>> build() {
        Set<String> any = Set.of();
        Set<String> sessionStates = Set.of("pppoe", "auth", "deciding", "tunnel_setup", "call_setup", "forwarding", "teardown");
        Set<String> tunnelStates = Set.of("idle", "wait_ctl_reply", "established", "closing");
        Set<String> radiusResults = Set.of("accept", "reject", "challenge", "ok", "timeout", "dropped");
        Set<String> protocols = Set.of("pppoe", "l2tp");
        Set<String> directions = Set.of("rx", "tx");

        Map<String, Map<String, Set<String>>> m = new LinkedHashMap<>();
        m.put("lacd_sessions", Map.of("state", sessionStates));
        m.put("lacd_sessions_by_lns", Map.of("lns", any));
        m.put("lacd_session_setups_total", Map.of("result", Set.of("success", "failure")));
        histogram(m, "lacd_session_setup_seconds", Map.of());
        histogram(m, "lacd_session_setup_phase_seconds", Map.of("phase", Set.of("pppoe", "deciding", "tunnel_setup", "call_setup")));
        m.put("lacd_session_failures_total", Map.of("reason", any));
        m.put("lacd_session_teardowns_total", Map.of("cause", any));
        m.put("lacd_session_events_dropped_total", Map.of("state", sessionStates, "event", any));
        m.put("lacd_tunnels", Map.of("state", tunnelStates));
        m.put("lacd_l2tp_control_retransmits_total", Map.of());
        m.put("lacd_l2tp_hello_timeouts_total", Map.of());
        m.put("lacd_radius_requests_total", Map.of("server", any, "type", Set.of("access", "accounting"), "result", radiusResults));
        m.put("lacd_radius_timeouts_total", Map.of("server", any));
        histogram(m, "lacd_radius_request_seconds", Map.of("server", any));
        m.put("lacd_accounting_spool_records", Map.of());
        m.put("lacd_packets_total", Map.of("protocol", protocols, "direction", directions, "interface", any));
        m.put("lacd_bytes_total", Map.of("protocol", protocols, "direction", directions, "interface", any));
        m.put("lacd_drops_total", Map.of("protocol", protocols, "reason", any));
        m.put("lacd_pppoe_capture_drops_total", Map.of("interface", any));
        m.put("lacd_pppoe_padi_ring_drops_total", Map.of("interface", any));
        m.put("lacd_worker_packets_total", Map.of("protocol", protocols, "direction", directions, "interface", any, "worker", any));
        m.put("lacd_worker_capture_drops_total", Map.of("interface", any, "worker", any));
        m.put("lacd_l2tp_socket_drops_total", Map.of("worker", any));
        m.put("lacd_worker_ring_peak_ratio", Map.of("interface", any, "worker", any));
        m.put("lacd_pppoe_send_drops_total", Map.of("interface", any));
        m.put("lacd_pppoe_pado_delayed_total", Map.of());
        m.put("lacd_pppoe_pado_delay_seconds", Map.of("interface", any));
        m.put("lacd_pppoe_pados_pending", Map.of());
        m.put("lacd_lns_up", Map.of("lns", any));
        m.put("lacd_lns_lockouts_total", Map.of("lns", any));
        m.put("lacd_lns_ipsec_up", Map.of("lns", any));
        m.put("lacd_lns_ipsec_setups_total", Map.of("lns", any));
        m.put("lacd_lns_ipsec_failures_total", Map.of("lns", any, "reason",
                Set.of("control_unreachable", "initiate_failed", "not_covered", "sa_lost")));
        m.put("lacd_config_reloads_total", Map.of("result", any));
        m.put("lacd_sessions_by_lac_peer", Map.of("peer", any));
        m.put("lacd_l2tp_lac_peer_refusals_total", Map.of("reason", Set.of("unknown_peer", "auth_failed", "peer_refused_tunnel",
                "no_secret", "host_name", "bad_sccrq", "tunnel_limit", "session_limit", "draining")));
        m.put("up", Map.of());
        m.put("process_cpu_usage", Map.of());
        m.put("jvm_memory_used_bytes", Map.of("area", Set.of("heap", "nonheap"), "id", any));
        return Map.copyOf(m);
    }

    private static void histogram(Map<String, Map<String, Set<String>>> m, String name, Map<String, Set<String>> labels) {
        Map<String, Set<String>> bucket = new LinkedHashMap<>(labels);
        bucket.put("le", Set.of());
        m.put(name + "_bucket", Map.copyOf(bucket));
        m.put(name + "_sum", labels);
        m.put(name + "_count", labels);
    }
}
