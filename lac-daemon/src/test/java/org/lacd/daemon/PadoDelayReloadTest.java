package org.lacd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lacd.daemon.config.ConfigLoader;

/**
 * Issue 19: {@code pppoe.pado-delay} reaches the running PPPoE server by a reload (no restart), and shows in
 * /metrics (lacd_pppoe_pado_delay_seconds per interface) and in {@code lacd stats} (the data plane's interfaces).
 */
class PadoDelayReloadTest {
    @TempDir
    Path dir;

    static String config(int metricsPort, String padoDelay) {
        return """
            interfaces: [{name: veth0}]
            pppoe:
              pado-delay: %s
            radius: {enabled: false}
            l2tp:
              source-port: 0
              lns: [{name: a, address: 127.0.0.1}]
            steering:
              rules: [{realm: a.example, lns: [{name: a}]}]
            metrics: {listen: "127.0.0.1:%d"}
            management: {enabled: false}
            """.formatted(padoDelay, metricsPort);
    }

    @SuppressWarnings("unchecked")
    static Object padoDelayMs(Daemon d) {
        List<Map<String, Object>> ifaces = (List<Map<String, Object>>) d.lac().dataPlane().get("interfaces");
        return ifaces.get(0).get("padoDelayMs");
    }

    @Test
    void reloadAppliesThePadoDelayAndMetricsAndStatsShowIt() throws Exception {
        int port = DaemonLifecycleTest.freePort();
        Path f = dir.resolve("lacd.yaml");
        Files.writeString(f, config(port, "0ms"));
        Daemon d = new Daemon(f, ConfigLoader.loadWithTree(f), DaemonLifecycleTest::port);
        d.start();
        try {
            String m = DaemonLifecycleTest.get(port, "/metrics").body();
            assertTrue(m.contains("lacd_pppoe_pado_delay_seconds{interface=\"veth0\"} 0.0"), m);
            assertTrue(m.contains("lacd_pppoe_pados_pending 0.0"), m);
            assertEquals(0L, padoDelayMs(d));

            Files.writeString(f, config(port, "200ms"));
            assertTrue(d.reload());
            m = DaemonLifecycleTest.get(port, "/metrics").body();
            assertTrue(m.contains("lacd_pppoe_pado_delay_seconds{interface=\"veth0\"} 0.2"), m);
            assertEquals(200L, padoDelayMs(d), "lacd stats shows the delay in force");

            Files.writeString(f, config(port, "[{sessions: 0, delay: none}]"));
            assertTrue(d.reload());
            m = DaemonLifecycleTest.get(port, "/metrics").body();
            assertTrue(m.contains("lacd_pppoe_pado_delay_seconds{interface=\"veth0\"} -1.0"), "-1: no PADO\n" + m);
            assertTrue(padoDelayMs(d).toString().startsWith("no PADO"), padoDelayMs(d).toString());
        } finally {
            d.stop();
        }
    }
}
