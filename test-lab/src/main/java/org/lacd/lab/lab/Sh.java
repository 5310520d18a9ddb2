package org.lacd.lab.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short commands (ip, nft, curl, radclient, tshark) to completion with a bound. */
public final class Sh {
    private Sh() {}

    /** Exit code and merged stdout/stderr of one command. */
    public record Result(int exit, String out) {
        public boolean ok() { return exit == 0; }
    }

    /** Runs the command, waiting at most {@code timeoutSeconds}; a command that overruns is killed (exit -1). */
    public static Result run(int timeoutSeconds, List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[][] out = new byte[1][];
            Thread reader = new Thread(() -> {
                try {
                    out[0] = p.getInputStream().readAllBytes();
                } catch (IOException e) {
                    out[0] = new byte[0];
                }
            }, "sh-reader");
            reader.setDaemon(true);
            reader.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                reader.join(1000);
                return new Result(-1, out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8));
            }
            reader.join(5000);
            return new Result(p.exitValue(), out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-2, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-3, "interrupted");
        }
    }

    public static Result run(String... cmd) {
        return run(30, List.of(cmd));
    }

    /** Runs the command and throws when it fails. */
    public static String check(String... cmd) {
        Result r = run(30, List.of(cmd));
        if (!r.ok()) {
            throw new LabException(String.join(" ", cmd) + " exited " + r.exit() + ": " + r.out().strip());
        }
        return r.out();
    }

    /** Whether an executable is on this machine (absolute path, or found on PATH). */
    public static boolean have(String binary) {
        if (binary.startsWith("/")) {
            return Files.isExecutable(Path.of(binary));
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String d : (path + ":/usr/sbin:/sbin").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, binary))) {
                return true;
            }
        }
        return false;
    }

    static List<String> concat(List<String> a, String... b) {
        List<String> l = new ArrayList<>(a);
        l.addAll(List.of(b));
        return l;
    }
}
