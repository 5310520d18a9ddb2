package org.lacd.daemon.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The training run of the management commands' class-data sharing archive ({@code lacd cds-archive}, run by the .deb's
 * postinst): the launcher starts this class under {@code -XX:ArchiveClassesAtExit}, and every class it loads goes into
 * the archive that later {@code lacd sessions}, {@code lacd session ID}, {@code lacd stats} ... map instead of loading.
 *
 * <p>It answers the commands from a canned management API on a loopback port of its own (no daemon needed), so that the
 * archive holds the whole path: option parsing, the HTTP call, the JSON parse and the table and tree printing. With a
 * config file as argument it also reads that, as a command without {@code --url} does. Nothing is printed on success.
 */
public final class CdsTraining {
    private static final String SESSION = "{\"id\":1,\"state\":\"forwarding\",\"user\":\"user@example\",\"mac\":\"02:00:00:00:00:01\","
            + "\"iface\":\"eth1\",\"outerVlan\":-1,\"innerVlan\":-1,\"pppoeSessionId\":1,\"lns\":\"lns-a\",\"tunnelId\":1,\"callId\":1,"
            + "\"since\":\"2026-01-01T00:00:00Z\",\"bytesUp\":1,\"bytesDown\":1,\"packetsUp\":1,\"packetsDown\":1}";
    private static final String DETAIL = "{\"session\":" + SESSION + ",\"serviceName\":\"\",\"acctSessionId\":\"00000001\","
            + "\"authType\":\"chap-md5\",\"lineInfo\":{\"circuitId\":\"eth1/1\"},\"proxy\":{\"authName\":\"user@example\"},"
            + "\"lnsTried\":[\"lns-a\"],\"timeline\":[{\"state\":\"pppoe\",\"at\":\"2026-01-01T00:00:00Z\"}]}";
    private static final String STATS = "{\"sessions\":1,\"sessionsByState\":{\"forwarding\":1},\"drops\":{\"total\":0},"
            + "\"setups\":{\"success\":1,\"failure\":0,\"failuresByReason\":{}},\"lns\":{\"lns-a\":\"usable\"}}";

    private CdsTraining() {}

    public static void main(String[] args) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            String query = ex.getRequestURI().getQuery();
            String body = path.equals("/v1/sessions") && query != null && query.contains("count=true") ? "{\"count\":1}"
                    : path.equals("/v1/sessions") ? "[" + SESSION + "]"
                    : path.startsWith("/v1/sessions/") ? DETAIL
                    : path.equals("/v1/stats") ? STATS
                    : path.equals("/v1/tunnels") ? "[]"
                    : path.equals("/v1/lns") ? "[]"
                    : "{\"ok\":true,\"message\":\"done\",\"affected\":1}";
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        server.start();
        PrintWriter sink = new PrintWriter(Writer.nullWriter());
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        int failures = 0;
        String[][] runs = {
            {"sessions", "--url", url},
            {"sessions", "--url", url, "--user", "user@example", "--count"},
            {"session", "1", "--url", url},
            {"stats", "--url", url},
            {"tunnels", "--url", url, "--json"},
            {"lns", "--url", url},
            {"kick", "--user", "user@example", "--url", url},
        };
        for (String[] run : runs) {
            failures += ManagementMain.run(sink, sink, run) == ExitCodes.OK ? 0 : 1;
        }
        if (args.length > 0 && Files.isReadable(Path.of(args[0]))) {
            // Reads the config to find the daemon, as a command without --url does; makes no call.
            ManagementCommands.Target target = new ManagementCommands.Target();
            target.config = Path.of(args[0]);
            try {
                target.client();
            } catch (org.lacd.daemon.config.ConfigException e) {
                // an invalid config still loaded the loader's classes
            }
        }
        server.stop(0);
        if (failures > 0) {
            System.err.println("lacd cds-archive: " + failures + " training command(s) failed");
            System.exit(ExitCodes.START);
        }
    }
}
