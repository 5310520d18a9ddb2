package org.lacd.packaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs an external command with a bounded wait and returns its exit code and output. */
record Proc(int exitCode, String stdout, String stderr) {

    static Proc run(List<String> command) {
        return run(command, Map.of(), null);
    }

    static Proc run(List<String> command, Map<String, String> env, Path dir) {
        try {
            Path out = Files.createTempFile("lacd-proc-", ".out");
            Path err = Files.createTempFile("lacd-proc-", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(command)
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                if (dir != null) {
                    pb.directory(dir.toFile());
                }
                pb.environment().putAll(env);
                Process p = pb.start();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("timed out after 120 s: " + command);
                }
                return new Proc(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + command, e);
        }
    }

    /** Fails with the command's output unless it exited 0. */
    Proc ok(List<String> command) {
        if (exitCode != 0) {
            throw new AssertionError(command + " exited " + exitCode + "\nstdout: " + stdout + "\nstderr: " + stderr);
        }
        return this;
    }

    static Proc ok(String... command) {
        List<String> cmd = List.of(command);
        return run(cmd).ok(cmd);
    }

    /** True when an executable of that name is on PATH. */
    static boolean onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name")) || "0".equals(idU());
    }

    private static String idU() {
        try {
            return run(List.of("id", "-u")).stdout().trim();
        } catch (AssertionError e) {
            return "";
        }
    }
}
