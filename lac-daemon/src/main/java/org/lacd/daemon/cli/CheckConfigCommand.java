package org.lacd.daemon.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.lacd.daemon.config.ConfigException;
import org.lacd.daemon.config.ConfigLoader;
import org.lacd.daemon.config.LacdConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = {"Validates a config file and exits.", "Exit codes: 0 valid, 2 invalid (the message names the key path)."})
public final class CheckConfigCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "Config file (YAML).")
    Path config;

    @Override
    public Integer call() {
        try {
            LacdConfig c = ConfigLoader.load(config);
            System.out.printf("%s: OK (%d interface(s), %d LNS profile(s), %d steering rule(s), RADIUS %s)%n", config,
                    c.interfaces().size(), c.l2tp().lns().size(), c.steering().rules().size(),
                    c.radius().enabled() ? c.radius().authServers().size() + " auth server(s)" : "off");
            return ExitCodes.OK;
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return ExitCodes.CONFIG;
        }
    }
}
