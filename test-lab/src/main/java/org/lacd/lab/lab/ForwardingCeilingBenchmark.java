package org.lacd.lab.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lacd.lab.subscriber.Probe;

/**
 * The forwarding grid of issue 13 (a program, not a timed test): lacd against two bare forwarders, in one run on one
 * topology, at each IPv4 size, upstream and downstream.
 *
 * <p>Phases, in the order given (default {@code lacd:1,lacd:2,pcap,afp,gen}):
 * <ul>
 *   <li>{@code lacd:N}: lacd with {@code interfaces[].workers: N} ({@code lacd} alone leaves the key out: lacd's
 *       default). {@code subs} subscribers of reseller A dial in to lns-a1, then their emulator is killed (SIGKILL: no
 *       PADT, the sessions stay in lacd) so that only the generator and lacd touch the frames. lacd runs pinned to CPU 1
 *       with one worker, to CPUs 0-1 with more (then it shares CPU 0 with the generator). A later lacd phase stops
 *       lacd, restarts lns-a1 and lacd with its worker count and dials the subscribers again. {@code lacd:N:nogso}
 *       sets {@code l2tp.udp-gso: false} (each upstream datagram its own send, lacd before UDP GSO);
 *       {@code lacd:N:gro} sets {@code l2tp.udp-gro: true} and turns GRO on at lacd's LNS-side veth (NAPI mode, as a
 *       NIC driver does), for that phase only. {@code lacd:N:notxring} sets {@code interfaces[].tx-ring: false}
 *       (downstream frames leave with sendmmsg batches, lacd before the TX ring). {@code lacd:N:cpu1} pins lacd to
 *       CPU 1 whatever its worker count: N workers on the one core that 1 worker has, so that what the workers'
 *       machinery (fanout, reuseport steering, smaller batches) costs is seen apart from the generator's core.
 *       {@code lacd:N:c1} runs lacd's JVM with {@code -XX:TieredStopAtLevel=1} (C1 only, no C2).</li>
 *   <li>{@code pcap}: {@link RawTools} {@code forward}, two of lacd's own pcap4j ports, frames sent unchanged, pinned to
 *       CPU 1, in lacd's namespace on the same interfaces (lacd stopped).</li>
 *   <li>{@code afp}: the bare C AF_PACKET forwarder ({@code test-lab/src/main/c/afp-fwd.c}, TPACKET_V2 receive rings,
 *       one sendmmsg per batch, frames unchanged), compiled by this program with gcc -O2, pinned to CPU 1.</li>
 *   <li>{@code gen}: no forwarder. The generator sends into a sink on lacd's own interfaces at 4 Mpps offered: what it
 *       achieves is its ceiling on this machine, which bounds every other row.</li>
 * </ul>
 *
 * <p>Load: the C generator ({@code afp-gen.c}, through a TX ring since the eighth session, with
 * {@code -Dlab.gen.tx-ring=false} sendmmsg batches as before; pinned to CPU 0) replays the frames round robin over
 * the sessions: PPPoE session frames into lacd's access interface (upstream), L2TP data messages from the LNS's address
 * into lacd's LNS-side interface (downstream). It reports what it actually sent per second. The sink is an nftables
 * ingress rule on the far side that counts the forwarded data frames and drops them; loss is frames sent minus frames
 * counted once the count has settled.
 *
 * <p>Each series (phase x direction x size) starts with one point at the fixed rate ({@code fixedRate}, default
 * 100,000 pps, below every knee) for at least 5 s: there the forwarder's CPU time (utime + stime of all its threads,
 * /proc/PID/stat) over the packets delivered gives the CPU time per forwarded packet, and a receiver on the far side
 * ({@link RawTools} {@code latency}, on CPU 0) the one-way delay of the marked frames (one in 100 carries its send
 * time). Then the offered rate doubles until loss exceeds 1 % (or the generator falls 3 % short of it: the point then
 * measures the generator, and the series says so), and three bisection steps narrow the knee. The zero-loss rate and
 * the rate at <= 1 % loss are the highest delivered rates among the series' points with that loss. Each phase and
 * direction starts with {@code seconds} of unrecorded traffic at the fixed rate (JIT warm-up).
 *
 * <p><b>NIC model</b> ({@code -Dlab.nic-model=true}). On veth a packet's receive work (the softirq that runs the
 * receiving namespace's stack, its nftables sink or packet socket) runs on the sender's CPU: lacd's core carries the far
 * side's receive of everything lacd sends, and the generator's core carries lacd's own receive. On a NIC the receive
 * work runs where the queue's interrupt is steered: the far side is another machine, and a forwarder's own receive runs
 * on its core. With the NIC model, receive packet steering (rps_cpus) puts the receive work of lacd's two interfaces on
 * CPU 1 (the forwarder's core) and that of the far sides' interfaces on CPU 0 (the generator's): so lacd's core does
 * its receive, its work and its send, and the far side's receive moves to the generator's core. The fixed-rate point
 * then also reports CPU 1's whole busy time (/proc/stat: all but idle and iowait) per forwarded packet, which includes
 * the receive softirq that no process is charged for.
 *
 * <p><b>NIC model with threaded NAPI</b> ({@code -Dlab.nic-model=napi}). As above, but each interface's receive work
 * runs in its own NAPI kernel thread (veth with GRO on has a NAPI ring of 256 frames; {@code threaded} 1), pinned to the
 * receiving side's CPU and run SCHED_FIFO, so that it preempts the forwarder on its core as a NIC's receive softirq
 * does, without an inter-processor interrupt per small burst (the RPS model's cost): the sender only queues the frame
 * and wakes the thread when it sleeps.
 *
 * <p><b>System calls</b> ({@code -Dlab.syscalls=true}). During each fixed-rate point, {@code perf stat} counts the
 * forwarder's system calls by kind (the kernel's syscall tracepoints, all its threads) and the point reports them per
 * forwarded packet: how many wake-ups (poll, epoll_wait), reads and sends a packet costs. Needs {@code perf}.
 *
 * <pre>
 * java -cp "test-lab/target/classes:$(cat test-lab/target/classpath.txt)" org.lacd.lab.lab.ForwardingCeilingBenchmark 16 64,512,1400 lacd:1,lacd:2,pcap,afp,gen up,down 3 100000
 * </pre>
 */
