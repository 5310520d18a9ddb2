package org.lacd.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.testsupport.RealPeer;
import org.lacd.testsupport.Peers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped alert rules (packaging/prometheus/lacd-alerts.yml) against their promtool unit tests
 * (packaging/prometheus/tests/*.yml), run with Prometheus's own rule engine: `promtool test rules`.
 *
 * <p>Without promtool the tests skip on a developer's machine and fail under CI (CI set), where
 * test-lab/install-deps.sh installs Debian's prometheus package, which brings it.
 */
@RealPeer
class AlertRulesPromtoolTest {
    static final Path RULES = Build.basedir().resolve("prometheus/lacd-alerts.yml");
    static final Path TESTS = Build.basedir().resolve("prometheus/tests");

    @BeforeEach
    void needPromtool() {
        requirePromtool();
    }

    /** Skips on a developer's machine without promtool; fails under CI, where it must be installed. */
    static void requirePromtool() {
        Peers.require(Proc.onPath("promtool"), "promtool not installed (apt-get install prometheus, or bash test-lab/install-deps.sh)");
    }

    static List<Path> testFiles() throws IOException {
        try (Stream<Path> s = Files.list(TESTS)) {
            List<Path> files = s.filter(p -> p.getFileName().toString().endsWith(".yml")).sorted().toList();
            assertTrue(!files.isEmpty(), "no promtool test files in " + TESTS);
            return files;
        }
    }

    static Proc promtoolTest(Path dir, List<Path> files) {
        List<String> cmd = new ArrayList<>(List.of("promtool", "test", "rules"));
        files.forEach(f -> cmd.add(f.getFileName().toString()));
        return Proc.run(cmd, Map.of(), dir);
    }

    static Set<String> alertNames(JsonNode rules) {
        Set<String> names = new TreeSet<>();
        for (JsonNode g : rules.path("groups")) {
            for (JsonNode r : g.path("rules")) {
                if (r.has("alert")) {
                    names.add(r.path("alert").asText());
                }
            }
        }
        return names;
    }

    @Test
    void shippedRulesPassTheirUnitTests() throws IOException {
        Proc p = promtoolTest(TESTS, testFiles());
        assertEquals(0, p.exitCode(), "promtool test rules failed:\n" + p.stdout() + p.stderr());
        assertTrue(p.stdout().contains("SUCCESS"), p.stdout());
    }

    /** Every alert has an eval where it must fire (exp_alerts not empty) and one where it must not (exp_alerts: []). */
    @Test
    void everyAlertHasAFiringAndAQuietCase() throws IOException {
        Map<String, int[]> cases = new TreeMap<>(); // alert -> {firing evals, quiet evals}
        for (Path f : testFiles()) {
            JsonNode doc = MonitoringTest.YAML.readTree(f.toFile());
            List<String> ruleFiles = new ArrayList<>();
            doc.path("rule_files").forEach(r -> ruleFiles.add(r.asText()));
            assertEquals(List.of("../lacd-alerts.yml"), ruleFiles, f + " must test the shipped rules");
            for (JsonNode t : doc.path("tests")) {
                for (JsonNode e : t.path("alert_rule_test")) {
                    int[] c = cases.computeIfAbsent(e.path("alertname").asText(), k -> new int[2]);
                    c[e.path("exp_alerts").size() > 0 ? 0 : 1]++;
                }
            }
        }
        Set<String> alerts = alertNames(MonitoringTest.alerts());
        assertTrue(alerts.size() >= 13, "alerts: " + alerts);
        List<String> missing = new ArrayList<>();
        for (String a : alerts) {
            int[] c = cases.getOrDefault(a, new int[2]);
            if (c[0] == 0) {
                missing.add(a + ": no case where it must fire");
            }
            if (c[1] == 0) {
                missing.add(a + ": no case where it must stay quiet");
            }
        }
        Set<String> unknown = new TreeSet<>(cases.keySet());
        unknown.removeAll(alerts);
        assertEquals(List.of(), missing);
        assertEquals(Set.of(), unknown, "tests for alerts the rules do not have");
    }

    /**
     * The unit tests catch a broken alert both ways: with every expression replaced by one that never fires, each
     * alert's firing case fails; with every expression replaced by one that always fires at once, each alert's quiet
     * case fails. Proves the cases above are real evaluations, not tests that pass whatever the rules say.
     */
    @Test
    void unitTestsCatchAnAlertThatNeverFiresOrAlwaysFires(@TempDir Path tmp) throws IOException {
        Set<String> alerts = alertNames(MonitoringTest.alerts());

        Proc never = runAgainstMutant(tmp.resolve("never"), r -> r.put("expr", "vector(1) > 1"));
        assertNotEquals(0, never.exitCode(), "promtool passed rules that never fire");
        assertEquals(alerts, failed(never.stdout() + never.stderr(), false), "alerts whose firing case caught 'never fires'");

        Proc always = runAgainstMutant(tmp.resolve("always"), r -> {
            r.put("expr", "vector(1)");
            r.remove("for");
        });
        assertNotEquals(0, always.exitCode(), "promtool passed rules that always fire");
        assertEquals(alerts, failed(always.stdout() + always.stderr(), true), "alerts whose quiet case caught 'always fires'");
    }

    private Proc runAgainstMutant(Path dir, Consumer<ObjectNode> mutate) throws IOException {
        JsonNode rules = MonitoringTest.alerts().deepCopy();
        for (JsonNode g : rules.path("groups")) {
            for (JsonNode r : g.path("rules")) {
                mutate.accept((ObjectNode) r);
            }
        }
        Files.createDirectories(dir.resolve("tests"));
        MonitoringTest.YAML.writeValue(dir.resolve("lacd-alerts.yml").toFile(), rules);
        List<Path> copies = new ArrayList<>();
        for (Path f : testFiles()) {
            copies.add(Files.copy(f, dir.resolve("tests").resolve(f.getFileName())));
        }
        copies.sort(Comparator.naturalOrder());
        return promtoolTest(dir.resolve("tests"), copies);
    }

    /** Alert names of promtool's FAILED entries whose expectation was empty (quiet) or not (firing). */
    static Set<String> failed(String promtoolOutput, boolean quietCases) {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("alertname: (\\w+), time: [^,]+,\\s*exp:\\[(\\])?").matcher(promtoolOutput);
        while (m.find()) {
            boolean expectedNothing = m.group(2) != null;
            if (expectedNothing == quietCases) {
                names.add(m.group(1));
            }
        }
        return names;
    }
}
