package org.lacd.lab.lab;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's network: one namespace for the subscribers, one for lacd, one per emulated LNS, joined by veth pairs.
 *
 * <pre>
 *  [prefix-sub] sub0 ==== acc0 [prefix-lac] l2tp-a1 ==== eth0 [prefix-a1]  198.18.1.1/24 -- 198.18.1.2/24
 *                                           l2tp-a2 ==== eth0 [prefix-a2]  198.18.2.1/24 -- 198.18.2.2/24
 *                                           l2tp-b1 ==== eth0 [prefix-b1]  198.18.3.1/24 -- 198.18.3.2/24
 *                                           l2tp-b2 ==== eth0 [prefix-b2]  198.18.4.1/24 -- 198.18.4.2/24
 * </pre>
 *
 * Addresses come from 198.18.0.0/15 (RFC 2544 benchmarking) and exist only inside these namespaces. Interface names
 * are created directly inside the namespaces, so two labs on one machine never collide (namespace names carry the
 * prefix: pid and a counter). IPv6 is off in every lab namespace (no router solicitations in the captures);
 * loopback is up in each (FreeRADIUS, metrics and the management API listen on 127.0.0.1 in the lacd namespace).
 * {@link #close()} kills whatever still runs in the namespaces and deletes them; it is idempotent and also runs from
 * a shutdown hook.
 */
public final class Topology implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Topology.class);
    private static final AtomicInteger COUNTER = new AtomicInteger();
    /** Name prefix of every namespace any lab creates (for stale-namespace checks). */
    public static final String NAME_ROOT = "lacd-";

    /** Subscriber-side interface (in the subscriber namespace) and lacd's access interface. */
    public static final String SUB_IF = "sub0";
    public static final String ACCESS_IF = "acc0";
    /** The second lacd's access interface in a two-box topology ({@link #create(String, boolean, boolean)}). */
    public static final String ACCESS_IF_2 = "acc1";
    /** The bridge joining the subscribers and both boxes in a two-box topology (in the lacd namespace). */
    public static final String BRIDGE = "br-access";

    /** One emulated LNS: its namespace, lacd's interface toward it and both addresses. */
    public record LnsNode(String name, String reseller, String namespace, String lacInterface, String lacAddress, String address) {}

    private final String prefix;
    private final String subNs;
    private final String lacNs;
    private final Map<String, LnsNode> lns = new LinkedHashMap<>();
    private final List<String> created = new ArrayList<>();
    private final Thread hook;
    private final boolean twoBoxes;
    private volatile boolean closed;

    private Topology(String prefix, boolean withHook, boolean twoBoxes) {
        this.prefix = prefix;
        this.twoBoxes = twoBoxes;
        this.subNs = prefix + "-sub";
        this.lacNs = prefix + "-lac";
        this.hook = withHook ? new Thread(this::close, "lab-topology-teardown") : null;
    }

    /** A fresh unique prefix: {@code lacd-<pid>-<n>}. */
    public static String uniquePrefix() {
        return NAME_ROOT + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
    }

    /**
     * Builds the topology with LNS names {@code lns-a1, lns-a2, lns-b1, lns-b2}. With {@code withHook} a JVM shutdown
     * hook removes it (owners that stop their processes first, like {@link Lab}, register their own hook instead).
     */
    public static Topology create(String prefix, boolean withHook) {
        return create(prefix, withHook, false);
    }

    /**
     * With {@code twoBoxes}, the access side is one segment for two lacd instances (issue 19), both in the lacd
     * namespace: a bridge there joins the subscribers' veth and the veths of {@link #ACCESS_IF} and
     * {@link #ACCESS_IF_2}, so every PADI reaches both boxes and the subscriber takes the first PADO.
     * <pre>
     *  [prefix-sub] sub0 ==== sub-up ─┐
     *                                 [BRIDGE] ─ acc0-br ==== acc0 (lacd 1)
     *                                          └ acc1-br ==== acc1 (lacd 2)     all three in [prefix-lac]
     * </pre>
     */
    public static Topology create(String prefix, boolean withHook, boolean twoBoxes) {
        Topology t = new Topology(prefix, withHook, twoBoxes);
        if (withHook) {
            Runtime.getRuntime().addShutdownHook(t.hook);
        }
        try {
            t.build();
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    public static Topology create() {
        return create(uniquePrefix(), true);
    }

    private void build() {
        for (String ns : List.of(subNs, lacNs)) {
            addNamespace(ns);
        }
        String[][] plan = {{"lns-a1", "a"}, {"lns-a2", "a"}, {"lns-b1", "b"}, {"lns-b2", "b"}};
        for (int i = 0; i < plan.length; i++) {
            String short_ = plan[i][0].substring(4);
            LnsNode n = new LnsNode(plan[i][0], plan[i][1], prefix + "-" + short_, "l2tp-" + short_,
                    "198.18." + (i + 1) + ".1", "198.18." + (i + 1) + ".2");
            addNamespace(n.namespace());
            lns.put(n.name(), n);
        }
        // access link: PPPoE only, no addresses
        if (twoBoxes) {
            Sh.check("ip", "-n", lacNs, "link", "add", BRIDGE, "type", "bridge");
            Sh.check("ip", "-n", subNs, "link", "add", SUB_IF, "type", "veth", "peer", "name", "sub-up", "netns", lacNs);
            Sh.check("ip", "-n", lacNs, "link", "add", ACCESS_IF, "type", "veth", "peer", "name", ACCESS_IF + "-br");
            Sh.check("ip", "-n", lacNs, "link", "add", ACCESS_IF_2, "type", "veth", "peer", "name", ACCESS_IF_2 + "-br");
            for (String port : List.of("sub-up", ACCESS_IF + "-br", ACCESS_IF_2 + "-br")) {
                Sh.check("ip", "-n", lacNs, "link", "set", port, "master", BRIDGE);
                Sh.check("ip", "-n", lacNs, "link", "set", port, "up");
            }
            Sh.check("ip", "-n", lacNs, "link", "set", ACCESS_IF_2, "up");
            Sh.check("ip", "-n", lacNs, "link", "set", BRIDGE, "up");
        } else {
            Sh.check("ip", "-n", subNs, "link", "add", SUB_IF, "type", "veth", "peer", "name", ACCESS_IF, "netns", lacNs);
        }
        Sh.check("ip", "-n", subNs, "link", "set", SUB_IF, "up");
        Sh.check("ip", "-n", lacNs, "link", "set", ACCESS_IF, "up");
        for (LnsNode n : lns.values()) {
            Sh.check("ip", "-n", lacNs, "link", "add", n.lacInterface(), "type", "veth", "peer", "name", "eth0", "netns", n.namespace());
            Sh.check("ip", "-n", lacNs, "addr", "add", n.lacAddress() + "/24", "dev", n.lacInterface());
            Sh.check("ip", "-n", n.namespace(), "addr", "add", n.address() + "/24", "dev", "eth0");
            Sh.check("ip", "-n", lacNs, "link", "set", n.lacInterface(), "up");
            // a veth passes lacd's UDP GSO runs (l2tp.udp-gso) to the LNS namespace whole; a NIC cuts them into
            // datagrams before the wire. Segment here, as a NIC without UDP segmentation offload does (in software,
            // just before the driver), so that captures, nftables counters and the LNS see the datagrams on the wire.
            Sh.check("ip", "netns", "exec", lacNs, "ethtool", "-K", n.lacInterface(), "tx-udp-segmentation", "off");
            Sh.check("ip", "-n", n.namespace(), "link", "set", "eth0", "up");
        }
        LOG.info("lab topology {}: namespaces {}", prefix, created);
    }

    private void addNamespace(String ns) {
        Sh.check("ip", "netns", "add", ns);
        created.add(ns);
        Sh.check("ip", "-n", ns, "link", "set", "lo", "up");
        Sh.run(10, List.of("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
                "net.ipv6.conf.default.disable_ipv6=1"));
    }

    public String prefix() { return prefix; }

    /** True when the access side is a bridge with room for a second lacd ({@link #ACCESS_IF_2}). */
    public boolean twoBoxes() { return twoBoxes; }

    public String subscriberNamespace() { return subNs; }

    public String lacdNamespace() { return lacNs; }

    public Map<String, LnsNode> lns() { return lns; }

    public LnsNode lns(String name) {
        LnsNode n = lns.get(name);
        if (n == null) {
            throw new IllegalArgumentException("no LNS " + name + " in the lab (have " + lns.keySet() + ")");
        }
        return n;
    }

    public List<String> namespaces() { return List.copyOf(created); }

    /** {@code ip netns exec NS}: the prefix that runs a command inside a namespace. */
    public static List<String> in(String ns) {
        return List.of("ip", "netns", "exec", ns);
    }

    /** Runs a short command in a namespace. */
    public Sh.Result exec(String ns, int timeoutSeconds, String... cmd) {
        return Sh.run(timeoutSeconds, Sh.concat(in(ns), cmd));
    }

    /** Namespaces on this machine whose name starts with {@code prefix}. */
    public static List<String> namespacesStartingWith(String prefix) {
        List<String> out = new ArrayList<>();
        for (String line : Sh.run("ip", "netns", "list").out().split("\n")) {
            String name = line.strip().split("\\s+")[0];
            if (!name.isEmpty() && name.startsWith(prefix)) {
                out.add(name);
            }
        }
        return out;
    }

    /** Kills what still runs inside a namespace (only processes of this lab live there), deletes it and its /etc/netns/NS. */
    static void deleteNamespace(String ns) {
        for (String pid : Sh.run("ip", "netns", "pids", ns).out().split("\\s+")) {
            if (pid.matches("\\d+")) {
                Sh.run("kill", "-KILL", pid);
            }
        }
        Sh.Result r = Sh.run("ip", "netns", "del", ns);
        if (!r.ok() && namespacesStartingWith(ns).contains(ns)) {
            LOG.warn("could not delete namespace {}: {}", ns, r.out().strip());
        }
        // per-namespace /etc files a real peer was given (ip netns exec bind-mounts /etc/netns/NS/X over /etc/X)
        if (ns.startsWith(NAME_ROOT) && !ns.contains("/")) {
            Sh.run("rm", "-rf", "--", "/etc/netns/" + ns);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = created.size() - 1; i >= 0; i--) {
            deleteNamespace(created.get(i));
        }
        LOG.info("lab topology {} removed", prefix);
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // running from the hook itself
            }
        }
    }
}
