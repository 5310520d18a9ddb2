package org.lacd.daemon;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The lacd command line: one binary, one subcommand per job. */
@Command(name = "lacd", mixinStandardHelpOptions = true, version = "lacd 0.1.0",
        description = "L2TP Access Concentrator: PPPoE subscribers into L2TPv2 tunnels, steered by RADIUS.",
        subcommands = {CommandLine.HelpCommand.class, org.lacd.daemon.cli.TestTunnelCommand.class})
public final class Cli implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static int run(String... args) {
        return new CommandLine(new Cli()).execute(args);
    }
}