public final class ForwardingCeilingBenchmark {
    /** Receive packet steering as a NIC's interrupts would place the receive work (see the class comment). */
    private static final boolean NIC_MODEL = "true".equals(System.getProperty("lab.nic-model"));
    /** Threaded NAPI as a NIC's receive queue would place the receive work (see the class comment). */
    private static final boolean NAPI_MODEL = "napi".equals(System.getProperty("lab.nic-model"));
    /** perf stat counts the forwarder's system calls during each fixed-rate point (see the class comment). */
    private static final boolean SYSCALLS = Boolean.getBoolean("lab.syscalls");
    /** The system calls a forwarder's packet path makes, counted with {@code -Dlab.syscalls=true}. */
    private static final List<String> COUNTED_SYSCALLS = List.of("poll", "ppoll", "epoll_wait", "epoll_pwait", "epoll_pwait2", "timerfd_settime", "recvmmsg",
            "recvmsg", "recvfrom", "sendmmsg", "sendmsg", "sendto", "futex", "write", "read", "eventfd2");
    /** The generator sends through its TX ring (about half of sendmmsg's CPU per frame), unless told otherwise. */
    private static final boolean GEN_TX_RING = Boolean.parseBoolean(System.getProperty("lab.gen.tx-ring", "true"));
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The knee: the highest rate with at most this loss (%). */
    private static final double KNEE_LOSS = 1.0;
    /** A generator that achieved less than this fraction of the offered rate is the bottleneck of its point. */
    private static final double GEN_BOUND = 0.97;
    private static final int BISECT_STEPS = 3;
    private static final long MAX_RATE = 4_000_000;
    /** The fixed-rate point (CPU per packet, latency) lasts at least this long: CPU time is counted in 10 ms ticks. */
    private static final double FIXED_MIN_SECONDS = 5;
    private static final int INNER_SRC = 0x64400001; // 100.64.0.1
    private static final int INNER_DST = 0xc6336401; // 198.51.100.1 (RFC 5737)
    /** lacd's L2TP source port in the lab (the config default) and the LNS's. */
    private static final int L2TP_PORT = 1701;

    private ForwardingCeilingBenchmark() {}

    /** One measured point; {@code cpuSeconds} < 0 and {@code p50} < 0 where not measured. */
    record Point(long offered, long sent, long delivered, double seconds, double genPps, long p50, long p99, long samples,
                 double cpuSeconds) {
        double loss() { return sent == 0 ? 0 : 100.0 * (sent - delivered) / sent; }
        double deliveredPps() { return delivered / seconds; }
        boolean genBound() { return genPps < GEN_BOUND * offered; }
        double cpuUsPerPacket() { return cpuSeconds < 0 || delivered == 0 ? -1 : cpuSeconds * 1e6 / delivered; }
    }

    /** A forwarder under test: lacd with a worker count (0: lacd's default), the pcap4j or the C forwarder, or none. */
    record Phase(String spec, String kind, int workers, String variant) {
        static Phase parse(String s) {
            String[] p = s.strip().split(":");
            String variant = p.length > 2 ? p[2] : "";
            if (!List.of("", "nogso", "gro", "notxring", "cpu1", "c1").contains(variant) || (p.length > 2 && !p[0].equals("lacd"))) {
                throw new IllegalArgumentException("phase " + s + ": lacd:N:nogso, lacd:N:gro, lacd:N:notxring, lacd:N:cpu1 or lacd:N:c1");
            }
            return switch (p[0]) {
                case "lacd" -> new Phase(s.strip(), "lacd", p.length > 1 ? Integer.parseInt(p[1]) : 0, variant);
                case "pcap", "afp", "gen" -> new Phase(s.strip(), p[0], 0, "");
                default -> throw new IllegalArgumentException("phase " + s + ": lacd, lacd:N, lacd:N:nogso, lacd:N:gro, lacd:N:notxring, lacd:N:cpu1,"
                        + " lacd:N:c1, pcap, afp or gen");
            };
        }

        /** The variant's keys in lacd's l2tp section: nogso turns UDP GSO off, gro turns UDP GRO on. */
        String l2tpExtra() {
            return switch (variant) {
                case "nogso" -> "udp-gso: false";
                case "gro" -> "udp-gro: true";
                default -> "";
            };
        }

        /** The variant's keys in lacd's access interface entry: notxring sends downstream frames with sendmmsg. */
        String accessExtra() {
            return variant.equals("notxring") ? "tx-ring: false" : "";
        }

        boolean lacd() { return kind.equals("lacd"); }

        /** The CPUs the forwarder is pinned to; the generator is always on CPU 0. */
        String cpus() { return workers > 1 && !variant.equals("cpu1") ? "0-1" : "1"; }

        String label() {
            return switch (kind) {
                case "lacd" -> (workers == 0 ? "lacd (default workers)" : "lacd " + workers + (workers == 1 ? " worker" : " workers"))
                        + switch (variant) {
                            case "nogso" -> ", UDP GSO off";
                            case "gro" -> ", UDP GRO on";
                            case "notxring" -> ", sendmmsg (no TX ring)";
                            case "c1" -> ", JIT C1 only";
                            case "cpu1" -> ", all on CPU 1";
                            default -> "";
                        };
                case "pcap" -> "bare pcap4j";
                case "afp" -> "bare C AF_PACKET";
                default -> "generator alone";
            };
        }

        String tag() { return spec.replace(':', '-'); }
    }

    record Series(Phase phase, String direction, int size, Point fixed, List<Point> points, boolean genBound) {}

