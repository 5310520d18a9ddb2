package org.lacd.lab.lab;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A {@link Lab} whose LNS lns-a1 sits behind a strongSwan peer (issue 17): a charon in lacd's namespace and one in
 * lns-a1's, host-to-host tunnel mode over the lab's link (userspace ESP), and lacd restarted with lns-a1 requiring IPsec
 * through connection {@value #CONNECTION}, child {@value #CHILD}. lns-a2, the next preference of reseller A, stays
 * in clear. Shared by IpsecLabTest and {@link IpsecForwardingBenchmark}.
 */
public final class IpsecLab implements AutoCloseable {
    public static final String LNS = "lns-a1";
    public static final String CONNECTION = "lns-a1";
    public static final String CHILD = "l2tp";

    private final Lab lab;
    private final StrongSwan lac;
    private final StrongSwan peer;

    private IpsecLab(Lab lab, StrongSwan lac, StrongSwan peer) {
        this.lab = lab;
        this.lac = lac;
        this.peer = peer;
    }

    /** Starts both charons (nothing initiated) and restarts lacd with lns-a1 requiring IPsec. */
    public static IpsecLab start(Lab lab) throws IOException {
        Topology.LnsNode a1 = lab.topology().lns(LNS);
        // UDP without a port: with kernel-libipsec the SA sees L2TP after IP fragmentation (its TUN has MTU 1400, a
        // 1400-byte subscriber packet makes a ~1450-byte datagram), and a non-first fragment carries no port, so a
        // selector with [udp/1701] drops it (measured: 100 % loss at 1400 B). Kernel transport mode matches the policy
        // before fragmenting and can take [udp/1701].
        String lacTs = a1.lacAddress() + "/32[udp]";
        String lnsTs = a1.address() + "/32[udp]";
        StrongSwan lac = StrongSwan.start("lac", lab.topology().lacdNamespace(), lab.dir().resolve("ipsec-lac"),
                List.of(new StrongSwan.Connection(CONNECTION, CHILD, a1.lacAddress(), a1.address(), lacTs, lnsTs)));
        StrongSwan peer;
        try {
            peer = StrongSwan.start(LNS, a1.namespace(), lab.dir().resolve("ipsec-" + LNS),
                    List.of(new StrongSwan.Connection("lac", CHILD, a1.address(), a1.lacAddress(), lnsTs, lacTs)));
        } catch (RuntimeException e) {
            lac.close();
            throw e;
        }
        IpsecLab l = new IpsecLab(lab, lac, peer);
        try {
            lab.stopLacd(Duration.ofSeconds(10));
            lab.restartLacdWithConfig(config(lab.lacdConfig(), a1, lac.vici()));
        } catch (IOException | RuntimeException e) {
            l.close();
            throw e;
        }
        return l;
    }

    /** The lab's config with lns-a1 requiring IPsec through {@value #CONNECTION}/{@value #CHILD} and lacd's VICI socket. */
    static String config(String cfg, Topology.LnsNode a1, Path vici) {
        String profile = "    - name: " + LNS + "\n      address: " + a1.address() + "\n";
        if (!cfg.contains(profile) || !cfg.contains("\n  lns:\n")) {
            throw new LabException("unexpected lab config layout:\n" + cfg);
        }
        return cfg.replace(profile, profile + "      ipsec: required\n      ipsec-connection: " + CONNECTION + "\n      ipsec-child: " + CHILD + "\n")
                .replace("\n  lns:\n", "\n  ipsec-vici: " + vici + "\n  lns:\n");
    }

    public StrongSwan lacCharon() { return lac; }

    public StrongSwan peerCharon() { return peer; }

    public Topology.LnsNode lns() { return lab.topology().lns(LNS); }

    /** Stops both charons (the lab itself is the caller's). */
    @Override
    public void close() {
        try {
            peer.close();
        } finally {
            lac.close();
        }
    }
}
