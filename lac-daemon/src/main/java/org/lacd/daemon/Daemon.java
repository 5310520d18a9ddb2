package org.lacd.daemon;

import ch.qos.logback.classic.Level;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Function;
import org.lacd.daemon.mgmt.ManagementServer;
import org.lacd.daemon.session.LacManagement;
import org.lacd.daemon.session.LacService;
import org.lacd.pppoe.port.EthernetPort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.lacd.daemon.config.ConfigDiff;
import org.lacd.daemon.config.ConfigException;
import org.lacd.daemon.config.ConfigLoader;
import org.lacd.daemon.config.LacdConfig;
import org.lacd.daemon.metrics.LacdMetrics;
import org.lacd.daemon.metrics.MetricsServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The running daemon: starts its components in order (one log line each), stops them in reverse within a
 * bounded time on SIGTERM/SIGINT, and re-reads the config on SIGHUP (validated first; a bad file keeps the
 * running config).
 */
public final class Daemon {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    /** Total time the stop may take before the process is halted regardless. */
    public static final Duration STOP_BUDGET = Duration.ofSeconds(20);

    private final Path configFile;
    private volatile ConfigLoader.Loaded loaded;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final LacdMetrics metrics = new LacdMetrics(registry).withJvmMeters();
    private final List<Component> components = new ArrayList<>();
    private final List<Component> started = new ArrayList<>();
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final AtomicBoolean stopping = new AtomicBoolean();
    /** The component being started, for {@code /health}; null once all have (or before {@link #start}). */
    private volatile String starting;
    private final ExecutorService control = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "lacd-control");
        t.setDaemon(true);
        return t;
    });
    private MetricsServer metricsServer;

    private final Function<String, EthernetPort> ports;
    private LacService lac;
    private ManagementServer managementServer;
    private LacManagement management;

    public Daemon(Path configFile, ConfigLoader.Loaded loaded) {
        this(configFile, loaded, name -> LacService.openPort(loaded.config(), name));
    }

    /** @param ports makes the subscriber-facing port of an interface name (in-memory ports in tests) */
    public Daemon(Path configFile, ConfigLoader.Loaded loaded, Function<String, EthernetPort> ports) {
        this.configFile = configFile;
        this.loaded = loaded;
        this.ports = ports;
    }

    /** The running LAC (after {@link #start()}). */
    public LacService lac() {
        return lac;
    }

    /** The management view of the running LAC (after {@link #start()}), whether or not the API is served. */
    public LacManagement management() {
        return management;
    }

    /** The bound management port, or -1. */
    public int managementPort() {
        return managementServer == null ? -1 : managementServer.port();
    }

    public LacdConfig config() {
        return loaded.config();
    }

    public LacdMetrics metrics() {
        return metrics;
    }

    /** The bound metrics port, or -1 when metrics are off or not started. */
    public int metricsPort() {
        return metricsServer == null ? -1 : metricsServer.port();
    }

    private void buildComponents() {
        LacdConfig c = config();
        if (c.metrics().enabled()) {
            // /health: 503 until every component has started (the endpoint itself starts first)
            metricsServer = new MetricsServer(registry, c.metrics().listen(), this::notReady);
            components.add(metricsServer);
        }
        lac = new LacService(c, metrics, ports, Clock.systemUTC());
        components.addAll(lac.components());
        management = new LacManagement(lac, this::reload,
                (who, file, seconds, max) -> lac.sessions().trace(who, Path.of(file), seconds, max));
        if (c.management().enabled()) {
            managementServer = new ManagementServer(c.management().listen(), c.management().token(), management);
            components.add(managementServer);
        }
    }

    /**
     * Why {@code /health} says down, or null: until every interface and the L2TP socket are open (a PADI would go
     * unanswered), then until the components after them have started too (the management API is the last: a client
     * that waited for /health and then called it was refused, once in CI).
     */
    private String notReady() {
        if (stopping.get()) {
            return "stopping";
        }
        String why = lac.notReady();
        String pending = starting;
        return why != null || pending == null ? why : "starting: " + pending;
    }

    /** Starts every component; on a failure stops what started and throws with a one-line reason. */
    public void start() throws StartException {
        applyLogLevel(config());
        buildComponents();
        for (Component c : components) {
            starting = c.name();
            long t0 = System.nanoTime();
            try {
                c.start();
            } catch (Exception e) {
                LOG.error("{} failed to start: {}", c.name(), oneLine(e));
                stopStarted();
                throw new StartException(c.name() + ": " + oneLine(e));
            }
            started.add(c);
            LOG.info("started {} ({} ms)", c.name(), (System.nanoTime() - t0) / 1_000_000);
        }
        starting = null;
        LOG.info("lacd up: config {}", configFile);
    }

    /** Blocks until SIGTERM/SIGINT (or {@link #requestStop()}), then stops; returns the exit code. */
    public int runUntilStopped() {
        try {
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return stop();
    }

    public void requestStop() {
        stopRequested.countDown();
    }

    /** Stops the started components in reverse order within {@link #STOP_BUDGET}. */
    public int stop() {
        if (!stopping.compareAndSet(false, true)) {
            return 0;
        }
        LOG.info("stopping (budget {} s)", STOP_BUDGET.toSeconds());
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(STOP_BUDGET.plusSeconds(5).toMillis());
                LOG.error("stop did not finish within {} s: halting", STOP_BUDGET.toSeconds() + 5);
                Runtime.getRuntime().halt(1);
            } catch (InterruptedException ignored) {
                // stop finished in time
            }
        }, "lacd-stop-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        stopStarted();
        watchdog.interrupt();
        control.shutdownNow();
        LOG.info("lacd stopped");
        return 0;
    }

    private void stopStarted() {
        long deadline = System.nanoTime() + STOP_BUDGET.toNanos();
        for (int i = started.size() - 1; i >= 0; i--) {
            Component c = started.get(i);
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            long t0 = System.nanoTime();
            try {
                c.stop(left);
            } catch (RuntimeException e) {
                LOG.warn("{} did not stop cleanly: {}", c.name(), oneLine(e));
            }
            LOG.info("stopped {} ({} ms)", c.name(), (System.nanoTime() - t0) / 1_000_000);
        }
        started.clear();
    }

    /**
     * Routes SIGTERM/SIGINT to {@link #requestStop()} and SIGHUP to {@link #reload()}. Called before
     * {@link #start()}, so a signal during start-up is not lost (a stop request then takes effect once start is done).
     */
    public void installSignals() {
        warnIfSighupIgnored(Path.of("/proc/self/status"));
        Signal.handle(new Signal("TERM"), s -> requestStop());
        Signal.handle(new Signal("INT"), s -> requestStop());
        Signal.handle(new Signal("HUP"), s -> control.execute(this::reload));
    }

    /**
     * Started with SIGHUP ignored (under {@code nohup}, or a parent that ignores it), the JVM keeps it ignored and
     * {@code Signal.handle} installs nothing, without an error: lacd would never reload on SIGHUP. Say so at start.
     */
    static void warnIfSighupIgnored(Path procStatus) {
        if (sighupIgnored(procStatus)) {
            LOG.warn("SIGHUP is ignored in this process (started under nohup?): SIGHUP and `systemctl reload` will not "
                    + "reload the config; use `lacd reload` (management API) or restart without nohup");
        }
    }

    /** Whether bit 0 (signal 1, SIGHUP) of the SigIgn mask in a /proc/PID/status is set; false when unreadable. */
    static boolean sighupIgnored(Path procStatus) {
        try {
            for (String line : Files.readAllLines(procStatus)) {
                if (line.startsWith("SigIgn:")) {
                    return (Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16) & 1L) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            LOG.debug("cannot read the signal mask from {}: {}", procStatus, e.toString());
        }
        return false;
    }

    /** Re-reads the config file; keeps the running config when the new one is bad. Returns true when applied. */
    public boolean reload() {
        ConfigLoader.Loaded next;
        try {
            next = ConfigLoader.loadWithTree(configFile);
        } catch (ConfigException e) {
            LOG.error("reload refused, keeping the running config: {}", e.getMessage());
            metrics.configReload(false);
            return false;
        }
        List<String> changed = ConfigDiff.changedPaths(loaded.tree(), next.tree());
        if (changed.isEmpty()) {
            LOG.info("reload: config unchanged");
        } else {
            LOG.info("reload: changed {}", String.join(", ", changed));
        }
        loaded = next;
        applyLogLevel(next.config());
        for (Component c : started) {
            try {
                c.reconfigure(next.config());
            } catch (RuntimeException e) {
                LOG.error("{} could not apply the new config: {}", c.name(), oneLine(e));
            }
        }
        metrics.configReload(true);
        return true;
    }

    static void applyLogLevel(LacdConfig c) {
        org.slf4j.Logger root = LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root instanceof ch.qos.logback.classic.Logger lb) {
            lb.setLevel(Level.toLevel(c.logging().level().name(), Level.INFO));
        }
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
    }

    /** A component could not start; the message is for the operator. */
    public static final class StartException extends Exception {
        private static final long serialVersionUID = 1L;

        public StartException(String message) {
            super(message, null, false, false);
        }
    }
}
