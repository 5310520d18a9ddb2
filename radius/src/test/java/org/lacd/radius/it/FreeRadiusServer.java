package org.lacd.radius.it;


import org.lacd.testsupport.Peers;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real FreeRADIUS 3 (Debian package) on 127.0.0.1 with a generated configuration in a temp dir:
 * own radiusd.conf (free high ports, log file, pid file in the temp dir), clients.conf for 127.0.0.1, the {@code files}
 * module with the test users, {@code pap}, {@code chap}, and a {@code detail} module writing to {@link #detailFile()}.
 * Never touches a system FreeRADIUS on 1812/1813. Tests skip (Assumptions) when not root or the binary is missing.
 */
public final class FreeRadiusServer implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/sbin/freeradius");
    public static final Path RADCLIENT = Path.of("/usr/bin/radclient");
    public static final String SECRET = "testing123-lacd";

    private final Path dir;
    private final int authPort;
    private final int acctPort;
    private Process process;
    private String users = USERS;
    /** Prepended to every command this server runs (e.g. {@code ip netns exec NS} for a lab namespace). */
    private List<String> prefix = List.of();

    /** Users file shared by the tests: two resellers with tagged tunnel attributes, a reject, an accept without tunnels. */
    public static final String USERS = """
        # Reseller A: two L2TP tunnels (preferences 10 and 20) and one PPTP tunnel lacd must drop.
        alice@resellera.example Cleartext-Password := "alicepw"
        \tService-Type = Framed-User,
        \tReply-Message = "welcome alice",
        \tSession-Timeout = 7200,
        \tClass = "resA-class",
        \tTunnel-Type:1 = L2TP,
        \tTunnel-Medium-Type:1 = IPv4,
        \tTunnel-Server-Endpoint:1 = "192.0.2.20",
        \tTunnel-Password:1 = "resA-second",
        \tTunnel-Preference:1 = 20,
        \tTunnel-Client-Auth-Id:1 = "lac-for-a",
        \tTunnel-Assignment-Id:1 = "resA-backup",
        \tTunnel-Type:2 = L2TP,
        \tTunnel-Medium-Type:2 = IPv4,
        \tTunnel-Server-Endpoint:2 = "192.0.2.10:1702",
        \tTunnel-Password:2 = "resA-first-a-rather-long-tunnel-secret-over-16",
        \tTunnel-Preference:2 = 10,
        \tTunnel-Client-Auth-Id:2 = "lac-for-a",
        \tTunnel-Server-Auth-Id:2 = "lns-a1",
        \tTunnel-Assignment-Id:2 = "resA-primary",
        \tTunnel-Private-Group-Id:2 = "grpA",
        \tTunnel-Client-Endpoint:2 = "198.51.100.1",
        \tTunnel-Type:3 = PPTP,
        \tTunnel-Medium-Type:3 = IPv4,
        \tTunnel-Server-Endpoint:3 = "192.0.2.99",
        \tTunnel-Preference:3 = 1

        # Reseller B: IPv6 LNS and two equal preferences.
        bob@resellerb.example Cleartext-Password := "bobpw"
        \tTunnel-Type:1 = L2TP,
        \tTunnel-Medium-Type:1 = IPv6,
        \tTunnel-Server-Endpoint:1 = "[2001:db8::10]:1701",
        \tTunnel-Password:1 = "resB",
        \tTunnel-Preference:1 = 5,
        \tTunnel-Type:2 = L2TP,
        \tTunnel-Medium-Type:2 = IPv4,
        \tTunnel-Server-Endpoint:2 = "lns-b.example.net",
        \tTunnel-Password:2 = "resB",
        \tTunnel-Preference:2 = 5,
        \tTunnel-Type:3 = L2TP,
        \tTunnel-Medium-Type:3 = IPv4,
        \tTunnel-Server-Endpoint:3 = "192.0.2.30",
        \tTunnel-Preference:3 = 50

        # Only broken tunnel attributes: no Tunnel-Server-Endpoint.
        broken@resellerb.example Cleartext-Password := "brokenpw"
        \tTunnel-Type:1 = L2TP,
        \tTunnel-Medium-Type:1 = IPv4

        mallory@resellera.example Auth-Type := Reject
        \tReply-Message = "account suspended"

        plain@isp.example Cleartext-Password := "plainpw"
        \tSession-Timeout = 3600,
        \tIdle-Timeout = 600

        steer@resellera.example Cleartext-Password := "lacd"
        \tTunnel-Type = L2TP,
        \tTunnel-Server-Endpoint = "192.0.2.40"
        """;

    private FreeRadiusServer(Path dir, int authPort, int acctPort) {
        this.dir = dir;
        this.authPort = authPort;
        this.acctPort = acctPort;
    }

    public static void assumeAvailable() {
        Peers.require(Files.isExecutable(BINARY), "freeradius not installed");
        Peers.require(Files.isExecutable(RADCLIENT), "radclient not installed");
        Peers.require("root".equals(System.getProperty("user.name")), "FreeRADIUS tests run as root");
    }

    /** Generates the configuration and starts the server. */
    public static FreeRadiusServer start(Path tmp) throws Exception {
        return start(tmp, USERS);
    }

    /** As {@link #start(Path)}, with the given users file (other modules' end-to-end tests steer to their own LNSs). */
    public static FreeRadiusServer start(Path tmp, String users) throws Exception {
        assumeAvailable();
        int auth = freeUdpPort();
        int acct = freeUdpPort();
        while (acct == auth) { // each probe socket is closed before the next is taken
            acct = freeUdpPort();
        }
        FreeRadiusServer s = new FreeRadiusServer(tmp, auth, acct);
        s.users = users;
        s.writeConfig();
        s.startProcess();
        return s;
    }

    /**
     * For the namespace lab (no JUnit needed): starts with the given users file on fixed ports, every command run
     * through {@code prefix} (e.g. {@code ip netns exec NS}; the server itself still listens on 127.0.0.1 there).
     */
    public static FreeRadiusServer start(Path tmp, String users, List<String> prefix, int authPort, int acctPort) throws Exception {
        FreeRadiusServer s = new FreeRadiusServer(tmp, authPort, acctPort);
        s.users = users;
        s.prefix = List.copyOf(prefix);
        s.writeConfig();
        s.startProcess();
        return s;
    }

    /** The server's process while it runs (its pid is freeradius's own: {@code ip netns exec} execs). */
    public Process process() { return process; }

    public int authPort() { return authPort; }

    public int acctPort() { return acctPort; }

    public Path detailFile() { return dir.resolve("radacct/detail"); }

    /** Every Access-Request as FreeRADIUS decoded it. */
    public String authDetail() throws IOException {
        Path p = dir.resolve("radacct/auth-detail");
        return Files.exists(p) ? Files.readString(p) : "";
    }

    public Path logFile() { return dir.resolve("log/radius.log"); }

    public String detail() throws IOException {
        return Files.exists(detailFile()) ? Files.readString(detailFile()) : "";
    }

    static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void writeConfig() throws IOException {
        Files.createDirectories(dir.resolve("log"));
        Files.createDirectories(dir.resolve("run"));
        Files.createDirectories(dir.resolve("radacct"));
        Path etcDict = Path.of("/etc/freeradius/3.0/dictionary");
        Files.writeString(dir.resolve("dictionary"), Files.exists(etcDict) ? Files.readString(etcDict) : "");
        Files.writeString(dir.resolve("users"), users);
        Files.writeString(dir.resolve("clients.conf"), """
            client lacd_test {
            \tipaddr = 127.0.0.1
            \tsecret = %s
            \trequire_message_authenticator = no
            \tnas_type = other
            }
            """.formatted(SECRET));
        String conf = """
            prefix = /usr
            exec_prefix = /usr
            sysconfdir = /etc
            localstatedir = %1$s
            sbindir = /usr/sbin
            logdir = %1$s/log
            raddbdir = %1$s
            radacctdir = %1$s/radacct
            name = freeradius
            confdir = ${raddbdir}
            modconfdir = ${confdir}/mods-config
            certdir = ${confdir}/certs
            cadir = ${confdir}/certs
            run_dir = %1$s/run
            db_dir = ${raddbdir}
            libdir = /usr/lib/freeradius
            pidfile = ${run_dir}/freeradius.pid
            max_request_time = 30
            cleanup_delay = 5
            max_requests = 16384
            hostname_lookups = no
            proxy_requests = no
            log {
            \tdestination = files
            \tfile = ${logdir}/radius.log
            \tauth = yes
            \tauth_badpass = no
            \tauth_goodpass = no
            }
            security {
            \tallow_core_dumps = no
            \tmax_attributes = 200
            \treject_delay = 0
            \tstatus_server = yes
            }
            thread pool {
            \tstart_servers = 4
            \tmax_servers = 16
            \tmin_spare_servers = 2
            \tmax_spare_servers = 8
            \tmax_requests_per_server = 0
            \tauto_limit_acct = no
            }
            $INCLUDE clients.conf
            modules {
            \tpap {
            \t}
            \tchap {
            \t}
            \tfiles {
            \t\tfilename = ${raddbdir}/users
            \t}
            \tdetail {
            \t\tfilename = ${radacctdir}/detail
            \t\tescape_filenames = no
            \t\tpermissions = 0600
            \t\theader = "%%t"
            \t}
            \tdetail auth_log {
            \t\tfilename = ${radacctdir}/auth-detail
            \t\tescape_filenames = no
            \t\tpermissions = 0600
            \t\theader = "%%t"
            \t}
            }
            instantiate {
            }
            server default {
            \tlisten {
            \t\ttype = auth
            \t\tipaddr = 127.0.0.1
            \t\trecv_buff = 4194304
            \t\tport = %2$d
            \t}
            \tlisten {
            \t\ttype = acct
            \t\tipaddr = 127.0.0.1
            \t\trecv_buff = 4194304
            \t\tport = %3$d
            \t}
            \tauthorize {
            \t\tauth_log
            \t\tchap
            \t\tfiles
            \t\tpap
            \t}
            \tauthenticate {
            \t\tAuth-Type PAP {
            \t\t\tpap
            \t\t}
            \t\tAuth-Type CHAP {
            \t\t\tchap
            \t\t}
            \t}
            \tpreacct {
            \t}
            \taccounting {
            \t\tdetail
            \t}
            \tpost-auth {
            \t}
            }
            """.formatted(dir.toString(), authPort, acctPort);
        Files.writeString(dir.resolve("radiusd.conf"), conf);
    }

    /** Starts (or restarts after {@link #stop()}) the server and waits until it answers Status-Server. */
    public void startProcess() throws Exception {
        List<String> cmd = new java.util.ArrayList<>(prefix);
        cmd.addAll(List.of(BINARY.toString(), "-f", "-d", dir.toString(), "-n", "radiusd"));
        process = new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("log/stdout.log").toFile()))
            .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("freeradius exited " + process.exitValue() + ": " + logs());
            }
            RadclientResult r = radclient(prefix, "127.0.0.1:" + authPort, "status", SECRET, "Message-Authenticator = 0x00\n", 1);
            if (r.exitCode() == 0) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("freeradius did not answer within 15 s: " + logs());
    }

    public void startProcessIfStopped() throws Exception {
        if (process == null || !process.isAlive()) {
            startProcess();
        }
    }

    public String logs() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Path p : List.of(dir.resolve("log/stdout.log"), logFile())) {
            if (Files.exists(p)) {
                sb.append(Files.readString(p));
            }
        }
        return sb.toString();
    }

    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public record RadclientResult(int exitCode, String output) { }

    /** Runs radclient once ({@code -x} prints the answer) with the given attribute lines on stdin. */
    public static RadclientResult radclient(String target, String command, String secret, String attributes, int timeoutSeconds)
        throws IOException, InterruptedException {
        return radclient(List.of(), target, command, secret, attributes, timeoutSeconds);
    }

    /** As {@link #radclient(String, String, String, String, int)}, run through {@code prefix} (e.g. {@code ip netns exec NS}). */
    public static RadclientResult radclient(List<String> prefix, String target, String command, String secret, String attributes,
                                            int timeoutSeconds) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(prefix);
        cmd.addAll(List.of(RADCLIENT.toString(), "-x", "-r", "1", "-t", Integer.toString(timeoutSeconds), target, command, secret));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().write(attributes.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeoutSeconds + 5L, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new RadclientResult(-1, out);
        }
        return new RadclientResult(p.exitValue(), out);
    }
}
