package org.lacd.lab.lns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lns-emulator}: the LNS emulator as a program (for an LNS network namespace of the lab). Runs until
 * {@code --duration} ends or SIGTERM/SIGINT, then closes every tunnel with StopCCN, prints the text report and writes
 * the JSON report. Exit 0 on a clean run, 2 on bad options, 1 when the socket cannot be bound.
 */
@Command(name = "lns-emulator", mixinStandardHelpOptions = true, sortOptions = false,
        description = "L2TPv2 LNS emulator: tunnels, proxy LCP/authentication checks, PPP (CHAP/PAP, IPCP), IPv4 reflection.")
public final class LnsEmulatorCli implements Callable<Integer> {
    @Option(names = "--listen", defaultValue = "0.0.0.0:1701", description = "UDP address ADDR:PORT (default ${DEFAULT-VALUE})")
    String listen;

    @Option(names = "--secret", description = "tunnel secret (none by default)")
    String secret;

    @Option(names = "--hostname", defaultValue = "lns-emulator", description = "Host Name AVP and CHAP name (default ${DEFAULT-VALUE})")
    String hostName;

    @Option(names = "--password-pattern", defaultValue = "pass{n}",
            description = "expected password: fixed, or with {n} (digits of user{n}@...), {user}, {local} (default ${DEFAULT-VALUE})")
    String passwordPattern;

    @Option(names = "--mode", defaultValue = "accept-proxy",
            description = "accept-proxy | renegotiate-lcp | challenge-again | expect-auth-packet (default ${DEFAULT-VALUE})")
    String mode;

    @Option(names = "--pool", defaultValue = "100.64.0.0/16", description = "subscriber address prefix; first host is the LNS (default ${DEFAULT-VALUE})")
    String pool;

    @Option(names = "--duration", defaultValue = "10m", description = "run time, e.g. 90s, 10m, 1h, PT5M (default ${DEFAULT-VALUE})")
    String duration;

    @Option(names = "--json", description = "write the JSON report to this file at exit")
    Path json;

    @Option(names = "--hide-avps", description = "hide the Assigned Session ID in ICRP (needs --secret)")
    boolean hideAvps;

    @Option(names = "--refuse-calls", description = "answer every ICRQ with CDN (result 4)")
    boolean refuseCalls;

    @Option(names = "--silent", description = "answer nothing at all (failover tests)")
    boolean silent;

    @Option(names = "--ignore-sccrq", description = "do not answer SCCRQ: no new tunnels")
    boolean ignoreSccrq;

    @Option(names = "--setup-timeout", defaultValue = "30s", description = "ICCN to IPCP opened before CDN (default ${DEFAULT-VALUE})")
    String setupTimeout;

    @Option(names = "--status-interval", defaultValue = "0s", description = "print a status line this often; 0 for none")
    String statusInterval;

    @Option(names = "--control", description = "HTTP control port ADDR:PORT (GET /report, POST /calls/clear, /tunnels/stop, ...); none by default")
    String control;

    @Option(names = "--lcp-echo-interval", defaultValue = "0s", description = "LCP Echo-Request to each subscriber this often; 0 for none")
    String echoInterval;

    @Option(names = "--lcp-echo-failures", defaultValue = "0", description = "unanswered echoes that end a call; 0 never (default)")
    int echoFailures;

    @Option(names = "--max-call-records", defaultValue = "100000", description = "calls kept for the report (default ${DEFAULT-VALUE})")
    int maxCallRecords;

    /** Runs the command; returns the exit code (no System.exit, so tests can call it). */
    public static int run(String... args) {
        return new CommandLine(new LnsEmulatorCli()).execute(args);
    }

    static Duration parseDuration(String s) {
        String t = s.trim().toLowerCase();
        if (t.startsWith("pt") || t.startsWith("p")) {
            return Duration.parse(t.toUpperCase());
        }
        if (t.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        }
        long n = Long.parseLong(t.substring(0, t.length() - 1));
        return switch (t.charAt(t.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> throw new IllegalArgumentException("duration '" + s + "' (expected: 90s, 10m, 1h, 250ms or ISO-8601)");
        };
    }

    static String hostPort(InetSocketAddress a) { return a.getAddress().getHostAddress() + ":" + a.getPort(); }

    static InetSocketAddress parseListen(String s) throws UnknownHostException {
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--listen '" + s + "' (expected: ADDR:PORT)");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(s.substring(colon + 1)));
    }

    @Override
    public Integer call() throws Exception {
        LnsEmulatorConfig cfg;
        Duration runFor;
        Duration status;
        try {
            runFor = parseDuration(duration);
            status = parseDuration(statusInterval);
            cfg = LnsEmulatorConfig.builder().listen(parseListen(listen)).secret(secret).hostName(hostName).hideAvps(hideAvps)
                    .passwords(passwordPattern).mode(Mode.parse(mode)).pool(pool).setupTimeout(parseDuration(setupTimeout))
                    .maxCallRecords(maxCallRecords).lcpEcho(parseDuration(echoInterval), echoFailures).build();
        } catch (RuntimeException | UnknownHostException e) {
            System.err.println("lns-emulator: " + e.getMessage());
            return 2;
        }
        LnsEmulator emu;
        try {
            emu = LnsEmulator.start(cfg);
        } catch (Exception e) {
            System.err.println("lns-emulator: cannot listen on " + listen + ": " + e.getMessage());
            return 1;
        }
        emu.refuseCalls(refuseCalls);
        emu.silent(silent);
        emu.ignoreNewTunnels(ignoreSccrq);
        LnsControlServer ctl = null;
        if (control != null) {
            try {
                ctl = LnsControlServer.start(emu, parseListen(control));
            } catch (IOException | RuntimeException e) {
                System.err.println("lns-emulator: cannot open control port " + control + ": " + e.getMessage());
                emu.shutdown(Duration.ofSeconds(1));
                return 1;
            }
        }
        System.out.println("lns-emulator listening on " + hostPort(emu.address()) + " mode " + cfg.mode().cliName() + " for " + runFor
                + (ctl == null ? "" : " control http://" + hostPort(ctl.address())));
        System.out.flush();
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                finished.await(15, TimeUnit.SECONDS); // let the main thread close the tunnels and write the report
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "lns-emulator-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            long end = System.nanoTime() + runFor.toNanos();
            long step = status.isZero() ? Long.MAX_VALUE : status.toNanos();
            while (true) {
                long left = end - System.nanoTime();
                if (left <= 0 || stop.await(Math.min(left, step), TimeUnit.NANOSECONDS)) {
                    break;
                }
                if (!status.isZero()) {
                    Report r = emu.summary();
                    System.out.printf("tunnels %d sessions %d up %d total %d ipv4 in %d reflected %d%n", r.tunnels().current(),
                            r.sessions().current(), r.sessions().up(), r.sessions().total(), r.traffic().ipv4In(), r.traffic().ipv4Reflected());
                    System.out.flush();
                }
            }
            Report before = emu.report();
            if (ctl != null) {
                ctl.close();
            }
            Report after = emu.shutdown(Duration.ofSeconds(3));
            if (after != null) {
                before = after;
            }
            System.out.print(before.toText());
            System.out.flush();
            if (json != null) {
                Path tmp = json.resolveSibling(json.getFileName() + ".tmp");
                Files.writeString(tmp, before.toJson(), StandardCharsets.UTF_8);
                Files.move(tmp, json, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return 0;
        } catch (IOException e) {
            System.err.println("lns-emulator: cannot write " + json + ": " + e.getMessage());
            return 1;
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook is running and waits for us
            }
        }
    }
}
