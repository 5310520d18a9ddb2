package org.lacd.daemon.mgmt;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.lacd.daemon.Component;
import org.lacd.daemon.mgmt.Views.Result;
import org.lacd.daemon.mgmt.Views.SessionFilter;
import org.lacd.daemon.mgmt.Views.SessionView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management API: JSON over HTTP on {@code management.listen} (loopback by default). When a token is
 * configured every request must carry {@code Authorization: Bearer <token>}.
 *
 * <pre>
 * GET  /v1/sessions?user=&amp;mac=&amp;interface=&amp;vlan=&amp;lns=&amp;state=&amp;count=true
 * GET  /v1/sessions/{id}
 * GET  /v1/tunnels            GET /v1/lns            GET /v1/stats
 * POST /v1/kick?session=|user=|mac=
 * POST /v1/lns/{name}/drain   POST /v1/lns/{name}/undrain
 * GET  /v1/lac-peers          POST /v1/lac-peers/{name}/drain   POST /v1/lac-peers/{name}/undrain
 * POST /v1/tunnels/{lns-or-id}/clear
 * POST /v1/reload
 * POST /v1/trace?target=&amp;file=&amp;seconds=&amp;max-bytes=
 * </pre>
 */
public final class ManagementServer implements Component {
    private static final Logger LOG = LoggerFactory.getLogger(ManagementServer.class);
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Guard: the longest query string we parse. */
    static final int MAX_QUERY = 2048;

    private final InetSocketAddress listen;
    private final Optional<String> token;
    private final ManagementBackend backend;
    private HttpServer server;
    private ExecutorService executor;

    public ManagementServer(InetSocketAddress listen, Optional<String> token, ManagementBackend backend) {
        this.listen = listen;
        this.token = token;
        this.backend = backend;
    }

    @Override
    public String name() {
        return "management API";
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void start() throws IOException {
        server = HttpServer.create(listen, 16);
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "mgmt-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/v1/", this::handle);
        server.start();
        LOG.info("management API on http://{}:{}/v1/{}", listen.getAddress().getHostAddress(), port(),
                token.isPresent() ? " (token required)" : "");
    }

