package org.lacd.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped jar as an operator runs it: exit codes, /metrics, SIGHUP with a bad file, SIGTERM in bounded time. */
class DaemonProcessTest {
    @TempDir
    Path dir;

    static String config(int port) {
        return """
            interfaces: [{name: lo}]
            radius: {enabled: false}
            l2tp:
              source-port: 0
              lns: [{name: a, address: 127.0.0.1}]
            steering:
              rules: [{realm: a.example, lns: [{name: a}]}]
            metrics: {listen: "127.0.0.1:%d"}
            management: {enabled: false}
            """.formatted(port);
    }

    static String metrics(int port) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (Exception e) {
            return null;
        }
    }

    @Test
    void checkConfigExitCodes() throws Exception {
        try (LacdProcess ok = LacdProcess.start("check-config", "../packaging/lacd.yaml")) {
            assertEquals(0, ok.process().waitFor());
        }
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, Files.readString(Path.of("../packaging/lacd.yaml")).replace("  tunnel-linger:", "  tunnel-lingr:"));
        try (LacdProcess p = LacdProcess.start("check-config", bad.toString())) {
            assertEquals(2, p.process().waitFor());
            LacdProcess.await(Duration.ofSeconds(2), () -> !p.log().isEmpty());
            assertTrue(p.logContains("l2tp.tunnel-lingr: unknown key (did you mean 'tunnel-linger'?)"), String.join("\n", p.log()));
            assertTrue(p.log().stream().noneMatch(l -> l.contains("\tat ")), "no stack trace");
        }
    }

    @Test
    void runsAnswersMetricsKeepsConfigOnBadReloadAndStopsOnSigterm() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path f = dir.resolve("lacd.yaml");
        Files.writeString(f, config(port));
        try (LacdProcess lacd = LacdProcess.start("run", "--config", f.toString())) {
            assertTrue(LacdProcess.await(Duration.ofSeconds(30), () -> metrics(port) != null), String.join("\n", lacd.log()));
            assertTrue(metrics(port).contains("lacd_sessions{state=\"forwarding\"}"));
            // /metrics answers before the last component is up: reload a daemon that says it is up, as an operator would
            assertTrue(LacdProcess.await(Duration.ofSeconds(30), () -> lacd.logContains("lacd up")), String.join("\n", lacd.log()));

            Files.writeString(f, config(port).replace("metrics:", "metrix:"));
            lacd.signal("HUP");
            assertTrue(LacdProcess.await(Duration.ofSeconds(10), () -> lacd.logContains("reload refused, keeping the running config")),
                    "alive: " + lacd.process().isAlive() + "\n" + String.join("\n", lacd.log()));
            assertTrue(lacd.process().isAlive());
            assertTrue(metrics(port).contains("lacd_config_reloads_total{result=\"failure\"} 1.0"));

            long t0 = System.nanoTime();
            lacd.signal("TERM"); // not Process.destroy(): that also closes our end of its stderr
            assertTrue(lacd.process().waitFor(25, TimeUnit.SECONDS), "stopped within the bound");
            assertEquals(0, lacd.process().exitValue());
            assertTrue(Duration.ofNanos(System.nanoTime() - t0).toSeconds() < 25);
            LacdProcess.await(Duration.ofSeconds(2), () -> lacd.logContains("lacd stopped"));
            assertTrue(lacd.logContains("stopped metrics endpoint"), String.join("\n", lacd.log()));
        }
    }
}