    record Target(int pppoeId, int tunnelId, int callId, long subMac) {}

    /** What the sweeps share: the lab, the tools, where frames and logs go, and the fixed rate. */
    private record Run(Lab lab, Topology.LnsNode lns, CTools c, Path dir, double seconds, long fixedRate) {}

    public static void main(String[] args) throws Exception {
        int subs = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        int[] sizes = ints(args.length > 1 ? args[1] : "64,512,1400");
        List<Phase> phases = new ArrayList<>();
        for (String s : (args.length > 2 ? args[2] : "lacd:1,lacd:2,pcap,afp,gen").split(",")) {
            phases.add(Phase.parse(s));
        }
        List<String> directions = List.of((args.length > 3 ? args[3] : "up,down").split(","));
        double seconds = args.length > 4 ? Double.parseDouble(args[4]) : 3;
        long fixedRate = args.length > 5 ? Long.parseLong(args[5]) : 100_000;
        String prefix = Topology.uniquePrefix();
        Path dir = Path.of("/tmp", prefix);
        CTools c = CTools.compile(dir.resolve("bin"));
        List<Series> results = new ArrayList<>();
        LabOptions base = LabOptions.defaults().withUsers(subs).withHeap("1g").withLogLevel("warn");
        Phase firstLacd = phases.stream().filter(Phase::lacd).findFirst().orElse(null);
        long started = System.nanoTime();
        try (Lab lab = Lab.start(dir, firstLacd == null ? base : lacdOptions(base, firstLacd), prefix)) {
            Topology topo = lab.topology();
            Topology.LnsNode lns = topo.lns("lns-a1");
            Run run = new Run(lab, lns, c, dir, seconds, fixedRate);
            if (NIC_MODEL) {
                // lacd's own receive on its core (CPU 1), the far sides' on the generator's (CPU 0)
                rps(topo, topo.lacdNamespace(), Topology.ACCESS_IF, "2");
                rps(topo, topo.lacdNamespace(), lns.lacInterface(), "2");
                rps(topo, lns.namespace(), "eth0", "1");
                rps(topo, topo.subscriberNamespace(), Topology.SUB_IF, "1");
                System.out.println("NIC model: receive work of lacd's interfaces on CPU 1, of the far sides' on CPU 0 (rps_cpus)");
            }
            if (NAPI_MODEL) {
                napi(topo, topo.lacdNamespace(), Topology.ACCESS_IF, 1);
                napi(topo, topo.lacdNamespace(), lns.lacInterface(), 1);
                napi(topo, lns.namespace(), "eth0", 0);
                napi(topo, topo.subscriberNamespace(), Topology.SUB_IF, 0);
                System.out.println("NIC model: receive work of lacd's interfaces in NAPI threads on CPU 1, of the far sides' on CPU 0"
                        + " (threaded NAPI, SCHED_FIFO)");
            }
            // frames for the bare phases when no lacd phase ran: any ids do, the bare forwarders do not look
            List<Target> targets = new ArrayList<>();
            for (int i = 1; i <= subs; i++) {
                targets.add(new Target(i, 1, i, 0x020000000000L + i));
            }
            boolean lacdUp = true;
            boolean lacdUsed = false;
            for (Phase phase : phases) {
                System.out.printf(Locale.ROOT, "== %s (%s)%n", phase.label(), phase.spec());
                if (phase.lacd()) {
                    if (lacdUsed || !lacdUp || phase.variant().equals("c1")) {
                        if (lacdUp) {
                            lab.stopLacd(Duration.ofSeconds(20));
                        }
                        // a fresh LNS: its session count starts from zero again
                        lab.killLns(lns.name());
                        lab.startLns(lns.name());
                        // the c1 variant: lacd's JVM compiles with C1 only (what a cold start would gain against what
                        // forwarding would lose: lab.md, "The JIT: C1 only")
                        String jvm = System.getProperty("lab.lacd.jvm", "");
                        if (phase.variant().equals("c1")) {
                            System.setProperty("lab.lacd.jvm", jvm + " -XX:TieredStopAtLevel=1");
                        }
                        try {
                            lab.restartLacd(lacdOptions(base, phase));
                        } finally {
                            System.setProperty("lab.lacd.jvm", jvm);
                        }
                        lacdUp = true;
                    }
                    lacdUsed = true;
                    // GRO on lacd's LNS-side veth (in NAPI mode, as a NIC driver) only for the gro variant: merged runs
                    // would reach the bare forwarders' packet sockets whole
                    Sh.check("ip", "netns", "exec", topo.lacdNamespace(), "ethtool", "-K", lns.lacInterface(), "gro",
                            phase.variant().equals("gro") ? "on" : "off");
                    // the sinks drop PPPoE session frames and L2TP data: none while the subscribers dial
                    removeSinks(topo, lns);
                    targets = dial(lab, lns, subs);
                    sinks(topo, lns, dir);
                    writeAllFrames(run, phase, targets, sizes);
                    Sh.Result pin = Sh.run("taskset", "-a", "-p", "-c", phase.cpus(), Long.toString(lab.lacd().pid()));
                    System.out.println("lacd pinned to CPUs " + phase.cpus() + ": " + (pin.ok() ? "yes" : pin.out().strip()) + "; "
                            + targets.size() + " sessions on " + lns.name());
                    sweepAll(run, phase, lab.lacd().pid(), directions, sizes, results);
                    continue;
                }
                if (lacdUp) {
                    lab.stopLacd(Duration.ofSeconds(20));
                    lacdUp = false;
                }
                Sh.check("ip", "netns", "exec", topo.lacdNamespace(), "ethtool", "-K", lns.lacInterface(), "gro", "off");
                sinks(topo, lns, dir);
                writeAllFrames(run, phase, targets, sizes);
                if (phase.kind().equals("gen")) {
                    generatorAlone(run, phase, directions, sizes, results);
                    continue;
                }
                List<String> cmd = phase.kind().equals("pcap")
                        ? tool("forward", "--a", Topology.ACCESS_IF, "--a-filter", "ether proto 0x8864", "--b", lns.lacInterface(),
                                "--b-filter", "udp dst port " + L2TP_PORT)
                        : c.forwardCommand(Topology.ACCESS_IF, "ether:0x8864", lns.lacInterface(), "udp:" + L2TP_PORT);
                LabProcess fwd = LabProcess.start(phase.label(), topo.lacdNamespace(), pinned(phase.cpus(), cmd),
                        dir.resolve(phase.tag() + "-forwarder.log"));
                if (!LabProcess.await(Duration.ofSeconds(30), () -> fwd.logContains("forwarding") || !fwd.alive())) {
                    throw new LabException(phase.label() + " did not start:\n" + fwd.tail(20));
                }
                if (!fwd.alive()) {
                    throw new LabException(phase.label() + " exited:\n" + fwd.tail(20));
                }
                sweepAll(run, phase, fwd.pid(), directions, sizes, results);
                fwd.stop(Duration.ofSeconds(10));
                System.out.println(phase.label() + ": " + fwd.tail(1).strip());
            }
        }
        System.out.printf(Locale.ROOT, "grid took %.0f s%n", (System.nanoTime() - started) / 1e9);
        report(fixedRate, results);
    }

