package org.lacd.daemon.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.lacd.daemon.config.ConfigException;
import org.lacd.daemon.config.ConfigLoader;
import org.lacd.daemon.config.LacdConfig;
import org.lacd.daemon.session.LacService;
import org.lacd.daemon.steering.LnsCandidate;
import org.lacd.radius.AaaService;
import org.lacd.radius.AccessDecision;
import org.lacd.radius.AccessQuery;
import org.lacd.radius.RadiusStats;
import org.lacd.radius.TunnelCandidate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "test-aaa", mixinStandardHelpOptions = true,
        description = {"Sends the Access-Request the daemon would send for a subscriber and prints the decision:",
                "the ranked LNS candidates with every attribute (merged with the config profiles), or the reject and its reason.",
                "Exit codes: 0 accept with a usable tunnel, 1 reject or no answer, 2 invalid config."})
public final class TestAaaCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE") Path config;
    @Option(names = "--user", required = true) String user;
    @Option(names = "--password", required = true) String password;
    @Option(names = "--chap", description = "CHAP-MD5 (random challenge) instead of PAP.") boolean chap;
    @Option(names = "--mac", defaultValue = "02:00:00:00:00:01", description = "Calling-Station-Id MAC (default ${DEFAULT-VALUE}).") String mac;
    @Option(names = "--interface", defaultValue = "eth1") String iface;
    @Option(names = "--service", defaultValue = "") String service;
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
        AccessQuery q;
        String acctId = "test-aaa-" + Long.toHexString(System.nanoTime());
        if (chap) {
            byte[] challenge = new byte[16];
            new SecureRandom().nextBytes(challenge);
            int id = 1;
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update((byte) id);
            md5.update(password.getBytes(StandardCharsets.UTF_8));
            md5.update(challenge);
            q = AccessQuery.chap(user, id, challenge, md5.digest(), acctId);
        } else {
            q = AccessQuery.pap(user, password, acctId);
        }
        q = q.withPort(iface, OptionalInt.empty(), OptionalInt.empty(), org.lacd.pppoe.wire.MacAddress.parse(mac).bytes(), service, 0,
                Optional.empty());
        long t0 = System.nanoTime();
        try (AaaService aaa = new AaaService(LacService.radiusSettings(c), RadiusStats.NOOP)) {
            aaa.start();
            AccessDecision d = aaa.authorize(q).get(120, TimeUnit.SECONDS);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            if (d instanceof AccessDecision.Reject r) {
                out.printf("REJECT %s after %d ms%s%n", r.reason(), ms, r.replyMessage().isEmpty() ? "" : ": " + r.replyMessage());
                return ExitCodes.START;
            }
            AccessDecision.Accept a = (AccessDecision.Accept) d;
            out.printf("ACCEPT after %d ms%s%n", ms, a.replyMessage().isEmpty() ? "" : ": " + a.replyMessage());
            a.attributes().sessionTimeout().ifPresent(t -> out.println("  Session-Timeout: " + t));
            a.attributes().acctInterimInterval().ifPresent(t -> out.println("  Acct-Interim-Interval: " + t));
            if (a.candidates().isEmpty()) {
                out.println("  no tunnel attributes" + (c.steering().source() == LacdConfig.SteeringSource.RADIUS_THEN_REALM
                        ? ": the realm rules would decide" : ": the subscriber would be refused"));
                return c.steering().source() == LacdConfig.SteeringSource.RADIUS_THEN_REALM ? ExitCodes.OK : ExitCodes.START;
            }
            int rank = 1;
            for (TunnelCandidate t : a.candidates()) {
                out.printf("  %d. %s%n", rank++, t);
                Optional<LnsCandidate> lc = org.lacd.daemon.session.SteeringView.fromRadius(c, t);
                if (lc.isPresent()) {
                    var p = lc.get().profile();
                    out.printf("     -> LNS %s at %s:%d, hostname %s, secret %s, assignment %s, preference %s, weight %d%n", lc.get().key(),
                            p.address().getHostAddress(), p.port(), p.hostname(), p.secret().isPresent() ? "set" : "none",
                            p.assignmentId().orElse("-"), lc.get().preference() == Integer.MAX_VALUE ? "-" : lc.get().preference(),
                            lc.get().weight());
                } else {
                    out.println("     -> dropped: not usable (see the log)");
                }
            }
            return ExitCodes.OK;
        } catch (java.util.concurrent.ExecutionException e) {
            err.println("lacd test-aaa: " + e.getCause());
            return ExitCodes.START;
        }
    }
}
