package org.lacd.lab.lab;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.lacd.daemon.Daemon;
import org.lacd.daemon.config.ConfigLoader;
import org.lacd.l2tp.CallDownCause;
import org.lacd.l2tp.CallListener;
import org.lacd.l2tp.CallParameters;
import org.lacd.l2tp.L2tpCall;
import org.lacd.l2tp.L2tpEngine;
import org.lacd.l2tp.L2tpSettings;
import org.lacd.l2tp.L2tpStats;
import org.lacd.l2tp.TunnelProfile;
import org.lacd.l2tp.lns.LnsPeer;
import org.lacd.l2tp.transport.ReliableChannel;
import org.lacd.pppoe.port.InMemoryPort;
import org.lacd.pppoe.wire.MacAddress;

/**
 * Tunnel switching (issue 18) in one JVM over loopback (a program, not a timed test): lacd's LAC-side engine as the
 * downstream LAC (127.0.0.3) -> a whole lacd daemon as the LTS (127.0.0.1, realm steering) -> an in-process LNS
 * (127.0.0.2). Measures the setup rate (calls placed at once; time until every ICCN has reached the LNS) and the
 * forwarding rate through the LTS in each direction (frames offered as fast as the sender goes for a few seconds;
 * what arrives at the far end). All three parties share the machine's cores, so the LTS gets a fraction of them:
 * the numbers bound the LTS from below.
 *
 * <pre>
 * java -cp "test-lab/target/classes:$(cat test-lab/target/classpath.txt)" org.lacd.lab.lab.LtsBenchmark 2000 5 64,1400
 * </pre>
 * Arguments: calls for the setup run (default 2000), seconds per forwarding run (default 5), frame sizes (default 64,1400).
 */
public final class LtsBenchmark {
    private LtsBenchmark() {}

