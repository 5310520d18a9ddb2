package org.lacd.daemon.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.lacd.daemon.config.LacdConfig.Accounting;
import org.lacd.daemon.config.LacdConfig.AuthProtocol;
import org.lacd.daemon.config.LacdConfig.DaeClient;
import org.lacd.daemon.config.LacdConfig.DynamicAuthorization;
import org.lacd.daemon.config.LacdConfig.L2tp;
import org.lacd.daemon.config.LacdConfig.LnsProfile;
import org.lacd.daemon.config.LacdConfig.LnsRef;
import org.lacd.daemon.config.LacdConfig.LogLevel;
import org.lacd.daemon.config.LacdConfig.Logging;
import org.lacd.daemon.config.LacdConfig.MacFormat;
import org.lacd.daemon.config.LacdConfig.Management;
import org.lacd.daemon.config.LacdConfig.MessageAuthenticator;
import org.lacd.daemon.config.LacdConfig.Metrics;
import org.lacd.daemon.config.LacdConfig.Ppp;
import org.lacd.daemon.config.LacdConfig.Pppoe;
import org.lacd.daemon.config.LacdConfig.PppoeLimits;
import org.lacd.daemon.config.LacdConfig.Radius;
import org.lacd.daemon.config.LacdConfig.RadiusServer;
import org.lacd.daemon.config.LacdConfig.RealmRule;
import org.lacd.daemon.config.LacdConfig.ServerStrategy;
import org.lacd.daemon.config.LacdConfig.Spread;
import org.lacd.daemon.config.LacdConfig.Steering;
import org.lacd.daemon.config.LacdConfig.SteeringSource;
import org.lacd.daemon.config.LacdConfig.SubscriberInterface;
import org.lacd.daemon.config.LacdConfig.UnknownService;
import org.lacd.pppoe.discovery.PadoDelay;
import org.lacd.pppoe.discovery.PadoDelayPolicy;

/**
 * Reads {@code lacd.yaml} into a {@link LacdConfig}: YAML syntax, then each section key by key (unknown keys,
 * wrong types and out-of-range values refused with their key path), then the cross-field checks.
 */
public final class ConfigLoader {
    /** DoS and sanity guard: a config is a few KiB; refuse anything absurd before parsing it. */
    static final long MAX_FILE_BYTES = 4L << 20;
    static final int MAX_LNS_PROFILES = 4096;
    static final int MAX_RULES = 65536;
    private static final Duration D0 = Duration.ZERO;
    private static final Duration DAY = Duration.ofDays(1);

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private ConfigLoader() {}

    /** The validated config together with the raw tree it came from (for reload diffs). */
    public record Loaded(LacdConfig config, JsonNode tree) {}

    public static LacdConfig load(Path file) throws ConfigException {
        return loadWithTree(file).config();
    }

    public static Loaded loadWithTree(Path file) throws ConfigException {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new ConfigException(file, "", "file is larger than " + MAX_FILE_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file, "", "file not found");
        } catch (IOException e) {
            throw new ConfigException(file, "", "cannot read: " + e.getMessage());
        }
        checkUtf8(file, bytes);
        JsonNode tree;
        try {
            tree = YAML.readTree(bytes);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            String at = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            throw new ConfigException(file, "", "not valid YAML" + at + ": " + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (IOException e) {
            throw new ConfigException(file, "", "cannot read: " + e.getMessage());
        }
        return new Loaded(parse(file, tree), tree);
    }

    /**
     * A config is UTF-8 text (YAML 1.2). A binary file or one in another encoding is refused here with the line of the
     * first bad byte, instead of the YAML reader's exception class and "byte #-1".
     */
    static void checkUtf8(Path file, byte[] bytes) throws ConfigException {
        java.nio.charset.CharsetDecoder d = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length + 1);
        java.nio.charset.CoderResult r = d.decode(in, out, true);
        if (r.isError()) {
            int at = in.position();
            int line = 1;
            for (int i = 0; i < at; i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            throw new ConfigException(file, "", String.format("not UTF-8 text at line %d (byte 0x%02x at offset %d):"
                    + " is this the config file?", line, bytes[at] & 0xff, at));
        }
    }

    static LacdConfig parse(Path file, JsonNode tree) throws ConfigException {
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            throw new ConfigException(file, "", "file is empty");
        }
        Section root = new Section(file, "", tree);
        List<SubscriberInterface> interfaces = interfaces(root);
        Pppoe pppoe = pppoe(root.section("pppoe"));
        Ppp ppp = ppp(root.section("ppp"));
        Radius radius = radius(root.section("radius"));
        L2tp l2tp = l2tp(root.section("l2tp"));
        Steering steering = steering(root.section("steering"));
        Metrics metrics = metrics(root.section("metrics"));
        Management management = management(root.section("management"));
        Logging logging = logging(root.section("logging"));
        root.done();
        LacdConfig c = new LacdConfig(file, interfaces, pppoe, ppp, radius, l2tp, steering, metrics, management, logging);
        crossCheck(c);
        return c;
    }

