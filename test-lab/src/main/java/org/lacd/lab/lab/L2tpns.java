package org.lacd.lab.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.lacd.lab.lns.UdpEcho;
import org.lacd.radius.it.FreeRadiusServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real LNS in a lab namespace: Debian's {@code l2tpns} (an independent userspace LNS that terminates PPP on a TUN
 * interface and authenticates through RADIUS), with a FreeRADIUS next to it on 127.0.0.1 of the same namespace and a
 * UDP echo server ({@link UdpEcho}) that turns the subscriber emulator's probes around behind l2tpns's {@code tun0}.
 *
 * <p>Configuration: l2tpns reads {@code /etc/l2tpns}. This class writes its files into {@code /etc/netns/<ns>/l2tpns/};
 * {@code ip netns exec <ns>} bind-mounts that directory over {@code /etc/l2tpns} for the processes it starts, so the
 * system's copy is never read or written. {@link #close()} removes {@code /etc/netns/<ns>/l2tpns} (and
 * {@code /etc/netns/<ns>} when it is then empty). Logs and the pid file go to the lab's directory.
 *
 * <p>Start-up: l2tpns starts as a cluster slave and drops every SCCRQ until it logs {@value #MASTER_LINE} (an election
 * after {@code cluster_hb_timeout} without a master's heartbeat). The lab sets that timeout to its lowest allowed
 * value for the default heartbeat, 3.1 s (l2tpns raises anything below 4 x interval + 1.1 s), and {@link #start}
 * polls the log for the line before it returns: no SCCRQ is sent to a slave.
 *
 * <p>What l2tpns does with a call from lacd (found in the lab, see test-lab/l2tpns.md): it ignores the proxy LCP and
 * proxy authentication AVPs (only the magic number is read), renegotiates LCP and challenges the subscriber again
 * through the tunnel, asks FreeRADIUS, assigns an address from {@code ip_pool} in IPCP and routes that address out of
 * {@code tun0}. SIGQUIT sends StopCCN to every tunnel and exits; SIGKILL leaves the LAC to find out by HELLO.
 */
public final class L2tpns implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(L2tpns.class);
    public static final Path BINARY = Path.of("/usr/sbin/l2tpns");
    /** The line after which l2tpns answers SCCRQs (cluster master). */
    public static final String MASTER_LINE = "I am declaring myself the master!";
    /** Heartbeat timeout in tenths of a second: the lowest l2tpns accepts with its default 0.5 s heartbeat. */
    static final int CLUSTER_HB_TIMEOUT = 31;
    static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    /**
     * What one l2tpns is given.
     *
     * @param namespace  the LNS namespace (its {@code eth0} carries {@code address})
     * @param address    l2tpns's L2TP address, also its IPCP address toward the subscribers (where probes go)
     * @param hostName   its Host Name AVP
     * @param l2tpSecret the tunnel secret lacd's profile for this LNS uses
     * @param pool       subscriber addresses (CIDR), l2tpns's {@code ip_pool}
     * @param radiusUsers FreeRADIUS users file for the subscribers' CHAP/PAP (l2tpns asks it, not lacd's)
     */
    public record Config(String namespace, String address, String hostName, String l2tpSecret, String pool, String radiusUsers) {}

    private final Config cfg;
    private final Path dir;
    private final Path etc;
    private FreeRadiusServer radius;
    private LabProcess echo;
    private LabProcess process;
    private int starts;
    private boolean closed;

    private L2tpns(Config cfg, Path dir) {
        this.cfg = cfg;
        this.dir = dir;
        this.etc = Path.of("/etc/netns", cfg.namespace(), "l2tpns");
    }

    /** Null when l2tpns can run here, else what is missing (the package: test-lab/install-deps.sh installs it). */
    public static String missing() {
        if (!Files.isExecutable(BINARY)) {
            return BINARY + " not installed (Debian package l2tpns: bash test-lab/install-deps.sh)";
        }
        if (!Files.isDirectory(Path.of("/etc/l2tpns"))) {
            return "/etc/l2tpns missing: ip netns exec can only bind-mount the lab's copy over an existing directory";
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            return "/dev/net/tun missing: l2tpns needs a TUN device";
        }
        return null;
    }

    /** Writes the configuration, starts FreeRADIUS, the echo server and l2tpns, and waits until l2tpns is master. */
    public static L2tpns start(Config cfg, Path dir) {
        String m = missing();
        if (m != null) {
            throw new LabException("l2tpns: " + m);
        }
        L2tpns l = new L2tpns(cfg, dir);
        try {
            Files.createDirectories(dir);
            l.writeConfig();
            Path rd = dir.resolve("radius");
            Files.createDirectories(rd);
            l.radius = FreeRadiusServer.start(rd, cfg.radiusUsers(), Topology.in(cfg.namespace()), 1812, 1813);
            l.echo = LabProcess.start("udp-echo " + cfg.namespace(), cfg.namespace(),
                    List.of(Lab.java(), "-Xmx32m", "-cp", Lab.classpath(), UdpEcho.class.getName(), "7"), dir.resolve("udp-echo.log"));
            l.startProcess();
            if (!LabProcess.await(Duration.ofSeconds(20), () -> !l.echo.alive() || l.echo.logContains(UdpEcho.READY))
                    || !l.echo.alive()) {
                throw new LabException("UDP echo in " + cfg.namespace() + " did not start:\n" + l.echo.tail(10));
            }
            return l;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            l.close();
            throw new LabException("interrupted");
        } catch (IOException e) {
            l.close();
            throw new UncheckedIOException(e);
        } catch (LabException e) {
            l.close();
            throw e;
        } catch (Exception e) {
            l.close();
            throw new LabException("l2tpns in " + cfg.namespace() + ": " + e.getMessage(), e);
        }
    }

    /** The startup-config: the settings of test-lab's peers/l2tpns that worked, with this lab's addresses. */
    String startupConfig() {
        return """
            # generated by the lacd lab; installed as /etc/netns/%1$s/l2tpns/startup-config
            set debug 4
            set log_file "%2$s"
            set pid_file "%3$s"
            set hostname "%4$s"
            set l2tp_secret "%5$s"
            set primary_dns 198.18.0.53
            set secondary_dns 198.18.0.54
            set primary_radius 127.0.0.1
            set primary_radius_port 1812
            set radius_secret "%6$s"
            set radius_authtypes "chap,pap"
            set radius_accounting yes
            set allow_duplicate_users no
            set bind_address %7$s
            set peer_address %7$s
            set cli_bind_address 127.0.0.1
            set send_garp no
            set lock_pages no
            set scheduler_fifo no
            set echo_timeout 10
            set idle_echo_timeout 240
            set ppp_keepalive yes
            set cluster_hb_timeout %8$d
            """.formatted(cfg.namespace(), logFile(), dir.resolve("l2tpns.pid"), cfg.hostName(), cfg.l2tpSecret(),
                FreeRadiusServer.SECRET, cfg.address(), CLUSTER_HB_TIMEOUT);
    }

    private void writeConfig() throws IOException {
        Files.createDirectories(etc);
        Files.writeString(etc.resolve("startup-config"), startupConfig());
        Files.writeString(etc.resolve("ip_pool"), cfg.pool() + "\n");
        Files.writeString(etc.resolve("users"), "# no CLI users\n");
    }

    /** Starts (or restarts after {@link #quit} / {@link #kill}) l2tpns and waits for {@value #MASTER_LINE}. */
    public void startProcess() throws InterruptedException {
        long before = masterLines();
        process = LabProcess.start("l2tpns " + cfg.namespace(), cfg.namespace(), unblockingSignals(BINARY.toString()),
                dir.resolve("l2tpns-" + (++starts) + ".out"));
        if (!LabProcess.await(START_TIMEOUT, () -> !process.alive() || masterLines() > before) || !process.alive()) {
            throw new LabException("l2tpns in " + cfg.namespace() + " did not become master within " + START_TIMEOUT.toSeconds()
                    + " s:\n" + process.tail(10) + "\n" + tail(20));
        }
        LOG.info("l2tpns up in {} on {} (pid {})", cfg.namespace(), cfg.address(), process.pid());
    }

    /**
     * The command, run with no signal blocked. A JVM blocks SIGQUIT in its threads (it answers it with a thread dump)
     * and a child inherits the blocked mask through fork and exec: l2tpns started straight from Java never sees the
     * SIGQUIT that makes it send StopCCN. Perl (perl-base is Essential in Debian) clears the mask and execs in place,
     * so the pid stays the program's.
     */
    static List<String> unblockingSignals(String... cmd) {
        List<String> l = new ArrayList<>(List.of("perl", "-MPOSIX", "-e",
                "sigprocmask(SIG_SETMASK, POSIX::SigSet->new) or die \"sigprocmask: $!\"; exec {$ARGV[0]} @ARGV or die \"exec: $!\""));
        l.addAll(List.of(cmd));
        return l;
    }

    private long masterLines() {
        return log().lines().filter(l -> l.contains(MASTER_LINE)).count();
    }

    public Config config() { return cfg; }

    /** The running l2tpns process (its pid is l2tpns's own). */
    public LabProcess process() { return process; }

    public FreeRadiusServer radius() { return radius; }

    public Path logFile() { return dir.resolve("l2tpns.log"); }

    /** l2tpns's own log ({@code log_file}). */
    public String log() {
        try {
            return Files.exists(logFile()) ? Files.readString(logFile(), StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "";
        }
    }

    public String tail(int n) {
        List<String> lines = log().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    /** Lines of l2tpns's log that contain {@code s}. */
    public List<String> logLines(String s) {
        return log().lines().filter(l -> l.contains(s)).toList();
    }

    /**
     * SIGQUIT: l2tpns sends StopCCN to every tunnel and exits. Waits up to {@code grace} for the exit (it can take
     * long: it retransmits to tunnels that are gone), then kills it. Returns whether it exited by itself.
     */
    public boolean quit(Duration grace) throws InterruptedException {
        if (process == null || !process.alive()) {
            return true;
        }
        process.signal("QUIT");
        if (process.await(grace) >= 0) {
            return true;
        }
        process.kill();
        return false;
    }

    /** SIGKILL: a crashed LNS; no StopCCN. */
    public void kill() {
        if (process != null) {
            process.kill();
        }
    }

    /**
     * Packets through {@code tun0} as the namespace's kernel counts them: [0] from l2tpns (subscribers' packets, the
     * kernel's RX), [1] to l2tpns (toward the subscribers, the kernel's TX). Zeros when l2tpns is not running.
     */
    public long[] tunPackets(Topology topo) {
        Sh.Result r = topo.exec(cfg.namespace(), 10, "ip", "-s", "link", "show", "tun0");
        long[] out = new long[2];
        Matcher m = Pattern.compile("RX:[^\\n]*\\n\\s*\\d+\\s+(\\d+)[\\s\\S]*?TX:[^\\n]*\\n\\s*\\d+\\s+(\\d+)").matcher(r.out());
        if (r.ok() && m.find()) {
            out[0] = Long.parseLong(m.group(1));
            out[1] = Long.parseLong(m.group(2));
        }
        return out;
    }

    /** Stops l2tpns (SIGQUIT, then SIGKILL), the echo server and FreeRADIUS; removes /etc/netns/&lt;ns&gt;/l2tpns. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            quit(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
        if (echo != null) {
            echo.kill();
        }
        if (radius != null) {
            radius.close();
        }
        removeEtc();
    }

    private void removeEtc() {
        try {
            if (Files.exists(etc)) {
                List<Path> all;
                try (Stream<Path> s = Files.walk(etc)) {
                    all = new ArrayList<>(s.sorted(Comparator.reverseOrder()).toList());
                }
                for (Path p : all) {
                    Files.deleteIfExists(p);
                }
            }
            Path nsDir = etc.getParent();
            if (Files.isDirectory(nsDir)) {
                try (Stream<Path> s = Files.list(nsDir)) {
                    if (s.findAny().isEmpty()) {
                        Files.delete(nsDir);
                    }
                }
            }
        } catch (IOException e) {
            LOG.warn("could not remove {}: {}", etc, e.toString());
        }
    }

    @Override
    public String toString() {
        return "l2tpns[" + cfg.namespace() + " " + cfg.address() + "]";
    }
}
