package org.lacd.lab.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A strongSwan charon of its own in one lab namespace (L2TP/IPsec, issue 17): own strongswan.conf (via
 * {@code STRONGSWAN_CONF}), own VICI socket, and its pid file on a private {@code /run} (charon 5.9 writes
 * {@code /var/run/charon.pid} and has no option to move it; {@code ip netns exec} gives each a mount namespace, where
 * a bind mount over {@code /run} stays private). ESP runs in userspace through the {@code kernel-libipsec} plugin over
 * a TUN device: the kernels of these machines have XFRM but no ESP. libipsec forces UDP encapsulation (ESP in UDP 4500)
 * and does tunnel mode only; host-to-host tunnel mode with traffic selectors on the peers' own addresses works with
 * {@code allow_peer_ts} and a firewall mark that keeps charon's own IKE/ESP packets out of the TUN routes.
 */
public final class StrongSwan implements AutoCloseable {
    /** The IKE/ESP proposals are charon's defaults; the PSK is the lab's, never a real one. */
    public static final String PSK = "lacd-lab-psk-not-secret-0123456789";
    public static final String CHARON = "/usr/lib/ipsec/charon";
    /** Plugins charon loads (load_modular off: only these). kdf is needed by 5.9.8 for the IKE key derivation. */
    static final String PLUGINS = "random nonce aes sha1 sha2 hmac gcm pem pkcs1 x509 openssl kdf kernel-libipsec kernel-netlink socket-default vici";

    /**
     * One swanctl connection with one child: {@code localTs}/{@code remoteTs} are swanctl traffic selectors such as
     * {@code 198.18.1.1/32[udp]}.
     */
    public record Connection(String name, String child, String local, String remote, String localTs, String remoteTs) {}

    private final String name;
    private final String namespace;
    private final Path dir;
    private final LabProcess charon;

    private StrongSwan(String name, String namespace, Path dir, LabProcess charon) {
        this.name = name;
        this.namespace = namespace;
        this.dir = dir;
        this.charon = charon;
    }

    /** What a strongSwan lab needs; null when everything is there. */
    public static String missingPrerequisite() {
        for (String b : List.of(CHARON, "/usr/sbin/swanctl", "/usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so",
                "/usr/lib/ipsec/plugins/libstrongswan-vici.so", "/usr/lib/ipsec/plugins/libstrongswan-openssl.so", "/dev/net/tun")) {
            if (!Files.exists(Path.of(b))) {
                return b + " missing (test-lab/install-deps.sh installs strongswan-charon, strongswan-swanctl, libcharon-extra-plugins,"
                        + " libstrongswan-standard-plugins)";
            }
        }
        return null;
    }

    /**
     * Writes the config into {@code dir}, starts charon in {@code namespace}, waits for its VICI socket and loads the
     * connections and the PSK with swanctl. Nothing is initiated: lacd brings the SA up on demand.
     */
    public static StrongSwan start(String name, String namespace, Path dir, List<Connection> connections) {
        try {
            Files.createDirectories(dir.resolve("run"));
            Path vici = dir.resolve("charon.vici");
            Files.deleteIfExists(vici);
            Files.writeString(dir.resolve("strongswan.conf"), """
                charon {
                  load_modular = no
                  load = %s
                  install_virtual_ip = no
                  # a dead peer is found out within seconds (DPD every 2 s, then 1 s, 1.4 s, 2 s of retransmissions)
                  retransmit_tries = 2
                  retransmit_timeout = 1.0
                  retransmit_base = 1.4
                  plugins {
                    vici { socket = unix://%s }
                    kernel-libipsec { allow_peer_ts = yes }
                    socket-default { fwmark = 0x4c }
                    kernel-netlink { fwmark = !0x4c }
                  }
                  filelog {
                    log { path = %s
                      default = 1
                      ike = 2
                      cfg = 2 }
                  }
                }
                """.formatted(PLUGINS, vici, dir.resolve("charon.log")));
            StringBuilder c = new StringBuilder("connections {\n");
            List<String> ids = new ArrayList<>();
            for (Connection k : connections) {
                c.append("""
                      %s {
                        version = 2
                        local_addrs = %s
                        remote_addrs = %s
                        dpd_delay = 2s
                        local { auth = psk
                          id = %s }
                        remote { auth = psk
                          id = %s }
                        children {
                          %s {
                            local_ts = %s
                            remote_ts = %s
                            mode = tunnel
                            start_action = none
                            dpd_action = clear
                          }
                        }
                      }
                    """.formatted(k.name(), k.local(), k.remote(), k.local(), k.remote(), k.child(), k.localTs(), k.remoteTs()));
                ids.add(k.local());
                ids.add(k.remote());
            }
            c.append("}\nsecrets {\n  ike-lab {\n");
            for (int i = 0; i < ids.size(); i++) {
                c.append("    id-").append(i).append(" = ").append(ids.get(i)).append('\n');
            }
            c.append("    secret = \"").append(PSK).append("\"\n  }\n}\n");
            Files.writeString(dir.resolve("swanctl.conf"), c.toString());
            LabProcess p = LabProcess.start("charon " + name, namespace, List.of("sh", "-c",
                    "mount --bind " + dir.resolve("run") + " /run && exec env STRONGSWAN_CONF=" + dir.resolve("strongswan.conf") + " " + CHARON),
                    dir.resolve("charon.out"));
            StrongSwan s = new StrongSwan(name, namespace, dir, p);
            if (!LabProcess.await(Duration.ofSeconds(20), () -> !p.alive() || Files.exists(vici))) {
                s.close();
                throw new LabException("charon " + name + " made no VICI socket in 20 s:\n" + p.tail(20));
            }
            if (!p.alive()) {
                throw new LabException("charon " + name + " exited:\n" + p.tail(20));
            }
            Sh.Result r = s.swanctl("--load-all", "--file", dir.resolve("swanctl.conf").toString());
            if (!r.ok() || !r.out().contains("successfully loaded " + connections.size() + " connections")) {
                s.close();
                throw new LabException("swanctl --load-all for " + name + ": " + r.out());
            }
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted");
        }
    }

    public Path vici() {
        return dir.resolve("charon.vici");
    }

    public LabProcess process() {
        return charon;
    }

    /** swanctl against this charon (its own VICI socket). */
    public Sh.Result swanctl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace, "swanctl"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--uri", "unix://" + vici()));
        return Sh.run(30, cmd);
    }

    /** The installed CHILD_SAs, as {@code swanctl --list-sas} prints them. */
    public String listSas() {
        return swanctl("--list-sas").out();
    }

    /** SIGKILL: the IPsec peer is gone without a word (no IKE delete). */
    public void kill() {
        charon.kill();
    }

    @Override
    public void close() {
        charon.stop(Duration.ofSeconds(5));
    }

    @Override
    public String toString() {
        return "charon " + name + " in " + namespace;
    }
}
