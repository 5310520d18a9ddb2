package org.lacd.l2tp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lacd.l2tp.wire.AvpType;
import org.lacd.testsupport.Peers;
import org.lacd.testsupport.RealPeer;

/**
 * xl2tpd as a downstream LAC of lacd's tunnel switching (issue 18: "say what it can do"). xl2tpd is a dial-out client:
 * its {@code [lac]} section opens a tunnel when told to ({@code c <name>} on its control pipe) and places a call for
 * its own pppd. So it authenticates the tunnel and places a call here, but the call carries no proxy LCP or proxy
 * authentication (the PPP peer is xl2tpd's own pppd, not a subscriber it answered), and pppd fails on this kernel
 * (no /dev/ppp) so xl2tpd clears the call. lacd as LTS therefore sees the tunnel and the call but no user to steer:
 * such calls cannot be switched. xl2tpd runs in a namespace made by the test; lacd's engine in the root namespace.
 */
@RealPeer
class Xl2tpdDownstreamLacTest {
    static final AtomicInteger COUNTER = new AtomicInteger();
    static final String SECRET = "lts-interop-s3cret";
    String ns;
    String vethHost;
    Path dir;
    Process xl2tpd;
    String hostIp;
    String lacIp;
    L2tpEngine lts;
    final CountingL2tpStats stats = new CountingL2tpStats();

    static int run(String... cmd) throws IOException, InterruptedException {
        return Xl2tpdInteropTest.run(cmd);
    }

    @BeforeEach
    void setUp() throws Exception {
        Peers.require("root".equals(System.getProperty("user.name")), "needs root for network namespaces");
        Peers.require(new File("/usr/sbin/xl2tpd").canExecute(), "xl2tpd not installed");
        long pid = ProcessHandle.current().pid();
        int n = COUNTER.incrementAndGet();
        ns = "lacd-x-" + pid + "-" + n;
        vethHost = "lx" + (pid % 100000) + "h" + n;
        String vethNs = "lx" + (pid % 100000) + "n" + n;
        int octet = (int) (pid % 250) + 1;
        hostIp = "10.234." + octet + ".1";
        lacIp = "10.234." + octet + ".2";
        Xl2tpdInteropTest.must("ip", "netns", "add", ns);
        Xl2tpdInteropTest.must("ip", "link", "add", vethHost, "type", "veth", "peer", "name", vethNs);
        Xl2tpdInteropTest.must("ip", "link", "set", vethNs, "netns", ns);
        Xl2tpdInteropTest.must("ip", "addr", "add", hostIp + "/30", "dev", vethHost);
        Xl2tpdInteropTest.must("ip", "link", "set", vethHost, "up");
        Xl2tpdInteropTest.must("ip", "netns", "exec", ns, "ip", "addr", "add", lacIp + "/30", "dev", vethNs);
        Xl2tpdInteropTest.must("ip", "netns", "exec", ns, "ip", "link", "set", vethNs, "up");
        Xl2tpdInteropTest.must("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
        dir = Files.createTempDirectory("lacd-xl2tpd-lac");
        lts = new L2tpEngine(L2tpSettings.defaults().withBindAddress(InetAddress.getByName(hostIp)).withLocalHostName("lts"), stats);
        lts.start(); // port 1701: xl2tpd's lac section always dials 1701
    }

    void startXl2tpd(String secret) throws Exception {
        Files.writeString(dir.resolve("xl2tpd.conf"), String.join("\n",
                "[global]", "port = 1701", "listen-addr = " + lacIp, "auth file = " + dir.resolve("l2tp-secrets"),
                "access control = no", "debug avp = yes", "debug state = yes", "debug tunnel = yes",
                "", "[lac lts]", "lns = " + hostIp, "hostname = lac-xl2tpd", "challenge = yes", "require authentication = no",
                "redial = no", "autodial = no", "pppoptfile = " + dir.resolve("options"), "length bit = yes", ""));
        // l2tp-secrets: "us them secret"
        Files.writeString(dir.resolve("l2tp-secrets"), "lac-xl2tpd lts " + secret + "\n");
        Files.writeString(dir.resolve("options"), "noauth\n");
        xl2tpd = Xl2tpdInteropTest.startXl2tpd(ns, dir);
        // dial: the control pipe exists in the namespace's view of the file system (same mount)
        Files.writeString(dir.resolve("control"), "c lts\n");
    }

    String log() throws IOException {
        return Xl2tpdInteropTest.log(dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (lts != null) {
            lts.shutdown(Duration.ofSeconds(2));
        }
        if (xl2tpd != null) {
            xl2tpd.destroy();
            if (!xl2tpd.waitFor(5, TimeUnit.SECONDS)) {
                xl2tpd.destroyForcibly();
            }
            Path pid = dir.resolve("pid");
            if (Files.exists(pid)) {
                run("kill", Files.readString(pid).trim());
            }
            Files.copy(dir.resolve("xl2tpd.log"), Path.of("target", "xl2tpd-downstream-lac.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        if (vethHost != null) {
            run("ip", "link", "del", vethHost);
        }
        if (ns != null) {
            run("ip", "netns", "del", ns);
        }
    }

    @Test
    void xl2tpdAuthenticatesItsTunnelAndPlacesACallWhichIsRefusedForWantOfProxyAuthentication() throws Exception {
        LinkedBlockingQueue<IncomingCall> calls = new LinkedBlockingQueue<>();
        lts.acceptIncomingCalls(List.of(new LacPeer("xl2tpd", InetAddress.getByName(lacIp), 32, SECRET, "lac-xl2tpd", 0)), call -> {
            calls.add(call);
            return new RecordingListener();
        });
        startXl2tpd(SECRET);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (stats.refusals(L2tpStats.Refusal.NO_PROXY_AUTH) == 0 && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertEquals(1, stats.refusals(L2tpStats.Refusal.NO_PROXY_AUTH),
                "xl2tpd's ICCN has no Proxy Authen Name (nor proxy LCP): refused, nothing to steer by\n" + log());
        assertEquals(0, stats.refusals(L2tpStats.Refusal.AUTH_FAILED), "our Challenge answered right by xl2tpd");
        assertTrue(calls.isEmpty(), "no call handed to the switch");
        String log = log();
        assertTrue(log.contains("Connection established to " + hostIp), "the tunnel came up: " + log);
        // xl2tpd logs the CDN with our result code 6 (invalid destination) and message
        end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!log().contains("no user to switch the call by") && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        assertTrue(log().contains("no user to switch the call by"), "xl2tpd got our CDN: " + log());
    }

    @Test
    void xl2tpdWithTheWrongSecretIsRefused() throws Exception {
        lts.acceptIncomingCalls(List.of(new LacPeer("xl2tpd", InetAddress.getByName(lacIp), 32, SECRET, null, 0)), call -> null);
        startXl2tpd("not-" + SECRET);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!log().contains("Invalid challenge authentication") && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        // xl2tpd sends a Challenge and checks our answer in SCCRP first: made with another secret, it is wrong, and
        // xl2tpd drops the tunnel itself (it never answers our Challenge in an SCCCN, so lacd counts no auth failure)
        assertTrue(log().contains("Invalid challenge authentication"), log());
        assertTrue(lts.tunnels().stream().noneMatch(t -> t.state() == TunnelState.ESTABLISHED), log());
    }
}
