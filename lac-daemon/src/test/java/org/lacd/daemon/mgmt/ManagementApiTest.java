package org.lacd.daemon.mgmt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lacd.daemon.Cli;
import org.lacd.daemon.mgmt.Views.LnsView;
import org.lacd.daemon.mgmt.Views.Result;
import org.lacd.daemon.mgmt.Views.SessionDetail;
import org.lacd.daemon.mgmt.Views.SessionFilter;
import org.lacd.daemon.mgmt.Views.SessionView;
import org.lacd.daemon.mgmt.Views.StateChange;
import org.lacd.daemon.mgmt.Views.TunnelView;

/** The management API and the CLI that drives it, over real HTTP, against a recording backend. */
class ManagementApiTest {
    static final String TOKEN = "0123456789abcdef-token";
    final List<String> calls = new ArrayList<>();
    final SessionView s1 = new SessionView(7, "forwarding", "alice@reseller-a.example", "02:00:00:00:00:01", "eth1", 100, 7,
            0x11, "reseller-a-1", 3, 9, "2026-01-01T00:00:00Z", 1000, 2000, 10, 20);
    /** A user name as a subscriber may send it: a line break, a carriage return, a NUL and an ANSI colour change. */
    final SessionView hostile = new SessionView(8, "forwarding", "eve\nFORGED line\r\0\033[31m@x", "02:00:00:00:00:02", "eth1",
            -1, -1, 0x12, "reseller-a-1", 3, 10, "2026-01-01T00:00:00Z", 0, 0, 0, 0);
    ManagementServer server;
    String url;

    final ManagementBackend backend = new ManagementBackend() {
        @Override
        public List<SessionView> sessions(SessionFilter f) {
            calls.add("sessions " + f);
            if (hostile.user().equals(f.user())) {
                return List.of(hostile);
            }
            return f.user() == null || f.user().equals(s1.user()) ? List.of(s1) : List.of();
        }

        @Override
        public Optional<SessionDetail> session(long id) {
            if (id == 8) { // untagged: outerVlan and innerVlan are -1 in the API
                return Optional.of(new SessionDetail(hostile, "svc", "00000008", "pap", Map.of(), Map.of("authName", "eve"),
                        List.of("reseller-a-1"), List.of(new StateChange("forwarding", "t1"))));
            }
            return id == 7 ? Optional.of(new SessionDetail(s1, "", "00000007", "chap-md5", Map.of("circuitId", "eth1/1"),
                    Map.of("initialReceivedConfReq", "0104 05d4"), List.of("reseller-a-1"),
                    List.of(new StateChange("pppoe", "t0"), new StateChange("forwarding", "t1")))) : Optional.empty();
        }

        @Override
        public List<TunnelView> tunnels() {
            return List.of(new TunnelView("reseller-a-1", "192.0.2.11:1701", 3, 44, "established", 1, 0, 12));
        }

        @Override
        public List<LnsView> lns() {
            return List.of(new LnsView("reseller-a-1", "192.0.2.11:1701", "usable", 0, 1, 0, false));
        }

        @Override
        public Result kick(Long id, String user, String mac) {
            calls.add("kick " + id + " " + user + " " + mac);
            return new Result(true, "kicked 1 session(s)", 1);
        }

        @Override
        public Result drain(String lns, boolean drain) {
            calls.add((drain ? "drain " : "undrain ") + lns);
            return lns.equals("reseller-a-1") ? new Result(true, "ok", 1) : new Result(false, "no LNS named " + lns, 0);
        }

        @Override
        public List<Views.LacPeerView> lacPeers() {
            return List.of(new Views.LacPeerView("partner-a", "203.0.113.0/28", 2, 4, 17, 2000, true, 3));
        }

        @Override
        public Result drainLacPeer(String peer, boolean drain) {
            calls.add((drain ? "drain-peer " : "undrain-peer ") + peer);
            return peer.equals("partner-a") ? new Result(true, "ok", 1) : new Result(false, "no LAC peer named " + peer, 0);
        }

        @Override
        public Result clearTunnel(String which) {
            calls.add("clear " + which);
            return new Result(true, "cleared 1 tunnel(s)", 1);
        }

        @Override
        public Map<String, Object> stats() {
            return Map.of("sessions", 1);
        }

        @Override
        public Result reload() {
            calls.add("reload");
            return new Result(true, "reloaded", 0);
        }

        @Override
        public Result trace(String who, String file, int seconds, long maxBytes) {
            calls.add("trace " + who + " " + seconds + " " + maxBytes);
            return new Result(true, "tracing", 1);
        }
    };

    record Run(int code, String out, String err) {}

