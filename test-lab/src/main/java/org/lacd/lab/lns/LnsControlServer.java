package org.lacd.lab.lns;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.lacd.l2tp.wire.StopCcnResult;

/**
 * A small HTTP control port for an emulator running as a program (the lab drives teardown and failover with
 * {@code curl}). JDK HttpServer, one thread, plain text JSON answers:
 * <pre>
 *   GET  /report                          full report (JSON, with every kept call and its proxy values)
 *   GET  /summary                         counters only
 *   POST /calls/clear[?user=U]            CDN (result 3) for every call, or every call of user U: {"cleared":n}
 *   POST /calls/clear?tunnel=T&amp;session=S  CDN for one call (our ids)
 *   POST /tunnels/stop[?tunnel=T]         StopCCN (result 1) for every tunnel, or tunnel T: {"stopped":n}
 *   POST /refuse?on=true|false            refuse new calls with CDN (result 4)
 *   POST /silent?on=true|false            answer nothing at all
 *   POST /ignore-sccrq?on=true|false      do not answer SCCRQ
 * </pre>
 * Bind it to loopback or a lab-only address: it has no authentication.
 */
public final class LnsControlServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;
    private final LnsEmulator emu;

    private LnsControlServer(LnsEmulator emu, InetSocketAddress at) throws IOException {
        this.emu = emu;
        this.server = HttpServer.create(at, 16);
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "lns-control");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public static LnsControlServer start(LnsEmulator emu, InetSocketAddress at) throws IOException {
        return new LnsControlServer(emu, at);
    }

    public InetSocketAddress address() { return server.getAddress(); }

    private void handle(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getPath();
            Map<String, String> q = query(ex.getRequestURI().getRawQuery());
            boolean post = "POST".equals(ex.getRequestMethod());
            boolean get = "GET".equals(ex.getRequestMethod());
            switch (path) {
                case "/report" -> reply(ex, get ? 200 : 405, get ? emu.report().toJson() : error("use GET"));
                case "/summary" -> reply(ex, get ? 200 : 405, get ? emu.summary().toJson() : error("use GET"));
                case "/calls/clear" -> {
                    if (!post) {
                        reply(ex, 405, error("use POST"));
                    } else if (q.containsKey("tunnel") && q.containsKey("session")) {
                        boolean ok = emu.clearCall(Integer.parseInt(q.get("tunnel")), Integer.parseInt(q.get("session")));
                        reply(ex, ok ? 200 : 404, "{\"cleared\":" + (ok ? 1 : 0) + "}");
                    } else {
                        int n = q.containsKey("user") ? emu.clearCallsOf(q.get("user")) : emu.clearAllCalls();
                        reply(ex, 200, "{\"cleared\":" + n + "}");
                    }
                }
                case "/tunnels/stop" -> {
                    if (!post) {
                        reply(ex, 405, error("use POST"));
                    } else if (q.containsKey("tunnel")) {
                        boolean ok = emu.stopTunnel(Integer.parseInt(q.get("tunnel")));
                        reply(ex, ok ? 200 : 404, "{\"stopped\":" + (ok ? 1 : 0) + "}");
                    } else {
                        reply(ex, 200, "{\"stopped\":" + emu.stopAllTunnels(StopCcnResult.GENERAL_REQUEST_TO_CLEAR) + "}");
                    }
                }
                case "/refuse", "/silent", "/ignore-sccrq" -> {
                    if (!post || !q.containsKey("on")) {
                        reply(ex, post ? 400 : 405, error("POST with ?on=true|false"));
                        return;
                    }
                    boolean on = Boolean.parseBoolean(q.get("on"));
                    switch (path) {
                        case "/refuse" -> emu.refuseCalls(on);
                        case "/silent" -> emu.silent(on);
                        default -> emu.ignoreNewTunnels(on);
                    }
                    reply(ex, 200, "{\"" + path.substring(1) + "\":" + on + "}");
                }
                default -> reply(ex, 404, error("unknown path " + path));
            }
        } catch (NumberFormatException e) {
            reply(ex, 400, error("bad number: " + e.getMessage()));
        } catch (RuntimeException e) {
            reply(ex, 500, error(e.toString()));
        } finally {
            ex.close();
        }
    }

    private static String error(String msg) { return "{\"error\":\"" + msg.replace("\\", "\\\\").replace("\"", "'") + "\"}"; }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> m = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return m;
        }
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
            m.put(k, v);
        }
        return m;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
