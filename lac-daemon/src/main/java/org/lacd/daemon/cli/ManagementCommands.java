package org.lacd.daemon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.lacd.daemon.config.ConfigException;
import org.lacd.daemon.config.ConfigLoader;
import org.lacd.daemon.config.LacdConfig;
import org.lacd.daemon.log.WireText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The operator subcommands that talk to a running daemon through its management API. */
public final class ManagementCommands {
    private ManagementCommands() {}

    /** Where the daemon is and how to print: shared by every management subcommand. */
    public static final class Target {
        @Option(names = "--config", paramLabel = "FILE", defaultValue = "/etc/lacd/lacd.yaml",
                description = "Daemon config, to find management.listen and token (default: ${DEFAULT-VALUE}).")
        Path config;

        @Option(names = "--url", paramLabel = "URL", description = "Management API base URL, e.g. http://127.0.0.1:9102 (overrides --config).")
        String url;

        @Option(names = "--token", paramLabel = "TOKEN", description = "Bearer token (overrides the config's).")
        String token;

        @Option(names = "--json", description = "Print JSON for scripts instead of a table.")
        boolean json;

        ManagementClient client() throws ConfigException {
            if (url != null) {
                return new ManagementClient(url, Optional.ofNullable(token));
            }
            if (!java.nio.file.Files.exists(config)) {
                // Typically an operator outside the daemon's network namespace (the lab), or a host without the package's config.
                throw new ConfigException(config, "", "file not found, so the daemon's management.listen is unknown:"
                        + " give its address with --url http://HOST:PORT (a lacd in a network namespace:"
                        + " ip netns exec NS lacd ... --url http://127.0.0.1:PORT), or --config FILE");
            }
            LacdConfig c = ConfigLoader.load(config);
            InetSocketAddress a = c.management().listen();
            String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
            if (host.contains(":")) {
                host = "[" + host + "]";
            }
            return new ManagementClient("http://" + host + ":" + a.getPort(), Optional.ofNullable(token).or(() -> c.management().token()));
        }
    }

    /** Base: runs one call, maps failures to exit codes and one-line messages. */
    abstract static class Base implements Callable<Integer> {
        private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

        @Mixin
        Target target;

        @Spec
        CommandSpec spec;

        abstract void run(ManagementClient c, PrintWriter out) throws Exception;

        @Override
        public Integer call() {
            return execute(spec.commandLine().getOut(), spec.commandLine().getErr(), spec.name());
        }

        /** Runs the command with options already bound (by picocli or by {@link ManagementMain}'s light parser). */
        Integer execute(PrintWriter out, PrintWriter err, String name) {
            try {
                run(target.client(), out);
                out.flush();
                return ExitCodes.OK;
            } catch (ConfigException e) {
                err.println("lacd: " + e.getMessage());
                return ExitCodes.CONFIG;
            } catch (ManagementClient.CallException e) {
                err.println("lacd " + name + ": " + WireText.escape(e.getMessage()));
                return ExitCodes.START;
            } catch (Exception e) {
                err.println("lacd " + name + ": " + e);
                return ExitCodes.START;
            } finally {
                err.flush();
            }
        }

        void print(PrintWriter out, JsonNode body, String... columns) throws Exception {
            if (target.json) {
                out.println(PRETTY.writeValueAsString(body));
            } else if (body.isArray()) {
                table(out, body, columns);
            } else if (body.has("message") && body.has("ok")) {
                out.println(text(body.get("message")));
            } else {
                tree(out, "", body);
            }
        }