    @Override
    public void stop(Duration budget) {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            if (!authorised(ex)) {
                send(ex, 401, new Result(false, "missing or wrong bearer token", 0));
                return;
            }
            String raw = ex.getRequestURI().getRawQuery();
            if (raw != null && raw.length() > MAX_QUERY) {
                send(ex, 414, new Result(false, "query too long", 0));
                return;
            }
            Map<String, String> q = query(raw);
            String[] p = ex.getRequestURI().getPath().substring("/v1/".length()).split("/");
            String method = ex.getRequestMethod();
            route(ex, method, p, q);
        } catch (IllegalArgumentException e) {
            send(ex, 400, new Result(false, e.getMessage(), 0));
        } catch (RuntimeException e) {
            LOG.warn("management request {} failed: {}", ex.getRequestURI(), e.toString());
            send(ex, 500, new Result(false, "internal error: " + e.getClass().getSimpleName(), 0));
        }
    }

    private void route(HttpExchange ex, String method, String[] p, Map<String, String> q) throws IOException {
        boolean get = "GET".equals(method);
        boolean post = "POST".equals(method);
        switch (p[0]) {
            case "sessions" -> {
                if (get && p.length == 1) {
                    Integer vlan = q.containsKey("vlan") ? parseInt("vlan", q.get("vlan")) : null;
                    List<SessionView> list = backend.sessions(new SessionFilter(q.get("user"), q.get("mac"),
                            q.get("interface"), vlan, q.get("lns"), q.get("state")));
                    send(ex, 200, "true".equals(q.get("count")) ? Map.of("count", list.size()) : list);
                } else if (get && p.length == 2) {
                    long id = parseLong("session id", p[1]);
                    Optional<Views.SessionDetail> d = backend.session(id);
                    if (d.isPresent()) {
                        send(ex, 200, d.get());
                    } else {
                        send(ex, 404, new Result(false, "no session " + id, 0));
                    }
                } else {
                    notFound(ex);
                }
            }
            case "tunnels" -> {
                if (get && p.length == 1) {
                    send(ex, 200, backend.tunnels());
                } else if (post && p.length == 3 && "clear".equals(p[2])) {
                    result(ex, backend.clearTunnel(p[1]));
                } else {
                    notFound(ex);
                }
            }
            case "lns" -> {
                if (get && p.length == 1) {
                    send(ex, 200, backend.lns());
                } else if (post && p.length == 3 && ("drain".equals(p[2]) || "undrain".equals(p[2]))) {
                    result(ex, backend.drain(p[1], "drain".equals(p[2])));
                } else {
                    notFound(ex);
                }
            }
            case "lac-peers" -> {
                if (get && p.length == 1) {
                    send(ex, 200, backend.lacPeers());
                } else if (post && p.length == 3 && ("drain".equals(p[2]) || "undrain".equals(p[2]))) {
                    result(ex, backend.drainLacPeer(p[1], "drain".equals(p[2])));
                } else {
                    notFound(ex);
                }
            }
            case "kick" -> {
                if (!post) {
                    notFound(ex);
                    return;
                }
                int set = (q.containsKey("session") ? 1 : 0) + (q.containsKey("user") ? 1 : 0) + (q.containsKey("mac") ? 1 : 0);
                if (set != 1) {
                    throw new IllegalArgumentException("kick needs exactly one of session, user, mac");
                }
                Long id = q.containsKey("session") ? parseLong("session", q.get("session")) : null;
                result(ex, backend.kick(id, q.get("user"), q.get("mac")));
            }
            case "stats" -> {
                if (get) {
                    send(ex, 200, backend.stats());
                } else {
                    notFound(ex);
                }
            }
            case "reload" -> {
                if (post) {
                    result(ex, backend.reload());
                } else {
                    notFound(ex);
                }
            }
            case "trace" -> {
                if (!post || !q.containsKey("target") || !q.containsKey("file")) {
                    throw new IllegalArgumentException("trace needs target and file");
                }
                int seconds = q.containsKey("seconds") ? parseInt("seconds", q.get("seconds")) : 60;
                long max = q.containsKey("max-bytes") ? parseLong("max-bytes", q.get("max-bytes")) : 10_000_000L;
                if (seconds < 1 || seconds > 3600 || max < 1000 || max > 1_000_000_000L) {
                    throw new IllegalArgumentException("trace bounds: seconds 1..3600, max-bytes 1000..1000000000");
                }
                result(ex, backend.trace(q.get("target"), q.get("file"), seconds, max));
            }
            default -> notFound(ex);
        }
    }

    private boolean authorised(HttpExchange ex) {
        if (token.isEmpty()) {
            return true;
        }
        return bearerMatches(ex.getRequestHeaders().getFirst("Authorization"), token.get());
    }

    /**
     * {@code Authorization: Bearer <token>}. The scheme name is case-insensitive and is followed by one or more
     * spaces (RFC 7235 2.1, RFC 6750 2.1); the token itself is compared exactly, in constant time.
     */
    static boolean bearerMatches(String header, String token) {
        if (header == null) {
            return false;
        }
        int sp = header.indexOf(' ');
        if (sp < 0 || !"Bearer".equalsIgnoreCase(header.substring(0, sp))) {
            return false;
        }
        String credentials = header.substring(sp).stripLeading();
        return MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), credentials.getBytes(StandardCharsets.UTF_8));
    }

    private static void result(HttpExchange ex, Result r) throws IOException {
        send(ex, r.ok() ? 200 : 409, r);
    }

    private static void notFound(HttpExchange ex) throws IOException {
        send(ex, 404, new Result(false, "no such endpoint: " + ex.getRequestMethod() + " " + ex.getRequestURI().getPath(), 0));
    }

    private static int parseInt(String what, String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " is not a number: " + s);
        }
    }

    private static long parseLong(String what, String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " is not a number: " + s);
        }
    }

    static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    private static void send(HttpExchange ex, int status, Object body) throws IOException {
        byte[] b = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(b);
        }
    }
}
