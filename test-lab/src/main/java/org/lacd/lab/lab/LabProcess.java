package org.lacd.lab.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One long-running lab program (lacd, an emulator, tshark) in a namespace: started with {@code setsid ip netns exec NS
 * ...} so a Ctrl-C on the terminal reaches only the lab (which then stops everything in order), its stdout and stderr
 * in a log file. {@code setsid}, {@code env} and {@code ip netns exec} all exec, so {@link #pid()} is the program's own
 * pid. {@code env --default-signal} gives the program the default action of the signals the lab stops and reloads it
 * with (INT, TERM, HUP, QUIT): a lab started in the background of a script (SIGINT and SIGQUIT ignored) or under
 * nohup (SIGHUP ignored) would otherwise pass the ignored signals on, and a JVM never handles a signal it started with
 * ignored (an emulator then ignored the SIGINT that asks it to hang up and report).
 */
public final class LabProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;

    private LabProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    public static LabProcess start(String name, String namespace, List<String> cmd, Path log) {
        return start(name, namespace, cmd, log, false);
    }

    /** As above; with {@code keepStdin} the program's stdin stays open for {@link #send(String)}. */
    public static LabProcess start(String name, String namespace, List<String> cmd, Path log, boolean keepStdin) {
        List<String> full = new ArrayList<>(List.of("setsid", "env", "--default-signal=HUP,INT,QUIT,TERM", "ip", "netns", "exec",
                namespace));
        full.addAll(cmd);
        try {
            Files.createDirectories(log.getParent());
            Process p = new ProcessBuilder(full).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!keepStdin) {
                p.getOutputStream().close();
            }
            return new LabProcess(name, p, log);
        } catch (IOException e) {
            throw new LabException("cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    public String name() { return name; }

    public long pid() { return process.pid(); }

    public Process process() { return process; }

    public boolean alive() { return process.isAlive(); }

    public Path logFile() { return log; }

    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** The last {@code n} lines of the log (for failure messages). */
    public String tail(int n) {
        List<String> lines = log().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    public boolean logContains(String s) { return log().contains(s); }

    /** Writes one command line to the program's stdin (started with keepStdin). */
    public void send(String line) {
        try {
            process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().flush();
        } catch (IOException e) {
            throw new LabException(name + ": cannot send '" + line + "': " + e.getMessage(), e);
        }
    }

    public void signal(String sig) {
        if (process.isAlive()) {
            Sh.run("kill", "-" + sig, Long.toString(process.pid()));
        }
    }

    /** Waits for the program to exit by itself; returns its exit code, or -1 if it did not exit in time. */
    public int await(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** SIGTERM, wait up to {@code grace}, then SIGKILL. Returns the exit code (137 after SIGKILL). */
    public int stop(Duration grace) {
        try {
            if (process.isAlive()) {
                signal("TERM");
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            }
            return process.isAlive() ? -1 : process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return -1;
        }
    }

    /** SIGKILL now: a crash, as the failure tests need it. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }

    /** Polls until the condition holds or the timeout passes. */
    public static boolean await(Duration timeout, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (cond.getAsBoolean()) {
                return true;
            }
            Thread.sleep(100);
        }
        return cond.getAsBoolean();
    }

    @Override
    public String toString() { return name + "[" + process.pid() + "]"; }
}
