package org.lacd.pppoe.testutil;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Test network namespaces: unique names, created and always deleted by the test; threads can enter them. */
public final class Netns implements AutoCloseable {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final int CLONE_NEWNET = 0x40000000;
    private static final int O_RDONLY = 0;

    interface CLib extends Library {
        int open(String path, int flags);
        int setns(int fd, int nstype);
        int close(int fd);
    }

    private static CLib libc;

    public final String name;
    private final ExecutorService thread;

    private Netns(String name) {
        this.name = name;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "netns-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    public static String uniqueName(String tag) {
        return "lacd-t-" + ProcessHandle.current().pid() + "-" + tag + COUNTER.incrementAndGet();
    }

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    public static boolean hasIp() {
        return Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"))
                || Files.isExecutable(Path.of("/usr/bin/ip"));
    }

    public static Netns create(String tag) throws IOException, InterruptedException {
        Netns ns = new Netns(uniqueName(tag));
        run("ip", "netns", "add", ns.name);
        try {
            ns.exec("ip", "link", "set", "lo", "up");
            // the worker thread joins the namespace once and stays there
            ns.call(() -> {
                enterOnThisThread(ns.name);
                return null;
            });
        } catch (Exception e) {
            ns.close();
            throw new IOException("cannot set up namespace " + ns.name, e);
        }
        return ns;
    }

    private static synchronized CLib libc() {
        if (libc == null) {
            libc = Native.load("c", CLib.class);
        }
        return libc;
    }

    /** Moves the calling thread into the named namespace. */
    public static void enterOnThisThread(String name) throws IOException {
        int fd = libc().open("/var/run/netns/" + name, O_RDONLY);
        if (fd < 0) {
            throw new IOException("cannot open netns " + name);
        }
        try {
            if (libc().setns(fd, CLONE_NEWNET) != 0) {
                throw new IOException("setns(" + name + ") failed: errno " + Native.getLastError());
            }
        } finally {
            libc().close(fd);
        }
    }

    /** Runs code on a thread that lives in this namespace (pcap handles open there). */
    public <T> T call(Callable<T> c) throws Exception {
        Future<T> f = thread.submit(c);
        return f.get(30, TimeUnit.SECONDS);
    }

    /** {@code ip netns exec <ns> cmd...}; throws when it exits non-zero. */
    public String exec(String... cmd) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(cmd));
        return run(full.toArray(new String[0]));
    }

    public static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", cmd));
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out);
        }
        return out;
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            run("ip", "netns", "del", name);
        } catch (IOException | InterruptedException e) {
            System.err.println("could not delete netns " + name + ": " + e.getMessage());
        }
    }
}
