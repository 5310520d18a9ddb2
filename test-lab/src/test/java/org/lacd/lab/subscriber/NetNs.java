package org.lacd.lab.subscriber;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace made (and deleted) by a test, and a way to run code on a thread that lives in it: the thread
 * calls setns(2), so whatever it opens (a pcap handle) belongs to the namespace, while the rest of the JVM stays put.
 */
final class NetNs implements AutoCloseable {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final int CLONE_NEWNET = 0x40000000;
    private static final int O_RDONLY = 0;

    interface LibC extends Library {
        int open(String path, int flags);
        int setns(int fd, int nstype);
        int close(int fd);
    }

    private static volatile LibC libc;

    final String name;

    private NetNs(String name) { this.name = name; }

    static boolean usable() {
        return isRoot() && Files.isExecutable(Path.of("/usr/sbin/ip")) || isRoot() && Files.isExecutable(Path.of("/sbin/ip"));
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    static NetNs create() throws IOException, InterruptedException {
        String name = "lacd-t-" + ProcessHandle.current().pid() + "-se" + COUNTER.incrementAndGet();
        ip("netns", "add", name);
        NetNs ns = new NetNs(name);
        ip("-n", name, "link", "set", "lo", "up");
        return ns;
    }

    static void ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(cmd + " failed: " + out);
        }
    }

    /** Runs {@code task} on a new thread that first enters this namespace. */
    <T> CompletableFuture<T> run(Callable<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                enter();
                f.complete(task.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, "in-" + name);
        t.setDaemon(true);
        t.start();
        return f;
    }

    private void enter() throws IOException {
        LibC c = libc;
        if (c == null) {
            c = Native.load("c", LibC.class);
            libc = c;
        }
        int fd = c.open("/var/run/netns/" + name, O_RDONLY);
        if (fd < 0) {
            throw new IOException("cannot open namespace " + name);
        }
        try {
            if (c.setns(fd, CLONE_NEWNET) != 0) {
                throw new IOException("setns into " + name + " failed");
            }
        } finally {
            c.close(fd);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        ip("netns", "del", name);
    }
}