    Run lacd(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeEach
    void start() throws Exception {
        server = new ManagementServer(new InetSocketAddress("127.0.0.1", 0), Optional.of(TOKEN), backend);
        server.start();
        url = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.stop(java.time.Duration.ofSeconds(1));
    }

    @Test
    void sessionsTableFiltersAndCount() {
        Run r = lacd("sessions", "--url", url, "--token", TOKEN, "--user", "alice@reseller-a.example", "--vlan", "100");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("alice@reseller-a.example"), r.out());
        assertTrue(r.out().lines().findFirst().orElseThrow().startsWith("id  state"), r.out());
        assertTrue(calls.get(0).contains("user=alice@reseller-a.example") && calls.get(0).contains("vlan=100"), calls.toString());
        Run count = lacd("sessions", "--url", url, "--token", TOKEN, "--user", "bob", "--count");
        assertEquals("0", count.out().trim());
    }

    @Test
    void wireStringsAreEscapedInTheTextOutput() {
        Run r = lacd("sessions", "--url", url, "--token", TOKEN, "--user", hostile.user());
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(3, lines.size(), r.out()); // header, one row, count: no forged line
        assertTrue(lines.get(1).contains("eve\\nFORGED line\\r\\x00\\x1b[31m@x"), r.out());
        assertTrue(r.out().chars().noneMatch(c -> c < 0x20 && c != '\n'), r.out());
    }

