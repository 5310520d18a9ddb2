package org.lacd.daemon.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.testsupport.RealPeer;
import org.lacd.testsupport.Peers;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * lacd's exposition, JVM meters included, passes Prometheus's own linter ({@code promtool check metrics}). The lab
 * runs the same check on a live scrape of the lacd process (test-lab PrometheusLabTest); this one needs no lab.
 */
class LacdMetricsLintTest {

    static String scrape() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        LacdMetrics m = new LacdMetrics(registry).withJvmMeters();
        m.configReload(true);
        return registry.scrape();
    }

    @Test
    void jvmMetersThatPromtoolRejectsAreLeftOut() {
        String text = scrape();
        assertFalse(text.contains("process_cpu_time_ns_total"), "abbreviated unit in a name");
        assertFalse(text.contains("\nsystem_cpu_count "), "_count suffix on a gauge");
        assertTrue(text.contains("\nprocess_cpu_usage "), "the CPU meter the dashboard uses stays");
        assertTrue(text.contains("\njvm_memory_used_bytes{"), "other JVM meters stay");
    }

    @Test
    @RealPeer
    void promtoolCheckMetricsFindsNothing(@TempDir Path dir) throws Exception {
        boolean have = Files.isExecutable(Path.of("/usr/bin/promtool"));
        Peers.require(have, "promtool not installed (Debian package prometheus; test-lab/install-deps.sh installs it)");
        Path in = dir.resolve("scrape.txt");
        Files.writeString(in, scrape(), StandardCharsets.UTF_8);
        Process p = new ProcessBuilder("/usr/bin/promtool", "check", "metrics").redirectErrorStream(true)
                .redirectInput(in.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool timed out");
        assertEquals(0, p.exitValue(), "promtool check metrics:\n" + out);
    }
}
