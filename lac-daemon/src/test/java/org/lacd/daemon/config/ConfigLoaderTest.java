package org.lacd.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.lacd.daemon.config.LacdConfig.AuthProtocol;
import org.lacd.daemon.config.LacdConfig.SteeringSource;
import org.lacd.pppoe.discovery.PadoDelay;

class ConfigLoaderTest {
    static final Path SAMPLE = Path.of("../packaging/lacd.yaml");

    @TempDir
    Path dir;

    @Test
    void shippedSampleIsValidAndDocumentedDefaultsApply() throws Exception {
        LacdConfig c = ConfigLoader.load(SAMPLE);
        assertEquals(List.of("eth1"), c.interfaces().stream().map(LacdConfig.SubscriberInterface::name).toList());
        assertEquals(LacdConfig.DEFAULT_WORKERS, c.interfaces().get(0).workers());
        assertEquals(LacdConfig.PortIo.AUTO, c.interfaces().get(0).io());
        assertEquals(List.of(AuthProtocol.CHAP_MD5, AuthProtocol.PAP), c.ppp().authProtocols());
        assertEquals(1701, c.l2tp().sourcePort());
        assertEquals(Duration.ofSeconds(8), c.l2tp().retransmitCap());
        assertTrue(c.l2tp().udpGso(), "l2tp.udp-gso defaults to on");
        assertTrue(c.interfaces().get(0).txRing(), "interfaces[].tx-ring defaults to on");
        assertEquals(LacdConfig.DEFAULT_RING_MIB, c.interfaces().get(0).ringMib(), "the sample says the default ring size");
        assertFalse(c.l2tp().udpGro(), "l2tp.udp-gro defaults to off");
        assertEquals(LacdConfig.L2tp.DEFAULT_RECEIVE_BUFFER_MIB, c.l2tp().receiveBufferMib(), "the sample says the default L2TP receive buffer");
        assertEquals(0, c.l2tp().callsInSetupPerTunnel(), "l2tp.calls-in-setup-per-tunnel defaults to no bound");
        assertEquals(Duration.ofSeconds(2), c.pppoe().limits().padiHold(), "the sample says the default padi-hold");
        assertEquals(3, c.l2tp().lns().size());
        assertEquals("lacd", c.l2tp().lns().get(0).hostname(), "profile hostname defaults to l2tp.hostname");
        assertEquals(2, c.steering().rules().size());
        assertEquals(SteeringSource.RADIUS_THEN_REALM, c.steering().source());
        assertEquals(Duration.ofSeconds(300), c.steering().lockout());
        assertTrue(c.steering().rules().get(1).userRegex().orElseThrow().matcher("b123").matches());
        assertEquals(2000, c.pppoe().limits().setupsInFlight());
        assertEquals(4096, c.pppoe().limits().discoveryQueue());
    }

    private ConfigException refused(String yaml) throws IOException {
        Path f = dir.resolve("lacd.yaml");
        Files.writeString(f, yaml);
        return assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
    }