    @Test
    void sessionDetailAndJson() {
        Run r = lacd("session", "7", "--url", url, "--token", TOKEN);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("initialReceivedConfReq: 0104 05d4"), r.out());
        Run json = lacd("session", "7", "--url", url, "--token", TOKEN, "--json");
        assertTrue(json.out().contains("\"acctSessionId\" : \"00000007\""), json.out());
        Run missing = lacd("session", "9", "--url", url, "--token", TOKEN);
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("no session 9"), missing.err());
    }

    @Test
    void actions() {
        assertEquals(0, lacd("kick", "--mac", "02:00:00:00:00:01", "--url", url, "--token", TOKEN).code());
        assertEquals(0, lacd("drain", "reseller-a-1", "--url", url, "--token", TOKEN).code());
        Run bad = lacd("undrain", "nowhere", "--url", url, "--token", TOKEN);
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("no LNS named nowhere"), bad.err());
        assertEquals(0, lacd("clear-tunnel", "3", "--url", url, "--token", TOKEN).code());
        assertEquals(0, lacd("reload", "--url", url, "--token", TOKEN).code());
        assertEquals(0, lacd("trace", "alice", "-w", "/tmp/x.pcap", "--seconds", "5", "--url", url, "--token", TOKEN).code());
        assertEquals(List.of("kick null null 02:00:00:00:00:01", "drain reseller-a-1", "undrain nowhere", "clear 3", "reload",
                "trace alice 5 10000000"), calls);
        assertTrue(lacd("tunnels", "--url", url, "--token", TOKEN).out().contains("established"));
        assertTrue(lacd("lns", "--url", url, "--token", TOKEN).out().contains("usable"));
    }

    /** Tunnel switching: lacd lac-peers, drain-peer, undrain-peer over the API. */
    @Test
    void lacPeerViewAndDrain() {
        Run list = lacd("lac-peers", "--url", url, "--token", TOKEN);
        assertEquals(0, list.code(), list.err());
        for (String col : List.of("partner-a", "203.0.113.0/28", "17", "2000", "true")) {
            assertTrue(list.out().contains(col), list.out());
        }
        assertEquals(0, lacd("drain-peer", "partner-a", "--url", url, "--token", TOKEN).code());
        Run bad = lacd("undrain-peer", "nobody", "--url", url, "--token", TOKEN);
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("no LAC peer named nobody"), bad.err());
        assertEquals(List.of("drain-peer partner-a", "undrain-peer nobody"), calls);
    }

    @Test
    void tokenIsRequired() {
        Run r = lacd("stats", "--url", url);
        assertEquals(1, r.code());
        assertTrue(r.err().contains("missing or wrong bearer token"), r.err());
        assertEquals(1, lacd("stats", "--url", url, "--token", "wrong-token-wrong-token").code());
        assertTrue(calls.isEmpty(), "nothing reached the backend");
    }

    /** Issue 14, defect 8: the scheme name is case-insensitive (RFC 7235 2.1); the token is not. */
    @Test
    void bearerSchemeIsCaseInsensitive() throws Exception {
        for (String scheme : new String[] {"Bearer", "bearer", "BEARER", "bEaReR"}) {
            assertEquals(200, status(scheme + " " + TOKEN), scheme);
        }
        assertEquals(200, status("bearer   " + TOKEN), "1*SP between scheme and token");
        assertEquals(401, status("bearer " + TOKEN.toUpperCase(java.util.Locale.ROOT)), "the token is case-sensitive");
        assertEquals(401, status("Basic " + TOKEN));
        assertEquals(401, status("Bearer"));
        assertEquals(401, status("Bearer" + TOKEN));
        assertFalse(ManagementServer.bearerMatches(null, TOKEN));
    }

    int status(String authorization) throws Exception {
        java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/v1/stats"))
                .header("Authorization", authorization).build();
        return java.net.http.HttpClient.newHttpClient().send(req, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void kickNeedsASelectorAndDaemonDownIsClear() {
        Run r = lacd("kick", "--url", url, "--token", TOKEN);
        assertEquals(1, r.code());
        assertTrue(r.err().contains("give one of --session, --user, --mac"), r.err());
        Run down = lacd("stats", "--url", "http://127.0.0.1:1");
        assertEquals(1, down.code());
        assertTrue(down.err().contains("cannot reach lacd"), down.err());
    }

    Run light(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = org.lacd.daemon.cli.ManagementMain.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    /** Issue 16 part 4: every field of {@code lacd session ID} inside its block; an untagged session says so, not -1. */
    @Test
    void sessionDetailIsOneBlockAndUntaggedIsNamed() {
        for (Run r : List.of(lacd("session", "8", "--url", url, "--token", TOKEN), light("session", "8", "--url", url, "--token", TOKEN))) {
            assertEquals(0, r.code(), r.err());
            List<String> lines = r.out().lines().toList();
            assertEquals("session 8:", lines.get(0), r.out());
            for (String l : lines.subList(1, lines.size())) {
                assertTrue(l.startsWith("  "), "outside the block: '" + l + "' in\n" + r.out());
            }
            assertTrue(lines.contains("  outerVlan: untagged"), r.out());
            assertTrue(lines.contains("  innerVlan: none"), r.out());
            assertTrue(lines.contains("  serviceName: svc") && lines.contains("  authType: pap"), r.out());
            assertFalse(r.out().lines().anyMatch(l -> l.endsWith(": -1")), r.out());
        }
        Run tagged = light("session", "7", "--url", url, "--token", TOKEN);
        assertTrue(tagged.out().contains("  outerVlan: 100") && tagged.out().contains("  innerVlan: 7"), tagged.out());
        Run table = light("sessions", "--url", url, "--token", TOKEN, "--user", hostile.user());
        assertTrue(table.out().lines().toList().get(1).contains(" untagged "), table.out());
    }

    /** The launcher's light path gives what the picocli path gives, and leaves help and errors to picocli. */
    @Test
    void lightPathAgreesWithPicocli() {
        String[][] cases = {
            {"sessions", "--url", url, "--token", TOKEN, "--user", "alice@reseller-a.example", "--vlan", "100"},
            {"sessions", "--url=" + url, "--token", TOKEN, "--count"},
            {"session", "7", "--url", url, "--token", TOKEN, "--json"},
            {"tunnels", "--url", url, "--token", TOKEN},
            {"stats", "--url", url},
            {"kick", "--url", url, "--token", TOKEN},
            {"sessions", "--url", url, "--token", TOKEN, "--bogus"},
            {"sessions", "--url", url, "--token", TOKEN, "--vlan", "x"},
            {"session", "--url", url, "--token", TOKEN},
            {"trace", "alice", "--url", url, "--token", TOKEN},
            {"stats", "--help"},
        };
        for (String[] c : cases) {
            Run viaCli = lacd(c);
            Run viaLight = light(c);
            String what = String.join(" ", c);
            assertEquals(viaCli.code(), viaLight.code(), what);
            assertEquals(viaCli.out(), viaLight.out(), what);
            assertEquals(viaCli.err(), viaLight.err(), what);
        }
        assertTrue(org.lacd.daemon.cli.ManagementMainAccess.binds("trace", "alice", "-w", "/tmp/x.pcap"), "defaults and -w");
        assertFalse(org.lacd.daemon.cli.ManagementMainAccess.binds("trace", "alice"), "-w is required: picocli says so");
        assertFalse(org.lacd.daemon.cli.ManagementMainAccess.binds("stats", "--help"));
    }

    /** Issue 16 part 4: outside the daemon's namespace, with no config file, the command says to use --url. */
    @Test
    void noConfigFileSaysToUseUrl() {
        for (Run r : List.of(lacd("sessions", "--config", "/nonexistent/lacd.yaml"), light("sessions", "--config", "/nonexistent/lacd.yaml"))) {
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains("/nonexistent/lacd.yaml: file not found") && r.err().contains("--url http://"), r.err());
            assertTrue(r.err().contains("ip netns exec"), r.err());
        }
    }
}
