package org.lacd.daemon.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.lacd.daemon.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Serves {@code /metrics} (Prometheus text format) and {@code /health} on {@code metrics.listen}. */
public final class MetricsServer implements Component {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
    private final PrometheusMeterRegistry registry;
    private final InetSocketAddress listen;
    private final Supplier<String> health;
    private HttpServer server;
    private ExecutorService executor;

    /** @param health answers {@code /health}: null when healthy, else the reason (served with 503) */
    public MetricsServer(PrometheusMeterRegistry registry, InetSocketAddress listen, Supplier<String> health) {
        this.registry = registry;
        this.listen = listen;
        this.health = health;
    }

    @Override
    public String name() {
        return "metrics endpoint";
    }

    @Override
    public void start() throws IOException {
        server = HttpServer.create(listen, 16);
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "metrics-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/metrics", ex -> {
            if (!"GET".equals(ex.getRequestMethod())) {
                reply(ex, 405, "text/plain", "GET only\n");
                return;
            }
            reply(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
        });
        server.createContext("/health", ex -> {
            String problem = health.get();
            reply(ex, problem == null ? 200 : 503, "application/json",
                    problem == null ? "{\"status\":\"up\"}\n" : "{\"status\":\"down\",\"reason\":\"" + problem.replace("\"", "'") + "\"}\n");
        });
        server.start();
        LOG.info("metrics endpoint on http://{}:{}/metrics", listen.getAddress().getHostAddress(), port());
    }

    /** The bound port (useful when configured as 0 in tests). */
    public int port() {
        return server.getAddress().getPort();
    }

    private static void reply(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(b);
        }
    }

    @Override
    public void stop(Duration budget) {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
        }
    }
}
