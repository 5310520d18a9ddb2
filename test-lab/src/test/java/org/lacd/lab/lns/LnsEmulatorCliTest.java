package org.lacd.lab.lns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lacd.l2tp.CallDownCause;
import org.lacd.l2tp.L2tpEngine;
import org.lacd.l2tp.L2tpSettings;
import org.lacd.l2tp.TunnelProfile;
import org.lacd.l2tp.wire.StopCcnResult;

/** The emulator as a program: options, bounded run, StopCCN at the end, JSON report; SIGTERM in a child JVM. */
class LnsEmulatorCliTest {
    @TempDir
    Path dir;

    static int freeUdpPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        }
    }

    static L2tpEngine engine() throws Exception {
        L2tpEngine e = new L2tpEngine(L2tpSettings.defaults().withSourcePort(0).withBindAddress(InetAddress.getLoopbackAddress())
                .withRetransmit(Duration.ofMillis(200), Duration.ofMillis(400), 3), null);
        e.start();
        return e;
    }

    @Test
    void badOptionsExitTwo() {
        assertEquals(2, LnsEmulatorCli.run("--mode", "bogus", "--duration", "1s"));
        assertEquals(2, LnsEmulatorCli.run("--listen", "nocolon", "--duration", "1s"));
        assertEquals(2, LnsEmulatorCli.run("--pool", "10.0.0.0/40", "--duration", "1s"));
        assertEquals(Duration.ofMillis(250), LnsEmulatorCli.parseDuration("250ms"));
        assertEquals(Duration.ofMinutes(10), LnsEmulatorCli.parseDuration("PT10M"));
    }

    @Test
    void runsForItsDurationThenStopCcnAndJson() throws Exception {
        int port = freeUdpPort();
        Path json = dir.resolve("lns.json");
        int ctlPort;
        try (java.net.ServerSocket ss = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ctlPort = ss.getLocalPort();
        }
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> LnsEmulatorCli.run("--listen", "127.0.0.1:" + port,
                "--secret", "lab", "--password-pattern", "pass{n}", "--mode", "challenge-again", "--pool", "100.65.0.0/24",
                "--duration", "8s", "--json", json.toString(), "--control", "127.0.0.1:" + ctlPort));
        L2tpEngine engine = engine();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        try {
            TestSubscriber s = TestSubscriber.chap("user3@reseller-b.example", "pass3");
            // The emulator binds its L2TP socket before its control port: once the control port answers, it listens.
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!answers(http, ctlPort)) {
                assertTrue(System.nanoTime() < deadline, "the emulator's control port never answered");
                Thread.sleep(50);
            }
            s.call = engine.placeCall(TunnelProfile.of("cli", new InetSocketAddress(InetAddress.getLoopbackAddress(), port), "lac", "lab"),
                    s.params(), s);
            assertTrue(s.ipcpUp.await(20, TimeUnit.SECONDS), "up through the CLI-started emulator");
            assertEquals((100 << 24) | (65 << 16) | 2, s.address);
            // the control port: the live report carries the proxy values
            String live = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + ctlPort + "/report")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            Report lr = Report.fromJson(live);
            assertEquals(1, lr.sessions().up());
            assertEquals(java.util.HexFormat.of().formatHex(s.lastSent), lr.calls().get(0).proxy().lastSentLcpConfReq());
            assertEquals(405, http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + ctlPort + "/calls/clear"))
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode(), "GET does not clear");
            assertEquals(0, exit.get(20, TimeUnit.SECONDS));
            assertTrue(s.await(s.down), "StopCCN at the end of the run");
            assertEquals(CallDownCause.Kind.TUNNEL_FAILED, s.cause.kind());
            assertEquals(StopCcnResult.SHUTTING_DOWN.code(), s.cause.resultCode());
        } finally {
            engine.shutdown(Duration.ofSeconds(1));
        }
        Report r = Report.fromJson(Files.readString(json));
        assertEquals("challenge-again", r.mode());
        assertEquals(1, r.sessions().total());
        assertEquals(1, r.sessions().everUp());
        assertEquals(1L, r.sessions().byResult().get(CallResult.CLEARED_BY_LNS));
        assertEquals("user3@reseller-b.example", r.calls().get(0).proxy().authenName());
        assertEquals("100.65.0.2", r.calls().get(0).address());
    }

    static boolean answers(java.net.http.HttpClient http, int port) throws InterruptedException {
        try {
            return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/report")).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void sigtermClosesTunnelsAndWritesTheReport() throws Exception {
        int port = freeUdpPort();
        Path json = dir.resolve("term.json");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), LnsEmulator.class.getName(),
                "--listen", "127.0.0.1:" + port, "--duration", "60s", "--json", json.toString()))
                .redirectErrorStream(true).start();
        L2tpEngine engine = null;
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<String> listening = CompletableFuture.supplyAsync(() -> {
                try {
                    String line;
                    while ((line = out.readLine()) != null) {
                        if (line.startsWith("lns-emulator listening")) {
                            return line;
                        }
                    }
                    return null;
                } catch (Exception e) {
                    return null;
                }
            });
            assertTrue(listening.get(20, TimeUnit.SECONDS) != null, "child started");
            engine = engine();
            TestSubscriber s = TestSubscriber.pap("user4@isp", "pass4");
            s.call = engine.placeCall(TunnelProfile.of("t", new InetSocketAddress(InetAddress.getLoopbackAddress(), port), "lac", null),
                    s.params(), s);
            // tunnel, call, PAP and IPCP with a child JVM that has just started: seconds on a loaded 2-core machine
            assertTrue(s.ipcpUp.await(20, TimeUnit.SECONDS), "IPCP up through the child LNS");
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "exits in bounded time");
            assertTrue(s.await(s.down), "StopCCN before exit");
            assertEquals(StopCcnResult.SHUTTING_DOWN.code(), s.cause.resultCode());
            Report r = Report.fromJson(Files.readString(json));
            assertEquals(1, r.sessions().everUp());
            assertEquals("user4@isp", r.calls().get(0).user());
        } finally {
            p.destroyForcibly();
            if (engine != null) {
                engine.shutdown(Duration.ofSeconds(1));
            }
        }
    }
}