    /**
     * Waits until {@code counter} has not moved for a second (the queues behind an overloaded hop are empty again);
     * returns the seconds from {@code start} to its last movement.
     */
    static double[] drain(AtomicLong counter, long start) throws InterruptedException {
        long last = counter.get();
        long lastChange = System.nanoTime();
        while (System.nanoTime() - lastChange < 1_000_000_000L) {
            Thread.sleep(20);
            long now = counter.get();
            if (now != last) {
                last = now;
                lastChange = System.nanoTime();
            }
        }
        return new double[] {(lastChange - start) / 1e9};
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<Integer> sizes = new ArrayList<>();
        for (String s : (args.length > 2 ? args[2] : "64,1400").split(",")) {
            sizes.add(Integer.parseInt(s));
        }
        InetAddress lac = InetAddress.getByName("127.0.0.3");
        LnsPeer lns = LnsPeer.start(new LnsPeer.Config(InetAddress.getByName("127.0.0.2"), 0, "lns-bench", null, false,
                new ReliableChannel.Config(500, 8000, 5, 50, 256)));
        AtomicLong atLns = new AtomicLong();
        lns.onData((c, p) -> atLns.incrementAndGet());
        Path dir = Files.createTempDirectory("lts-bench");
        Path f = dir.resolve("lts.yaml");
        Files.writeString(f, """
            interfaces: [{name: veth0}]
            radius: {enabled: false}
            l2tp:
              source-port: 0
              bind-address: 127.0.0.1
              hostname: lts
              receive-window: 256
              setup-timeout: 30s
              lns: [{name: lns, address: 127.0.0.2, port: %d}]
              lac-peers: [{name: bench, address: 127.0.0.3}]
            steering:
              source: realm
              rules: [{realm: isp, lns: [{name: lns}]}]
            metrics: {enabled: false}
            management: {enabled: false}
            logging: {level: warn}
            """.formatted(lns.address().getPort()));
        Daemon lts = new Daemon(f, ConfigLoader.loadWithTree(f), name -> InMemoryPort.pair(name,
                MacAddress.parse("02:00:00:00:00:01"), "peer", MacAddress.parse("02:00:00:00:00:02"))[0]);
        lts.start();
        L2tpEngine down = new L2tpEngine(L2tpSettings.defaults().withSourcePort(0).withBindAddress(lac).withLocalHostName("bench")
                .withReceiveWindow(256).withCallSetupTimeout(Duration.ofSeconds(30)), L2tpStats.NOOP);
        down.start();
        TunnelProfile toLts = TunnelProfile.of("lts", new InetSocketAddress("127.0.0.1", lts.lac().engine().localPort()), "bench", null);
        AtomicLong up = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong atLac = new AtomicLong();
        CallListener l = new CallListener() {
            @Override public void callUp(L2tpCall c) { up.incrementAndGet(); }
            @Override public void callDown(L2tpCall c, CallDownCause cause) { failed.incrementAndGet(); }
            @Override public void pppFromLns(L2tpCall c, byte[] buf, int off, int len) { atLac.incrementAndGet(); }
        };
        try {
            // setup rate
            long t0 = System.nanoTime();
            List<L2tpCall> placed = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                placed.add(down.placeCall(toLts, CallParameters.builder().callingNumber(String.format("02:00:00:%02x:%02x:%02x", i >> 16 & 0xff, i >> 8 & 0xff, i & 0xff))
                        .proxyLcp(new byte[] {1, 4, 5, (byte) 0xd4}, new byte[] {1, 4, 5, (byte) 0xd4, 3, 5, (byte) 0xc2, 0x23, 5}, new byte[] {1, 4, 5, (byte) 0xd4})
                        .proxyAuth(CallParameters.AUTHEN_CHAP, "user" + i + "@isp", new byte[16], 1, new byte[16]).build(), l));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (lns.connectedCalls() + failed.get() < calls && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            double setupS = (System.nanoTime() - t0) / 1e9;
            long connected = lns.connectedCalls();
            System.out.printf("setup: %d calls offered at once, %d connected at the LNS, %d failed, %.2f s: %.0f calls/s through the LTS%n",
                    calls, connected, failed.get(), setupS, connected / setupS);
            // forwarding, one call, each direction
            L2tpCall one = placed.get(0);
            LnsPeer.Call atLnsCall = lns.calls().stream().filter(c -> c.connected()
                    && "user0@isp".equals(c.iccn().string(org.lacd.l2tp.wire.AvpType.PROXY_AUTHEN_NAME))).findFirst().orElseThrow();
            for (int size : sizes) {
                byte[] frame = new byte[size];
                frame[0] = 0x00;
                frame[1] = 0x21;
                frame[2] = 0x45;
                // paced first: every frame must arrive when nothing is overloaded
                long p0 = atLns.get();
                long q0 = atLac.get();
                for (int k = 0; k < 200; k++) {
                    one.sendPpp(frame, 0, size);
                    lns.sendPpp(atLnsCall, frame, false);
                    Thread.sleep(1);
                }
                Thread.sleep(500);
                System.out.printf("paced %d B (200 frames, 1 ms apart): %d at the LNS, %d at the downstream LAC%n", size,
                        atLns.get() - p0, atLac.get() - q0);
                long before = atLns.get();
                long sent = 0;
                long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
                long s0 = System.nanoTime();
                while (System.nanoTime() < end) {
                    for (int k = 0; k < 64; k++) {
                        one.sendPpp(frame, 0, size);
                    }
                    sent += 64;
                }
                double s = (System.nanoTime() - s0) / 1e9;
                double[] drained = drain(atLns, s0);
                long got = atLns.get() - before;
                System.out.printf("upstream %d B: offered %.0f fps for %.1f s; the LNS got %d (%.1f %%) in %.1f s: %.0f fps%n",
                        size, sent / s, s, got, 100.0 * got / Math.max(1, sent), drained[0], got / drained[0]);
                before = atLac.get();
                sent = 0;
                end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
                s0 = System.nanoTime();
                byte[] withFf03 = frame;
                while (System.nanoTime() < end) {
                    for (int k = 0; k < 64; k++) {
                        lns.sendPpp(atLnsCall, withFf03, false);
                    }
                    sent += 64;
                }
                s = (System.nanoTime() - s0) / 1e9;
                drained = drain(atLac, s0);
                got = atLac.get() - before;
                System.out.printf("downstream %d B: offered %.0f fps for %.1f s; the downstream LAC got %d (%.1f %%) in %.1f s: %.0f fps%n",
                        size, sent / s, s, got, 100.0 * got / Math.max(1, sent), drained[0], got / drained[0]);
            }
        } finally {
            down.shutdown(Duration.ofSeconds(5));
            lts.stop();
            lns.close();
        }
    }
}
