package org.lacd.daemon.cli;

import java.io.PrintWriter;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.lacd.daemon.config.ConfigException;
import org.lacd.daemon.config.ConfigLoader;
import org.lacd.daemon.config.LacdConfig;
import org.lacd.daemon.log.WireText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = {"Validates a config file and exits.", "Exit codes: 0 valid, 2 invalid (the message names the key path).",
            "Warns (exit 0) about what only the host can tell, such as an interface that does not exist here."})
public final class CheckConfigCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "Config file (YAML).")
    Path config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            LacdConfig c = ConfigLoader.load(config);
            out.printf("%s: OK (%d interface(s), %d LNS profile(s), %d steering rule(s), RADIUS %s)%n", config,
                    c.interfaces().size(), c.l2tp().lns().size(), c.steering().rules().size(),
                    c.radius().enabled() ? c.radius().authServers().size() + " auth server(s)" : "off");
            // A config is often checked on another host than the one that runs it: a warning here, `lacd run` refuses it.
            for (int i = 0; i < c.interfaces().size(); i++) {
                String name = c.interfaces().get(i).name();
                if (!interfaceExists(name)) {
                    err.printf("%s: warning: interfaces[%d].name: interface '%s' does not exist on this host (in this network"
                            + " namespace); lacd run refuses to start without it%n", config, i, WireText.escape(name));
                }
            }
            out.flush();
            err.flush();
            return ExitCodes.OK;
        } catch (ConfigException e) {
            err.println(e.getMessage());
            err.flush();
            return ExitCodes.CONFIG;
        }
    }

    static boolean interfaceExists(String name) {
        try {
            return NetworkInterface.getByName(name) != null;
        } catch (SocketException e) {
            return false;
        }
    }
}
