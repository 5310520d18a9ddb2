package org.lacd.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** packaging/grafana/lacd-dashboard.json and packaging/prometheus/lacd-alerts.yml. */
class MonitoringTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static JsonNode dashboard() throws IOException {
        return JSON.readTree(Build.basedir().resolve("grafana/lacd-dashboard.json").toFile());
    }

    static JsonNode alerts() throws IOException {
        return YAML.readTree(Build.basedir().resolve("prometheus/lacd-alerts.yml").toFile());
    }

    // ------------------------------------------------------------------ the checker itself

    @Test
    void checkerAcceptsGoodExpressions() {
        for (String ok : List.of(
                "sum by (state) (lacd_sessions{instance=~\"$instance\"})",
                "histogram_quantile(0.99, sum by (server, le) (rate(lacd_radius_request_seconds_bucket[$__rate_interval])))",
                "up{job=\"lacd\"} == 0",
                "lacd_sessions{state=~\"pppoe|auth\"} > 3 and deriv(lacd_accounting_spool_records[15m]) > 0",
                "label_values(lacd_lns_up{instance=~\"$instance\"}, lns)")) {
            assertEquals(List.of(), PromQlCheck.check(ok), ok);
        }
    }

    @Test
    void checkerRejectsWhatLacdDoesNotExpose() {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("sum(lacd_sesions)", "unknown series lacd_sesions");
        bad.put("rate(lacd_session_setups[5m])", "unknown series lacd_session_setups");
        bad.put("rate(lacd_session_setup_seconds[5m])", "unknown series lacd_session_setup_seconds");
        bad.put("lacd_sessions{lns=\"a\"}", "lacd_sessions has no label lns");
        bad.put("lacd_tunnels{state=\"forwarding\"}", "lacd_tunnels{state}: unknown value forwarding");
        bad.put("lacd_radius_requests_total{result=~\"accept|timout\"}", "unknown value timout");
        bad.put("sum by (user) (lacd_sessions)", "by (user)");
        bad.put("summ(lacd_sessions)", "unknown function summ");
        bad.put("label_values(lacd_lns_up, server)", "server is not a label of lacd_lns_up");
        for (var e : bad.entrySet()) {
            List<String> problems = PromQlCheck.check(e.getKey());
            assertTrue(problems.stream().anyMatch(p -> p.contains(e.getValue())), e.getKey() + " -> " + problems);
        }
    }

    // ------------------------------------------------------------------ dashboard

    @Test
    void dashboardIsAnImportableGrafanaDashboard() throws IOException {
        JsonNode d = dashboard();
        assertTrue(d.path("schemaVersion").asInt() >= 36 && d.path("schemaVersion").asInt() <= 41, "schemaVersion");
        JsonNode input = d.path("__inputs").get(0);
        assertEquals("DS_PROMETHEUS", input.path("name").asText());
        assertEquals("datasource", input.path("type").asText());
        assertEquals("prometheus", input.path("pluginId").asText());
        assertFalse(d.path("uid").asText().isEmpty());
        assertTrue(d.path("id").isNull(), "exported for sharing: id null");

        Set<Integer> ids = new HashSet<>();
        for (JsonNode p : d.path("panels")) {
            assertTrue(ids.add(p.path("id").asInt()), "unique panel id " + p.path("id"));
            JsonNode pos = p.path("gridPos");
            assertTrue(pos.path("x").asInt() + pos.path("w").asInt() <= 24, p.path("title") + " fits the 24-column grid");
            if ("row".equals(p.path("type").asText())) {
                continue;
            }
            assertEquals("${DS_PROMETHEUS}", p.path("datasource").path("uid").asText(), p.path("title").asText());
            assertTrue(p.path("targets").size() > 0, p.path("title") + " has queries");
            for (JsonNode t : p.path("targets")) {
                assertEquals("${DS_PROMETHEUS}", t.path("datasource").path("uid").asText());
            }
        }
        assertNoOverlap(d.path("panels"));
    }

    static void assertNoOverlap(JsonNode panels) {
        List<int[]> boxes = new ArrayList<>();
        for (JsonNode p : panels) {
            JsonNode g = p.path("gridPos");
            int[] b = {g.path("x").asInt(), g.path("y").asInt(), g.path("w").asInt(), g.path("h").asInt()};
            for (int[] o : boxes) {
                boolean overlap = b[0] < o[0] + o[2] && o[0] < b[0] + b[2] && b[1] < o[1] + o[3] && o[1] < b[1] + b[3];
                assertFalse(overlap, p.path("title") + " overlaps another panel");
            }
            boxes.add(b);
        }
    }

    /** The panels issue 7 asks for, found by the series their queries use. */
    @Test
    void dashboardHasThePanelsAnOperatorWatches() throws IOException {
        Map<String, String> exprByTitle = new LinkedHashMap<>();
        for (JsonNode p : dashboard().path("panels")) {
            StringBuilder all = new StringBuilder();
            p.path("targets").forEach(t -> all.append(t.path("expr").asText()).append('\n'));
            exprByTitle.put(p.path("title").asText(), all.toString());
        }
        String[][] wanted = {
            {"sessions by state", "sum by (state) (lacd_sessions"},
            {"sessions per LNS", "sum by (lns) (lacd_sessions_by_lns"},
            {"setup rate", "sum by (result) (rate(lacd_session_setups_total"},
            {"failures by reason", "sum by (reason) (rate(lacd_session_failures_total"},
            {"setup latency p50", "histogram_quantile(0.5, sum by (le) (rate(lacd_session_setup_seconds_bucket"},
            {"setup latency p99", "histogram_quantile(0.99, sum by (le) (rate(lacd_session_setup_seconds_bucket"},
            {"RADIUS requests per server", "sum by (server, type, result) (rate(lacd_radius_requests_total"},
            {"RADIUS timeouts per server", "sum by (server) (rate(lacd_radius_timeouts_total"},
            {"RADIUS latency per server", "sum by (server, le) (rate(lacd_radius_request_seconds_bucket"},
            {"accounting spool depth", "lacd_accounting_spool_records"},
            {"tunnels by state", "sum by (state) (lacd_tunnels"},
            {"control retransmissions", "lacd_l2tp_control_retransmits_total"},
            {"HELLO timeouts", "lacd_l2tp_hello_timeouts_total"},
            {"packets by direction and interface", "sum by (protocol, direction, interface) (rate(lacd_packets_total"},
            {"bytes by direction and interface", "sum by (protocol, direction, interface) (rate(lacd_bytes_total"},
            {"drops by reason", "sum by (protocol, reason) (rate(lacd_drops_total"},
            {"packets per worker", "sum by (protocol, direction, interface, worker) (rate(lacd_worker_packets_total"},
            {"capture drops per worker", "sum by (interface, worker) (rate(lacd_worker_capture_drops_total"},
            {"receive ring peak fill per worker", "max by (interface, worker) (lacd_worker_ring_peak_ratio"},
            {"L2TP socket drops per worker", "sum by (worker) (rate(lacd_l2tp_socket_drops_total"},
            {"LNS up", "lacd_lns_up"},
            {"LNS lockouts", "lacd_lns_lockouts_total"},
        };
        for (String[] w : wanted) {
            assertTrue(exprByTitle.values().stream().anyMatch(e -> e.contains(w[1])), w[0] + ": no query contains " + w[1]);
        }
    }

    @Test
    void dashboardQueriesUseOnlyLacdSeriesAndLabels() throws IOException {
        JsonNode d = dashboard();
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (JsonNode p : d.path("panels")) {
            for (JsonNode t : p.path("targets")) {
                String expr = t.path("expr").asText();
                checked++;
                PromQlCheck.check(expr).forEach(x -> problems.add(p.path("title").asText() + ": " + x + " in " + expr));
                // Legends may only name labels the query keeps.
                Matcher legend = Pattern.compile("\\{\\{\\s*(\\w+)\\s*}}").matcher(t.path("legendFormat").asText());
                while (legend.find()) {
                    if (!keptLabels(expr).contains(legend.group(1))) {
                        problems.add(p.path("title").asText() + ": legend {{" + legend.group(1) + "}} not kept by " + expr);
                    }
                }
            }
        }
        for (JsonNode v : d.path("templating").path("list")) {
            checked++;
            PromQlCheck.check(v.path("query").path("query").asText()).forEach(x -> problems.add("variable " + v.path("name") + ": " + x));
        }
        assertTrue(checked >= 25, "queries checked: " + checked);
        assertEquals(List.of(), problems);
    }

    /** Every meter lacd declares shows up somewhere on the dashboard. */
    @Test
    void dashboardShowsEveryLacdMeter() throws IOException {
        String all = dashboard().path("panels").findValuesAsText("expr").toString();
        for (String series : KnownMetrics.SERIES.keySet()) {
            String meter = series.replaceAll("_(bucket|sum|count)$", "");
            assertTrue(all.contains(meter), meter + " is on no panel");
        }
    }

    /** Labels that survive the outermost aggregation: those of its by (...), or all when there is none. */
    static Set<String> keptLabels(String expr) {
        Matcher by = Pattern.compile("^\\s*(?:\\d+\\s*\\*\\s*)?\\w+\\s+by\\s*\\(([^)]*)\\)").matcher(expr);
        if (by.find()) {
            Set<String> out = new HashSet<>();
            for (String l : by.group(1).split(",")) {
                out.add(l.strip());
            }
            return out;
        }
        if (expr.strip().matches("^(sum|count|avg|min|max)\\s*\\(.*")) {
            return Set.of();
        }
        Set<String> all = new HashSet<>(KnownMetrics.TARGET_LABELS);
        KnownMetrics.SERIES.values().forEach(m -> all.addAll(m.keySet()));
        return all;
    }

    // ------------------------------------------------------------------ alert rules

    @Test
    void alertRulesAreWellFormed() throws IOException {
        JsonNode groups = alerts().path("groups");
        assertTrue(groups.isArray() && groups.size() > 0);
        Set<String> names = new HashSet<>();
        for (JsonNode g : groups) {
            assertFalse(g.path("name").asText().isEmpty());
            for (JsonNode r : g.path("rules")) {
                String name = r.path("alert").asText();
                assertTrue(name.matches("Lacd[A-Za-z]+"), "alert name " + name);
                assertTrue(names.add(name), "unique " + name);
                assertFalse(r.path("expr").asText().isBlank(), name);
                assertTrue(Set.of("critical", "warning").contains(r.path("labels").path("severity").asText()), name + " severity");
                assertFalse(r.path("annotations").path("summary").asText().isBlank(), name + " summary");
                assertFalse(r.path("annotations").path("description").asText().isBlank(), name + " description");
                if (r.has("for")) {
                    assertTrue(r.path("for").asText().matches("\\d+[smh]"), name + " for: " + r.path("for"));
                }
                Set<String> allowedKeys = Set.of("alert", "expr", "for", "labels", "annotations", "keep_firing_for");
                r.fieldNames().forEachRemaining(k -> assertTrue(allowedKeys.contains(k), name + ": unknown key " + k));
            }
        }
        for (String needed : List.of("LacdDown", "LacdLnsLockedOut", "LacdAllLnsDown", "LacdRadiusDown",
                "LacdRadiusServerDown", "LacdSetupFailureRatioHigh", "LacdAccountingSpoolGrowing", "LacdSessionsLost")) {
            assertTrue(names.contains(needed), "missing alert " + needed);
        }
    }

    @Test
    void alertExpressionsUseOnlyLacdSeriesAndLabels() throws IOException {
        List<String> problems = new ArrayList<>();
        for (JsonNode g : alerts().path("groups")) {
            for (JsonNode r : g.path("rules")) {
                String expr = r.path("expr").asText();
                PromQlCheck.check(expr).forEach(x -> problems.add(r.path("alert").asText() + ": " + x));
                // Annotations may only use labels the expression keeps.
                Matcher m = Pattern.compile("\\$labels\\.(\\w+)").matcher(r.path("annotations").toString());
                while (m.find()) {
                    if (!alertKeeps(expr).contains(m.group(1))) {
                        problems.add(r.path("alert").asText() + ": annotation uses $labels." + m.group(1) + " which " + expr.strip() + " drops");
                    }
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    /** Labels an alert's result has: the by (...) of every aggregation when there is one, else all of its series'. */
    static Set<String> alertKeeps(String expr) {
        Matcher by = Pattern.compile("\\bby\\s*\\(([^)]*)\\)").matcher(expr);
        Set<String> kept = null;
        while (by.find()) {
            Set<String> these = new HashSet<>();
            for (String l : by.group(1).split(",")) {
                these.add(l.strip());
            }
            if (kept == null) {
                kept = these;
            } else {
                kept.retainAll(these);
            }
        }
        return kept != null ? kept : keptLabels(expr);
    }

    @Test
    void artifactsAreWhereTheBuildPacksThem() {
        assertTrue(Path.of(Build.basedir().toString(), "grafana", "lacd-dashboard.json").toFile().isFile());
        assertTrue(Path.of(Build.basedir().toString(), "prometheus", "lacd-alerts.yml").toFile().isFile());
    }
}
