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

    @Override
    public Integer call() {
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