    private String sampleWith(String from, String to) throws IOException {
        String s = Files.readString(SAMPLE);
        assertTrue(s.contains(from), "sample contains " + from);
        return s.replace(from, to);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        misspelled key           | '  hello-interval: 60s'    | '  helo-interval: 60s'       | l2tp.helo-interval        | unknown key (did you mean 'hello-interval'?)
        wrong type (number)      | '  source-port: 1701'      | '  source-port: abc'         | l2tp.source-port          | expected a whole number, got 'abc'
        out of range             | '  mru: 1492 '             | '  mru: 100 '                | ppp.mru                   | 100 is out of range (576..9000)
        bad duration             | '  lcp-restart: 3s'        | '  lcp-restart: 3 seconds'   | ppp.lcp-restart           | expected a duration
        retransmit cap below 8s  | '  retransmit-cap: 8s'     | '  retransmit-cap: 2s'       | l2tp.retransmit-cap       | 2s is out of range (8s..5m)
        negative calls in setup  | '  calls-in-setup-per-tunnel: 0' | '  calls-in-setup-per-tunnel: -1' | l2tp.calls-in-setup-per-tunnel | -1 is out of range (0..65535)
        bad enum                 | '  strategy: failover'     | '  strategy: random'         | radius.strategy           | expected one of failover, round-robin
        bad address              | 'address: 192.0.2.11'      | 'address: lns.example'       | l2tp.lns[0].address       | is not an IPv4 or IPv6 address
        unknown LNS in rule      | '{name: reseller-a-2, preference: 2}' | '{name: nowhere, preference: 2}' | steering.rules[0].lns[1].name | no LNS profile named 'nowhere'
        duplicate profile        | '- name: reseller-a-2'     | '- name: reseller-a-1'       | l2tp.lns[1].name          | is defined twice
        bad regex                | 'user-regex: "^b[0-9]+$"'  | 'user-regex: "^b[0-9+$"'     | steering.rules[1].user-regex | not a valid regular expression
        mru above max-payload    | '  mru: 1492 '             | '  mru: 2000 '               | ppp.mru                   | is larger than pppoe.max-payload
        management needs token   | '  listen: 127.0.0.1:9102' | '  listen: 0.0.0.0:9102'     | management.token          | a token is required
        same port twice          | '  listen: 127.0.0.1:9102' | '  listen: 127.0.0.1:9101'   | management.listen         | same port as metrics.listen
        hide-avps without secret | '      secret: tunnel-secret-b' | '      hide-avps: true'  | l2tp.lns[2].hide-avps     | needs a tunnel secret
        radius off, source radius| '  source: radius-then-realm' | '  source: radius'        | steering.source           | radius.enabled is false
        too many workers         | '    workers: 1 '           | '    workers: 65 '            | interfaces[0].workers     | 65 is out of range (1..64)
        bad port io              | '    io: auto '             | '    io: dpdk '               | interfaces[0].io          | expected one of auto, ring, pcap
        tx-ring not a boolean    | '    tx-ring: true '        | '    tx-ring: 1024 '          | interfaces[0].tx-ring     | expected true or false
        ring-mib too small       | '    ring-mib: 128 '        | '    ring-mib: 2 '            | interfaces[0].ring-mib    | 2 is out of range (4..1024)
        ring-mib not a number    | '    ring-mib: 128 '        | '    ring-mib: 64MiB '        | interfaces[0].ring-mib    | expected a whole number
        receive buffer zero      | '  receive-buffer-mib: 32 ' | '  receive-buffer-mib: 0 '  | l2tp.receive-buffer-mib   | 0 is out of range (1..1024)
        receive buffer too big   | '  receive-buffer-mib: 32 ' | '  receive-buffer-mib: 2048 ' | l2tp.receive-buffer-mib | 2048 is out of range (1..1024)
        pado-delay too long      | '  pado-delay: 0ms '       | '  pado-delay: 11s '         | pppoe.pado-delay          | 11s is out of range (0s..10s)
        pado-delay not a delay   | '  pado-delay: 0ms '       | '  pado-delay: 5 '           | pppoe.pado-delay          | expected a duration such as 200ms or a list
        pado table not from 0    | '  pado-delay: 0ms '       | '  pado-delay: [{sessions: 5, delay: 0ms}] ' | pppoe.pado-delay[0].sessions | the first row must start at 0 sessions
        pado table not rising    | '  pado-delay: 0ms '       | '  pado-delay: [{sessions: 0, delay: 0ms}, {sessions: 0, delay: none}] ' | pppoe.pado-delay[1].sessions | 0 is not above the row before (0)
        pado table bad delay     | '  pado-delay: 0ms '       | '  pado-delay: [{sessions: 0, delay: never}] ' | pppoe.pado-delay[0].delay | expected a duration
        pado table unknown key   | '  pado-delay: 0ms '       | '  pado-delay: [{sessions: 0, delay: 0ms, after: 1}] ' | pppoe.pado-delay[0].after | unknown key
        pado pending zero        | '  pado-delay-max-pending: 1024' | '  pado-delay-max-pending: 0' | pppoe.pado-delay-max-pending | 0 is out of range
        pado service twice       | '  pado-delay-services: []' | '  pado-delay-services: [{service: b, pado-delay: 0ms}, {service: b, pado-delay: 1s}]' | pppoe.pado-delay-services[1].service | is listed twice
        pado service no delay    | '  pado-delay-services: []' | '  pado-delay-services: [{service: b}]' | pppoe.pado-delay-services[0].pado-delay | is required
        udp-gso not a boolean    | '  udp-gso: true '          | '  udp-gso: yes please '     | l2tp.udp-gso              | expected true or false
        setups-in-flight zero    | '  setups-in-flight: 2000 '  | '  setups-in-flight: 0 '     | pppoe.limits.setups-in-flight | 0 is out of range (1..65534)
        discovery-queue too big  | '  discovery-queue: 4096 '   | '  discovery-queue: 100000 ' | pppoe.limits.discovery-queue | 100000 is out of range (2..65536)
        padi-hold too long       | '  padi-hold: 2s '            | '  padi-hold: 11s '          | pppoe.limits.padi-hold    | out of range
        padi-hold negative       | '  padi-hold: 2s '            | '  padi-hold: -1s '          | pppoe.limits.padi-hold    | expected a duration
        interface pado-delay     | '    # pado-delay: 200ms '  | '    pado-delay: 1h '         | interfaces[0].pado-delay | out of range
        """)
    void eachClassOfErrorNamesTheKeyPath(String what, String from, String to, String path, String reason) throws Exception {
        String yaml = sampleWith(from, to);
        if (what.startsWith("radius off")) {
            yaml = yaml.replace("  enabled: true                 # Ask RADIUS", "  enabled: false                # Ask RADIUS");
        }
        ConfigException e = refused(yaml);
        assertEquals(path, e.keyPath(), e.getMessage());
        assertTrue(e.reason().contains(reason), e.getMessage());
        assertTrue(e.getMessage().startsWith(dir.resolve("lacd.yaml") + ": " + path + ": "), e.getMessage());
    }

    @Test
    void padoDelayFixedTableServicesAndInterfaceOverride() throws Exception {
        LacdConfig sample = ConfigLoader.load(SAMPLE);
        assertEquals(PadoDelay.NONE, sample.pppoe().padoDelay().defaultDelay(), "the sample answers at once");
        assertEquals(1024, sample.pppoe().padoDelay().maxPending());
        assertTrue(sample.interfaces().get(0).padoDelay().isEmpty());

        Path f = dir.resolve("pado.yaml");
        Files.writeString(f, """
            interfaces: [{name: veth0, pado-delay: 200ms}, {name: veth1}]
            pppoe:
              pado-delay:
                - {sessions: 0, delay: 0ms}
                - {sessions: 10000, delay: 100ms}
                - {sessions: 20000, delay: 300ms}
                - {sessions: 30000, delay: none}
              pado-delay-services: [{service: business, pado-delay: 50ms}]
              pado-delay-max-pending: 64
            radius: {enabled: false}
            l2tp:
              lns: [{name: a, address: 127.0.0.1}]
            steering:
              rules: [{realm: a.example, lns: [{name: a}]}]
            """);
        LacdConfig c = ConfigLoader.load(f);
        PadoDelay table = c.pppoe().padoDelay().defaultDelay();
        assertEquals(0, table.delayNanos(9999));
        assertEquals(Duration.ofMillis(100).toNanos(), table.delayNanos(10000));
        assertEquals(Duration.ofMillis(300).toNanos(), table.delayNanos(29999));
        assertEquals(PadoDelay.SUPPRESS, table.delayNanos(30000));
        assertEquals(PadoDelay.fixed(Duration.ofMillis(200)), c.interfaces().get(0).padoDelay().orElseThrow());
        assertTrue(c.interfaces().get(1).padoDelay().isEmpty());
        assertEquals(PadoDelay.fixed(Duration.ofMillis(50)), c.pppoe().padoDelay().byService().get("business"));
        assertEquals(64, c.pppoe().padoDelay().maxPending());
    }

    @Test
    void yamlSyntaxErrorGivesLine() throws Exception {
        ConfigException e = refused("pppoe:\n  ac-name: [unclosed\n");
        assertTrue(e.getMessage().contains("not valid YAML at line"), e.getMessage());
    }

    @Test
    void duplicateKeyIsRefused() throws Exception {
        ConfigException e = refused("metrics:\n  enabled: true\n  enabled: false\n");
        assertTrue(e.getMessage().contains("Duplicate field 'enabled'"), e.getMessage());
    }

    @Test
    void missingRequiredKey() throws Exception {
        ConfigException e = refused(sampleWith("      secret: change-me         # required. Shared secret", "      # no secret"));
        assertEquals("radius.auth-servers[0].secret", e.keyPath());
        assertEquals("is required", e.reason());
    }

    @Test
    void wrongContainerType() throws Exception {
        ConfigException e = refused("interfaces: eth1\n");
        assertEquals("interfaces", e.keyPath());
        assertTrue(e.reason().startsWith("expected a list"), e.reason());
    }

    @Test
    void emptyAndMissingFiles() throws Exception {
        assertEquals("file is empty", refused("").reason());
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir.resolve("nope.yaml")));
        assertEquals("file not found", e.reason());
    }

    @Test
    void minimalRealmOnlyConfig() throws Exception {
        Path f = dir.resolve("min.yaml");
        Files.writeString(f, """
            interfaces: [{name: veth0}]
            radius: {enabled: false}
            l2tp:
              lns: [{name: a, address: 127.0.0.1}]
            steering:
              rules: [{realm: a.example, lns: [{name: a}]}]
            """);
        LacdConfig c = ConfigLoader.load(f);
        assertEquals(1, c.l2tp().lns().get(0).weight());
        assertTrue(c.l2tp().lns().get(0).secret().isEmpty());
        assertEquals(1492, c.ppp().mru());
    }

    /** A realm-only config with {@code l2tp.lac-peers} given as {@code peers} (the lines under the key). */
    private static String withLacPeers(String peers) {
        return """
            interfaces: [{name: veth0}]
            radius: {enabled: false}
            l2tp:
              lns: [{name: a, address: 192.0.2.11}]
              lac-peers:
            """ + peers + """
            steering:
              rules: [{realm: a.example, lns: [{name: a}]}]
            """;
    }

    @Test
    void lacPeersAreReadWithTheirDefaults() throws Exception {
        Path f = dir.resolve("lts.yaml");
        Files.writeString(f, withLacPeers("""
                - {name: partner-a, address: 198.51.100.7, secret: s3cret, host-name: lac-a, max-sessions: 500, max-tunnels: 9, drain: true}
                - {name: region-b, address: 203.0.113.0/26}
            """));
        LacdConfig c = ConfigLoader.load(f);
        List<LacdConfig.LacPeer> p = c.l2tp().lacPeers();
        assertEquals(2, p.size());
        assertEquals("partner-a", p.get(0).name());
        assertEquals(32, p.get(0).prefix());
        assertEquals("s3cret", p.get(0).secret().orElseThrow());
        assertEquals("lac-a", p.get(0).hostName().orElseThrow());
        assertEquals(500, p.get(0).maxSessions());
        assertEquals(26, p.get(1).prefix());
        assertTrue(p.get(1).secret().isEmpty());
        assertEquals(0, p.get(1).maxSessions(), "no limit by default");
        assertEquals(9, p.get(0).maxTunnels());
        assertEquals(9, p.get(0).toEngine().maxTunnels());
        assertEquals(4, p.get(1).maxTunnels(), "4 tunnels by default");
        assertTrue(p.get(0).drain());
        assertFalse(p.get(1).drain(), "not drained by default");
        assertTrue(p.get(1).toEngine().matches(java.net.InetAddress.getByName("203.0.113.63")));
        assertFalse(p.get(1).toEngine().matches(java.net.InetAddress.getByName("203.0.113.64")));
        assertFalse(p.get(0).toString().contains("s3cret"), "no secret in logs or diffs");
        Path none = dir.resolve("none.yaml");
        Files.writeString(none, "interfaces: [{name: veth0}]\nradius: {enabled: false}\nl2tp:\n  lns: [{name: a, address: 127.0.0.1}]\n"
                + "steering:\n  rules: [{realm: a.example, lns: [{name: a}]}]\n");
        assertTrue(ConfigLoader.load(none).l2tp().lacPeers().isEmpty(), "no lac-peers: no tunnel switching");
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "- {address: 198.51.100.7}|l2tp.lac-peers[0].name|",
        "- {name: p, address: 198.51.100.7/33}|l2tp.lac-peers[0].address|prefix length",
        "- {name: p, address: 198.51.100.7/24}|l2tp.lac-peers[0].address|host bits",
        "- {name: p, address: lac.example}|l2tp.lac-peers[0].address|not an IPv4",
        "- {name: p, address: 198.51.100.7, secret: ''}|l2tp.lac-peers[0].secret|empty",
        "- {name: p, address: 198.51.100.7, max-sessions: -1}|l2tp.lac-peers[0].max-sessions|",
        "- {name: p, address: 198.51.100.7, max-tunnels: -1}|l2tp.lac-peers[0].max-tunnels|",
        "- {name: p, address: 198.51.100.7, drain: maybe}|l2tp.lac-peers[0].drain|",
        "- {name: p, address: 198.51.100.7, colour: red}|l2tp.lac-peers[0].colour|",
        "- {name: p, address: 192.0.2.0/24}|l2tp.lac-peers[0].address|LNS profile 'a'",
        "[{name: p, address: 198.51.100.7}, {name: p, address: 198.51.100.8}]|l2tp.lac-peers[1].name|twice",
        "[{name: p, address: 198.51.100.7}, {name: q, address: 198.51.100.7/32}]|l2tp.lac-peers[1].address|another LAC peer",
    })
    void badLacPeersAreRefusedNamingTheKey(String peers, String path, String reason) throws Exception {
        String yaml = peers.startsWith("[") ? withLacPeers("").replace("  lac-peers:\n", "  lac-peers: " + peers + "\n")
                : withLacPeers("    " + peers + "\n");
        ConfigException e = refused(yaml);
        assertTrue(e.getMessage().contains(path), e.getMessage());
        if (reason != null) {
            assertTrue(e.getMessage().contains(reason), e.getMessage());
        }
    }

    @Test
    void diffNamesChangedPathsOnly() throws Exception {
        Path a = dir.resolve("a.yaml");
        Path b = dir.resolve("b.yaml");
        Files.writeString(a, Files.readString(SAMPLE));
        Files.writeString(b, sampleWith("  hello-interval: 60s", "  hello-interval: 30s").replace("secret: tunnel-secret-b", "secret: other"));
        List<String> changed = ConfigDiff.changedPaths(ConfigLoader.loadWithTree(a).tree(), ConfigLoader.loadWithTree(b).tree());
        assertEquals(List.of("l2tp.hello-interval", "l2tp.lns[2].secret"), changed);
    }
}
