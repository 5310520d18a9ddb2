package org.lacd.daemon.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.lacd.daemon.Daemon;
import org.lacd.daemon.config.ConfigException;
import org.lacd.daemon.config.ConfigLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs the daemon in the foreground until SIGTERM or SIGINT. SIGHUP re-reads the config.",
                "Exit codes: 0 stopped cleanly, 1 a component failed to start, 2 the config is invalid."})
public final class RunCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Config file (YAML).")
    Path config;

    /** Netty's leak detector level, a system property (also read under its old name {@link #LEAK_LEVEL_OLD}). */
    static final String LEAK_LEVEL = "io.netty.leakDetection.level";
    static final String LEAK_LEVEL_OLD = "io.netty.leakDetectionLevel";

    /**
     * Netty's buffer leak detector off in the daemon, unless the JVM options name a level (to hunt a leak:
     * {@code -Dio.netty.leakDetection.level=paranoid}). At Netty's default level it tracks one buffer in 128 with a
     * stack trace taken on the data path (a profile of the downstream worker at 150 kpps: 0.6 % of its CPU in
     * Throwable.fillInStackTrace alone); lacd's unit tests, which run the engines in their own JVM, keep Netty's default.
     * Must run before the first Netty buffer class loads.
     */
    static void leakDetectionOffUnlessSet() {
        if (System.getProperty(LEAK_LEVEL) == null && System.getProperty(LEAK_LEVEL_OLD) == null) {
            System.setProperty(LEAK_LEVEL, "disabled");
        }
    }

    @Override
    public Integer call() {
        leakDetectionOffUnlessSet();
        ConfigLoader.Loaded loaded;
        try {
            loaded = ConfigLoader.loadWithTree(config);
        } catch (ConfigException e) {
            System.err.println("lacd: invalid config: " + e.getMessage());
            return ExitCodes.CONFIG;
        }
        Daemon daemon = new Daemon(config, loaded);
        daemon.installSignals();
        try {
            daemon.start();
        } catch (Daemon.StartException e) {
            System.err.println("lacd: cannot start: " + e.getMessage());
            return ExitCodes.START;
        }
        return daemon.runUntilStopped();
    }
}
