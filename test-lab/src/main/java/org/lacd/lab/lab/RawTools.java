package org.lacd.lab.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.lacd.pppoe.port.PcapPort;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNetworkInterface;

/**
 * The raw-Ethernet tools of {@link ForwardingCeilingBenchmark}, each run as its own process inside a lab namespace:
 *
 * <ul>
 *   <li>{@code blast --interface IF --frames FILE --rate PPS --seconds S [--mark-every N]}: sends the frames of FILE
 *       (one per line, {@code n HEX} plain or {@code m HEX} marked) round robin at a paced rate with pcap4j; every Nth
 *       frame is a marked one whose last 8 bytes get the send time in microseconds since the epoch. Prints one JSON
 *       line: frames sent, seconds, achieved rate.</li>
 *   <li>{@code latency --interface IF --filter BPF --seconds S}: receives only the marked frames (the filter selects
 *       them by length) and prints the one-way delay, kernel receive timestamp minus the send time in the frame's last
 *       8 bytes, as p50/p99/max microseconds. Sender and receiver share the machine's clock.</li>
 *   <li>{@code forward --a IF --a-filter BPF --b IF --b-filter BPF}: the bare forwarder. Two of lacd's own
 *       {@link PcapPort}s (same buffer, immediate mode and snaplen; only the filter differs): each frame received on
 *       one is sent unchanged on the other, from the port's receive thread, with no protocol work. Runs until
 *       SIGTERM and then prints its counts.</li>
 *   <li>{@code forward-udp --a IF --a-filter BPF --to IP:PORT}: the upstream half of the bare forwarder with a UDP
 *       send instead of a second pcap port: each PPPoE frame's PPP payload, behind a fixed 8-byte L2TP data header,
 *       goes out with one {@code sendto} on an epoll UDP socket bound to port 1701, from the receive thread (as
 *       {@code L2tpEngine} sent data before it batched with sendmmsg). No parsing beyond the fixed offset, no lookup,
 *       no counters: the ceiling of pcap receive plus a per-frame kernel UDP send on this machine.</li>
 * </ul>
 */
