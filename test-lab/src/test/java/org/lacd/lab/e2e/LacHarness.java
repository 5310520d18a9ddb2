package org.lacd.lab.e2e;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.lacd.daemon.Daemon;
import org.lacd.daemon.config.ConfigLoader;
import org.lacd.lab.lns.LnsEmulator;
import org.lacd.lab.lns.LnsEmulatorConfig;
import org.lacd.lab.lns.Mode;
import org.lacd.lab.subscriber.AuthMode;
import org.lacd.lab.subscriber.EmulatorConfig;
import org.lacd.lab.subscriber.Report;
import org.lacd.lab.subscriber.SubscriberEmulator;
import org.lacd.pppoe.port.EthernetPort;
import org.lacd.pppoe.port.FrameReceiver;
import org.lacd.pppoe.port.InMemoryPort;
import org.lacd.pppoe.wire.MacAddress;
import org.lacd.radius.it.FreeRadiusServer;

/**
 * lacd in-process between real peers: the daemon (its real PPPoE server, sessions, RADIUS client and L2TP engine) on
 * in-memory Ethernet ports, the subscriber emulator on the other end of each port, four emulated LNSs on loopback
 * UDP (reseller A: a1 preferred, a2 backup; reseller B: b1, b2 equal), and optionally real FreeRADIUS on loopback
 * steering both resellers with RFC 2868 tagged attributes.
 */
final class LacHarness implements AutoCloseable {
    static final String[] LNS = {"lns-a1", "lns-a2", "lns-b1", "lns-b2"};
    static final String SECRET_A = "tunnel-secret-a";
    static final String SECRET_B = "tunnel-secret-b";
    static final String DAE_SECRET = "dae-secret-lacd";
    /** Subscribers per reseller that FreeRADIUS knows. */
    static final int USERS = 40;

    final Path dir;
    final Map<String, LnsEmulator> lns = new LinkedHashMap<>();
    final Map<String, InMemoryPort> subscriberPorts = new LinkedHashMap<>();
    final Map<String, InMemoryPort> lacPorts = new LinkedHashMap<>();
    /** Every PPP frame a subscriber sent, by MAC: to compare proxy values byte for byte. */
    final Map<Long, List<byte[]>> sentBySubscriber = new ConcurrentHashMap<>();
    FreeRadiusServer radius;
    Daemon daemon;
    int daePort;
    int mgmtPort;
    int metricsPort;
    Path config;
    /** Sets replay-auth on every LNS profile (for LNSs that ignore the proxy authentication AVPs). */
    boolean replayAuth;
    /** steering.lockout of the lab config. */
    String lockout = "3s";
    /** l2tp.setup-timeout, retransmit-initial and max-retransmits: short, so that failures show in seconds. */
    String setupTimeout = "2s";
    String retransmitInitial = "300ms";
    int maxRetransmits = 3;

    LacHarness(Path dir) {
        this.dir = dir;
    }