    private static LabOptions lacdOptions(LabOptions base, Phase phase) {
        // -Dlab.l2tp: more keys of lacd's l2tp section for every lacd phase, one "key: value" per line
        return base.withWorkers(phase.workers()).withL2tpExtra(phase.l2tpExtra() + "\n" + System.getProperty("lab.l2tp", ""))
                .withAccessExtra(phase.accessExtra());
    }

    /** Dials {@code subs} subscribers to the LNS, waits until IPCP is done at the LNS, kills their emulator. */
    private static List<Target> dial(Lab lab, Topology.LnsNode lns, int subs) throws InterruptedException {
        Lab.Subscribers s = lab.startSubscribers(Lab.SubscriberRun.of("a", subs).rate(100).auth("chap").duration("2h"));
        // up at the LNS (IPCP done), not just forwarding in lacd: the emulator must not die mid-IPCP
        if (!LabProcess.await(Duration.ofSeconds(60), () -> upAtLns(lab, lns.name()) == subs && forwardingOn(lab, lns.name()) == subs)) {
            throw new LabException("only " + upAtLns(lab, lns.name()) + " of " + subs + " sessions up on " + lns.name() + ":\n"
                    + lab.diagnostics());
        }
        s.process().kill();
        List<Target> targets = new ArrayList<>();
        for (JsonNode v : lab.sessions()) {
            targets.add(new Target(v.path("pppoeSessionId").asInt(), v.path("tunnelId").asInt(), v.path("callId").asInt(),
                    macValue(v.path("mac").asText())));
        }
        return targets;
    }

    private static void writeAllFrames(Run run, Phase phase, List<Target> targets, int[] sizes) throws IOException {
        Topology topo = run.lab().topology();
        Topology.LnsNode lns = run.lns();
        long accMac = macValue(mac(topo.lacdNamespace(), Topology.ACCESS_IF));
        long lacLnsMac = macValue(mac(topo.lacdNamespace(), lns.lacInterface()));
        long lnsMac = macValue(mac(lns.namespace(), "eth0"));
        int lacIp = ipv4(lns.lacAddress());
        int lnsIp = ipv4(lns.address());
        for (int size : sizes) {
            writeFrames(frames(run, phase, "up", size), targets, size, t -> pppoe(accMac, t, size, false), t -> pppoe(accMac, t, size, true));
            writeFrames(frames(run, phase, "down", size), targets, size,
                    t -> l2tp(lacLnsMac, lnsMac, lnsIp, lacIp, t, size, false), t -> l2tp(lacLnsMac, lnsMac, lnsIp, lacIp, t, size, true));
        }
    }

    private static Path frames(Run run, Phase phase, String direction, int size) {
        return run.dir().resolve(phase.tag() + "-" + direction + "-" + size + ".frames");
    }

    private static void sweepAll(Run run, Phase phase, long pid, List<String> directions, int[] sizes, List<Series> results)
            throws Exception {
        for (String direction : directions) {
            // warm-up, not recorded: JIT compilation of the forwarding path happens here, not in the first point
            point(run, phase, direction, sizes[0], run.fixedRate(), run.seconds(), -1, false, "warmup");
            for (int size : sizes) {
                Series s = series(run, phase, pid, direction, size);
                results.add(s);
            }
        }
    }

    /** The fixed-rate point, then doubling to the first point above 1 % loss, then bisection between the last two. */
    private static Series series(Run run, Phase phase, long pid, String direction, int size) throws Exception {
        List<Point> points = new ArrayList<>();
        Point fixed = point(run, phase, direction, size, run.fixedRate(), Math.max(FIXED_MIN_SECONDS, run.seconds()), pid, true, "fixed");
        points.add(fixed);
        Point lo = fixed.loss() <= KNEE_LOSS ? fixed : null;
        Point hi = lo == null ? fixed : null;
        boolean genBound = lo != null && fixed.genBound();
        for (long rate = 2 * run.fixedRate(); hi == null && !genBound && rate <= MAX_RATE; rate *= 2) {
            Point p = point(run, phase, direction, size, rate, run.seconds(), pid, false, "sweep");
            points.add(p);
            if (p.loss() > KNEE_LOSS) {
                hi = p;
            } else {
                lo = p;
                genBound = p.genBound();
            }
        }
        for (int i = 0; hi != null && i < BISECT_STEPS; i++) {
            long loRate = lo == null ? 0 : lo.offered();
            if (loRate > 0 && hi.offered() < 1.08 * loRate) {
                break;
            }
            long mid = (loRate + hi.offered()) / 2;
            Point p = point(run, phase, direction, size, mid, run.seconds(), pid, false, "bisect");
            points.add(p);
            if (p.loss() > KNEE_LOSS) {
                hi = p;
            } else {
                lo = p;
            }
        }
        return new Series(phase, direction, size, fixed, points, genBound);
    }

