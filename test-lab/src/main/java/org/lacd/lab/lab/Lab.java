package org.lacd.lab.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lacd.radius.it.FreeRadiusServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole lab: {@link Topology}, real FreeRADIUS (one or two) and lacd in the lacd namespace, one LNS emulator per
 * LNS namespace, subscriber emulators in the subscriber namespace. Every program is a separate process; the lab talks
 * to lacd only as an operator does (management API, /metrics, signals, radclient) and reads the emulators' JSON reports.
 *
 * <p>Steering: FreeRADIUS answers {@code user{n}@reseller-a.example} (password {@code pass{n}}) with two RFC 2868 tagged
 * L2TP tunnels, lns-a1 (Tunnel-Preference 10) and lns-a2 (20), Tunnel-Password {@value #SECRET_A}, Tunnel-Assignment-Id
 * naming the lacd LNS profile; reseller B likewise to lns-b1/lns-b2. lacd's realm rules say the same (used only when
 * RADIUS names no tunnel).
 *
 * <p>{@link #close()} stops everything in order (subscribers, lacd with SIGTERM so it sends CDN/PADT/Stop, LNSs,
 * FreeRADIUS, captures) and removes the namespaces; a shutdown hook does the same on Ctrl-C.
 */
public final class Lab implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Lab.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String SECRET_A = "l2tp-secret-a";
    public static final String SECRET_B = "l2tp-secret-b";
    public static final String DAE_SECRET = "dae-secret-lab";
    public static final String LAC_HOSTNAME = "lacd-lab";
    public static final int METRICS_PORT = 9101;
    public static final int MGMT_PORT = 9102;
    public static final int DAE_PORT = 3799;
    public static final int[][] RADIUS_PORTS = {{1812, 1813}, {1814, 1815}};

    private final Path dir;
    private LabOptions opts;
    private final Topology topo;
    private final List<FreeRadiusServer> radius = new ArrayList<>();
    private final Map<String, LabProcess> lnsProcs = new LinkedHashMap<>();
    private final Map<String, L2tpns> l2tpns = new LinkedHashMap<>();
    private final List<LabProcess> subscriberProcs = new ArrayList<>();
    private final List<LabProcess> captures = new ArrayList<>();
    private final Thread hook = new Thread(this::close, "lab-teardown");
    private LabProcess lacd;
    /** The second box of a two-box lab (issue 19), or null. */
    private LabProcess lacd2;
    private int lnsStarts;
    private volatile boolean closed;

    private Lab(Path dir, LabOptions opts, Topology topo) {
        this.dir = dir;
        this.opts = opts;
        this.topo = topo;
    }

    /** What a lab needs on this machine; null when everything is there, else what is missing. */
    public static String missingPrerequisite() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "the lab needs root (network namespaces)";
        }
        for (String b : List.of("ip", "setsid", "curl", "/usr/sbin/freeradius", "/usr/bin/radclient")) {
            if (!Sh.have(b)) {
                return b + " not installed";
            }
        }
        if (!Files.isRegularFile(lacdJar())) {
            return lacdJar() + " missing (mvn package first)";
        }
        // a container may have ip but not the right to create namespaces: try one
        String probe = Topology.uniquePrefix() + "-probe";
        Sh.Result r = Sh.run("ip", "netns", "add", probe);
        Sh.run("ip", "netns", "del", probe);
        if (!r.ok()) {
            return "cannot create a network namespace here: " + r.out().strip();
        }
        return null;
    }

    /** The repository root: the working directory or its parent, whichever holds lac-daemon/. */
    public static Path repoRoot() {
        Path cwd = Path.of("").toAbsolutePath();
        for (Path p = cwd; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("lac-daemon")) && Files.isDirectory(p.resolve("test-lab"))) {
                return p;
            }
        }
        return cwd;
    }

    /** lacd's jar; {@code -Dlab.lacd.jar=...} runs another build (a benchmark's "before"). */
    public static Path lacdJar() {
        String other = System.getProperty("lab.lacd.jar");
        return other != null ? Path.of(other) : repoRoot().resolve("lac-daemon/target/lacd.jar");
    }

    /** Class path for the emulator JVMs: the test class path under surefire, else this JVM's own. */
    static String classpath() {
        String s = System.getProperty("surefire.test.class.path");
        return s != null && !s.isBlank() ? s : System.getProperty("java.class.path");
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Builds the topology and starts FreeRADIUS, lacd and the four LNS emulators. */
    public static Lab start(Path dir, LabOptions opts) {
        return start(dir, opts, Topology.uniquePrefix());
    }

    public static Lab start(Path dir, LabOptions opts, String prefix) {
        return start(dir, opts, prefix, false);
    }

    /**
     * With {@code twoBoxes}, the access side is a bridge with room for a second lacd ({@link #startSecondLacd}); the
     * lab starts the first one as usual.
     */
    public static Lab start(Path dir, LabOptions opts, String prefix, boolean twoBoxes) {
        String missing = missingPrerequisite();
        if (missing != null) {
            throw new LabException(missing);
        }
        Topology topo = Topology.create(prefix, false, twoBoxes);
        Lab lab = new Lab(dir, opts, topo);
        Runtime.getRuntime().addShutdownHook(lab.hook);
        try {
            Files.createDirectories(dir);
            Files.writeString(lab.logbackFile(), LOGBACK);
            if (opts.capture()) {
                lab.startCaptures();
            }
            lab.startRadius();
            lab.startLacd();
            for (String name : topo.lns().keySet()) {
                lab.startLns(name);
            }
            return lab;
        } catch (IOException e) {
            lab.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            lab.close();
            throw e;
        }
    }

    /** Emulators log at INFO (their DEBUG is per packet). */
    private static final String LOGBACK = """
        <configuration>
          <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
            <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n</pattern></encoder>
          </appender>
          <root level="INFO"><appender-ref ref="OUT"/></root>
        </configuration>
        """;

    Path logbackFile() { return dir.resolve("emulator-logback.xml"); }

    private List<String> emulatorJvm(String heap) {
        return new ArrayList<>(List.of(java(), "-Xmx" + heap, "-Dlogback.configurationFile=" + logbackFile(), "-cp", classpath()));
    }

    public Topology topology() { return topo; }

    public Path dir() { return dir; }

    public LabOptions options() { return opts; }

    public LabProcess lacd() { return lacd; }

    public List<FreeRadiusServer> radius() { return radius; }

    // ---------------------------------------------------------------- FreeRADIUS

    /** FreeRADIUS users file: N users per reseller steered by tagged tunnel attributes. */
    public static String usersFile(int perReseller, Map<String, Topology.LnsNode> lns) {
        StringBuilder b = new StringBuilder(perReseller * 1200);
        b.append("# generated by the lacd lab\n");
        for (String r : List.of("a", "b")) {
            Topology.LnsNode first = lns.get("lns-" + r + "1");
            Topology.LnsNode second = lns.get("lns-" + r + "2");
            String secret = r.equals("a") ? SECRET_A : SECRET_B;
            for (int n = 1; n <= perReseller; n++) {
                b.append("user").append(n).append("@reseller-").append(r).append(".example Cleartext-Password := \"pass")
                        .append(n).append("\"\n");
                b.append("\tService-Type = Framed-User,\n\tFramed-Protocol = PPP,\n");
                tunnel(b, 1, first, secret, 10);
                tunnel(b, 2, second, secret, 20);
                b.setLength(b.length() - 2);
                b.append("\n\n");
            }
        }
        return b.toString();
    }

    private static void tunnel(StringBuilder b, int tag, Topology.LnsNode n, String secret, int pref) {
        b.append("\tTunnel-Type:").append(tag).append(" = L2TP,\n");
        b.append("\tTunnel-Medium-Type:").append(tag).append(" = IPv4,\n");
        b.append("\tTunnel-Server-Endpoint:").append(tag).append(" = \"").append(n.address()).append("\",\n");
        b.append("\tTunnel-Password:").append(tag).append(" = \"").append(secret).append("\",\n");
        b.append("\tTunnel-Preference:").append(tag).append(" = ").append(pref).append(",\n");
        b.append("\tTunnel-Client-Auth-Id:").append(tag).append(" = \"").append(LAC_HOSTNAME).append("\",\n");
        b.append("\tTunnel-Assignment-Id:").append(tag).append(" = \"").append(n.name()).append("\",\n");
    }

    private void startRadius() throws IOException {
        String users = usersFile(opts.usersPerReseller(), topo.lns());
        for (int i = 0; i < opts.radiusServers(); i++) {
            Path d = dir.resolve("radius" + (i + 1));
            Files.createDirectories(d);
            try {
                radius.add(FreeRadiusServer.start(d, users, Topology.in(topo.lacdNamespace()), RADIUS_PORTS[i][0], RADIUS_PORTS[i][1]));
            } catch (Exception e) {
                throw new LabException("FreeRADIUS " + (i + 1) + " did not start: " + e.getMessage(), e);
            }
        }
        LOG.info("FreeRADIUS x{} in {} on 127.0.0.1 ({} users per reseller)", radius.size(), topo.lacdNamespace(),
                opts.usersPerReseller());
    }

    // ---------------------------------------------------------------- lacd

    /** lacd's lab configuration. */
    public String lacdConfig() {
        StringBuilder b = new StringBuilder();
        b.append("# generated by the lacd lab\n");
        // 65,534 PPPoE session ids per interface: the lab's single access interface can carry the scale benchmark
        b.append("interfaces: [{name: ").append(Topology.ACCESS_IF).append(", max-sessions: 65534");
        if (opts.workers() > 0) {
            b.append(", workers: ").append(opts.workers());
        }
        if (!opts.accessExtra().isBlank()) {
            b.append(", ").append(opts.accessExtra().strip());
        }
        b.append("}]\n");
        b.append("""
            pppoe:
              limits: {padi-per-second: 100000, padr-per-second: 100000}
            ppp:
              auth-protocols: [chap-md5, pap]
            radius:
              enabled: true
              nas-identifier: %s
              timeout: %s
              retries: %s
              dead-time: 10s
              auth-servers:
            """.formatted(LAC_HOSTNAME, System.getProperty("lab.radius.timeout", "1s"), System.getProperty("lab.radius.retries", "1")));
        for (FreeRadiusServer r : radius) {
            b.append("    - {address: 127.0.0.1, port: ").append(r.authPort()).append(", secret: ").append(FreeRadiusServer.SECRET).append("}\n");
        }
        b.append("  acct-servers:\n");
        for (FreeRadiusServer r : radius) {
            b.append("    - {address: 127.0.0.1, port: ").append(r.acctPort()).append(", secret: ").append(FreeRadiusServer.SECRET).append("}\n");
        }
        b.append("""
              accounting:
                enabled: true
                interim-interval: 0s
                spool-dir: %s
              dynamic-authorization:
                enabled: true
                listen: 127.0.0.1:%d
                clients: [{address: 127.0.0.1, secret: %s}]
            l2tp:
              hostname: %s
              hello-interval: %ds
              retransmit-initial: 500ms
              max-retransmits: %d
              tunnel-linger: 5s
              setup-timeout: %dms
            """.formatted(dir.resolve("spool"), DAE_PORT, DAE_SECRET, LAC_HOSTNAME, opts.helloInterval().toSeconds(), opts.maxRetransmits(),
                    opts.setupTimeout().toMillis()));
        for (String line : opts.l2tpExtra().lines().toList()) {
            if (!line.isBlank()) {
                b.append("  ").append(line.strip()).append('\n');
            }
        }
        b.append("  lns:\n");
        for (Topology.LnsNode n : topo.lns().values()) {
            b.append("    - name: ").append(n.name()).append('\n');
            b.append("      address: ").append(n.address()).append('\n');
            b.append("      secret: ").append(n.reseller().equals("a") ? SECRET_A : SECRET_B).append('\n');
            for (String line : opts.extraLns().lines().toList()) {
                if (!line.isBlank()) {
                    b.append("      ").append(line.strip()).append('\n');
                }
            }
        }
        b.append("""
            steering:
              source: radius-then-realm
              lockout: %ds
              rules:
                - realm: reseller-a.example
                  lns: [{name: lns-a1, preference: 10}, {name: lns-a2, preference: 20}]
                - realm: reseller-b.example
                  lns: [{name: lns-b1, preference: 10}, {name: lns-b2, preference: 20}]
            metrics: {enabled: true, listen: "127.0.0.1:%d"}
            management: {enabled: true, listen: "127.0.0.1:%d"}
            logging: {level: %s}
            """.formatted(opts.lockout().toSeconds(), METRICS_PORT, MGMT_PORT, opts.logLevel()));
        return b.toString();
    }

    private void startLacd() throws IOException {
        startLacd(lacdConfig());
    }

    private void startLacd(String yaml) throws IOException {
        Path cfg = dir.resolve("lacd.yaml");
        Files.writeString(cfg, yaml);
        Files.createDirectories(dir.resolve("spool"));
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx" + opts.lacdHeap()));
        // extra JVM options for lacd, e.g. -Dlab.lacd.jvm="-XX:StartFlightRecording=filename=/tmp/x.jfr" (benchmarks)
        for (String a : System.getProperty("lab.lacd.jvm", "").trim().split("\\s+")) {
            if (!a.isEmpty()) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-jar", lacdJar().toString(), "run", "--config", cfg.toString()));
        lacd = LabProcess.start("lacd", topo.lacdNamespace(), cmd, dir.resolve("lacd.log"));
        try {
            if (!LabProcess.await(Duration.ofSeconds(40), () -> !lacd.alive() || health())) {
                throw new LabException("lacd did not answer /health within 40 s:\n" + lacd.tail(30));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted");
        }
        if (!lacd.alive()) {
            throw new LabException("lacd exited " + lacd.process().exitValue() + ":\n" + lacd.tail(30));
        }
        LOG.info("lacd up in {} (pid {})", topo.lacdNamespace(), lacd.pid());
    }

    // ---------------------------------------------------------------- a second lacd on the same segment (issue 19)

    /** Metrics and management ports of the second box (same namespace as the first). */
    public static final int METRICS_PORT_2 = 9103;
    public static final int MGMT_PORT_2 = 9104;
    public static final int DAE_PORT_2 = 3800;
    /** The second box's L2TP source port: the LNS tells the two boxes' tunnels apart by it. */
    public static final int L2TP_PORT_2 = 1702;

    /** The config file of box 1 or 2. */
    public Path lacdConfigFile(int box) {
        return dir.resolve(box == 1 ? "lacd.yaml" : "lacd-2.yaml");
    }

    /** {@code cfg} with {@code pppoe.pado-delay: yaml} (a duration or a flow-style table). */
    static String withPadoDelay(String cfg, String yaml) {
        String anchor = "pppoe:\n  limits: {padi-per-second: 100000, padr-per-second: 100000}\n";
        if (!cfg.contains(anchor)) {
            throw new IllegalStateException("lab config without its pppoe section");
        }
        return cfg.replace(anchor, anchor + "  pado-delay: " + yaml + "\n");
    }

    /**
     * The second box's config: the first box's, on {@link Topology#ACCESS_IF_2}, with its own metrics, management, DAE
     * and L2TP ports, spool, NAS-Identifier and AC-Name, and {@code pado-delay}.
     */
    String secondLacdConfig(String padoDelay) {
        String c = lacdConfig()
                .replace("name: " + Topology.ACCESS_IF + ",", "name: " + Topology.ACCESS_IF_2 + ",")
                .replace("\"127.0.0.1:" + METRICS_PORT + "\"", "\"127.0.0.1:" + METRICS_PORT_2 + "\"")
                .replace("\"127.0.0.1:" + MGMT_PORT + "\"", "\"127.0.0.1:" + MGMT_PORT_2 + "\"")
                .replace("listen: 127.0.0.1:" + DAE_PORT, "listen: 127.0.0.1:" + DAE_PORT_2)
                .replace("spool-dir: " + dir.resolve("spool"), "spool-dir: " + dir.resolve("spool-2"))
                .replace("nas-identifier: " + LAC_HOSTNAME, "nas-identifier: " + LAC_HOSTNAME + "-2")
                .replace("l2tp:\n  hostname:", "l2tp:\n  source-port: " + L2TP_PORT_2 + "\n  hostname:");
        return withPadoDelay(c, padoDelay).replace("pppoe:\n", "pppoe:\n  ac-name: lacd-2\n");
    }

    /** Starts the second box on the bridged segment with {@code pado-delay: padoDelay}; waits for its /health. */
    public LabProcess startSecondLacd(String padoDelay) throws IOException {
        return startSecondLacdWithConfig(secondLacdConfig(padoDelay));
    }

    /**
     * Starts the second box with this config text ({@link #secondLacdConfig} edited by a test: for tunnel switching,
     * the front LAC whose only LNS is box 1); waits for its /health.
     */
    public LabProcess startSecondLacdWithConfig(String yaml) throws IOException {
        if (!topo.twoBoxes()) {
            throw new LabException("the lab was started without room for a second lacd");
        }
        Files.writeString(lacdConfigFile(2), yaml);
        Files.createDirectories(dir.resolve("spool-2"));
        lacd2 = LabProcess.start("lacd-2", topo.lacdNamespace(), List.of(java(), "-Xmx" + opts.lacdHeap(), "-jar",
                lacdJar().toString(), "run", "--config", lacdConfigFile(2).toString()), dir.resolve("lacd-2.log"));
        try {
            if (!LabProcess.await(Duration.ofSeconds(40), () -> !lacd2.alive()
                    || curl("http://127.0.0.1:" + METRICS_PORT_2 + "/health", "GET").ok())) {
                throw new LabException("the second lacd did not answer /health within 40 s:\n" + lacd2.tail(30));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted");
        }
        if (!lacd2.alive()) {
            throw new LabException("the second lacd exited:\n" + lacd2.tail(30));
        }
        return lacd2;
    }

    public LabProcess lacd(int box) {
        return box == 1 ? lacd : lacd2;
    }

    /**
     * Rewrites box {@code box}'s config with {@code pado-delay: yaml} and reloads it (SIGHUP); returns once its
     * lacd_config_reloads_total{result="success"} has grown.
     */
    public void reloadPadoDelay(int box, String yaml) throws IOException, InterruptedException {
        double before = sample(metrics(box), "lacd_config_reloads_total", "result=\"success\"");
        Files.writeString(lacdConfigFile(box), box == 1 ? withPadoDelay(lacdConfig(), yaml) : secondLacdConfig(yaml));
        lacd(box).signal("HUP");
        if (!LabProcess.await(Duration.ofSeconds(20),
                () -> sample(metrics(box), "lacd_config_reloads_total", "result=\"success\"") > before)) {
            throw new LabException("box " + box + " did not reload:\n" + lacd(box).tail(20));
        }
    }

    /** Box 1's or box 2's /metrics. */
    public String metrics(int box) {
        Sh.Result r = curl("http://127.0.0.1:" + (box == 1 ? METRICS_PORT : METRICS_PORT_2) + "/metrics", "GET");
        if (!r.ok()) {
            throw new LabException("/metrics of box " + box + ": curl exited " + r.exit() + ": " + r.out());
        }
        return r.out();
    }

    /** GET on box 1's or box 2's management API. */
    public JsonNode api(int box, String path) {
        Sh.Result r = curl("http://127.0.0.1:" + (box == 1 ? MGMT_PORT : MGMT_PORT_2) + "/v1/" + path, "GET");
        if (!r.ok()) {
            LabProcess p = lacd(box);
            throw new LabException("management API " + path + " of box " + box + ": curl exited " + r.exit() + ": " + r.out()
                    + (p == null ? "" : "\nits lacd " + (p.alive() ? "runs" : "has exited") + ":\n" + p.tail(20)));
        }
        try {
            return JSON.readTree(r.out());
        } catch (IOException e) {
            throw new LabException("management API " + path + ": not JSON: " + r.out(), e);
        }
    }

    /** Restarts lacd after {@link #stopLacd(Duration)} with the same configuration. */
    public void restartLacd() throws IOException {
        startLacd();
    }

    /**
     * Restarts lacd after {@link #stopLacd(Duration)} with other options. Only what lacd's own config and JVM take from
     * them changes (workers, heap, log level, lockout, setup timeout, extra LNS lines); FreeRADIUS's users and the LNS
     * emulators keep what the lab started with.
     */
    public void restartLacd(LabOptions changed) throws IOException {
        this.opts = changed;
        startLacd();
    }

    /**
     * Restarts lacd after {@link #stopLacd(Duration)} with this config text: {@link #lacdConfig()} edited by a test for
     * what the options do not cover (for example an LNS profile that requires IPsec).
     */
    public void restartLacdWithConfig(String yaml) throws IOException {
        startLacd(yaml);
    }

    /** SIGTERM to lacd; returns its exit code. */
    public int stopLacd(Duration grace) {
        return lacd.stop(grace);
    }

    public boolean health() {
        return curl("http://127.0.0.1:" + METRICS_PORT + "/health", "GET").ok();
    }

    private Sh.Result curl(String url, String method) {
        return topo.exec(topo.lacdNamespace(), 15, "curl", "-sf", "-m", "10", "-X", method, url);
    }

    /** The /metrics text, as Prometheus scrapes it. */
    public String metrics() {
        Sh.Result r = curl("http://127.0.0.1:" + METRICS_PORT + "/metrics", "GET");
        if (!r.ok()) {
            throw new LabException("/metrics: curl exited " + r.exit() + ": " + r.out());
        }
        return r.out();
    }

    /** Sum of every sample of {@code name} whose labels contain all of {@code labels} (e.g. {@code direction="up"}). */
    public static double sample(String text, String name, String... labels) {
        double sum = 0;
        Pattern p = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})?\\s+(\\S+)$", Pattern.MULTILINE);
        Matcher m = p.matcher(text);
        outer:
        while (m.find()) {
            String l = m.group(1) == null ? "" : m.group(1);
            for (String want : labels) {
                if (!l.contains(want)) {
                    continue outer;
                }
            }
            sum += Double.parseDouble(m.group(2));
        }
        return sum;
    }

    public double metric(String name, String... labels) {
        return sample(metrics(), name, labels);
    }

    /** GET on the management API ({@code sessions}, {@code tunnels}, {@code lns}, {@code stats}). */
    public JsonNode api(String path) {
        Sh.Result r = curl("http://127.0.0.1:" + MGMT_PORT + "/v1/" + path, "GET");
        if (!r.ok()) {
            throw new LabException("management API " + path + ": curl exited " + r.exit() + ": " + r.out());
        }
        try {
            return JSON.readTree(r.out());
        } catch (IOException e) {
            throw new LabException("management API " + path + ": not JSON: " + r.out(), e);
        }
    }

    /** POST on the management API (kick, drain). */
    public JsonNode apiPost(String path) {
        Sh.Result r = curl("http://127.0.0.1:" + MGMT_PORT + "/v1/" + path, "POST");
        try {
            return JSON.readTree(r.out());
        } catch (IOException e) {
            throw new LabException("management API POST " + path + ": " + r.out(), e);
        }
    }

    /** lacd's own CLI against its management API, as an operator runs it: {@code lacd <args> --url ... --json}. */
    public Sh.Result lacdCli(String... args) {
        List<String> cmd = new ArrayList<>(Topology.in(topo.lacdNamespace()));
        cmd.addAll(List.of(java(), "-jar", lacdJar().toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--url", "http://127.0.0.1:" + MGMT_PORT));
        return Sh.run(60, cmd);
    }

    /** Sessions in lacd now (the management API's session list). */
    public JsonNode sessions() {
        return api("sessions");
    }

    /**
     * Waits up to {@code timeout} until lacd lists no session (a busy management API counts as not yet); true when it
     * got there.
     */
    public boolean awaitNoSessions(Duration timeout) throws InterruptedException {
        return LabProcess.await(timeout, () -> {
            try {
                return sessions().isEmpty();
            } catch (RuntimeException e) {
                return false;
            }
        });
    }

    /** Sessions per LNS in lacd now, from the management API, in state {@code state} (null: any). */
    public Map<String, Integer> sessionsByLns(String state) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (JsonNode s : sessions()) {
            if (state == null || state.equals(s.path("state").asText())) {
                m.merge(s.path("lns").asText(""), 1, Integer::sum);
            }
        }
        return m;
    }

    /** A RADIUS Disconnect-Request to lacd's DAE listener (radclient in the lacd namespace). */
    public FreeRadiusServer.RadclientResult disconnect(String attributes) throws IOException, InterruptedException {
        return FreeRadiusServer.radclient(Topology.in(topo.lacdNamespace()), "127.0.0.1:" + DAE_PORT, "disconnect", DAE_SECRET,
                attributes, 3);
    }

    // ---------------------------------------------------------------- LNS emulators

    public Path lnsReportFile(String name) {
        return dir.resolve("lns-" + name + ".json");
    }

    /** Control port of every LNS emulator, on the loopback of its own namespace. */
    public static final int LNS_CONTROL_PORT = 8701;

    /**
     * Starts (or restarts) the LNS {@code name}: the LNS emulator with the lab's mode, plus extra emulator options, or,
     * when {@link LabOptions#l2tpns()} names it, a real l2tpns (the extra options do not apply to it).
     */
    public LabProcess startLns(String name, String... extra) {
        Topology.LnsNode n = topo.lns(name);
        int idx = new ArrayList<>(topo.lns().keySet()).indexOf(name);
        if (opts.l2tpns().contains(name)) {
            return startL2tpns(n, idx);
        }
        List<String> cmd = emulatorJvm("384m");
        cmd.add("org.lacd.lab.lns.LnsEmulator");
        cmd.addAll(List.of("--listen", n.address() + ":1701", "--secret", n.reseller().equals("a") ? SECRET_A : SECRET_B,
                "--hostname", n.name(), "--password-pattern", "pass{n}", "--mode", opts.lnsMode(),
                "--pool", "100." + (64 + idx) + ".0.0/16", "--json", lnsReportFile(name).toString(),
                "--duration", "24h", "--status-interval", "2s", "--control", "127.0.0.1:" + LNS_CONTROL_PORT));
        cmd.addAll(List.of(extra));
        LabProcess p = LabProcess.start("lns " + name, n.namespace(), cmd, dir.resolve("lns-" + name + "-" + (++lnsStarts) + ".log"));
        lnsProcs.put(name, p);
        try {
            if (!LabProcess.await(Duration.ofSeconds(30), () -> !p.alive() || p.logContains("lns-emulator listening"))) {
                throw new LabException("LNS emulator " + name + " did not start:\n" + p.tail(20));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!p.alive()) {
            throw new LabException("LNS emulator " + name + " exited:\n" + p.tail(20));
        }
        return p;
    }

    public LabProcess lns(String name) {
        return lnsProcs.get(name);
    }

    /** Subscriber addresses of the l2tpns LNS number {@code idx} (0..3): its ip_pool. */
    public static String l2tpnsPool(int idx) {
        return "100." + (64 + idx) + ".0.0/22";
    }

    private LabProcess startL2tpns(Topology.LnsNode n, int idx) {
        L2tpns running = l2tpns.get(n.name());
        try {
            if (running != null) {
                running.startProcess();
            } else {
                StringBuilder users = new StringBuilder("# generated by the lacd lab: the subscribers l2tpns authenticates\n");
                for (int i = 1; i <= opts.usersPerReseller(); i++) {
                    users.append("user").append(i).append("@reseller-").append(n.reseller()).append(".example Cleartext-Password := \"pass")
                            .append(i).append("\"\n\tService-Type = Framed-User,\n\tFramed-Protocol = PPP\n\n");
                }
                running = L2tpns.start(new L2tpns.Config(n.namespace(), n.address(), n.name(),
                        n.reseller().equals("a") ? SECRET_A : SECRET_B, l2tpnsPool(idx), users.toString()), dir.resolve("l2tpns-" + n.name()));
                l2tpns.put(n.name(), running);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted");
        }
        lnsProcs.put(n.name(), running.process());
        return running.process();
    }

    /** The real l2tpns running as LNS {@code name} (null when that LNS is an emulator). */
    public L2tpns l2tpns(String name) {
        return l2tpns.get(name);
    }

    /**
     * The LNS emulator's control port (curl in its namespace): e.g. {@code POST /calls/clear?user=U} (CDN),
     * {@code POST /tunnels/stop} (StopCCN), {@code GET /report}. Returns the JSON answer.
     */
    public JsonNode lnsControl(String name, String method, String path) {
        Sh.Result r = topo.exec(topo.lns(name).namespace(), 15, "curl", "-s", "-m", "10", "-X", method,
                "http://127.0.0.1:" + LNS_CONTROL_PORT + path);
        try {
            return JSON.readTree(r.out());
        } catch (IOException e) {
            throw new LabException("LNS " + name + " control " + path + ": " + r.out(), e);
        }
    }

    /** Stops an LNS emulator with SIGTERM (it closes its tunnels with StopCCN and writes its report); returns the report. */
    public JsonNode stopLns(String name) {
        LabProcess p = lnsProcs.get(name);
        p.stop(Duration.ofSeconds(20));
        return lnsReport(name);
    }

    /** Kills an LNS (SIGKILL: no StopCCN, no report): a crashed LNS. */
    public void killLns(String name) {
        lnsProcs.get(name).kill();
    }

    /** The JSON report an LNS emulator wrote when it stopped. */
    public JsonNode lnsReport(String name) {
        try {
            return JSON.readTree(Files.readString(lnsReportFile(name)));
        } catch (IOException e) {
            throw new LabException("no report from LNS " + name + ": " + e.getMessage() + "\n" + lnsProcs.get(name).tail(20), e);
        }
    }

    /** The last status line of a running LNS emulator: tunnels, sessions, up, total, ipv4 in, reflected. */
    public long[] lnsStatus(String name) {
        L2tpns real = l2tpns.get(name);
        if (real != null) {
            // no status line: tun0's counters give what came in from the subscribers and what went back
            long[] tun = real.tunPackets(topo);
            return new long[] {0, 0, 0, 0, tun[0], tun[1]};
        }
        LabProcess p = lnsProcs.get(name);
        Pattern s = Pattern.compile("tunnels (\\d+) sessions (\\d+) up (\\d+) total (\\d+) ipv4 in (\\d+) reflected (\\d+)");
        long[] last = new long[6];
        if (p == null) {
            return last;
        }
        Matcher m = s.matcher(p.log());
        while (m.find()) {
            for (int i = 0; i < 6; i++) {
                last[i] = Long.parseLong(m.group(i + 1));
            }
        }
        return last;
    }

    // ---------------------------------------------------------------- subscribers

    /**
     * One subscriber emulator run.
     *
     * @param reseller "a" or "b": users {@code user{n}@reseller-<r>.example}, MACs 02:00:00:0<r>:xx:xx
     */
    public record SubscriberRun(String reseller, int count, double rate, String auth, int trafficPps, int trafficSize,
                                String lifetime, String duration, int retries) {
        public static SubscriberRun of(String reseller, int count) {
            return new SubscriberRun(reseller, count, 50, "mix", 0, 128, "0", "60s", 3);
        }

        public SubscriberRun rate(double r) { return new SubscriberRun(reseller, count, r, auth, trafficPps, trafficSize, lifetime, duration, retries); }

        public SubscriberRun auth(String a) { return new SubscriberRun(reseller, count, rate, a, trafficPps, trafficSize, lifetime, duration, retries); }

        public SubscriberRun traffic(int pps, int size) { return new SubscriberRun(reseller, count, rate, auth, pps, size, lifetime, duration, retries); }

        public SubscriberRun lifetime(String l) { return new SubscriberRun(reseller, count, rate, auth, trafficPps, trafficSize, l, duration, retries); }

        public SubscriberRun duration(String d) { return new SubscriberRun(reseller, count, rate, auth, trafficPps, trafficSize, lifetime, d, retries); }

        /** Retransmissions per step, 3 s apart (the emulator's default 3; pppd retries PAP 10 times). */
        public SubscriberRun retries(int n) { return new SubscriberRun(reseller, count, rate, auth, trafficPps, trafficSize, lifetime, duration, n); }
    }

    /** A running subscriber emulator and where its JSON report will be. */
    public record Subscribers(SubscriberRun run, LabProcess process, Path reportFile) {
        /** Waits for the emulator to finish by itself; returns its exit code (-1 if it did not in time). */
        public int await(Duration timeout) throws InterruptedException {
            return process.await(timeout);
        }

        public JsonNode report() {
            try {
                return JSON.readTree(Files.readString(reportFile));
            } catch (IOException e) {
                throw new LabException("no subscriber report " + reportFile + ":\n" + process.tail(30), e);
            }
        }

        /** Each subscriber's outcome (user, auth, address, peerAddress, failure, ...), written when the emulator ends. */
        public List<JsonNode> outcomes() {
            Path f = reportFile.resolveSibling(reportFile.getFileName().toString().replace(".json", "-outcomes.jsonl"));
            try {
                List<JsonNode> l = new ArrayList<>();
                for (String line : Files.readAllLines(f)) {
                    if (!line.isBlank()) {
                        l.add(JSON.readTree(line));
                    }
                }
                return l;
            } catch (IOException e) {
                throw new LabException("no subscriber outcomes " + f + ":\n" + process.tail(30), e);
            }
        }
    }

    private int subscriberRuns;

    /** Starts a subscriber emulator in the subscriber namespace on {@link Topology#SUB_IF}. */
    public Subscribers startSubscribers(SubscriberRun r) {
        return startSubscribers(r, new String[0]);
    }

    /**
     * As above, with more emulator options, e.g. {@code --lcp-echo-interval 1s --lcp-echo-failures 3 --redial}
     * (issue 19: subscribers that notice a dead box and dial again).
     */
    public Subscribers startSubscribers(SubscriberRun r, String... extraArgs) {
        int k = ++subscriberRuns;
        Path report = dir.resolve("subscribers-" + r.reseller() + "-" + k + ".json");
        String user = "user{n}@reseller-" + r.reseller() + ".example";
        long macBase = 0x02_00_00_00_00_00L | ((r.reseller().equals("a") ? 0xaL : 0xbL) << 24) | ((long) k << 16);
        String mac = String.format(Locale.ROOT, "%02x:%02x:%02x:%02x:%02x:%02x", (macBase >> 40) & 0xff, (macBase >> 32) & 0xff,
                (macBase >> 24) & 0xff, (macBase >> 16) & 0xff, (macBase >> 8) & 0xff, macBase & 0xff);
        List<String> cmd = emulatorJvm("512m");
        cmd.addAll(List.of("org.lacd.lab.subscriber.SubscriberEmulator",
                "--interface", Topology.SUB_IF, "--count", Integer.toString(r.count()), "--rate", Double.toString(r.rate()),
                "--auth", r.auth(), "--user-pattern", user, "--password-pattern", "pass{n}", "--lifetime", r.lifetime(),
                "--traffic-pps", Integer.toString(r.trafficPps()), "--traffic-size", Integer.toString(r.trafficSize()),
                "--duration", r.duration(), "--retries", Integer.toString(r.retries()), "--mac-base", mac, "--json", report.toString(),
                "--outcomes", dir.resolve("subscribers-" + r.reseller() + "-" + k + "-outcomes.jsonl").toString()));
        cmd.addAll(List.of(extraArgs));
        LabProcess p = LabProcess.start("subscribers " + r.reseller() + k, topo.subscriberNamespace(), cmd,
                dir.resolve("subscribers-" + r.reseller() + "-" + k + ".log"));
        subscriberProcs.add(p);
        return new Subscribers(r, p, report);
    }

    // ---------------------------------------------------------------- captures

    private void startCaptures() {
        List<String> cmd = new ArrayList<>(List.of("dumpcap", "-q", "-i", Topology.ACCESS_IF));
        for (Topology.LnsNode n : topo.lns().values()) {
            cmd.addAll(List.of("-i", n.lacInterface()));
        }
        cmd.addAll(List.of("-w", captureFile().toString()));
        captures.add(LabProcess.start("capture", topo.lacdNamespace(), cmd, dir.resolve("capture.log")));
        try {
            LabProcess.await(Duration.ofSeconds(10), () -> Files.exists(captureFile()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public Path captureFile() {
        return dir.resolve("lacd-both-sides.pcapng");
    }

    /** Stops the capture (so the file is complete). */
    public void stopCaptures() {
        for (LabProcess c : captures) {
            c.signal("INT");
            c.stop(Duration.ofSeconds(5));
        }
    }

    // ---------------------------------------------------------------- impairment

    /**
     * Random loss of L2TP control messages, both directions, in lacd's namespace (nftables {@code numgen random} on
     * UDP port 1701 datagrams whose L2TP T bit, the first bit after the UDP header, is set): each is dropped with
     * {@code percent}% probability. Data messages pass: PPP over them has its own retries, and the point is lacd's
     * reliable control transport. 0 removes the rules.
     */
    public void l2tpLoss(int percent) {
        String ns = topo.lacdNamespace();
        topo.exec(ns, 10, "nft", "delete", "table", "inet", "lab_loss");
        if (percent <= 0) {
            return;
        }
        String rules = """
            table inet lab_loss {
              chain out {
                type filter hook output priority 0; policy accept;
                udp dport 1701 @th,64,1 1 counter comment "control";
                udp dport 1701 @th,64,1 1 numgen random mod 100 < %1$d counter drop comment "dropped";
              }
              chain in {
                type filter hook input priority 0; policy accept;
                udp sport 1701 @th,64,1 1 counter comment "control";
                udp sport 1701 @th,64,1 1 numgen random mod 100 < %1$d counter drop comment "dropped";
              }
            }
            """.formatted(percent);
        try {
            Path f = dir.resolve("loss.nft");
            Files.writeString(f, rules);
            Sh.Result r = topo.exec(ns, 10, "nft", "-f", f.toString());
            if (!r.ok()) {
                throw new LabException("nft: " + r.out());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What the loss rules have counted since {@link #l2tpLoss} last installed them: L2TP control datagrams seen in both
     * directions, and how many of those were dropped.
     */
    public LossCounters l2tpLossCounters() {
        Sh.Result r = topo.exec(topo.lacdNamespace(), 10, "nft", "list", "table", "inet", "lab_loss");
        long control = 0;
        long dropped = 0;
        Matcher m = Pattern.compile("counter packets (\\d+) .*comment \"(control|dropped)\"").matcher(r.out());
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            if (m.group(2).equals("control")) {
                control += n;
            } else {
                dropped += n;
            }
        }
        return new LossCounters(control, dropped);
    }

    /** L2TP control datagrams the loss rules saw, and dropped, in lacd's namespace. */
    public record LossCounters(long control, long dropped) {
        @Override
        public String toString() {
            return dropped + " of " + control + " control datagrams dropped";
        }
    }

    // ---------------------------------------------------------------- accounting

    /** Accounting records in FreeRADIUS's detail files: Acct-Status-Type by Acct-Session-Id, in order. */
    public Map<String, List<String>> accounting() throws IOException {
        Map<String, List<String>> m = new LinkedHashMap<>();
        Pattern type = Pattern.compile("Acct-Status-Type = (\\S+)");
        Pattern id = Pattern.compile("Acct-Session-Id = \"([^\"]*)\"");
        for (FreeRadiusServer r : radius) {
            for (String rec : r.detail().split("\n\\s*\n")) {
                Matcher t = type.matcher(rec);
                Matcher i = id.matcher(rec);
                if (t.find() && i.find()) {
                    m.computeIfAbsent(i.group(1), k -> new ArrayList<>()).add(t.group(1));
                }
            }
        }
        return m;
    }

    // ---------------------------------------------------------------- teardown

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (LabProcess p : subscriberProcs) {
            p.stop(Duration.ofSeconds(5));
        }
        if (lacd != null) {
            lacd.stop(Duration.ofSeconds(25));
        }
        if (lacd2 != null) {
            lacd2.stop(Duration.ofSeconds(25));
        }
        for (var e : lnsProcs.entrySet()) {
            if (!l2tpns.containsKey(e.getKey())) {
                e.getValue().stop(Duration.ofSeconds(10));
            }
        }
        for (L2tpns l : l2tpns.values()) {
            l.close();
        }
        for (FreeRadiusServer r : radius) {
            try {
                r.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stopCaptures();
        topo.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // running from the hook
        }
        LOG.info("lab {} torn down; files in {}", topo.prefix(), dir);
    }

    /** Everything written to one string for failure messages: lacd's log tail and each program's tail. */
    public String diagnostics() {
        StringBuilder b = new StringBuilder();
        if (lacd != null) {
            b.append("--- lacd: why setups failed\n").append(setupTrouble(lacd.log(), 40)).append('\n');
            b.append("--- lacd\n").append(lacd.tail(40)).append('\n');
        }
        if (lacd2 != null) {
            b.append("--- lacd-2\n").append(lacd2.tail(40)).append('\n');
        }
        for (var e : lnsProcs.entrySet()) {
            L2tpns real = l2tpns.get(e.getKey());
            b.append("--- ").append(e.getKey()).append('\n').append(real != null ? real.tail(30) : e.getValue().tail(8)).append('\n');
        }
        for (LabProcess p : subscriberProcs) {
            b.append("--- ").append(p.name()).append('\n').append(p.tail(25)).append('\n');
        }
        return b.toString();
    }

    /** The last {@code max} log lines that explain a refused or slow setup: refusals, abandoned setups, LNS timeouts,
     * and every tunnel event. */
    static String setupTrouble(String log, int max) {
        List<String> hits = log.lines()
                .filter(l -> l.contains(" refused: ") || l.contains("setup abandoned") || l.contains("did not bring the call up")
                        || l.contains("] Tunnel "))
                .toList();
        return hits.isEmpty() ? "(none)" : String.join("\n", hits.subList(Math.max(0, hits.size() - max), hits.size()));
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
