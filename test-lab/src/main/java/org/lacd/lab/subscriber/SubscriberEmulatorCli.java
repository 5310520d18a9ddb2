package org.lacd.lab.subscriber;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lacd.pppoe.port.PcapPort;
import org.lacd.pppoe.port.PortException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code subscriber-emulator}: the emulator as a program on a real interface (pcap). Prints the report as text,
 * optionally writes it as JSON; exit code 0 when every subscriber was established and none failed, 1 otherwise,
 * 2 on bad arguments or when the interface cannot be opened.
 */
@Command(name = "subscriber-emulator", mixinStandardHelpOptions = true,
        description = "Emulates many PPPoE subscribers (PADI..IPCP, CHAP/PAP, probe traffic) on one interface.")
public final class SubscriberEmulatorCli implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(SubscriberEmulatorCli.class);

    @Option(names = "--interface", required = true, description = "network interface (opened with pcap)")
    String iface;

    @Option(names = "--count", defaultValue = "10", description = "number of subscribers (default: ${DEFAULT-VALUE})")
    int count;

    @Option(names = "--rate", defaultValue = "100", description = "sessions started per second (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--auth", defaultValue = "chap", description = "chap, pap or mix (default: ${DEFAULT-VALUE})")
    String auth;

    @Option(names = "--user-pattern", defaultValue = "user{n}@reseller-a.example",
            description = "user name; {n} is the subscriber number (default: ${DEFAULT-VALUE})")
    String userPattern;

    @Option(names = "--password-pattern", defaultValue = "secret{n}", description = "password / CHAP secret (default: ${DEFAULT-VALUE})")
    String passwordPattern;

    @Option(names = "--vlan", defaultValue = "none", description = "none, dot1q:BASE or qinq:OUTER:BASE (default: ${DEFAULT-VALUE})")
    String vlan;

    @Option(names = "--line-tags", description = "send TR-101 line tags (circuit id lab/1/{n}, remote id, rates)")
    boolean lineTags;

    @Option(names = "--service-name", defaultValue = "", description = "PPPoE Service-Name (default: any)")
    String serviceName;

    @Option(names = "--lifetime", defaultValue = "0", description = "session lifetime, e.g. 30s; 0 = until --duration ends (default: ${DEFAULT-VALUE})")
    String lifetime;

    @Option(names = "--traffic-pps", defaultValue = "0", description = "probe packets per second per subscriber (default: ${DEFAULT-VALUE})")
    int trafficPps;

    @Option(names = "--traffic-size", defaultValue = "128", description = "probe IPv4 packet size in bytes (default: ${DEFAULT-VALUE})")
    int trafficSize;

    @Option(names = "--duration", defaultValue = "60s", description = "bound on the whole run (default: ${DEFAULT-VALUE})")
    String duration;

    @Option(names = "--timeout", defaultValue = "3s", description = "wait per attempt of each step (default: ${DEFAULT-VALUE})")
    String timeout;

    @Option(names = "--retries", defaultValue = "3", description = "retransmissions per step (default: ${DEFAULT-VALUE})")
    int retries;

    @Option(names = "--drain", defaultValue = "500ms", description = "wait for in-flight probes before terminating (default: ${DEFAULT-VALUE})")
    String drain;

    @Option(names = "--mac-base", defaultValue = "02:00:00:00:00:00", description = "subscriber n uses this MAC + n (default: ${DEFAULT-VALUE})")
    String macBase;

    @Option(names = "--shards", defaultValue = "1", description = "worker threads (default: ${DEFAULT-VALUE})")
    int shards;

    @Option(names = "--lcp-echo-interval", defaultValue = "0", description = "once up, an LCP Echo-Request every"
            + " this long, e.g. 1s, as pppd's lcp-echo-interval; 0 = none (default: ${DEFAULT-VALUE})")
    String lcpEchoInterval;

    @Option(names = "--lcp-echo-failures", defaultValue = "3", description = "unanswered Echo-Requests after which the"
            + " session is dropped, as pppd's lcp-echo-failure (default: ${DEFAULT-VALUE})")
    int lcpEchoFailures;

    @Option(names = "--redial", description = "after a session dropped for unanswered echoes, or ended by the access"
            + " concentrator (PADT or LCP Terminate-Request), dial again from PADI with the same MAC (pppd's persist);"
            + " without it the subscriber fails (LCP_ECHO_TIMEOUT, PADT_AFTER_UP, LCP_TERMINATED)")
    boolean redial;

    @Option(names = "--redial-holdoff", defaultValue = "1s", description = "wait before redialing (default: ${DEFAULT-VALUE})")
    String redialHoldoff;

    @Option(names = "--no-immediate", description = "pcap without immediate mode: batched receive, more throughput,"
            + " more latency (for forwarding benchmarks)")
    boolean noImmediate;

    @Option(names = "--json", description = "also write the report as JSON to this file")
    Path json;

    @Option(names = "--outcomes", description = "write every subscriber's outcome (user, MAC, VLANs, session id, address,"
            + " failure) as JSON lines to this file")
    Path outcomes;

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");

    /** Parses {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, or a plain number of seconds. */
    static Duration parseDuration(String s) {
        Matcher m = DURATION.matcher(s.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("duration " + s + " (expected e.g. 500ms, 30s, 2m, 1h)");
        }
        double v = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double millis = switch (unit) {
            case "ms" -> v;
            case "s" -> v * 1e3;
            case "m" -> v * 60e3;
            default -> v * 3600e3;
        };
        return Duration.ofNanos((long) (millis * 1e6));
    }

    EmulatorConfig config() {
        return EmulatorConfig.builder()
                .count(count).setupRate(rate)
                .auth(AuthMode.valueOf(auth.toUpperCase(Locale.ROOT)))
                .userPattern(userPattern).passwordPattern(passwordPattern)
                .vlan(VlanPlan.parse(vlan)).lineTags(lineTags).serviceName(serviceName)
                .lifetime(parseDuration(lifetime))
                .trafficPps(trafficPps).trafficSize(trafficSize)
                .duration(parseDuration(duration)).stepTimeout(parseDuration(timeout)).retries(retries)
                .drain(parseDuration(drain))
                .macBase(org.lacd.pppoe.wire.MacAddress.parse(macBase).value())
                .shards(shards)
                .lcpEchoInterval(parseDuration(lcpEchoInterval)).lcpEchoFailures(lcpEchoFailures)
                .redial(redial).redialHoldoff(parseDuration(redialHoldoff))
                .build();
    }

    @Override
    public Integer call() throws Exception {
        EmulatorConfig cfg;
        try {
            cfg = config();
        } catch (IllegalArgumentException e) {
            System.err.println("subscriber-emulator: " + e.getMessage());
            return 2;
        }
        // Immediate mode by default: control-plane latency matters more than receive throughput here.
        // A 64 MiB ring of 2 KiB slots (frames are at most the MRU plus headers): about 30,000 frames. Every emulator
        // on the interface sees every frame, and at 1,000 setups/s a ring of ~1,800 9 KiB slots overflowed while the
        // JVM was descheduled, losing CHAP Successes nobody retransmits (measured with the ring's drop counter).
        // Only this emulator's subscribers' frames (EmulatorConfig.pcapFilter): others on the interface have theirs.
        PcapPort port = new PcapPort(iface, 64 << 20, !noImmediate, null, 2048, cfg.pcapFilter(PcapPort.FILTER));
        CountDownLatch reported = new CountDownLatch(1);
        try (SubscriberEmulator emu = new SubscriberEmulator(cfg, port)) {
            // Ctrl-C: end politely (Terminate + PADT for every session), let this thread print the report, then exit.
            Thread hook = new Thread(() -> {
                emu.endNow();
                try {
                    reported.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "subemu-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(t -> {
                Thread th = new Thread(t, "subemu-progress");
                th.setDaemon(true);
                return th;
            });
            Report r;
            try {
                progress.scheduleAtFixedRate(() -> LOG.info("progress: {}", emu.progress()), 5, 5, TimeUnit.SECONDS);
                emu.start();
                r = emu.awaitReport();
            } finally {
                progress.shutdownNow();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // already shutting down (Ctrl-C): the hook waits for the report below
                }
            }
            // the files first: when a SIGTERM ends the run, the JVM may not outlive what comes after them for long
            if (json != null) {
                Files.writeString(json, r.toJson(), StandardCharsets.UTF_8);
            }
            if (outcomes != null) {
                writeOutcomes(outcomes, emu.outcomes());
            }
            System.out.print(r.toText());
            System.out.println("kernel ring drops " + port.captureDrops() + " (frames lost on " + iface + " before the emulator read them)");
            return r.success() ? 0 : 1;
        } catch (PortException e) {
            System.err.println("subscriber-emulator: " + e.getMessage());
            return 2;
        } finally {
            port.close();
            reported.countDown();
        }
    }

    /** One JSON object per line, in subscriber order. */
    static void writeOutcomes(Path file, java.util.List<SubscriberOutcome> list) throws java.io.IOException {
        com.fasterxml.jackson.databind.ObjectWriter w = new com.fasterxml.jackson.databind.ObjectMapper().writer();
        try (java.io.BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (SubscriberOutcome o : list) {
                out.write(w.writeValueAsString(o));
                out.newLine();
            }
        }
    }

    /** Runs the command line; returns the exit code. */
    public static int run(String... args) {
        return new CommandLine(new SubscriberEmulatorCli()).execute(args);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }
}
