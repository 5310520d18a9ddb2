package org.lacd.lab.lab;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.lacd.l2tp.wire.StopCcnResult;
import org.lacd.lab.lns.LnsEmulator;
import org.lacd.lab.lns.LnsEmulatorConfig;
import org.lacd.lab.lns.Mode;
import org.lacd.lab.lns.Report;

/**
 * The LNS emulator as a lab process that also takes commands on stdin, for the teardown tests that need the LNS to
 * act: {@code clear USER} (CDN for that user's calls), {@code clear-all}, {@code stop-tunnels} (StopCCN). Options are a
 * subset of {@code lns-emulator}'s: --listen --secret --hostname --password-pattern --mode --pool --json. Prints the same
 * "listening" and status lines as the emulator's own program; SIGTERM or end of stdin: StopCCN, JSON report, exit.
 */
public final class LabLns {
    private LabLns() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i], args[i + 1]);
        }
        String listen = o.getOrDefault("--listen", "0.0.0.0:1701");
        int colon = listen.lastIndexOf(':');
        LnsEmulatorConfig cfg = LnsEmulatorConfig.builder()
                .listen(new InetSocketAddress(InetAddress.getByName(listen.substring(0, colon)), Integer.parseInt(listen.substring(colon + 1))))
                .secret(o.get("--secret")).hostName(o.getOrDefault("--hostname", "lns-emulator"))
                .passwords(o.getOrDefault("--password-pattern", "pass{n}")).mode(Mode.parse(o.getOrDefault("--mode", "accept-proxy")))
                .pool(o.getOrDefault("--pool", "100.64.0.0/16")).build();
        Path json = o.containsKey("--json") ? Path.of(o.get("--json")) : null;
        LnsEmulator emu = LnsEmulator.start(cfg);
        System.out.println("lns-emulator listening on " + emu.address() + " mode " + cfg.mode().cliName() + " (lab, commands on stdin)");
        System.out.flush();
        Object lock = new Object();
        boolean[] done = new boolean[1];
        Runnable finish = () -> {
            synchronized (lock) {
                if (done[0]) {
                    return;
                }
                done[0] = true;
                Report before = emu.report();
                Report after = emu.shutdown(Duration.ofSeconds(3));
                Report r = after != null ? after : before;
                System.out.print(r.toText());
                System.out.flush();
                if (json != null) {
                    try {
                        Path tmp = json.resolveSibling(json.getFileName() + ".tmp");
                        Files.writeString(tmp, r.toJson(), StandardCharsets.UTF_8);
                        Files.move(tmp, json, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    } catch (Exception e) {
                        System.err.println("cannot write " + json + ": " + e);
                    }
                }
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(finish, "lab-lns-stop"));
        Thread status = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException e) {
                    return;
                }
                Report r = emu.report();
                System.out.printf("tunnels %d sessions %d up %d total %d ipv4 in %d reflected %d%n", r.tunnels().current(),
                        r.sessions().current(), r.sessions().up(), r.sessions().total(), r.traffic().ipv4In(), r.traffic().ipv4Reflected());
                System.out.flush();
            }
        }, "lab-lns-status");
        status.setDaemon(true);
        status.start();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] w = line.strip().split("\\s+", 2);
            switch (w[0]) {
                case "clear" -> System.out.println("cleared " + emu.clearCallsOf(w[1]));
                case "clear-all" -> System.out.println("cleared " + emu.clearAllCalls());
                case "stop-tunnels" -> System.out.println("stopped " + emu.stopAllTunnels(StopCcnResult.GENERAL_REQUEST_TO_CLEAR));
                default -> System.out.println("unknown command: " + line);
            }
            System.out.flush();
        }
        finish.run();
        System.exit(0);
    }
}
