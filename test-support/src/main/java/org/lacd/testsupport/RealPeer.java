package org.lacd.testsupport;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Marks a test (class or method) that needs a real peer or host facility: FreeRADIUS, radclient, xl2tpd, rp-pppoe,
 * tshark, nftables, network namespaces, l2tpns, promtool, gcc, systemd-analyze, dpkg. It carries the JUnit tag
 * {@value #TAG}, so the fast unit set runs alone with {@code mvn verify -DexcludedGroups=peer} and the peers alone
 * with {@code -Dgroups=peer}. Such a test checks its peer with {@link Peers#require}: under CI a missing peer fails it.
 * {@link RealPeerLog} records how each of them ended in {@code target/real-peer-tests.log}.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag(RealPeer.TAG)
public @interface RealPeer {
    /** The JUnit tag: what {@code -DexcludedGroups} / {@code -Dgroups} name. */
    String TAG = "peer";
}
