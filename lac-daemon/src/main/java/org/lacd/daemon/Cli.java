package org.lacd.daemon;

import java.io.PrintWriter;
import org.lacd.daemon.cli.CheckConfigCommand;
import org.lacd.daemon.cli.ExitCodes;
import org.lacd.daemon.cli.ManagementCommands;
import org.lacd.daemon.cli.RunCommand;
import org.lacd.daemon.cli.TestAaaCommand;
import org.lacd.daemon.cli.TestTunnelCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The lacd command line: one binary, one subcommand per job. */
@Command(name = "lacd", mixinStandardHelpOptions = true, version = "lacd 0.1.0",
        description = "L2TP Access Concentrator: PPPoE subscribers into L2TPv2 tunnels, steered by RADIUS.",
        subcommands = {
            RunCommand.class,
            CheckConfigCommand.class,
            TestAaaCommand.class,
            TestTunnelCommand.class,
            ManagementCommands.Sessions.class,
            ManagementCommands.Session.class,
            ManagementCommands.Tunnels.class,
            ManagementCommands.Lns.class,
            ManagementCommands.Kick.class,
            ManagementCommands.Drain.class,
            ManagementCommands.Undrain.class,
            ManagementCommands.LacPeers.class,
            ManagementCommands.DrainPeer.class,
            ManagementCommands.UndrainPeer.class,
            ManagementCommands.ClearTunnel.class,
            ManagementCommands.Stats.class,
            ManagementCommands.Reload.class,
            ManagementCommands.Trace.class,
            CommandLine.HelpCommand.class,
        })
public final class Cli implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs with the given streams; never lets a stack trace reach the operator. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Cli());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            cmd.getErr().println("lacd " + cmd.getCommandName() + ": " + Daemon.oneLine(ex));
            return ExitCodes.START;
        });
        return cl.execute(args);
    }
}
