package org.lacd.lab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.testsupport.RealPeer;
import org.lacd.testsupport.Peers;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The lab's namespaces and links: two topologies side by side do not collide, each LNS is routed over its own veth, nothing is left. */
@RealPeer
class TopologyTest {
    static final String ROOT = Topology.uniquePrefix();

    @AfterAll
    static void nothingLeft() {
        assertEquals(List.of(), Topology.namespacesStartingWith(ROOT), "namespaces left behind");
    }

    @Test
    void twoTopologiesSideBySideThenGone() {
        Peers.require("root".equals(System.getProperty("user.name")) && Sh.have("ip"), "needs root and iproute2");
        Peers.require(Sh.run("ip", "netns", "list").ok(), "ip netns unavailable");
        try (Topology a = Topology.create(ROOT + "-a", false); Topology b = Topology.create(ROOT + "-b", false)) {
            assertEquals(6, a.namespaces().size());
            assertEquals(6, Topology.namespacesStartingWith(ROOT + "-b-").size());
            for (Topology t : List.of(a, b)) {
                String links = t.exec(t.lacdNamespace(), 10, "ip", "-br", "link").out();
                assertTrue(links.contains(Topology.ACCESS_IF) && links.contains("l2tp-a1") && links.contains("l2tp-b2"), links);
                for (Topology.LnsNode n : t.lns().values()) {
                    String addr = t.exec(n.namespace(), 10, "ip", "-br", "addr", "show", "eth0").out();
                    assertTrue(addr.contains(n.address() + "/24") && addr.contains("UP"), addr);
                    // lacd's namespace routes each LNS address over its own veth
                    String route = t.exec(t.lacdNamespace(), 10, "ip", "route", "get", n.address()).out();
                    assertTrue(route.contains("dev " + n.lacInterface()) && route.contains("src " + n.lacAddress()), route);
                }
                assertTrue(t.exec(t.subscriberNamespace(), 10, "ip", "-br", "link", "show", Topology.SUB_IF).out().contains("UP"));
            }
        }
        assertEquals(List.of(), Topology.namespacesStartingWith(ROOT));
    }
}
