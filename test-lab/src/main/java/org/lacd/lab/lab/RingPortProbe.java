package org.lacd.lab.lab;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.lacd.pppoe.port.EthernetPort;
import org.lacd.pppoe.port.FrameReceiver;
import org.lacd.pppoe.port.PacketRingPort;
import org.lacd.pppoe.port.PcapPort;

/**
 * A rough throughput probe (a program, not a test) of {@link PacketRingPort} across one veth pair in a namespace of
 * its own: a sending thread blasts PPPoE session frames of one size at full speed into one end, and the other end
 * counts what it receives. Four phases in one run, each {@code seconds} long:
 * <ol>
 *   <li>send with the ring port's {@code queue()}/{@code flush()} (its TX ring, 64 frames per send call), receive
 *       with the ring port; then the same with {@code tx-ring} off (sendmmsg, 64 per call): the sending thread's CPU
 *       time per frame sent compares the two send paths (it includes the veth delivery into the receiver's ring,
 *       which both pay alike);
 *   <li>the TX ring sender, received by {@link PcapPort} (lacd's pcap port, its pcap_dispatch loop), for comparison;
 *   <li>send with the ring port's {@code send()} (one send(2) per frame), receive with the ring port;
 *   <li>as 1 with {@code workers} ring workers (only when more than 1), frames from 64 source MACs.
 * </ol>
 * and two drain phases, ring and pcap: the receiver holds its first frame while 16,000 more are sent into its buffer,
 * then lets go; the time and the receive thread's CPU time until the last one is read are the Java side's cost per
 * frame, without the sender's share of the CPU.
 * On veth the receiver's kernel work (the ring copy) runs in the sender's system call, so the send rate is the rate
 * of send plus kernel delivery and the receive rate is what the Java side took out of the ring; the difference is
 * ring overflow (capture drops) or veth backlog drops. The machine is shared: numbers move by ±20 % between runs.
 *
 * <pre>
 * mvn -B -ntp -o -q -pl test-lab -am package -DskipTests
 * java -cp "test-lab/target/classes:$(cat test-lab/target/classpath.txt)" org.lacd.lab.lab.RingPortProbe 5 64 2
 * </pre>
 */
public final class RingPortProbe {
    private RingPortProbe() {}

    interface LibC extends Library {
        int open(String path, int flags);
        int setns(int fd, int nstype);
        int close(int fd);
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int workers = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        String ns = Topology.uniquePrefix() + "-ring";
        check(Sh.run(10, java.util.List.of("ip", "netns", "add", ns)), "ip netns add");
        try {
            enter(ns); // this thread, and every thread it starts from now on, lives in the namespace
            check(Sh.run(10, java.util.List.of("ip", "link", "add", "pa", "type", "veth", "peer", "name", "pb")), "veth");
            check(Sh.run(10, java.util.List.of("ip", "link", "set", "pa", "up")), "pa up");
            check(Sh.run(10, java.util.List.of("ip", "link", "set", "pb", "up")), "pb up");
            PacketRingPort tx = PacketRingPort.open("pa", 1500, 1, true);
            PacketRingPort mmsg = PacketRingPort.open("pa", 1500, 1, false);
            System.out.printf(Locale.ROOT, "%d-byte frames, %.0f s per phase, namespace %s, %d cores%n", size, seconds, ns,
                    Runtime.getRuntime().availableProcessors());
            try {
                phase("TX ring  -> ring (1 worker)", tx, true, 1, () -> PacketRingPort.open("pb", 1500, 1), seconds, size);
                phase("sendmmsg -> ring (1 worker)", mmsg, true, 1, () -> PacketRingPort.open("pb", 1500, 1), seconds, size);
                phase("TX ring  -> ring (1 worker)", tx, true, 1, () -> PacketRingPort.open("pb", 1500, 1), seconds, size);
                phase("sendmmsg -> ring (1 worker)", mmsg, true, 1, () -> PacketRingPort.open("pb", 1500, 1), seconds, size);
                phase("TX ring  -> pcap", tx, true, 1, () -> new PcapPort("pb"), seconds, size);
                phase("send    -> ring (1 worker)", tx, false, 1, () -> PacketRingPort.open("pb", 1500, 1), seconds, size);
                drain("drain 16,000 held frames: ring", tx, () -> PacketRingPort.open("pb", 1500, 1), size);
                drain("drain 16,000 held frames: pcap", tx, () -> PcapPort.forMaxPayload("pb", 1500), size);
                if (workers > 1) {
                    phase("sendmmsg -> ring (" + workers + " workers)", tx, true, 64,
                            () -> PacketRingPort.open("pb", 1500, workers), seconds, size);
                }
            } finally {
                tx.close();
                mmsg.close();
            }
        } finally {
            Sh.run(10, java.util.List.of("ip", "netns", "del", ns));
        }
    }

    interface Opener {
        EthernetPort open();
    }

