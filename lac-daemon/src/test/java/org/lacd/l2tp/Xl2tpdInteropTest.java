package org.lacd.l2tp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.testsupport.RealPeer;
import org.lacd.testsupport.Peers;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lacd.daemon.cli.TestTunnelCommand;
import picocli.CommandLine;

/**
 * A real LNS: xl2tpd in a network namespace made by this test, reached over a veth pair from the root namespace.
 * The kernel has no PPP, so xl2tpd's pppd dies after ICCN and xl2tpd clears the call; everything up to that point
 * is asserted. Skipped unless root with xl2tpd and iproute2 installed.
 */
@RealPeer
class Xl2tpdInteropTest {
    static final AtomicInteger COUNTER = new AtomicInteger();
    static final String SECRET = "interop-s3cret";
    static String ns;
    static String vethHost;
    static Path dir;
    static Process xl2tpd;
    static String hostIp;
    static String lnsIp;

    static int run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    static void must(String... cmd) throws IOException, InterruptedException {
        int rc = run(cmd);
        if (rc != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " -> " + rc);
        }
    }

    @BeforeAll
    static void setUp() throws Exception {
        Peers.require("root".equals(System.getProperty("user.name")), "needs root for network namespaces");
        Peers.require(new File("/usr/sbin/xl2tpd").canExecute(), "xl2tpd not installed");
        Peers.require(new File("/usr/sbin/ip").canExecute() || new File("/sbin/ip").canExecute(), "iproute2 missing");
        long pid = ProcessHandle.current().pid();
        int n = COUNTER.incrementAndGet();
        ns = "lacd-t-" + pid + "-" + n;
        vethHost = "lt" + (pid % 100000) + "h" + n;
        String vethNs = "lt" + (pid % 100000) + "n" + n;
        int octet = (int) (pid % 250) + 1;
        hostIp = "10.233." + octet + ".1";
        lnsIp = "10.233." + octet + ".2";
        must("ip", "netns", "add", ns);
        must("ip", "link", "add", vethHost, "type", "veth", "peer", "name", vethNs);
        must("ip", "link", "set", vethNs, "netns", ns);
        must("ip", "addr", "add", hostIp + "/30", "dev", vethHost);
        must("ip", "link", "set", vethHost, "up");
        must("ip", "netns", "exec", ns, "ip", "addr", "add", lnsIp + "/30", "dev", vethNs);
        must("ip", "netns", "exec", ns, "ip", "link", "set", vethNs, "up");
        must("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
        dir = Files.createTempDirectory("lacd-xl2tpd");
        Files.writeString(dir.resolve("xl2tpd.conf"), String.join("\n",
                "[global]", "port = 1701", "listen-addr = " + lnsIp, "auth file = " + dir.resolve("l2tp-secrets"),
                "access control = no", "debug avp = yes", "debug network = yes", "debug state = yes", "debug tunnel = yes",
                "", "[lns default]", "ip range = 10.99.0.2-10.99.0.20", "local ip = 10.99.0.1", "hostname = lns-xl2tpd",
                "challenge = yes", "require authentication = no", "pppoptfile = " + dir.resolve("options"), "length bit = yes", ""));
        // l2tp-secrets: "us them secret"
        Files.writeString(dir.resolve("l2tp-secrets"), "lns-xl2tpd lac-interop " + SECRET + "\nlns-xl2tpd lac-wrong other-secret\n");
        Files.writeString(dir.resolve("options"), "noauth\n");
        xl2tpd = startXl2tpd(ns, dir);
    }

    /**
     * Runs xl2tpd in the foreground in namespace {@code ns} with {@code dir}'s xl2tpd.conf, its log in dir/xl2tpd.log,
     * its control pipe dir/control; returns once it listens (10 s at most).
     */
    static Process startXl2tpd(String ns, Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "netns", "exec", ns, "/usr/sbin/xl2tpd", "-D", "-c", dir.resolve("xl2tpd.conf").toString(),
                "-p", dir.resolve("pid").toString(), "-C", dir.resolve("control").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("xl2tpd.log").toFile()).start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!log(dir).contains("Listening on IP address")) {
            if (System.nanoTime() > end || !p.isAlive()) {
                throw new IllegalStateException("xl2tpd did not start: " + log(dir));
            }
            Thread.sleep(50);
        }
        return p;
    }

    static String log() throws IOException {
        return log(dir);
    }

    /** xl2tpd's log in {@code dir} so far (NULs it writes removed). */
    static String log(Path dir) throws IOException {
        Path p = dir.resolve("xl2tpd.log");
        return Files.exists(p) ? new String(Files.readAllBytes(p), StandardCharsets.UTF_8).replace("\0", "") : "";
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (xl2tpd != null) {
            xl2tpd.destroy();
            if (!xl2tpd.waitFor(5, TimeUnit.SECONDS)) {
                xl2tpd.destroyForcibly();
            }
            // ip netns exec forwards the signal; make sure the daemon itself is gone too
            Path pid = dir.resolve("pid");
            if (Files.exists(pid)) {
                run("kill", Files.readString(pid).trim());
            }
        }
        if (dir != null) {
            Files.copy(dir.resolve("xl2tpd.log"), Path.of("target", "xl2tpd-interop.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        if (vethHost != null) {
            run("ip", "link", "del", vethHost);
        }
        if (ns != null) {
            run("ip", "netns", "del", ns);
        }
    }

    static int testTunnel(StringWriter out, String... args) {
        CommandLine cl = new CommandLine(new TestTunnelCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(out, true));
        return cl.execute(args);
    }

    @Test
    void testTunnelCommandBringsUpAuthenticatedTunnelAndXl2tpdAnswersIcrq() throws Exception {
        StringWriter out = new StringWriter();
        int rc = testTunnel(out, "--lns", lnsIp, "--secret", SECRET, "--hostname", "lac-interop", "--call", "--bind", hostIp,
                "--source-port", "0", "--timeout", "5");
        String text = out.toString();
        assertEquals(TestTunnelCommand.EXIT_OK, rc, text + "\n--- xl2tpd:\n" + log());
        assertTrue(text.contains("tunnel up: SCCRP from \"lns-xl2tpd\" (challenge response verified)"), text);
        assertTrue(text.contains("call up: ICRP received"), text);
        Thread.sleep(300);
        String log = log();
        assertTrue(log.contains("Connection established to " + hostIp), log);
        assertTrue(log.contains("chalresp_avp: Challenge reply found"), log);
        assertTrue(log.contains("control_finish: Sending ICRP"), log);
        assertTrue(log.contains("message type 12 (Incoming-Call-Connected)"), log);
        assertTrue(log.contains("peer closing for reason 1"), "xl2tpd saw our StopCCN: " + log);
    }

    @Test
    void wrongSecretEndsWithNotAuthorized() {
        StringWriter out = new StringWriter();
        int rc = testTunnel(out, "--lns", lnsIp, "--secret", "not-" + SECRET, "--hostname", "lac-interop", "--bind", hostIp,
                "--source-port", "0", "--timeout", "5");
        assertEquals(TestTunnelCommand.EXIT_TUNNEL_FAILED, rc, out.toString());
        assertTrue(out.toString().contains("result 4"), out.toString());
    }

    @Test
    void engineCallWithProxyAndAccessLineAvpsIsAnsweredWithIcrp() throws Exception {
        CountingL2tpStats stats = new CountingL2tpStats();
        L2tpEngine engine = new L2tpEngine(L2tpSettings.defaults().withSourcePort(0).withBindAddress(InetAddress.getByName(hostIp)), stats);
        engine.start();
        try {
            TunnelProfile p = TunnelProfile.of("xl2tpd", new InetSocketAddress(lnsIp, 1701), "lac-interop", SECRET).withHideAvps(true)
                    .withAccessLineAvps(false);
            RecordingListener l = new RecordingListener();
            L2tpCall call = engine.placeCall(p, L2tpEngineLoopbackTest.params("carol@isp"), l);
            assertTrue(l.awaitUp(), "ICRP from xl2tpd\n" + log());
            assertTrue(call.remoteSessionId() > 0);
            // xl2tpd starts pppd, which fails here (no /dev/ppp), and clears the call with a CDN
            assertTrue(l.awaitDown(), "CDN from xl2tpd after pppd failed\n" + log());
            assertEquals(CallDownCause.Kind.CLEARED_BY_PEER, l.cause.kind(), String.valueOf(l.cause));
            assertEquals(0, stats.malformedTotal());
            List<TunnelSnapshot> ts = engine.tunnels();
            assertEquals(1, ts.size());
            assertEquals("lns-xl2tpd", ts.get(0).peerHostName());
        } finally {
            engine.shutdown(Duration.ofSeconds(3));
        }
        String log = log();
        assertTrue(log.contains("dialing_number_avp: peer reports dialing number 'aa:bb:cc:00:00:01'"), "hidden Calling Number revealed by xl2tpd: " + log);
    }

    @Test
    void xl2tpdMistakesVendorAccessLineAvpsForIetfOnesAndDropsTheTunnel() throws Exception {
        // documents why TunnelProfile.accessLineAvps exists: xl2tpd 1.3 ignores the vendor id of an AVP
        L2tpEngine engine = new L2tpEngine(L2tpSettings.defaults().withSourcePort(0).withBindAddress(InetAddress.getByName(hostIp)), null);
        engine.start();
        try {
            TunnelProfile p = TunnelProfile.of("xl2tpd-bbf", new InetSocketAddress(lnsIp, 1701), "lac-interop", SECRET);
            RecordingListener l = new RecordingListener();
            engine.placeCall(p, L2tpEngineLoopbackTest.params("dave@isp"), l);
            assertTrue(l.awaitDown(), log());
            assertEquals(CallDownCause.Kind.TUNNEL_FAILED, l.cause.kind(), String.valueOf(l.cause));
            assertEquals(2, l.cause.resultCode());
            assertTrue(l.cause.message().contains("Protocol Version"), l.cause.message());
        } finally {
            engine.shutdown(Duration.ofSeconds(3));
        }
    }
}
