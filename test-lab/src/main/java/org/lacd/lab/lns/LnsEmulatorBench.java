package org.lacd.lab.lns;

import java.net.InetAddress;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.lacd.l2tp.CallDownCause;
import org.lacd.l2tp.CallListener;
import org.lacd.l2tp.CallParameters;
import org.lacd.l2tp.L2tpCall;
import org.lacd.l2tp.L2tpEngine;
import org.lacd.l2tp.L2tpSettings;
import org.lacd.l2tp.TunnelProfile;
import org.lacd.pppoe.wire.ChapPacket;
import org.lacd.pppoe.wire.LcpCode;
import org.lacd.pppoe.wire.LcpOption;
import org.lacd.pppoe.wire.LcpPacket;
import org.lacd.pppoe.wire.PppProtocol;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Setup-rate benchmark: lacd's {@link L2tpEngine} places calls (proxy LCP + proxy CHAP) to an in-process
 * {@link LnsEmulator} over loopback; a minimal subscriber answers IPCP. Reports calls per second from the first ICRQ
 * to the last IPCP opened, with a bound on setups in flight. Not a test: numbers go to benchmarks/lns-emulator.md.
 */
@Command(name = "lns-emulator-bench", mixinStandardHelpOptions = true)
public final class LnsEmulatorBench implements Callable<Integer> {
    @Option(names = "--calls", defaultValue = "5000")
    int calls;

    @Option(names = "--per-tunnel", defaultValue = "1", description = "calls per tunnel (1: every call brings up its own tunnel)")
    int perTunnel;

    @Option(names = "--inflight", defaultValue = "256", description = "setups in flight at most")
    int inflight;

    @Option(names = "--mode", defaultValue = "accept-proxy")
    String mode;

    @Option(names = "--secret", defaultValue = "bench")
    String secret;

    @Option(names = "--rounds", defaultValue = "3")
    int rounds;

    public static void main(String[] args) { System.exit(new CommandLine(new LnsEmulatorBench()).execute(args)); }

    /** Answers IPCP like a CPE and counts the call up once IPCP is open both ways. Runs on the engine loop. */
    private static final class Sub implements CallListener {
        final Semaphore slots;
        final AtomicLong up;
        final AtomicLong failed;
        final ConcurrentLinkedQueue<L2tpCall> done;
        final String password;
        boolean ackSent;
        boolean ackRcvd;
        boolean counted;

        Sub(Semaphore slots, AtomicLong up, AtomicLong failed, ConcurrentLinkedQueue<L2tpCall> done, String password) {
            this.slots = slots;
            this.up = up;
            this.failed = failed;
            this.done = done;
            this.password = password;
        }

        void send(L2tpCall c, byte[] f) { c.sendPpp(f, 0, f.length); }

        @Override public void callUp(L2tpCall c) { }

        @Override
        public void callDown(L2tpCall c, CallDownCause cause) {
            if (!counted) {
                counted = true;
                if (failed.incrementAndGet() <= 3) {
                    System.out.println("call failed: " + cause);
                }
                slots.release();
            }
        }

