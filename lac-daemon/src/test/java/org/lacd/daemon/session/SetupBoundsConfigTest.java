package org.lacd.daemon.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lacd.daemon.config.ConfigLoader;
import org.lacd.daemon.config.LacdConfig;
import org.lacd.daemon.metrics.EngineStats;
import org.lacd.daemon.metrics.LacdMetrics;
import org.lacd.pppoe.CloseReason;
import org.lacd.pppoe.PppoeSettings;
import org.lacd.pppoe.PppoeStats;
import org.lacd.pppoe.TimeoutKind;

/**
 * Issue 14 defect 3, daemon side: pppoe.discovery-timeout and ppp.auth-timeout reach the PPPoE server's settings
 * (how the server applies them: SetupBoundsTest in the pppoe module), and every early end is exported by reason.
 */
class SetupBoundsConfigTest {
    static final Path SAMPLE = Path.of("../packaging/lacd.yaml");

    @TempDir
    Path dir;

    private LacdConfig sampleWith(String from, String to) throws Exception {
        String s = Files.readString(SAMPLE);
        assertTrue(s.contains(from), "sample contains " + from);
        Path f = dir.resolve("lacd.yaml");
        Files.writeString(f, s.replace(from, to));
        return ConfigLoader.load(f);
    }

    @Test
    void discoveryAndAuthTimeoutsFromTheConfigReachThePppoeSettings() throws Exception {
        PppoeSettings defaults = LacService.pppoeSettings(ConfigLoader.load(SAMPLE));
        assertEquals(Duration.ofSeconds(10), defaults.discoveryTimeout(), "documented default");
        assertEquals(Duration.ofSeconds(30), defaults.authTimeout(), "documented default");

        LacdConfig c = sampleWith("  discovery-timeout: 10s ", "  discovery-timeout: 7s ");
        assertEquals(Duration.ofSeconds(7), LacService.pppoeSettings(c).discoveryTimeout());
        c = sampleWith("  auth-timeout: 30s ", "  auth-timeout: 25s ");
        assertEquals(Duration.ofSeconds(25), LacService.pppoeSettings(c).authTimeout());
    }

    @Test
    void earlyEndsAreExportedByKindAndByCloseReason() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PppoeStats stats = EngineStats.pppoe(new LacdMetrics(registry));
        stats.sessionOpened();
        stats.timeout(TimeoutKind.DISCOVERY);
        stats.sessionClosed(CloseReason.DISCOVERY_TIMEOUT);
        stats.sessionOpened();
        stats.timeout(TimeoutKind.LCP_DEADLINE);
        stats.sessionClosed(CloseReason.AUTH_TIMEOUT);
        stats.sessionOpened();
        stats.sessionClosed(CloseReason.LCP_NOT_CONVERGING);

        assertEquals(1, registry.get("lacd.session.setup.timeouts").tag("kind", "discovery").counter().count());
        assertEquals(1, registry.get("lacd.session.setup.timeouts").tag("kind", "lcp_deadline").counter().count());
        assertEquals(1, registry.get("lacd.pppoe.session.closes").tag("reason", "discovery_timeout").counter().count());
        assertEquals(1, registry.get("lacd.pppoe.session.closes").tag("reason", "auth_timeout").counter().count());
        assertEquals(1, registry.get("lacd.pppoe.session.closes").tag("reason", "lcp_not_converging").counter().count());
    }
}
