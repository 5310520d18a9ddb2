package org.lacd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lacd.daemon.config.ConfigLoader;
import org.lacd.pppoe.port.EthernetPort;
import org.lacd.pppoe.port.FrameReceiver;
import org.lacd.pppoe.port.InMemoryPort;
import org.lacd.pppoe.wire.MacAddress;

class DaemonLifecycleTest {
    @TempDir
    Path dir;

    static EthernetPort port(String name) {
        return InMemoryPort.pair(name, MacAddress.parse("02:00:00:00:00:01"), "peer", MacAddress.parse("02:00:00:00:00:02"))[0];
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static String config(int metricsPort, String hello) {
        return """
            interfaces: [{name: veth0}]
            radius: {enabled: false}
            l2tp:
              source-port: 0
              hello-interval: %s
              lns: [{name: a, address: 127.0.0.1}]
            steering:
              rules: [{realm: a.example, lns: [{name: a}]}]
            metrics: {listen: "127.0.0.1:%d"}
            management: {enabled: false}
            """.formatted(hello, metricsPort);
    }

    static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void startsServesMetricsReloadsAndStops() throws Exception {
        int port = freePort();
        Path f = dir.resolve("lacd.yaml");
        Files.writeString(f, config(port, "60s"));
        Daemon d = new Daemon(f, ConfigLoader.loadWithTree(f), DaemonLifecycleTest::port);
        d.start();
        try {
            HttpResponse<String> m = get(port, "/metrics");
            assertEquals(200, m.statusCode());
            assertTrue(m.body().contains("lacd_sessions{state=\"forwarding\"} 0"), m.body());
            assertTrue(m.body().contains("lacd_tunnels{state=\"established\"} 0"));
            assertTrue(m.body().contains("lacd_session_setups_total{result=\"failure\"} 0"));
            assertTrue(m.body().contains("jvm_memory_used_bytes"), "JVM meters are on");
            assertEquals(200, get(port, "/health").statusCode());

            // a bad file is refused and the running config stays
            Files.writeString(f, config(port, "60s").replace("hello-interval", "hello-intervall"));
            assertFalse(d.reload());
            assertEquals(Duration.ofSeconds(60), d.config().l2tp().helloInterval());
            assertEquals(1.0, d.metrics().count("lacd.config.reloads", "result", "failure"));

            // a good one is applied
            Files.writeString(f, config(port, "15s"));
            assertTrue(d.reload());
            assertEquals(Duration.ofSeconds(15), d.config().l2tp().helloInterval());
            assertTrue(get(port, "/metrics").body().contains("lacd_config_reloads_total{result=\"success\"} 1.0"));
        } finally {
            long t0 = System.nanoTime();
            d.stop();
            assertTrue(Duration.ofNanos(System.nanoTime() - t0).compareTo(Daemon.STOP_BUDGET) < 0);
        }
        assertThrows(IOException.class, () -> get(port, "/metrics"), "endpoint closed after stop");
    }

    /** Issue 14, defect 6: /health is 503 naming what is not open until every interface and the L2TP socket are. */
    @Test
    void healthIsDownUntilEveryInterfaceIsOpen() throws Exception {
        int port = freePort();
        Path f = dir.resolve("lacd.yaml");
        Files.writeString(f, config(port, "60s"));
        CountDownLatch portStarting = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Daemon d = new Daemon(f, ConfigLoader.loadWithTree(f), name -> new HeldPort(port(name), portStarting, release));
        Thread starter = startInBackground(d);
        try {
            assertTrue(portStarting.await(30, TimeUnit.SECONDS), "the PPPoE server opens its port");
            // the metrics endpoint and the L2TP socket are up, veth0 is still opening
            HttpResponse<String> h = get(port, "/health");
            assertEquals(503, h.statusCode(), h.body());
            assertTrue(h.body().contains("interfaces not open: veth0"), h.body());
            assertFalse(h.body().contains("L2TP"), "the L2TP socket is already open: " + h.body());

            release.countDown();
            starter.join(30_000);
            assertFalse(starter.isAlive());
            HttpResponse<String> up = get(port, "/health");
            assertEquals(200, up.statusCode(), up.body());
            assertTrue(up.body().contains("\"up\""), up.body());
        } finally {
            release.countDown();
            starter.join(30_000);
            d.stop();
        }
    }

    /**
     * /health says up only once start-up is over, the management API included: a client that waits for /health and
     * then calls the API must find it listening (CI, once: lacd #2's API refused a connection just after /health).
     */
    @Test
    void healthIsUpOnlyOnceTheManagementApiListens() throws Exception {
        int port = freePort();
        int mgmt = freePort();
        Path f = dir.resolve("lacd.yaml");
        // the RFC 5176 listener starts after the interfaces (tens of ms, cold): the window the CI run fell into
        Files.writeString(f, config(port, "60s").replace("management: {enabled: false}",
                "management: {listen: \"127.0.0.1:" + mgmt + "\"}").replace("radius: {enabled: false}", """
                radius:
                  auth-servers: [{address: 127.0.0.1, port: %d, secret: s}]
                  accounting: {enabled: false}
                  dynamic-authorization: {enabled: true, listen: "127.0.0.1:%d", clients: [{address: 127.0.0.1, secret: s}]}
                """.formatted(freePort(), freePort())));
        CountDownLatch portStarting = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Daemon d = new Daemon(f, ConfigLoader.loadWithTree(f), name -> new HeldPort(port(name), portStarting, release));
        Thread starter = startInBackground(d);
        try {
            assertTrue(portStarting.await(30, TimeUnit.SECONDS), "the PPPoE server opens its port");
            assertEquals(503, healthStatus(port), "the port is held");
            try (java.net.Socket s = new java.net.Socket()) {
                assertThrows(java.net.ConnectException.class, () -> s.connect(new java.net.InetSocketAddress("127.0.0.1", mgmt)));
            }
            release.countDown();
            // every /health (a bare HTTP/1.0 GET: well under a millisecond) from the interface's opening until start-up
            // is over: a 200 means the API listens
            int up = 0;
            do {
                int status = healthStatus(port);
                if (status == 200) {
                    up++;
                    try (java.net.Socket s = new java.net.Socket("127.0.0.1", mgmt)) {
                        assertTrue(s.isConnected());
                    } catch (java.net.ConnectException e) {
                        throw new AssertionError("/health said up while the management API refused a connection", e);
                    }
                } else {
                    assertEquals(503, status);
                }
            } while (starter.isAlive() || up == 0);
        } finally {
            release.countDown();
            starter.join(30_000);
            d.stop();
        }
    }

    /** Starts {@code d} on a thread of its own (its port's start is held by the test), and returns that thread. */
    static Thread startInBackground(Daemon d) {
        Thread starter = new Thread(() -> {
            try {
                d.start();
            } catch (Daemon.StartException e) {
                throw new IllegalStateException(e);
            }
        }, "test-daemon-start");
        starter.start();
        return starter;
    }

    /** The status of {@code GET /health}, over a bare socket (HttpClient takes tens of ms per request here). */
    static int healthStatus(int port) throws IOException {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.getOutputStream().write("GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII)).readLine();
            return Integer.parseInt(line.split(" ")[1]);
        }
    }

    /** A port whose start blocks until the test releases it (a slow pcap open). */
    static final class HeldPort implements EthernetPort {
        private final EthernetPort inner;
        private final CountDownLatch starting;
        private final CountDownLatch release;

        HeldPort(EthernetPort inner, CountDownLatch starting, CountDownLatch release) {
            this.inner = inner;
            this.starting = starting;
            this.release = release;
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public MacAddress mac() {
            return inner.mac();
        }

        @Override
        public void start(FrameReceiver receiver) {
            starting.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inner.start(receiver);
        }

        @Override
        public void send(byte[] frame, int off, int len) {
            inner.send(frame, off, len);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    @Test
    void portInUseIsAClearStartError() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path f = dir.resolve("lacd.yaml");
            Files.writeString(f, config(busy.getLocalPort(), "60s"));
            Daemon d = new Daemon(f, ConfigLoader.loadWithTree(f), DaemonLifecycleTest::port);
            Daemon.StartException e = assertThrows(Daemon.StartException.class, d::start);
            assertTrue(e.getMessage().startsWith("metrics endpoint: BindException"), e.getMessage());
        }
    }
}
