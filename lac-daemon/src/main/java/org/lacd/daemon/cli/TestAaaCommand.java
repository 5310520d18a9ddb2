package org.lacd.daemon.cli;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.lacd.daemon.config.ConfigException;
import org.lacd.daemon.config.ConfigLoader;
import org.lacd.daemon.config.LacdConfig;
import org.lacd.daemon.session.LacService;
import org.lacd.daemon.session.SteeringView;
import org.lacd.daemon.steering.LnsCandidate;
import org.lacd.radius.AccessDecision;
import org.lacd.radius.TunnelCandidate;
import org.lacd.radius.tool.TestAaa;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "test-aaa", mixinStandardHelpOptions = true,
        description = {"Sends the Access-Request the daemon would send for a subscriber and prints the decision:",
                "the ranked LNS candidates with every attribute, each merged with its config profile as the daemon would",
                "place the call, or the reject and its reason.",
                "Exit codes: 0 accept with a usable tunnel (or realm rules to decide), 1 reject or no answer, 2 invalid config."})
public final class TestAaaCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE") Path config;
    @Option(names = "--user", required = true) String user;
    @Option(names = "--password", required = true) String password;
    @Option(names = "--chap", description = "CHAP-MD5 (random challenge) instead of PAP.") boolean chap;
    @Option(names = "--show-secrets", description = "Print tunnel passwords instead of ***.") boolean showSecrets;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        LacdConfig c;
        try {
            c = ConfigLoader.load(config);
        } catch (ConfigException e) {
            err.println("lacd: " + e.getMessage());
            return ExitCodes.CONFIG;
        }
        if (!c.radius().enabled()) {
            err.println("lacd test-aaa: radius.enabled is false in " + config);
            return ExitCodes.CONFIG;
        }
        long t0 = System.nanoTime();
        AccessDecision d = TestAaa.ask(LacService.radiusSettings(c), user, password, chap);
        out.print(TestAaa.format(d, showSecrets));
        out.printf("(answer after %d ms)%n", (System.nanoTime() - t0) / 1_000_000);
        if (!(d instanceof AccessDecision.Accept a)) {
            return ExitCodes.START;
        }
        if (a.candidates().isEmpty()) {
            return c.steering().source() == LacdConfig.SteeringSource.RADIUS ? ExitCodes.START : ExitCodes.OK;
        }
        out.println("as the daemon would place the call:");
        int usable = 0;
        int rank = 1;
        for (TunnelCandidate t : a.candidates()) {
            Optional<LnsCandidate> lc = SteeringView.fromRadius(c, t);
            if (lc.isEmpty()) {
                out.printf("  %d. tag %d dropped: Tunnel-Server-Endpoint is not an IP address%n", rank++, t.tag());
                continue;
            }
            usable++;
            var p = lc.get().profile();
            out.printf("  %d. LNS %s at %s:%d, hostname %s, secret %s, assignment %s, preference %s, weight %d%n", rank++,
                    lc.get().key(), p.address().getHostAddress(), p.port(), p.hostname(), p.secret().isPresent() ? "set" : "none",
                    p.assignmentId().orElse("-"), lc.get().preference() == Integer.MAX_VALUE ? "-" : lc.get().preference(),
                    lc.get().weight());
        }
        return usable > 0 ? ExitCodes.OK : ExitCodes.START;
    }
}