    private static void phase(String label, PacketRingPort tx, boolean batched, int macs, Opener opener, double seconds,
            int size) throws InterruptedException {
        EthernetPort rx = opener.open();
        LongAdder received = new LongAdder();
        rx.start(w -> new FrameReceiver() {
            @Override public void frame(byte[] buf, int off, int len) { received.increment(); }
        });
        byte[][] frames = new byte[macs][];
        for (int m = 0; m < macs; m++) {
            byte[] f = new byte[Math.max(size, 60)];
            byte[] dst = rx.mac().bytes();
            System.arraycopy(dst, 0, f, 0, 6);
            f[6] = 0x02;
            f[11] = (byte) m;
            f[12] = (byte) 0x88; f[13] = 0x64;             // PPPoE session
            f[14] = 0x11; f[16] = 0x00; f[17] = 0x01;       // ver/type, code 0, session 1
            int payload = f.length - 20;
            f[18] = (byte) (payload >>> 8); f[19] = (byte) payload;
            frames[m] = f;
        }
        AtomicBoolean stop = new AtomicBoolean();
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long[] senderCpu = new long[2]; // at the start and at the end of the measured window
        AtomicBoolean measuring = new AtomicBoolean();
        java.util.concurrent.CountDownLatch windowClosed = new java.util.concurrent.CountDownLatch(1);
        LongAdder attempted = new LongAdder();
        LongAdder sendFailures = new LongAdder();
        Thread sender = new Thread(() -> {
            int m = 0;
            boolean was = false;
            while (!stop.get()) {
                boolean now = measuring.get();
                if (now != was) { // the window opened or closed: this thread's CPU time at that moment
                    senderCpu[now ? 0 : 1] = threads.getCurrentThreadCpuTime();
                    was = now;
                    if (!now) {
                        windowClosed.countDown();
                    }
                }
                for (int i = 0; i < 64; i++) {
                    byte[] f = frames[m];
                    m = m + 1 == frames.length ? 0 : m + 1;
                    if (batched) {
                        tx.queue(f, 0, f.length);
                    } else {
                        try {
                            tx.send(f, 0, f.length);
                        } catch (RuntimeException e) {
                            sendFailures.increment();
                        }
                    }
                }
                if (batched) {
                    tx.flush();
                }
                attempted.add(64);
            }
        }, "probe-tx");
        // warm up (JIT) for a second, then measure
        sender.start();
        Thread.sleep(1000);
        long r0 = received.sum();
        long drops0 = rx.captureDrops();
        long cpu0 = cpuNanos();
        long t0 = System.nanoTime();
        long failed0 = tx.queuedSendFailures() + sendFailures.sum();
        long a0 = attempted.sum();
        measuring.set(true);
        Thread.sleep((long) (seconds * 1000));
        measuring.set(false);
        long r1 = received.sum();
        long t1 = System.nanoTime();
        long cpu1 = cpuNanos();
        long failed1 = tx.queuedSendFailures() + sendFailures.sum();
        long a1 = attempted.sum();
        long drops1 = rx.captureDrops();
        windowClosed.await(10, TimeUnit.SECONDS); // the sender has read its CPU time at the window's end
        stop.set(true);
        sender.join();
        rx.close();
        double s = (t1 - t0) / 1e9;
        long sent = (a1 - a0) - (failed1 - failed0);
        System.out.printf(Locale.ROOT, "%-34s send %,10.0f pps (%,d refused)  receive %,10.0f pps  capture drops %,9d"
                        + "  process CPU %.2f cores = %.2f us/frame  sender thread %.0f ns/frame sent  [tx: %s; rx: %s]%n",
                label, sent / s, failed1 - failed0, (r1 - r0) / s, drops1 - drops0, (cpu1 - cpu0) / 1e9 / s,
                (cpu1 - cpu0) / 1e3 / Math.max(1, r1 - r0), (senderCpu[1] - senderCpu[0]) / (double) Math.max(1, sent),
                tx.description(), rx.description());
    }

    private static void drain(String label, PacketRingPort tx, Opener opener, int size) throws InterruptedException {
        int held = 16_000;
        EthernetPort rx = opener.open();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        long[] at = new long[4]; // start ns, start thread CPU, end ns, end thread CPU
        java.util.concurrent.atomic.AtomicLong count = new java.util.concurrent.atomic.AtomicLong();
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        rx.start(w -> (buf, off, len) -> {
            long c = count.incrementAndGet();
            if (c == 1) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                at[0] = System.nanoTime();
                at[1] = threads.getCurrentThreadCpuTime();
            } else if (c == held + 1) {
                at[2] = System.nanoTime();
                at[3] = threads.getCurrentThreadCpuTime();
                done.countDown();
            }
        });
        byte[] f = new byte[Math.max(size, 60)];
        System.arraycopy(rx.mac().bytes(), 0, f, 0, 6);
        f[6] = 0x02;
        f[12] = (byte) 0x88; f[13] = 0x64; f[14] = 0x11; f[17] = 0x01;
        f[19] = (byte) (f.length - 20);
        tx.send(f, 0, f.length);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (count.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        for (int i = 0; i < held; i++) {
            tx.send(f, 0, f.length);
        }
        Thread.sleep(200); // let the last sends land in the buffer before the reader goes
        release.countDown();
        boolean all = done.await(20, java.util.concurrent.TimeUnit.SECONDS);
        long drops = rx.captureDrops();
        rx.close();
        if (!all) {
            System.out.printf(Locale.ROOT, "%-34s only %,d of %,d frames read (capture drops %,d)%n", label,
                    count.get() - 1, held, drops);
            return;
        }
        double s = (at[2] - at[0]) / 1e9;
        System.out.printf(Locale.ROOT, "%-34s %,10.0f pps  receive thread CPU %.0f ns/frame  (capture drops %,d)%n",
                label, held / s, (double) (at[3] - at[1]) / held, drops);
    }

    private static long cpuNanos() {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os.getProcessCpuTime();
    }

    private static void enter(String ns) {
        LibC c = Native.load("c", LibC.class);
        int fd = c.open("/var/run/netns/" + ns, 0);
        if (fd < 0 || c.setns(fd, 0x40000000) != 0) {
            throw new IllegalStateException("cannot enter namespace " + ns);
        }
        c.close(fd);
    }

    private static void check(Sh.Result r, String what) {
        if (!r.ok()) {
            throw new IllegalStateException(what + " failed: " + r.out());
        }
    }
}
