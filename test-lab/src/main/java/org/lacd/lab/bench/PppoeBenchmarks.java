package org.lacd.lab.bench;

import java.util.concurrent.TimeUnit;
import org.lacd.pppoe.wire.EthernetHeader;
import org.lacd.pppoe.wire.EtherType;
import org.lacd.pppoe.wire.PppoeSessionFrame;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * PPPoE control-plane and data-path costs through the in-memory port, single thread (manual scheduler).
 * <ul>
 *   <li>{@code discoveryHandshake}: PADI, PADO, PADR, PADS, then PADT (so the table stays small)</li>
 *   <li>{@code pppNegotiation}: discovery + LCP both ways + CHAP challenge/response up to authenticated(), PADT</li>
 *   <li>{@code forwardFrame}: one 100-byte PPP frame of a forwarding session from the port to the sink</li>
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PppoeBenchmarks {

    @State(Scope.Thread)
    public static class Rig {
        PppoeBenchRig rig;
        long mac;
        byte[] dataFrame;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            rig = new PppoeBenchRig(65534);
            mac = 0x0200_0000_0000L;
            long fwdMac = 0x0266_0000_0001L;
            int sid = rig.negotiate(fwdMac);
            rig.lastAuthenticated.startForwarding((b, o, l) -> { });
            rig.sched.runPending();
            byte[] ppp = new byte[100];
            ppp[1] = 0x21; // IPv4
            dataFrame = PppoeSessionFrame.encode(new EthernetHeader(PppoeBenchRig.AC_MAC, fwdMac, 0, -1, -1,
                    EtherType.PPPOE_SESSION), sid, ppp);
        }

        long nextMac() {
            mac = 0x0200_0000_0000L | ((mac + 1) & 0xfff); // 4096 MACs: stays under the rate limiter's key cap
            return mac;
        }
    }

    @Benchmark
    public void discoveryHandshake(Rig r) throws Exception {
        long m = r.nextMac();
        int sid = r.rig.discover(m);
        r.rig.padt(m, sid);
        r.rig.inbox.clear();
    }

    @Benchmark
    public void pppNegotiation(Rig r) throws Exception {
        long m = r.nextMac();
        int sid = r.rig.negotiate(m);
        r.rig.padt(m, sid);
        r.rig.inbox.clear();
    }

    @Benchmark
    public void forwardFrame(Rig r, Blackhole bh) {
        r.rig.wire[1].send(r.dataFrame, 0, r.dataFrame.length);
        bh.consume(r.dataFrame);
    }
}