    static int freeTcpPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static int freeUdpPort() throws Exception {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0)) {
            return s.getLocalPort();
        }
    }

    LacHarness startLns(Mode mode) throws Exception {
        for (String name : LNS) {
            LnsEmulator e = LnsEmulator.start(LnsEmulatorConfig.builder().loopback().secret(name.startsWith("lns-a") ? SECRET_A : SECRET_B)
                    .hostName(name).passwords("pass{n}").mode(mode).pool("100.64.0.0/16").build());
            lns.put(name, e);
        }
        return this;
    }

    int lnsPort(String name) {
        return lns.get(name).address().getPort();
    }

    /** FreeRADIUS users: user{n}@reseller-a.example to a1 (10) / a2 (20), user{n}@reseller-b.example to b1 / b2 (both 10). */
    String users() {
        StringBuilder sb = new StringBuilder();
        for (int n = 1; n <= USERS; n++) {
            sb.append(entry("user" + n + "@reseller-a.example", "pass" + n, "lns-a1", 10, "lns-a2", 20, SECRET_A));
            sb.append(entry("user" + n + "@reseller-b.example", "pass" + n, "lns-b1", 10, "lns-b2", 10, SECRET_B));
        }
        sb.append("blocked1@reseller-a.example Auth-Type := Reject\n\tReply-Message = \"account suspended\"\n\n");
        sb.append("notunnel@reseller-a.example Cleartext-Password := \"pass1\"\n\tSession-Timeout = 3600\n\n");
        return sb.toString();
    }

    private String entry(String user, String password, String first, int p1, String second, int p2, String secret) {
        return user + " Cleartext-Password := \"" + password + "\"\n"
                + "\tService-Type = Framed-User,\n"
                + tunnel(1, first, p1, secret) + ",\n" + tunnel(2, second, p2, secret) + "\n\n";
    }

    private String tunnel(int tag, String name, int pref, String secret) {
        return "\tTunnel-Type:" + tag + " = L2TP,\n\tTunnel-Medium-Type:" + tag + " = IPv4,\n"
                + "\tTunnel-Server-Endpoint:" + tag + " = \"127.0.0.1:" + lnsPort(name) + "\",\n"
                + "\tTunnel-Password:" + tag + " = \"" + secret + "\",\n"
                + "\tTunnel-Preference:" + tag + " = " + pref + ",\n"
                + "\tTunnel-Assignment-Id:" + tag + " = \"" + name + "\"";
    }

    LacHarness startRadius() throws Exception {
        radius = FreeRadiusServer.start(Files.createDirectories(dir.resolve("freeradius")), users());
        return this;
    }

    /** The lab config: RADIUS when started (else realm rules only), short timers so failures show in seconds. */
    String config(String extraSteering) throws Exception {
        StringBuilder sb = new StringBuilder();
        sb.append("interfaces: [{name: sub-a}, {name: sub-b}]\n");
        sb.append("pppoe:\n  ac-name: lacd-e2e\n  limits: {padi-per-mac-per-second: 50, padr-per-mac-per-second: 50, padi-per-second: 100000, padr-per-second: 100000}\n");
        sb.append("ppp: {auth-timeout: 10s, lcp-restart: 1s}\n");
        if (radius != null) {
            sb.append("radius:\n  timeout: 1s\n  retries: 1\n  dead-time: 5s\n");
            sb.append("  auth-servers: [{address: 127.0.0.1, port: ").append(radius.authPort()).append(", secret: ")
                    .append(FreeRadiusServer.SECRET).append("}]\n");
            sb.append("  acct-servers: [{address: 127.0.0.1, port: ").append(radius.acctPort()).append(", secret: ")
                    .append(FreeRadiusServer.SECRET).append("}]\n");
            sb.append("  accounting: {interim-interval: 0s, spool-dir: ").append(dir.resolve("spool")).append("}\n");
            sb.append("  dynamic-authorization: {enabled: true, listen: \"127.0.0.1:").append(daePort)
                    .append("\", clients: [{address: 127.0.0.1, secret: ").append(DAE_SECRET).append("}]}\n");
        } else {
            sb.append("radius: {enabled: false}\n");
        }
        sb.append("l2tp:\n  source-port: 0\n  bind-address: 127.0.0.1\n  hostname: lacd-e2e\n  setup-timeout: ").append(setupTimeout)
                .append("\n  retransmit-initial: ").append(retransmitInitial).append("\n  max-retransmits: ").append(maxRetransmits)
                .append("\n  tunnel-linger: 2s\n  lns:\n");
        for (String name : LNS) {
            sb.append("    - {name: ").append(name).append(", address: 127.0.0.1, port: ").append(lnsPort(name)).append(", secret: ")
                    .append(name.startsWith("lns-a") ? SECRET_A : SECRET_B).append(replayAuth ? ", replay-auth: true" : "").append("}\n");
        }
        sb.append("steering:\n  lockout: ").append(lockout).append("\n").append(extraSteering);
        sb.append("metrics: {listen: \"127.0.0.1:").append(metricsPort).append("\"}\n");
        sb.append("management: {listen: \"127.0.0.1:").append(mgmtPort).append("\"}\n");
        return sb.toString();
    }

    static final String REALM_RULES = """
              rules:
                - realm: reseller-a.example
                  lns: [{name: lns-a1, preference: 1}, {name: lns-a2, preference: 2}]
                - realm: reseller-b.example
                  lns: [{name: lns-b1}, {name: lns-b2}]
            """;

    LacHarness startLacd(String extraSteering) throws Exception {
        daePort = freeUdpPort();
        mgmtPort = freeTcpPort();
        metricsPort = freeTcpPort();
        while (metricsPort == mgmtPort) { // each probe socket is closed before the next is taken
            metricsPort = freeTcpPort();
        }
        config = dir.resolve("lacd.yaml");
        Files.writeString(config, config(extraSteering));
        for (String side : new String[] {"sub-a", "sub-b"}) {
            long base = side.equals("sub-a") ? 0x0a_00_00_00_0a_00L : 0x0a_00_00_00_0b_00L;
            InMemoryPort[] pair = InMemoryPort.pair(side + "-cpe", new MacAddress(base), side, new MacAddress(base + 1));
            subscriberPorts.put(side, pair[0]);
            lacPorts.put(side, pair[1]);
        }
        daemon = new Daemon(config, ConfigLoader.loadWithTree(config), lacPorts::get);
        daemon.start();
        return this;
    }

    /** The subscriber side of a port, recording what the subscribers send. */
    EthernetPort tapped(String side) {
        InMemoryPort p = subscriberPorts.get(side);
        return new EthernetPort() {
            @Override
            public String name() {
                return p.name();
            }

            @Override
            public MacAddress mac() {
                return p.mac();
            }

            @Override
            public void start(FrameReceiver receiver) {
                p.start(receiver);
            }

            @Override
            public void send(byte[] frame, int off, int len) {
                long src = MacAddress.read(frame, off + 6);
                sentBySubscriber.computeIfAbsent(src, k -> new CopyOnWriteArrayList<>()).add(java.util.Arrays.copyOfRange(frame, off, off + len));
                p.send(frame, off, len);
            }

            @Override
            public void close() {
                p.close();
            }
        };
    }

    static EmulatorConfig.Builder subscribers(String reseller, int count, AuthMode auth) {
        return EmulatorConfig.builder().count(count).setupRate(200).auth(auth)
                .userPattern("user{n}@" + reseller + ".example").passwordPattern("pass{n}")
                .macBase(reseller.equals("reseller-a") ? 0x02_00_00_0a_00_00L : 0x02_00_00_0b_00_00L)
                .stepTimeout(Duration.ofSeconds(2)).retries(2).drain(Duration.ofMillis(300)).duration(Duration.ofSeconds(40));
    }

    SubscriberEmulator emulator(String side, EmulatorConfig cfg) {
        return new SubscriberEmulator(cfg, tapped(side));
    }

    Report run(String side, EmulatorConfig cfg) throws InterruptedException {
        try (SubscriberEmulator e = emulator(side, cfg)) {
            return e.run();
        }
    }

    /**
     * The options of the first LCP Configure-Request a subscriber sent (what RFC 2661 calls the Initial Received
     * LCP CONFREQ), as hex: Ethernet (14, plus 4 per VLAN tag) + PPPoE (6) + PPP protocol 0xc021 + code 1.
     */
    String firstConfReqOptions(long mac) {
        for (byte[] f : sentBySubscriber.getOrDefault(mac, List.of())) {
            int off = 12;
            int type = ((f[off] & 0xff) << 8) | (f[off + 1] & 0xff);
            while (type == 0x8100 || type == 0x88a8) {
                off += 4;
                type = ((f[off] & 0xff) << 8) | (f[off + 1] & 0xff);
            }
            if (type != 0x8864) {
                continue;
            }
            int ppp = off + 2 + 6;
            int proto = ((f[ppp] & 0xff) << 8) | (f[ppp + 1] & 0xff);
            if (proto == 0xc021 && f[ppp + 2] == 1) {
                int len = ((f[ppp + 4] & 0xff) << 8) | (f[ppp + 5] & 0xff);
                return HexFormat.of().formatHex(f, ppp + 6, ppp + 2 + len);
            }
        }
        return null;
    }

    /** Calls each LNS emulator has seen for a user. */
    Map<String, List<org.lacd.lab.lns.CallReport>> callsOf(String user) {
        Map<String, List<org.lacd.lab.lns.CallReport>> out = new LinkedHashMap<>();
        lns.forEach((name, e) -> {
            List<org.lacd.lab.lns.CallReport> mine = new ArrayList<>();
            for (org.lacd.lab.lns.CallReport c : e.report().calls()) {
                if (user.equals(c.user())) {
                    mine.add(c);
                }
            }
            out.put(name, mine);
        });
        return out;
    }

    static boolean await(Duration timeout, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (cond.getAsBoolean()) {
                return true;
            }
            Thread.sleep(50);
        }
        return cond.getAsBoolean();
    }

    /** lacd's /metrics as Prometheus scrapes it. */
    String metrics() throws Exception {
        var r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    InetSocketAddress daeAddress() {
        return new InetSocketAddress("127.0.0.1", daePort);
    }

    @Override
    public void close() throws Exception {
        if (daemon != null) {
            daemon.stop();
        }
        for (LnsEmulator e : lns.values()) {
            e.close();
        }
        if (radius != null) {
            radius.close();
        }
    }
}