    /** The generator into a sink on lacd's own interfaces, nothing in between, far above what it can send. */
    private static void generatorAlone(Run run, Phase phase, List<String> directions, int[] sizes, List<Series> results) throws Exception {
        Topology topo = run.lab().topology();
        sink(topo, topo.lacdNamespace(), Topology.ACCESS_IF, run.dir(), "lacd_gen_up");
        sink(topo, topo.lacdNamespace(), run.lns().lacInterface(), run.dir(), "lacd_gen_down");
        try {
            for (String direction : directions) {
                for (int size : sizes) {
                    Point p = point(run, phase, direction, size, MAX_RATE, run.seconds(), -1, false, "alone");
                    results.add(new Series(phase, direction, size, p, List.of(p), true));
                }
            }
        } finally {
            topo.exec(topo.lacdNamespace(), 10, "nft", "delete", "table", "netdev", "lacd_gen_up");
            topo.exec(topo.lacdNamespace(), 10, "nft", "delete", "table", "netdev", "lacd_gen_down");
        }
    }

    private static Point point(Run run, Phase phase, String direction, int size, long rate, double seconds, long pid,
                               boolean latency, String what) throws Exception {
        Lab lab = run.lab();
        Topology topo = lab.topology();
        Topology.LnsNode lns = run.lns();
        boolean up = direction.equals("up");
        boolean alone = phase.kind().equals("gen");
        String genNs = up ? topo.subscriberNamespace() : lns.namespace();
        String genIf = up ? Topology.SUB_IF : "eth0";
        String sinkNs = alone ? topo.lacdNamespace() : up ? lns.namespace() : topo.subscriberNamespace();
        String sinkTable = alone ? (up ? "lacd_gen_up" : "lacd_gen_down") : "lacd_sink";
        String sinkIf = up ? "eth0" : Topology.SUB_IF;
        String name = phase.tag() + "-" + direction + "-" + size + "-" + rate + "-" + what;
        long c0 = sinkCount(topo, sinkNs, sinkTable);
        LabProcess probe = null;
        if (latency) {
            // what arrives at the sink: PPPoE (22 B of headers before the IPv4 packet) or L2TP over UDP (52 B)
            boolean pppoeAtSink = up == !phase.lacd();
            String filter = pppoeAtSink ? "ether proto 0x8864 and greater " + (22 + size + 8)
                    : "udp dst port " + L2TP_PORT + " and greater " + (52 + size + 8);
            LabProcess pr = LabProcess.start("latency " + name, sinkNs, pinned("0", tool("latency", "--interface", sinkIf,
                    "--filter", filter, "--seconds", Double.toString(seconds + 3))), run.dir().resolve("latency-" + name + ".log"));
            if (!LabProcess.await(Duration.ofSeconds(30), () -> pr.logContains("ready") || !pr.alive())) {
                throw new LabException("latency receiver did not start:\n" + pr.tail(20));
            }
            probe = pr;
        }
        String m0 = phase.lacd() ? lab.metrics() : "";
        long soft0 = softnetDrops();
        double cpu0 = pid > 0 ? cpuSeconds(pid) : -1;
        double core0 = cpuBusySeconds(1);
        Process perf = SYSCALLS && latency && pid > 0 ? perfStat(pid, run.dir().resolve("syscalls-" + name + ".csv")) : null;
        LabProcess gen = LabProcess.start("afp-gen " + name, genNs, pinned("0",
                run.c().generateCommand(genIf, frames(run, phase, direction, size), rate, seconds, GEN_TX_RING)),
                run.dir().resolve("gen-" + name + ".log"));
        if (gen.await(Duration.ofSeconds((long) seconds + 60)) != 0) {
            throw new LabException("generator failed:\n" + gen.tail(20));
        }
        String syscalls = perf == null ? null : stopPerfStat(perf, run.dir().resolve("syscalls-" + name + ".csv"));
        long c1 = settledSinkCount(topo, sinkNs, sinkTable);
        double cpu = pid > 0 ? cpuSeconds(pid) - cpu0 : -1;
        double core = cpuBusySeconds(1) - core0;
        JsonNode l = null;
        if (probe != null) {
            probe.await(Duration.ofSeconds((long) seconds + 30));
            l = lastJson(probe);
        }
        JsonNode g = lastJson(gen);
        Point p = new Point(rate, g.path("sent").asLong(), c1 - c0, g.path("seconds").asDouble(), g.path("pps").asDouble(),
                l == null ? -1 : l.path("p50Us").asLong(-1), l == null ? -1 : l.path("p99Us").asLong(-1),
                l == null ? 0 : l.path("samples").asLong(), cpu);
        if (what.equals("warmup")) {
            return p;
        }
        System.out.printf(Locale.ROOT, "%s %s %5d B offered %8d (%s): generator achieved %8.0f pps, delivered %8.0f pps, loss %.3f %%%s%s%s%n",
                phase.spec(), direction, size, rate, what, p.genPps(), p.deliveredPps(), p.loss(),
                p.p50() >= 0 ? String.format(Locale.ROOT, ", one-way p50 %d us p99 %d us (%d samples)", p.p50(), p.p99(), p.samples()) : "",
                p.cpuSeconds() >= 0 && latency ? String.format(Locale.ROOT, ", CPU %.3f s = %.2f us/packet", p.cpuSeconds(), p.cpuUsPerPacket()) : "",
                p.genBound() ? " [generator-bound]" : "");
        if (latency && phase.cpus().equals("1") && p.delivered() > 0) {
            // the forwarder's core, all of it: its receive softirq too (the latency receiver runs on CPU 0)
            System.out.printf(Locale.ROOT, "    CPU 1 busy %.3f s = %.2f us/packet%n", core, core * 1e6 / p.delivered());
        }
        if (syscalls != null && p.delivered() > 0) {
            System.out.println("    system calls per forwarded packet: " + perPacket(syscalls, p.delivered()));
        }
        long softnet = softnetDrops() - soft0;
        if (phase.lacd()) {
            String m1 = lab.metrics();
            System.out.printf(Locale.ROOT, "    lacd: pppoe rx %.0f tx %.0f, l2tp rx %.0f tx %.0f, drops %s, capture drops %.0f; softnet backlog drops %d%n",
                    delta(m0, m1, "lacd_packets_total", "protocol=\"pppoe\"", "direction=\"rx\""),
                    delta(m0, m1, "lacd_packets_total", "protocol=\"pppoe\"", "direction=\"tx\""),
                    delta(m0, m1, "lacd_packets_total", "protocol=\"l2tp\"", "direction=\"rx\""),
                    delta(m0, m1, "lacd_packets_total", "protocol=\"l2tp\"", "direction=\"tx\""),
                    dropLines(m1), delta(m0, m1, "lacd_pppoe_capture_drops_total"), softnet);
        } else if (softnet != 0) {
            System.out.printf(Locale.ROOT, "    softnet backlog drops %d%n", softnet);
        }
        return p;
    }