public final class RawTools {
    private RawTools() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: RawTools blast|latency|forward --option value ...");
            System.exit(2);
        }
        Map<String, String> o = options(Arrays.copyOfRange(args, 1, args.length));
        switch (args[0]) {
            case "blast" -> blast(o.get("interface"), Path.of(o.get("frames")), Long.parseLong(o.get("rate")),
                    Double.parseDouble(o.get("seconds")), Integer.parseInt(o.getOrDefault("mark-every", "100")));
            case "latency" -> latency(o.get("interface"), o.get("filter"), Double.parseDouble(o.get("seconds")));
            case "forward" -> forward(o.get("a"), o.get("a-filter"), o.get("b"), o.get("b-filter"));
            case "forward-udp" -> forwardUdp(o.get("a"), o.get("a-filter"), o.get("to"));
            default -> {
                System.err.println("unknown tool " + args[0]);
                System.exit(2);
            }
        }
    }

    static Map<String, String> options(String[] a) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i + 1 < a.length; i += 2) {
            if (!a[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option, got " + a[i]);
            }
            m.put(a[i].substring(2), a[i + 1]);
        }
        return m;
    }

    /** Frames of a frames file: [0] plain, [1] marked. */
    static byte[][][] readFrames(Path file) throws IOException {
        List<byte[]> plain = new ArrayList<>();
        List<byte[]> marked = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (line.length() > 2) {
                (line.charAt(0) == 'm' ? marked : plain).add(HexFormat.of().parseHex(line.substring(2).strip()));
            }
        }
        if (plain.isEmpty() || marked.isEmpty()) {
            throw new IllegalArgumentException(file + ": needs plain (n) and marked (m) frames");
        }
        return new byte[][][] {plain.toArray(new byte[0][]), marked.toArray(new byte[0][])};
    }

    static long epochMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    private static PcapHandle open(String iface, int snaplen, String filter) throws Exception {
        PcapHandle h = new PcapHandle.Builder(iface).snaplen(snaplen)
                .promiscuousMode(PcapNetworkInterface.PromiscuousMode.PROMISCUOUS).timeoutMillis(100)
                .bufferSize(8 << 20).immediateMode(true).direction(PcapHandle.PcapDirection.IN).build();
        h.setFilter(filter, BpfProgram.BpfCompileMode.OPTIMIZE);
        return h;
    }

    static void blast(String iface, Path framesFile, long rate, double seconds, int markEvery) throws Exception {
        byte[][][] f = readFrames(framesFile);
        byte[][] plain = f[0];
        byte[][] marked = f[1];
        // a send-only handle: its filter takes nothing in
        PcapHandle h = open(iface, 64, "less 1");
        long duration = (long) (seconds * 1e9);
        long sent = 0;
        long markedSent = 0;
        long errors = 0;
        int p = 0;
        int m = 0;
        long start = System.nanoTime();
        long elapsed;
        while ((elapsed = System.nanoTime() - start) < duration) {
            long due = (long) (rate * (elapsed / 1e9));
            if (sent >= due) {
                LockSupport.parkNanos(20_000);
                continue;
            }
            long burst = Math.min(due - sent, 64);
            for (long i = 0; i < burst; i++) {
                byte[] frame;
                if (markEvery > 0 && (sent + 1) % markEvery == 0) {
                    frame = marked[m++ % marked.length];
                    long us = epochMicros();
                    for (int k = 0; k < 8; k++) {
                        frame[frame.length - 1 - k] = (byte) (us >>> (8 * k));
                    }
                    markedSent++;
                } else {
                    frame = plain[p++ % plain.length];
                }
                try {
                    h.sendPacket(frame, frame.length);
                } catch (Exception e) {
                    errors++;
                }
                sent++;
            }
        }
        double took = (System.nanoTime() - start) / 1e9;
        h.close();
        System.out.printf(Locale.ROOT, "{\"sent\":%d,\"marked\":%d,\"errors\":%d,\"seconds\":%.3f,\"pps\":%.0f}%n",
                sent, markedSent, errors, took, sent / took);
    }

    static void latency(String iface, String filter, double seconds) throws Exception {
        PcapHandle h = open(iface, 2048, filter);
        long[] delays = new long[1 << 20];
        int[] n = {0};
        // loop() with a breakLoop() at the deadline: a blocking read would never return when nothing arrives
        Thread stopper = new Thread(() -> {
            try {
                Thread.sleep((long) (seconds * 1000));
                h.breakLoop();
            } catch (Exception e) {
                // closing
            }
        });
        stopper.setDaemon(true);
        System.out.println("ready");
        System.out.flush();
        stopper.start();
        try {
            h.loop(-1, (org.pcap4j.core.PacketListener) packet -> {
                byte[] b = packet.getRawData();
                if (b.length < 8 || n[0] >= delays.length) {
                    return;
                }
                Timestamp ts = h.getTimestamp();
                long rx = Math.floorDiv(ts.getTime(), 1000L) * 1_000_000L + ts.getNanos() / 1000;
                long tx = 0;
                for (int k = 0; k < 8; k++) {
                    tx = (tx << 8) | (b[b.length - 8 + k] & 0xff);
                }
                delays[n[0]++] = rx - tx;
            });
        } catch (InterruptedException e) {
            // the deadline
        }
        h.close();
        int c = n[0];
        Arrays.sort(delays, 0, c);
        System.out.printf(Locale.ROOT, "{\"samples\":%d,\"p50Us\":%d,\"p99Us\":%d,\"maxUs\":%d}%n", c,
                c == 0 ? -1 : delays[(int) (0.50 * (c - 1))], c == 0 ? -1 : delays[(int) (0.99 * (c - 1))],
                c == 0 ? -1 : delays[c - 1]);
    }

    static void forwardUdp(String a, String aFilter, String to) throws Exception {
        String[] hp = to.split(":");
        java.net.InetAddress addr = java.net.InetAddress.getByName(hp[0]);
        int port = Integer.parseInt(hp[1]);
        io.netty.channel.EventLoopGroup group = new io.netty.channel.MultiThreadIoEventLoopGroup(1,
                io.netty.channel.epoll.EpollIoHandler.newFactory());
        io.netty.channel.Channel ch = new io.netty.bootstrap.Bootstrap().group(group)
                .channel(io.netty.channel.epoll.EpollDatagramChannel.class)
                .option(io.netty.channel.ChannelOption.SO_SNDBUF, 4 << 20)
                .handler(new io.netty.channel.ChannelInboundHandlerAdapter())
                .bind(new java.net.InetSocketAddress(1701)).sync().channel();
        io.netty.channel.unix.Socket socket = (io.netty.channel.unix.Socket) ((io.netty.channel.epoll.EpollDatagramChannel) ch).fd();
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocateDirect(9216);
        AtomicLong sent = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        PcapPort pa = PcapPort.withFilter(a, 1500, aFilter);
        pa.start((buf, off, len) -> {
            // PPPoE: 14 Ethernet + 6 PPPoE header, then the PPP frame
            int ppp = off + 20;
            int n = len - 20;
            out.clear();
            out.putShort((short) 0x0002).putInt(0).put((byte) 0xff).put((byte) 0x03).put(buf, ppp, n);
            try {
                if (socket.sendTo(out, 0, out.position(), addr, port) > 0) {
                    sent.lazySet(sent.get() + 1);
                } else {
                    failed.lazySet(failed.get() + 1);
                }
            } catch (java.io.IOException e) {
                failed.lazySet(failed.get() + 1);
            }
        });
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            pa.close();
            ch.close();
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
            System.out.printf(Locale.ROOT, "{\"sent\":%d,\"failed\":%d}%n", sent.get(), failed.get());
            done.countDown();
        }));
        System.out.println("forwarding " + a + " -> udp " + to);
        System.out.flush();
        done.await();
    }

    static void forward(String a, String aFilter, String b, String bFilter) throws InterruptedException {
        PcapPort pa = PcapPort.withFilter(a, 1500, aFilter);
        PcapPort pb = PcapPort.withFilter(b, 1500, bFilter);
        AtomicLong ab = new AtomicLong();
        AtomicLong ba = new AtomicLong();
        pa.start((buf, off, len) -> {
            pb.send(buf, off, len);
            ab.lazySet(ab.get() + 1);
        });
        pb.start((buf, off, len) -> {
            pa.send(buf, off, len);
            ba.lazySet(ba.get() + 1);
        });
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            pa.close();
            pb.close();
            System.out.printf(Locale.ROOT, "{\"%s->%s\":%d,\"%s->%s\":%d}%n", a, b, ab.get(), b, a, ba.get());
            done.countDown();
        }));
        System.out.println("forwarding " + a + " <-> " + b);
        System.out.flush();
        done.await();
    }
}
