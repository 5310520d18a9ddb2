package org.lacd.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** lacd as a separate process from the built jar, with its stderr captured line by line. */
final class LacdProcess implements AutoCloseable {
    static final Path JAR = Path.of("../lac-daemon/target/lacd.jar").toAbsolutePath().normalize();
    private final Process process;
    private final List<String> log = new ArrayList<>();

    private LacdProcess(Process p) {
        this.process = p;
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (log) {
                        log.add(line);
                    }
                }
            } catch (IOException ignored) {
                // process gone
            }
        }, "lacd-stderr");
        t.setDaemon(true);
        t.start();
    }

    static LacdProcess start(List<String> prefix, String... args) throws IOException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " missing: run mvn package first");
        }
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        return new LacdProcess(pb.start());
    }

    static LacdProcess start(String... args) throws IOException {
        return start(List.of(), args);
    }

    Process process() {
        return process;
    }

    List<String> log() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    boolean logContains(String s) {
        return log().stream().anyMatch(l -> l.contains(s));
    }

    void signal(String sig) throws Exception {
        new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).inheritIO().start().waitFor();
    }

    /** Polls until the condition holds or the timeout passes. */
    static boolean await(Duration timeout, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (cond.getAsBoolean()) {
                return true;
            }
            Thread.sleep(50);
        }
        return cond.getAsBoolean();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy(); // SIGTERM
            if (!process.waitFor(25, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