    /** Starts {@code perf stat} on all threads of {@code pid}, counting {@link #COUNTED_SYSCALLS} into {@code csv}. */
    private static Process perfStat(long pid, Path csv) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("perf", "stat", "-x", ",", "-o", csv.toString(), "-p", Long.toString(pid)));
        for (String s : COUNTED_SYSCALLS) {
            cmd.add("-e");
            cmd.add("syscalls:sys_enter_" + s);
        }
        cmd.add("-e");
        cmd.add("raw_syscalls:sys_enter");
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(csv.resolveSibling(csv.getFileName() + ".out").toFile()).start();
    }

    /** Stops perf stat (SIGINT makes it write its counts) and returns its CSV. */
    private static String stopPerfStat(Process perf, Path csv) throws IOException, InterruptedException {
        Sh.run("kill", "-INT", Long.toString(perf.pid()));
        if (!perf.waitFor(10, TimeUnit.SECONDS)) {
            perf.destroyForcibly();
            throw new LabException("perf stat did not stop: " + Files.readString(csv.resolveSibling(csv.getFileName() + ".out")));
        }
        return Files.exists(csv) ? Files.readString(csv) : "";
    }

    /** "epoll_wait 0.12, recvmmsg 0.12, ..." from perf stat's CSV: each non-zero count over {@code packets}. */
    static String perPacket(String csv, long packets) {
        StringBuilder b = new StringBuilder();
        for (String line : csv.split("\n")) {
            String[] f = line.split(",");
            if (f.length < 3 || !f[2].startsWith("syscalls:sys_enter_") && !f[2].equals("raw_syscalls:sys_enter")) {
                continue;
            }
            long n;
            try {
                n = Long.parseLong(f[0]);
            } catch (NumberFormatException e) {
                continue; // "<not counted>"
            }
            if (n > 0) {
                b.append(b.length() == 0 ? "" : ", ").append(f[2].startsWith("raw") ? "all" : f[2].substring("syscalls:sys_enter_".length()))
                        .append(String.format(Locale.ROOT, " %.3f", (double) n / packets));
            }
        }
        return b.length() == 0 ? "none counted" : b.toString();
    }

    /**
     * Moves an interface's receive work into a NAPI kernel thread of its own (GRO on gives a veth its NAPI ring;
     * {@code threaded} 1 gives the NAPI its thread), pinned to {@code cpu} and run SCHED_FIFO 50.
     */
    private static void napi(Topology topo, String ns, String iface, int cpu) throws IOException {
        java.util.Set<Long> before = napiThreads();
        Sh.Result r = topo.exec(ns, 10, "sh", "-c", "ethtool -K " + iface + " gro on && echo 1 > /sys/class/net/" + iface + "/threaded");
        if (!r.ok()) {
            throw new LabException("threaded NAPI of " + iface + " in " + ns + ": " + r.out());
        }
        java.util.Set<Long> added = napiThreads();
        added.removeAll(before);
        if (added.isEmpty()) {
            throw new LabException("no NAPI thread appeared for " + iface + " in " + ns);
        }
        for (long pid : added) {
            Sh.check("taskset", "-pc", Integer.toString(cpu), Long.toString(pid));
            Sh.check("chrt", "-f", "-p", "50", Long.toString(pid));
        }
        System.out.printf(Locale.ROOT, "NAPI thread(s) %s of %s in %s on CPU %d%n", added, iface, ns, cpu);
    }

    /** The pids of the NAPI kernel threads ({@code napi/<device>-<id>}) now. */
    private static java.util.Set<Long> napiThreads() throws IOException {
        java.util.Set<Long> out = new java.util.HashSet<>();
        try (var dirs = Files.list(Path.of("/proc"))) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                String name = d.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    if (Files.readString(d.resolve("comm")).startsWith("napi/")) {
                        out.add(Long.parseLong(name));
                    }
                } catch (IOException gone) {
                    // the process ended while we looked
                }
            }
        }
        return out;
    }

    /** Sets an interface's receive packet steering mask (rps_cpus of its one receive queue). */
    private static void rps(Topology topo, String ns, String iface, String mask) {
        Sh.Result r = topo.exec(ns, 10, "sh", "-c", "echo " + mask + " > /sys/class/net/" + iface + "/queues/rx-0/rps_cpus && cat /sys/class/net/"
                + iface + "/queues/rx-0/rps_cpus");
        if (!r.ok()) {
            throw new LabException("rps_cpus of " + iface + " in " + ns + ": " + r.out());
        }
    }

    /** CPU {@code cpu}'s busy time so far (/proc/stat: user, nice, system, irq, softirq, steal), in seconds. */
    static double cpuBusySeconds(int cpu) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
            if (line.startsWith("cpu" + cpu + " ")) {
                String[] f = line.trim().split("\\s+");
                long busy = 0;
                for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                    busy += Long.parseLong(f[i]);
                }
                return busy / (double) CLOCK_TICKS;
            }
        }
        throw new IOException("no cpu" + cpu + " line in /proc/stat");
    }

    /** The sink's count once it stopped moving (two equal reads 100 ms apart): frames still queued in the forwarder land. */
    private static long settledSinkCount(Topology topo, String ns, String table) throws InterruptedException {
        long[] last = {-1};
        long[] now = {sinkCount(topo, ns, table)};
        LabProcess.await(Duration.ofSeconds(5), () -> {
            last[0] = now[0];
            now[0] = sinkCount(topo, ns, table);
            return now[0] == last[0];
        });
        return now[0];
    }

    /** utime + stime of all threads of a process (/proc/PID/stat fields 14 and 15), in seconds. */
    static double cpuSeconds(long pid) throws IOException {
        return cpuSecondsOf(Files.readString(Path.of("/proc", Long.toString(pid), "stat")), CLOCK_TICKS);
    }

    static double cpuSecondsOf(String stat, long ticksPerSecond) {
        // the command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).strip().split("\\s+");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) ticksPerSecond;
    }

    private static final long CLOCK_TICKS = clockTicks();

    private static long clockTicks() {
        Sh.Result r = Sh.run("getconf", "CLK_TCK");
        try {
            return r.ok() ? Long.parseLong(r.out().strip()) : 100;
        } catch (NumberFormatException e) {
            return 100;
        }
    }

    private static JsonNode lastJson(LabProcess p) throws IOException {
        String[] lines = p.log().strip().split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (lines[i].startsWith("{")) {
                return JSON.readTree(lines[i]);
            }
        }
        throw new LabException(p.name() + " printed no result:\n" + p.tail(20));
    }

    /** A command restricted to some CPUs ({@code taskset -c}). */
    private static List<String> pinned(String cpus, List<String> cmd) {
        List<String> out = new ArrayList<>(List.of("taskset", "-c", cpus));
        out.addAll(cmd);
        return out;
    }

    private static List<String> tool(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Lab.java(), "-Xmx256m", "-cp", Lab.classpath(), RawTools.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    // ---------------------------------------------------------------- sinks

    /** nftables at the far side's ingress: count the forwarded data frames and drop them (L2TP control passes). */
    /** The far-side sinks of the forwarders (LNS side upstream, subscriber side downstream), replaced if present. */
    private static void sinks(Topology topo, Topology.LnsNode lns, Path dir) throws IOException {
        removeSinks(topo, lns);
        sink(topo, lns.namespace(), "eth0", dir, "lacd_sink");
        sink(topo, topo.subscriberNamespace(), Topology.SUB_IF, dir, "lacd_sink");
    }

    private static void removeSinks(Topology topo, Topology.LnsNode lns) {
        // absent tables are fine: nothing to remove
        topo.exec(lns.namespace(), 10, "nft", "delete", "table", "netdev", "lacd_sink");
        topo.exec(topo.subscriberNamespace(), 10, "nft", "delete", "table", "netdev", "lacd_sink");
    }

    private static void sink(Topology topo, String ns, String iface, Path dir, String table) throws IOException {
        String rules = """
            table netdev %s {
              chain in {
                type filter hook ingress device "%s" priority 0; policy accept;
                ether type 0x8864 counter drop
                udp dport %d @th,64,1 0 counter drop
              }
            }
            """.formatted(table, iface, L2TP_PORT);
        Path f = dir.resolve("sink-" + ns + "-" + table + ".nft");
        Files.writeString(f, rules);
        Sh.Result r = topo.exec(ns, 10, "nft", "-f", f.toString());
        if (!r.ok()) {
            throw new LabException("nft sink in " + ns + ": " + r.out());
        }
    }

    private static long sinkCount(Topology topo, String ns, String table) {
        Sh.Result r = topo.exec(ns, 10, "nft", "list", "table", "netdev", table);
        long n = 0;
        Matcher m = Pattern.compile("counter packets (\\d+)").matcher(r.out());
        while (m.find()) {
            n += Long.parseLong(m.group(1));
        }
        return n;
    }

    // ---------------------------------------------------------------- frames

    private static void writeFrames(Path file, List<Target> targets, int size, java.util.function.Function<Target, byte[]> plain,
                                    java.util.function.Function<Target, byte[]> marked) throws IOException {
        StringBuilder b = new StringBuilder();
        for (Target t : targets) {
            b.append("n ").append(HexFormat.of().formatHex(plain.apply(t))).append('\n');
            b.append("m ").append(HexFormat.of().formatHex(marked.apply(t))).append('\n');
        }
        Files.writeString(file, b);
    }

    /** A PPPoE session frame from the subscriber carrying an IPv4 packet of {@code size} (+8 when marked). */
    static byte[] pppoe(long lacMac, Target t, int size, boolean marked) {
        int ip = size + (marked ? 8 : 0);
        byte[] f = new byte[22 + ip];
        ether(f, lacMac, t.subMac(), 0x8864);
        f[14] = 0x11;
        put16(f, 16, t.pppoeId());
        put16(f, 18, 2 + ip);
        put16(f, 20, 0x0021);
        Probe.write(f, 22, ip, INNER_SRC, INNER_DST, t.pppoeId(), 0, 0);
        return f;
    }

    /** An L2TP data message from the LNS (UDP 1701 to 1701) with PPP (ff03, IPv4) carrying {@code size} (+8 when marked). */
    static byte[] l2tp(long dstMac, long srcMac, int srcIp, int dstIp, Target t, int size, boolean marked) {
        int ip = size + (marked ? 8 : 0);
        byte[] f = new byte[52 + ip];
        ether(f, dstMac, srcMac, 0x0800);
        int o = 14;
        f[o] = 0x45;
        put16(f, o + 2, f.length - 14);
        put16(f, o + 6, 0x4000);
        f[o + 8] = 64;
        f[o + 9] = 17;
        put32(f, o + 12, srcIp);
        put32(f, o + 16, dstIp);
        put16(f, o + 10, Probe.checksum(f, o, 20));
        int u = o + 20;
        put16(f, u, L2TP_PORT);
        put16(f, u + 2, L2TP_PORT);
        put16(f, u + 4, f.length - u);
        int l = u + 8;
        put16(f, l, 0x0002);
        put16(f, l + 2, t.tunnelId());
        put16(f, l + 4, t.callId());
        f[l + 6] = (byte) 0xff;
        f[l + 7] = 0x03;
        put16(f, l + 8, 0x0021);
        Probe.write(f, 52, ip, INNER_DST, INNER_SRC, t.pppoeId(), 0, 0);
        return f;
    }

    private static void ether(byte[] f, long dst, long src, int type) {
        org.lacd.pppoe.wire.MacAddress.write(dst, f, 0);
        org.lacd.pppoe.wire.MacAddress.write(src, f, 6);
        put16(f, 12, type);
    }

    private static void put16(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 8);
        b[o + 1] = (byte) v;
    }

    private static void put32(byte[] b, int o, int v) {
        put16(b, o, v >>> 16);
        put16(b, o + 2, v);
    }

    // ---------------------------------------------------------------- helpers

    private static double delta(String m0, String m1, String name, String... labels) {
        return Lab.sample(m1, name, labels) - Lab.sample(m0, name, labels);
    }

    private static String dropLines(String m) {
        List<String> out = new ArrayList<>();
        for (String line : m.split("\n")) {
            if (line.startsWith("lacd_drops_total{")) {
                out.add(line.substring("lacd_drops_total".length()));
            }
        }
        return out.toString();
    }

    /** Frames the kernel dropped because a CPU's input backlog was full (second column of softnet_stat, all CPUs). */
    static long softnetDrops() {
        long n = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/softnet_stat"))) {
                String[] f = line.strip().split("\\s+");
                n += Long.parseLong(f[1], 16);
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return n;
    }

    private static int forwardingOn(Lab lab, String lns) {
        try {
            return lab.sessionsByLns("forwarding").getOrDefault(lns, 0);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static int upAtLns(Lab lab, String lns) {
        try {
            return lab.lnsControl(lns, "GET", "/report").path("sessions").path("up").asInt();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    static String mac(String ns, String iface) {
        Matcher m = Pattern.compile("link/ether ([0-9a-f:]{17})").matcher(Sh.run("ip", "-n", ns, "-o", "link", "show", "dev", iface).out());
        if (!m.find()) {
            throw new LabException("no MAC address for " + iface + " in " + ns);
        }
        return m.group(1);
    }

    static long macValue(String mac) {
        return Long.parseLong(mac.replace(":", "").replace("-", ""), 16);
    }

    static int ipv4(String dotted) {
        int v = 0;
        for (String p : dotted.split("\\.")) {
            v = (v << 8) | Integer.parseInt(p);
        }
        return v;
    }

    private static int[] ints(String csv) {
        String[] p = csv.split(",");
        int[] out = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = Integer.parseInt(p[i].strip());
        }
        return out;
    }


    // ---------------------------------------------------------------- report

    private static void report(long fixedRate, List<Series> results) {
        System.out.println();
        System.out.println("Every point:");
        System.out.println();
        System.out.println("| forwarder | direction | IPv4 B | offered pps | generator achieved pps | delivered pps | loss |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (Series s : results) {
            for (Point p : s.points()) {
                System.out.printf(Locale.ROOT, "| %s | %s | %d | %d | %.0f%s | %.0f | %.3f %% |%n", s.phase().label(), s.direction(),
                        s.size(), p.offered(), p.genPps(), p.genBound() ? " (short)" : "", p.deliveredPps(), p.loss());
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "Summary (latency and CPU at %d pps offered; generator on CPU 0):%n", fixedRate);
        System.out.println();
        System.out.println("| forwarder | CPUs | direction | IPv4 B | zero-loss pps | <= 1 % loss pps | generator achieved there pps"
                + " | one-way p50 / p99 us | CPU us/packet |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (Series s : results) {
            Phase ph = s.phase();
            if (ph.kind().equals("gen")) {
                Point p = s.fixed();
                System.out.printf(Locale.ROOT, "| %s (sink on lacd's interface) | 0 | %s | %d | - | - | %.0f | - | - |%n", ph.label(),
                        s.direction(), s.size(), p.genPps());
                continue;
            }
            Point zero = best(s, 0.0);
            Point knee = best(s, KNEE_LOSS);
            String bound = s.genBound() ? " (generator-bound)" : "";
            Point f = s.fixed();
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %d | %s | %s%s | %s | %s | %s |%n", ph.label(), ph.cpus(), s.direction(), s.size(),
                    zero == null ? "-" : String.format(Locale.ROOT, "%.0f", zero.deliveredPps()),
                    knee == null ? "-" : String.format(Locale.ROOT, "%.0f", knee.deliveredPps()), knee == null ? "" : bound,
                    knee == null ? "-" : String.format(Locale.ROOT, "%.0f", knee.genPps()),
                    f.p50() < 0 ? "-" : f.p50() + " / " + f.p99(),
                    f.cpuUsPerPacket() < 0 ? "-" : String.format(Locale.ROOT, "%.2f", f.cpuUsPerPacket()));
        }
    }

    /** The point with the highest delivered rate among those with at most {@code maxLoss} % loss, or null. */
    private static Point best(Series s, double maxLoss) {
        Point best = null;
        for (Point p : s.points()) {
            if (p.loss() <= maxLoss && (best == null || p.deliveredPps() > best.deliveredPps())) {
                best = p;
            }
        }
        return best;
    }
}