    private static List<SubscriberInterface> interfaces(Section root) throws ConfigException {
        List<SubscriberInterface> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Section s : root.list("interfaces")) {
            String name = s.requiredString("name");
            if (!name.matches("[A-Za-z0-9_.@:-]{1,15}")) {
                throw s.error("name", "'" + name + "' is not a valid Linux interface name (1-15 of A-Z a-z 0-9 _ . - @ :)");
            }
            if (!names.add(name)) {
                throw s.error("name", "interface '" + name + "' is listed twice");
            }
            out.add(new SubscriberInterface(name, s.integer("max-sessions", 32000, 1, 65534),
                    s.integer("workers", LacdConfig.DEFAULT_WORKERS, 1, org.lacd.l2tp.L2tpEngine.MAX_WORKERS),
                    s.enumValue("io", LacdConfig.PortIo.class, LacdConfig.PortIo.AUTO),
                    s.bool("tx-ring", true),
                    s.integer("ring-mib", LacdConfig.DEFAULT_RING_MIB, 4, 1024),
                    Optional.ofNullable(padoDelay(s, "pado-delay", null))));
            s.done();
        }
        return List.copyOf(out);
    }

    private static Pppoe pppoe(Section s) throws ConfigException {
        Section l = s.section("limits");
        PppoeLimits limits = new PppoeLimits(
                l.integer("sessions-per-mac", 2, 1, 64),
                l.integer("sessions-per-vlan", 0, 0, 65534),
                l.integer("padi-per-mac-per-second", 2, 1, 1000),
                l.integer("padi-per-second", 2000, 1, 1_000_000),
                l.integer("padr-per-mac-per-second", 2, 1, 1000),
                l.integer("padr-per-second", 2000, 1, 1_000_000),
                l.integer("discovery-queue", 4096, 2, 65536),
                l.integer("setups-in-flight", 2000, 1, 65534),
                l.duration("padi-hold", Duration.ofSeconds(2), Duration.ZERO, Duration.ofSeconds(10)));
        l.done();
        String acName = s.string("ac-name", "lacd");
        if (acName.isEmpty() || acName.length() > 64) {
            throw s.error("ac-name", "must be 1..64 characters");
        }
        Pppoe p = new Pppoe(acName,
                s.stringList("service-names"),
                s.enumValue("unknown-service", UnknownService.class, UnknownService.ERROR),
                s.integer("max-payload", 1500, 1492, 9000),
                s.duration("cookie-rotation", Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofHours(1)),
                s.duration("discovery-timeout", Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofMinutes(5)),
                limits, padoDelays(s));
        s.done();
        return p;
    }

    private static LacdConfig.PadoDelays padoDelays(Section s) throws ConfigException {
        PadoDelay def = padoDelay(s, "pado-delay", PadoDelay.NONE);
        java.util.Map<String, PadoDelay> byService = new java.util.LinkedHashMap<>();
        for (Section x : s.list("pado-delay-services")) {
            String name = x.requiredString("service");
            if (name.length() > 64) {
                throw x.error("service", "longer than 64 characters");
            }
            PadoDelay d = padoDelay(x, "pado-delay", null);
            if (d == null) {
                throw x.error("pado-delay", "is required");
            }
            if (byService.put(name, d) != null) {
                throw x.error("service", "service '" + name + "' is listed twice");
            }
            x.done();
        }
        return new LacdConfig.PadoDelays(def, java.util.Map.copyOf(byService),
                s.integer("pado-delay-max-pending", PadoDelayPolicy.DEFAULT_MAX_PENDING, 1, PadoDelayPolicy.MAX_MAX_PENDING));
    }

    /**
     * A {@code pado-delay}: a duration (the same delay whatever the load), or a table of {@code {sessions: N, delay: D}}
     * rows by the interface's session count, the first from 0 sessions, where {@code delay: none} sends no PADO.
     */
    private static PadoDelay padoDelay(Section s, String key, PadoDelay def) throws ConfigException {
        JsonNode v = s.raw(key);
        if (v == null) {
            return def;
        }
        if (v.isTextual()) {
            return PadoDelay.fixed(s.duration(key, Duration.ZERO, Duration.ZERO, PadoDelay.MAX_DELAY));
        }
        if (!v.isArray()) {
            throw s.error(key, "expected a duration such as 200ms or a list of {sessions, delay} rows, got " + Section.kindOf(v));
        }
        List<Section> rows = s.list(key);
        if (rows.isEmpty() || rows.size() > PadoDelay.MAX_STEPS) {
            throw s.error(key, "a table needs 1.." + PadoDelay.MAX_STEPS + " rows");
        }
        List<PadoDelay.Step> steps = new ArrayList<>();
        int previous = -1;
        for (int i = 0; i < rows.size(); i++) {
            Section r = rows.get(i);
            if (!r.has("sessions")) {
                throw r.error("sessions", "is required");
            }
            int from = r.integer("sessions", 0, 0, 65534);
            if (i == 0 && from != 0) {
                throw r.error("sessions", "the first row must start at 0 sessions, got " + from);
            }
            if (from <= previous) {
                throw r.error("sessions", from + " is not above the row before (" + previous + ")");
            }
            previous = from;
            String d = r.requiredString("delay");
            Duration delay = d.trim().equals("none") ? null : r.duration("delay", Duration.ZERO, Duration.ZERO, PadoDelay.MAX_DELAY);
            steps.add(new PadoDelay.Step(from, delay));
            r.done();
        }
        return new PadoDelay(steps);
    }

    private static Ppp ppp(Section s) throws ConfigException {
        List<AuthProtocol> auth = s.enumList("auth-protocols", AuthProtocol.class, List.of(AuthProtocol.CHAP_MD5, AuthProtocol.PAP));
        if (auth.isEmpty()) {
            throw s.error("auth-protocols", "at least one protocol is needed to learn the username");
        }
        Ppp p = new Ppp(auth,
                s.integer("mru", 1492, 576, 9000),
                s.duration("lcp-restart", Duration.ofSeconds(3), Duration.ofMillis(100), Duration.ofMinutes(1)),
                s.integer("lcp-max-configure", 10, 1, 255),
                s.integer("lcp-max-failure", 5, 1, 255),
                s.duration("auth-timeout", Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofMinutes(10)));
        s.done();
        return p;
    }

    private static Radius radius(Section s) throws ConfigException {
        MessageAuthenticator defaultMa = s.enumValue("message-authenticator", MessageAuthenticator.class, MessageAuthenticator.AUTO);
        List<RadiusServer> auth = servers(s, "auth-servers", 1812, defaultMa);
        List<RadiusServer> acct = servers(s, "acct-servers", 1813, defaultMa);
        Section a = s.section("accounting");
        Accounting accounting = new Accounting(
                a.bool("enabled", true),
                a.duration("interim-interval", Duration.ofMinutes(5), D0, DAY),
                Path.of(a.string("spool-dir", "/var/lib/lacd/spool")),
                a.integer("spool-max-records", 500_000, 100, 10_000_000),
                a.bool("tunnel-records", false),
                a.bool("record-rejects", false));
        a.done();
        if (!accounting.interimInterval().isZero() && accounting.interimInterval().compareTo(Duration.ofSeconds(60)) < 0) {
            throw a.error("interim-interval", "must be 0 (off) or at least 60s");
        }
        Section d = s.section("dynamic-authorization");
        List<DaeClient> clients = new ArrayList<>();
        for (Section c : d.list("clients")) {
            clients.add(new DaeClient(c.parseAddress("address", c.requiredString("address")), secret(c)));
            c.done();
        }
        DynamicAuthorization dae = new DynamicAuthorization(d.bool("enabled", false),
                d.hostPort("listen", "0.0.0.0:3799"), List.copyOf(clients));
        d.done();
        if (dae.enabled() && dae.clients().isEmpty()) {
            throw d.error("clients", "dynamic authorization is enabled but no client is allowed to send requests");
        }
        String nasPortId = s.string("nas-port-id-format", "{interface}:{outer-vlan}.{inner-vlan}");
        checkTemplate(s, "nas-port-id-format", nasPortId, Set.of("interface", "outer-vlan", "inner-vlan"));
        Radius r = new Radius(
                s.bool("enabled", true),
                s.bool("authenticate", true),
                s.string("nas-identifier", "lacd"),
                Optional.ofNullable(s.address("nas-ip-address", null)),
                nasPortId,
                s.enumValue("calling-station-id-format", MacFormat.class, MacFormat.IETF),
                s.enumValue("strategy", ServerStrategy.class, ServerStrategy.FAILOVER),
                s.duration("timeout", Duration.ofSeconds(3), Duration.ofMillis(100), Duration.ofMinutes(1)),
                s.integer("retries", 2, 0, 10),
                s.duration("dead-time", Duration.ofSeconds(60), D0, Duration.ofHours(1)),
                s.integer("max-in-flight", 256, 1, 65536),
                auth, acct, accounting, dae);
        s.done();
        if (r.enabled() && r.authServers().isEmpty()) {
            throw s.error("auth-servers", "RADIUS is enabled but no auth server is configured (set radius.enabled: false to steer by realm rules only)");
        }
        if (r.enabled() && accounting.enabled() && r.acctServers().isEmpty()) {
            throw a.error("enabled", "accounting is enabled but radius.acct-servers is empty");
        }
        return r;
    }

    private static List<RadiusServer> servers(Section parent, String key, int defaultPort, MessageAuthenticator defaultMa)
            throws ConfigException {
        List<RadiusServer> out = new ArrayList<>();
        for (Section s : parent.list(key)) {
            out.add(new RadiusServer(s.parseAddress("address", s.requiredString("address")),
                    s.integer("port", defaultPort, 1, 65535), secret(s),
                    s.enumValue("message-authenticator", MessageAuthenticator.class, defaultMa)));
            s.done();
        }
        return List.copyOf(out);
    }

    private static String secret(Section s) throws ConfigException {
        String secret = s.requiredString("secret");
        if (secret.length() > 128) {
            throw s.error("secret", "longer than 128 characters");
        }
        return secret;
    }

    /** strongSwan connection and child names: what swanctl.conf allows in a section name, and no more. */
    private static final java.util.regex.Pattern SWANCTL_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    /** {@code ipsec}, {@code ipsec-connection}, {@code ipsec-child} of one LNS profile. */
    private static LacdConfig.Ipsec ipsec(Section p) throws ConfigException {
        com.fasterxml.jackson.databind.JsonNode raw = p.raw("ipsec");
        // YAML 1.1 readers may take a bare "off" for the boolean false: that, and only that, also means off
        LacdConfig.IpsecMode mode = raw != null && raw.isBoolean() && !raw.booleanValue() ? LacdConfig.IpsecMode.OFF
                : p.enumValue("ipsec", LacdConfig.IpsecMode.class, LacdConfig.IpsecMode.OFF);
        String connection = p.string("ipsec-connection", null);
        String child = p.string("ipsec-child", null);
        if (mode == LacdConfig.IpsecMode.OFF) {
            if (connection != null || child != null) {
                throw p.error(connection != null ? "ipsec-connection" : "ipsec-child",
                        "is set but ipsec is off (set ipsec: required, or remove the key)");
            }
            return LacdConfig.Ipsec.OFF;
        }
        if (connection == null) {
            throw p.error("ipsec-connection", "is required with ipsec: required (the swanctl connection that protects L2TP to this LNS)");
        }
        if (!SWANCTL_NAME.matcher(connection).matches()) {
            throw p.error("ipsec-connection", "is not a swanctl connection name (1-64 of A-Z a-z 0-9 _ . -)");
        }
        String c = child == null ? connection : child;
        if (!SWANCTL_NAME.matcher(c).matches()) {
            throw p.error("ipsec-child", "is not a swanctl child name (1-64 of A-Z a-z 0-9 _ . -)");
        }
        return new LacdConfig.Ipsec(mode, connection, c);
    }

    private static L2tp l2tp(Section s) throws ConfigException {
        int sourcePort = s.integer("source-port", 1701, 0, 65535);
        InetAddress bind = s.address("bind-address", "0.0.0.0");
        String hostname = s.string("hostname", "lacd");
        Duration hello = s.duration("hello-interval", Duration.ofSeconds(60), D0, Duration.ofHours(1));
        Duration rtxInit = s.duration("retransmit-initial", Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(30));
        Duration rtxCap = s.duration("retransmit-cap", Duration.ofSeconds(8), Duration.ofSeconds(8), Duration.ofMinutes(5));
        int maxRtx = s.integer("max-retransmits", 5, 1, 30);
        int window = s.integer("receive-window", 16, 1, 1024);
        Duration linger = s.duration("tunnel-linger", Duration.ofSeconds(30), D0, Duration.ofHours(1));
        int perTunnel = s.integer("sessions-per-tunnel", 8000, 1, 65535);
        int inSetupPerTunnel = s.integer("calls-in-setup-per-tunnel", 0, 0, 65535);
        Duration setup = s.duration("setup-timeout", Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofMinutes(5));
        String calling = s.string("calling-number", "{mac}");
        long speed = s.longValue("connect-speed", 100_000_000L, 1, 0xffff_ffffL);
        boolean udpGso = s.bool("udp-gso", true);
        boolean udpGro = s.bool("udp-gro", false);
        int receiveBufferMib = s.integer("receive-buffer-mib", L2tp.DEFAULT_RECEIVE_BUFFER_MIB, 1, 1024);
        if (rtxInit.compareTo(rtxCap) > 0) {
            throw s.error("retransmit-initial", "is longer than l2tp.retransmit-cap (" + Section.show(rtxCap) + ")");
        }
        checkTemplate(s, "calling-number", calling);
        List<LnsProfile> lns = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<Section> profiles = s.list("lns");
        if (profiles.size() > MAX_LNS_PROFILES) {
            throw s.error("lns", "more than " + MAX_LNS_PROFILES + " profiles");
        }
        for (Section p : profiles) {
            String name = p.requiredString("name");
            if (!names.add(name)) {
                throw p.error("name", "LNS profile '" + name + "' is defined twice");
            }
            Optional<String> secret = Optional.ofNullable(p.string("secret", null));
            if (secret.isPresent() && secret.get().isEmpty()) {
                throw p.error("secret", "is empty (leave the key out for a tunnel without authentication)");
            }
            lns.add(new LnsProfile(name,
                    p.parseAddress("address", p.requiredString("address")),
                    p.integer("port", 1701, 1, 65535),
                    secret,
                    p.string("hostname", hostname),
                    Optional.ofNullable(p.address("local-address", null)),
                    Optional.ofNullable(p.string("assignment-id", null)),
                    p.bool("hide-avps", false),
                    p.integer("max-sessions", 0, 0, 1_000_000),
                    p.integer("sessions-per-tunnel", perTunnel, 1, 65535),
                    p.integer("weight", 1, 1, 1000),
                    p.bool("drain", false),
                    p.bool("replay-auth", false),
                    p.bool("access-line-avps", true),
                    ipsec(p)));
            if (lns.get(lns.size() - 1).hideAvps() && secret.isEmpty()) {
                throw p.error("hide-avps", "hiding AVPs needs a tunnel secret");
            }
            p.done();
        }
        String vici = s.string("ipsec-vici", L2tp.DEFAULT_VICI.toString());
        if (!vici.startsWith("/")) {
            throw s.error("ipsec-vici", "must be the absolute path of charon's VICI unix socket (charon.plugins.vici.socket without unix://)");
        }
        List<LacdConfig.LacPeer> lacPeers = lacPeers(s, lns);
        L2tp l = new L2tp(sourcePort, bind, hostname, hello, rtxInit, rtxCap, maxRtx, window, linger, perTunnel, inSetupPerTunnel, setup,
                calling, speed, udpGso, udpGro, receiveBufferMib, List.copyOf(lns), java.nio.file.Path.of(vici), lacPeers);
        s.done();
        return l;
    }

    /** DoS/config-size guard: downstream LAC peers. */
    static final int MAX_LAC_PEERS = 4096;

    /**
     * {@code l2tp.lac-peers}: downstream LACs whose tunnels and calls lacd accepts (tunnel switching). Names unique,
     * addresses or prefixes unique and not an LNS's address (an LNS never opens tunnels toward a LAC, and a tunnel
     * from it would be taken as a downstream LAC's).
     */
    private static List<LacdConfig.LacPeer> lacPeers(Section s, List<LnsProfile> lns) throws ConfigException {
        List<Section> list = s.list("lac-peers");
        if (list.size() > MAX_LAC_PEERS) {
            throw s.error("lac-peers", "more than " + MAX_LAC_PEERS + " peers");
        }
        List<LacdConfig.LacPeer> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> prefixes = new HashSet<>();
        for (Section p : list) {
            String name = p.requiredString("name");
            if (name.isBlank()) {
                throw p.error("name", "is empty");
            }
            if (!names.add(name)) {
                throw p.error("name", "LAC peer '" + name + "' is defined twice");
            }
            String a = p.requiredString("address").trim();
            int slash = a.indexOf('/');
            InetAddress network = p.parseAddress("address", slash < 0 ? a : a.substring(0, slash));
            int bits = network.getAddress().length * 8;
            int prefix = bits;
            if (slash >= 0) {
                String len = a.substring(slash + 1);
                if (!len.matches("[0-9]{1,3}") || Integer.parseInt(len) > bits) {
                    throw p.error("address", "prefix length '/" + len + "' (expected: 0.." + bits + ")");
                }
                prefix = Integer.parseInt(len);
                if (!sameNetwork(network, prefix)) {
                    throw p.error("address", "'" + a + "' has host bits set beyond /" + prefix);
                }
            }
            if (!prefixes.add(network.getHostAddress() + "/" + prefix)) {
                throw p.error("address", "'" + a + "' is given for another LAC peer too");
            }
            for (LnsProfile l : lns) {
                if (new org.lacd.l2tp.LacPeer(name, network, prefix, null, null, 0).matches(l.address())) {
                    throw p.error("address", "holds the address of LNS profile '" + l.name() + "' (" + l.address().getHostAddress()
                            + "): a downstream LAC and an LNS cannot share an address");
                }
            }
            Optional<String> secret = Optional.ofNullable(p.string("secret", null));
            if (secret.isPresent() && secret.get().isEmpty()) {
                throw p.error("secret", "is empty (leave the key out for a tunnel without authentication)");
            }
            Optional<String> hostName = Optional.ofNullable(p.string("host-name", null));
            if (hostName.isPresent() && hostName.get().isEmpty()) {
                throw p.error("host-name", "is empty (leave the key out to accept any Host Name)");
            }
            int max = p.integer("max-sessions", 0, 0, 1_000_000);
            boolean drain = p.bool("drain", false);
            int maxTunnels = p.integer("max-tunnels", org.lacd.l2tp.LacPeer.DEFAULT_MAX_TUNNELS, 0, 65535);
            p.done();
            out.add(new LacdConfig.LacPeer(name, network, prefix, secret, hostName, max, drain, maxTunnels));
        }
        return List.copyOf(out);
    }

    /** Whether {@code a} has no bits set past {@code prefix}. */
    private static boolean sameNetwork(InetAddress a, int prefix) {
        byte[] b = a.getAddress();
        for (int bit = prefix; bit < b.length * 8; bit++) {
            if ((b[bit / 8] & (0x80 >>> (bit % 8))) != 0) {
                return false;
            }
        }
        return true;
    }

    private static final Set<String> TEMPLATE_VARS = Set.of("mac", "circuit-id", "remote-id", "interface", "outer-vlan",
            "inner-vlan", "service", "user");

    private static void checkTemplate(Section s, String key, String template) throws ConfigException {
        checkTemplate(s, key, template, TEMPLATE_VARS);
    }

    private static void checkTemplate(Section s, String key, String template, Set<String> vars) throws ConfigException {
        java.util.regex.Matcher m = Pattern.compile("\\{([^}]*)}").matcher(template);
        while (m.find()) {
            if (!vars.contains(m.group(1))) {
                throw s.error(key, "unknown placeholder {" + m.group(1) + "}; known: " + String.join(", ", new java.util.TreeSet<>(vars)));
            }
        }
    }

    private static Steering steering(Section s) throws ConfigException {
        SteeringSource source = s.enumValue("source", SteeringSource.class, SteeringSource.RADIUS_THEN_REALM);
        Spread spread = s.enumValue("spread", Spread.class, Spread.WEIGHT);
        Duration lockout = s.duration("lockout", Duration.ofSeconds(300), D0, DAY);
        List<RealmRule> rules = new ArrayList<>();
        List<Section> rs = s.list("rules");
        if (rs.size() > MAX_RULES) {
            throw s.error("rules", "more than " + MAX_RULES + " rules");
        }
        for (Section r : rs) {
            Optional<String> realm = Optional.ofNullable(r.string("realm", null));
            Optional<Pattern> regex = Optional.empty();
            String re = r.string("user-regex", null);
            if (re != null) {
                try {
                    regex = Optional.of(Pattern.compile(re));
                } catch (PatternSyntaxException e) {
                    throw r.error("user-regex", "not a valid regular expression: " + e.getDescription());
                }
            }
            Optional<String> service = Optional.ofNullable(r.string("service", null));
            int set = (realm.isPresent() ? 1 : 0) + (regex.isPresent() ? 1 : 0) + (service.isPresent() ? 1 : 0);
            if (set != 1) {
                throw r.error(null, "a rule needs exactly one of realm, user-regex or service");
            }
            List<LnsRef> refs = new ArrayList<>();
            for (Section ref : r.list("lns")) {
                refs.add(new LnsRef(ref.requiredString("name"), ref.integer("preference", 1, 0, 65535),
                        ref.integer("weight", 0, 0, 1000)));
                ref.done();
            }
            if (refs.isEmpty()) {
                throw r.error("lns", "a rule needs at least one LNS");
            }
            rules.add(new RealmRule(realm, regex, service, List.copyOf(refs)));
            r.done();
        }
        Steering st = new Steering(source, spread, lockout, List.copyOf(rules));
        s.done();
        return st;
    }

    private static Metrics metrics(Section s) throws ConfigException {
        Metrics m = new Metrics(s.bool("enabled", true), s.hostPort("listen", "127.0.0.1:9101"));
        s.done();
        return m;
    }

    private static Management management(Section s) throws ConfigException {
        Management m = new Management(s.bool("enabled", true), s.hostPort("listen", "127.0.0.1:9102"),
                Optional.ofNullable(s.string("token", null)));
        s.done();
        if (m.enabled() && !m.listen().getAddress().isLoopbackAddress() && m.token().isEmpty()) {
            throw s.error("token", "management.listen is not a loopback address, so a token is required");
        }
        if (m.token().isPresent() && m.token().get().length() < 16) {
            throw s.error("token", "shorter than 16 characters");
        }
        return m;
    }

    private static Logging logging(Section s) throws ConfigException {
        Logging l = new Logging(s.enumValue("level", LogLevel.class, LogLevel.INFO));
        s.done();
        return l;
    }

    /** Checks that span sections; each names the key that has to change. */
    private static void crossCheck(LacdConfig c) throws ConfigException {
        Path f = c.file();
        for (int i = 0; i < c.steering().rules().size(); i++) {
            RealmRule r = c.steering().rules().get(i);
            for (int j = 0; j < r.lns().size(); j++) {
                String name = r.lns().get(j).name();
                if (c.l2tp().profile(name).isEmpty()) {
                    throw new ConfigException(f, "steering.rules[" + i + "].lns[" + j + "].name",
                            "no LNS profile named '" + name + "' in l2tp.lns");
                }
            }
        }
        if (c.steering().source() == SteeringSource.RADIUS && !c.radius().enabled()) {
            throw new ConfigException(f, "steering.source", "is 'radius' but radius.enabled is false");
        }
        if (c.steering().source() == SteeringSource.REALM && c.steering().rules().isEmpty()) {
            throw new ConfigException(f, "steering.rules", "steering.source is 'realm' but there are no rules");
        }
        if (!c.radius().enabled() && c.steering().rules().isEmpty()) {
            throw new ConfigException(f, "steering.rules", "RADIUS is disabled and there are no realm rules: no subscriber could be placed");
        }
        if (c.ppp().mru() > c.pppoe().maxPayload()) {
            throw new ConfigException(f, "ppp.mru", c.ppp().mru() + " is larger than pppoe.max-payload (" + c.pppoe().maxPayload() + ")");
        }
        InetSocketAddress ml = c.metrics().listen();
        InetSocketAddress mg = c.management().listen();
        if (c.metrics().enabled() && c.management().enabled() && ml.getPort() == mg.getPort()
                && (ml.getAddress().equals(mg.getAddress()) || ml.getAddress().isAnyLocalAddress() || mg.getAddress().isAnyLocalAddress())) {
            throw new ConfigException(f, "management.listen", "uses the same port as metrics.listen (" + ml.getPort() + ")");
        }
        if (c.radius().dynamicAuthorization().enabled() && !c.radius().enabled()) {
            throw new ConfigException(f, "radius.dynamic-authorization.enabled", "needs radius.enabled: true");
        }
    }
}