        @Override
        public void pppFromLns(L2tpCall c, byte[] buf, int off, int len) {
            int proto = ((buf[off] & 0xff) << 8) | (buf[off + 1] & 0xff);
            try {
                if (proto == PppProtocol.CHAP && buf[off + 2] == ChapPacket.SUCCESS) {
                    send(c, Ipcp.frame(LcpPacket.configure(LcpCode.CONFIGURE_REQUEST, 1, List.of(Ipcp.ipAddress(0)))));
                } else if (proto == PppProtocol.CHAP && buf[off + 2] == ChapPacket.CHALLENGE) {
                    int id = buf[off + 3] & 0xff;
                    byte[] value = Arrays.copyOfRange(buf, off + 7, off + 7 + (buf[off + 6] & 0xff));
                    send(c, ChapPacket.response(id, md5(id, password, value), "bench").toPppFrame());
                } else if (proto == PppProtocol.IPCP) {
                    LcpPacket p = Ipcp.decode(buf, off + 2, len - 2);
                    if (p.kind() == LcpCode.CONFIGURE_REQUEST) {
                        send(c, Ipcp.frame(LcpPacket.of(LcpCode.CONFIGURE_ACK, p.id(), p.data())));
                        ackSent = true;
                    } else if (p.kind() == LcpCode.CONFIGURE_NAK) {
                        send(c, Ipcp.frame(LcpPacket.of(LcpCode.CONFIGURE_REQUEST, 2, p.data())));
                    } else if (p.kind() == LcpCode.CONFIGURE_ACK) {
                        ackRcvd = true;
                    }
                    if (ackSent && ackRcvd && !counted) {
                        counted = true;
                        up.incrementAndGet();
                        done.add(c);
                        slots.release();
                    }
                }
            } catch (Exception e) {
                failed.incrementAndGet();
            }
        }
    }

    static byte[] md5(int id, String pw, byte[] challenge) {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            md.update((byte) id);
            md.update(pw.getBytes());
            md.update(challenge);
            return md.digest();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Integer call() throws Exception {
        LnsEmulator lns = LnsEmulator.start(LnsEmulatorConfig.builder().loopback().secret(secret).mode(Mode.parse(mode))
                .pool("100.64.0.0/10").passwords("pw").maxCallRecords(0).build());
        System.out.printf("calls=%d per-tunnel=%d inflight=%d mode=%s cores=%d%n", calls, perTunnel, inflight, mode,
                Runtime.getRuntime().availableProcessors());
        try {
            for (int round = 1; round <= rounds; round++) {
                L2tpEngine engine = new L2tpEngine(L2tpSettings.defaults().withSourcePort(0).withBindAddress(InetAddress.getLoopbackAddress())
                        .withSessionsPerTunnel(perTunnel).withTunnelLinger(Duration.ofSeconds(30)), null);
                engine.start();
                Semaphore slots = new Semaphore(inflight);
                AtomicLong up = new AtomicLong();
                AtomicLong failed = new AtomicLong();
                ConcurrentLinkedQueue<L2tpCall> done = new ConcurrentLinkedQueue<>();
                TunnelProfile profile = TunnelProfile.of("bench", lns.address(), "lac-bench-" + round, secret);
                byte[] lcp = LcpOption.encodeList(List.of(LcpOption.mru(1492), LcpOption.authChapMd5(), LcpOption.magic(0x01020304)));
                byte[] sub = LcpOption.encodeList(List.of(LcpOption.mru(1492), LcpOption.magic(0x0a0b0c0d)));
                byte[] challenge = new byte[16];
                long t0 = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    if (!slots.tryAcquire(30, TimeUnit.SECONDS)) {
                        System.out.println("stalled");
                        break;
                    }
                    CallParameters p = CallParameters.builder().callingNumber("bench-" + i).proxyLcp(sub, lcp, sub)
                            .proxyAuth(CallParameters.AUTHEN_CHAP, "user" + i + "@bench", challenge, 1, md5(1, "pw", challenge)).build();
                    engine.placeCall(profile, p, new Sub(slots, up, failed, done, "pw"));
                }
                slots.tryAcquire(inflight, 60, TimeUnit.SECONDS);
                long ns = System.nanoTime() - t0;
                Report r = lns.summary();
                System.out.printf("round %d: %d up, %d failed in %.2f s = %.0f calls/s; LNS tunnels now %d, sessions up %d%n", round,
                        up.get(), failed.get(), ns / 1e9, up.get() / (ns / 1e9), r.tunnels().current(), r.sessions().up());
                engine.shutdown(Duration.ofSeconds(10));
                lns.awaitSummary(x -> x.tunnels().current() == 0 && x.sessions().current() == 0, Duration.ofSeconds(10));
            }
        } finally {
            lns.shutdown(Duration.ofSeconds(2));
        }
        return 0;
    }
}