        static String q(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8);
        }
    }

    /**
     * A value for the text output: user names, service names, LNS host names and messages in the API's answers came
     * from the wire, so each is escaped (one line, printable, bounded) before it reaches the terminal.
     */
    static String text(JsonNode v) {
        return WireText.escape(v.asText());
    }

    /** The VLAN fields of a session: -1 means no tag at that level. */
    private static final java.util.Set<String> VLAN_FIELDS = java.util.Set.of("outerVlan", "innerVlan");

    /**
     * One session's detail as a single flat block: the API nests the session's list fields under {@code session} next
     * to the detail fields; the operator sees them all under one heading, the list fields first.
     */
    static JsonNode detailBlock(JsonNode body) {
        com.fasterxml.jackson.databind.node.ObjectNode flat = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        JsonNode session = body.path("session");
        if (session.isObject()) {
            session.fields().forEachRemaining(f -> flat.set(f.getKey(), f.getValue()));
        }
        body.fields().forEachRemaining(f -> {
            if (!f.getKey().equals("session")) {
                flat.set(f.getKey(), f.getValue());
            }
        });
        return flat;
    }

    /** A cell or value for the text output, with VLAN -1 shown as what it means. */
    static String cell(String key, JsonNode v) {
        if (VLAN_FIELDS.contains(key) && v.isIntegralNumber() && v.asInt() < 0) {
            return key.equals("outerVlan") ? "untagged" : "none";
        }
        return text(v);
    }

    static void table(PrintWriter out, JsonNode rows, String... columns) {
        List<String[]> cells = new ArrayList<>();
        cells.add(columns);
        for (JsonNode r : rows) {
            String[] row = new String[columns.length];
            for (int i = 0; i < columns.length; i++) {
                JsonNode v = r.get(columns[i]);
                row[i] = v == null || v.isNull() ? "-" : cell(columns[i], v);
            }
            cells.add(row);
        }
        int[] w = new int[columns.length];
        for (String[] row : cells) {
            for (int i = 0; i < row.length; i++) {
                w[i] = Math.max(w[i], row[i].length());
            }
        }
        for (String[] row : cells) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                sb.append(String.format("%-" + w[i] + "s", row[i]));
                if (i < row.length - 1) {
                    sb.append("  ");
                }
            }
            out.println(sb.toString().stripTrailing());
        }
        out.println("(" + rows.size() + ")");
    }

    static void tree(PrintWriter out, String indent, JsonNode n) {
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (v.isObject()) {
                out.println(indent + WireText.escape(e.getKey()) + ":");
                tree(out, indent + "  ", v);
            } else if (v.isArray()) {
                out.println(indent + WireText.escape(e.getKey()) + ":");
                for (JsonNode x : v) {
                    if (x.isObject()) {
                        List<String> parts = new ArrayList<>();
                        x.fields().forEachRemaining(f -> parts.add(WireText.escape(f.getKey()) + "=" + text(f.getValue())));
                        out.println(indent + "  - " + String.join(" ", parts));
                    } else {
                        out.println(indent + "  - " + text(x));
                    }
                }
            } else {
                out.println(indent + WireText.escape(e.getKey()) + ": " + cell(e.getKey(), v));
            }
        }
    }

    @Command(name = "sessions", mixinStandardHelpOptions = true, description = "Lists subscriber sessions, with filters.")
    public static final class Sessions extends Base {
        @Option(names = "--user") String user;
        @Option(names = "--mac") String mac;
        @Option(names = "--interface") String iface;
        @Option(names = "--vlan") Integer vlan;
        @Option(names = "--lns") String lns;
        @Option(names = "--state", description = "pppoe, auth, deciding, tunnel_setup, call_setup, forwarding, teardown") String state;
        @Option(names = "--count", description = "Print only the number of matching sessions.") boolean count;

        @Override
        void run(ManagementClient c, PrintWriter out) throws Exception {
            StringBuilder p = new StringBuilder("/v1/sessions?count=").append(count);
            append(p, "user", user);
            append(p, "mac", mac);
            append(p, "interface", iface);
            append(p, "vlan", vlan == null ? null : vlan.toString());
            append(p, "lns", lns);
            append(p, "state", state);
            JsonNode body = c.get(p.toString()).body();
            if (count && !target.json) {
                out.println(body.get("count").asInt());
            } else {
                print(out, body, "id", "state", "user", "mac", "iface", "outerVlan", "innerVlan", "lns", "since", "bytesUp", "bytesDown");
            }
        }

        private static void append(StringBuilder p, String k, String v) {
            if (v != null) {
                p.append('&').append(k).append('=').append(q(v));
            }
        }
    }

    @Command(name = "session", mixinStandardHelpOptions = true, description = "Shows every detail of one session.")
    public static final class Session extends Base {
        @Parameters(paramLabel = "ID") long id;

        @Override
        void run(ManagementClient c, PrintWriter out) throws Exception {
            JsonNode body = c.get("/v1/sessions/" + id).body();
            if (target.json) {
                print(out, body);
            } else {
                out.println("session " + id + ":");
                tree(out, "  ", detailBlock(body));
            }
        }
    }

    @Command(name = "tunnels", mixinStandardHelpOptions = true, description = "Lists L2TP tunnels.")
    public static final class Tunnels extends Base {
        @Override
        void run(ManagementClient c, PrintWriter out) throws Exception {
            print(out, c.get("/v1/tunnels").body(), "lns", "peer", "localId", "remoteId", "state", "sessions", "retransmits", "stateSeconds");
        }
    }

    @Command(name = "lns", mixinStandardHelpOptions = true, description = "Lists LNSs: state, lockout, sessions, drain flag, IPsec SA (off, up, down).")
    public static final class Lns extends Base {
        @Override
        void run(ManagementClient c, PrintWriter out) throws Exception {
            print(out, c.get("/v1/lns").body(), "name", "address", "state", "lockoutRemainingSeconds", "sessions", "maxSessions", "drain", "ipsec");
        }
    }

    @Command(name = "kick", mixinStandardHelpOptions = true, description = "Ends sessions by id, user or MAC (CDN, PADT, accounting Stop).")
    public static final class Kick extends Base {
        @Option(names = "--session") Long session;
        @Option(names = "--user") String user;
        @Option(names = "--mac") String mac;

        @Override
        void run(ManagementClient c, PrintWriter out) throws Exception {
            String sel = session != null ? "session=" + session : user != null ? "user=" + q(user) : mac != null ? "mac=" + q(mac) : null;
            if (sel == null) {
                throw new ManagementClient.CallException("give one of --session, --user, --mac");
            }
            print(out, c.post("/v1/kick?" + sel).body());
        }
    }

    @Command(name = "drain", mixinStandardHelpOptions = true, description = "Stops new sessions to an LNS; existing ones stay.")
    public static final class Drain extends Base {
        @Parameters(paramLabel = "LNS") String lns;

        @Override
        void run(ManagementClient c, PrintWriter out) throws Exception {
            print(out, c.post("/v1/lns/" + q(lns) + "/drain").body());
        }
    }

    @Command(name = "undrain", mixinStandardHelpOptions = true, description = "Lets an LNS take new sessions again.")
    public static final class Undrain extends Base {
        @Parameters(paramLabel = "LNS") String lns;

        @Override
        void run(ManagementClient c, PrintWriter out) throws Exception {
            print(out, c.post("/v1/lns/" + q(lns) + "/undrain").body());
        }
    }

    @Command(name = "lac-peers", mixinStandardHelpOptions = true,
            description = "Lists downstream LAC peers (tunnel switching): address, tunnels up, sessions, limits, drain flag, refusals.")
    public static final class LacPeers extends Base {
        @Override
        void run(ManagementClient c, PrintWriter out) throws Exception {
            print(out, c.get("/v1/lac-peers").body(), "name", "address", "tunnelsUp", "maxTunnels", "sessions", "maxSessions", "drain", "refusals");
        }
    }

    @Command(name = "drain-peer", mixinStandardHelpOptions = true,
            description = "Refuses new calls from a downstream LAC peer (CDN, counted as draining); its calls up stay.")
    public static final class DrainPeer extends Base {
        @Parameters(paramLabel = "PEER") String peer;

        @Override
        void run(ManagementClient c, PrintWriter out) throws Exception {
            print(out, c.post("/v1/lac-peers/" + q(peer) + "/drain").body());
        }
    }

    @Command(name = "undrain-peer", mixinStandardHelpOptions = true, description = "Accepts new calls from a downstream LAC peer again.")
    public static final class UndrainPeer extends Base {
        @Parameters(paramLabel = "PEER") String peer;

        @Override
        void run(ManagementClient c, PrintWriter out) throws Exception {
            print(out, c.post("/v1/lac-peers/" + q(peer) + "/undrain").body());
        }
    }

    @Command(name = "clear-tunnel", mixinStandardHelpOptions = true, description = "Clears tunnels (StopCCN) by LNS name or local tunnel id.")
    public static final class ClearTunnel extends Base {
        @Parameters(paramLabel = "LNS|TUNNEL-ID") String which;

        @Override
        void run(ManagementClient c, PrintWriter out) throws Exception {
            print(out, c.post("/v1/tunnels/" + q(which) + "/clear").body());
        }
    }

    @Command(name = "stats", mixinStandardHelpOptions = true, description = "Shows daemon counters.")
    public static final class Stats extends Base {
        @Override
        void run(ManagementClient c, PrintWriter out) throws Exception {
            print(out, c.get("/v1/stats").body());
        }
    }

    @Command(name = "reload", mixinStandardHelpOptions = true, description = "Asks the daemon to re-read its config (as SIGHUP).")
    public static final class Reload extends Base {
        @Override
        void run(ManagementClient c, PrintWriter out) throws Exception {
            print(out, c.post("/v1/reload").body());
        }
    }

    @Command(name = "trace", mixinStandardHelpOptions = true,
            description = "Writes a pcap of one subscriber's frames, both sides of lacd, for a bounded time or size.")
    public static final class Trace extends Base {
        @Parameters(paramLabel = "USER|MAC") String who;
        @Option(names = {"-w", "--file"}, required = true, description = "pcap file to write (on the daemon's host).") Path file;
        @Option(names = "--seconds", defaultValue = "60") int seconds;
        @Option(names = "--max-bytes", defaultValue = "10000000") long maxBytes;

        @Override
        void run(ManagementClient c, PrintWriter out) throws Exception {
            print(out, c.post("/v1/trace?target=" + q(who) + "&file=" + q(file.toAbsolutePath().toString())
                    + "&seconds=" + seconds + "&max-bytes=" + maxBytes).body());
        }
    }
}
