package org.lacd.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.testsupport.RealPeer;
import org.lacd.testsupport.Peers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Installs the .deb for real with dpkg into a throw-away root (an overlay of this host's / in a
 * private mount namespace, see src/test/sh/install-in-overlay.sh), so the maintainer scripts run:
 * user and group, /var/lib/lacd, the config's statoverride, the unit verified where it is
 * installed, a reinstall that keeps the data, and a purge. Needs root, unshare and overlayfs;
 * skipped otherwise. Nothing of it survives on the host.
 */
@RealPeer
class PackageInstallIT {
    @TempDir
    static Path tmp;
    static Map<String, String> r;

    @BeforeAll
    static void install() throws IOException {
        Peers.require(Proc.onPath("dpkg") && Proc.onPath("unshare") && Proc.onPath("chroot"), "dpkg, unshare or chroot missing");
        Peers.require(Proc.isRoot(), "needs root (mount namespace, overlayfs, chroot)");
        Proc probe = Proc.run(List.of("unshare", "--mount", "--propagation", "private", "true"));
        Peers.require(probe.exitCode() == 0, "no mount namespaces here: " + probe.stderr());
        Path scratch = Files.createDirectory(tmp.resolve("scratch"));
        Path script = Build.basedir().resolve("src/test/sh/install-in-overlay.sh");
        Proc p = Proc.run(List.of("unshare", "--mount", "--propagation", "private",
                "sh", script.toString(), Build.deb().toString(), scratch.toString()));
        Peers.require(p.exitCode() != 77, "cannot mount an overlay root here: " + p.stderr());
        assertEquals(0, p.exitCode(), p.stdout() + p.stderr());
        r = new LinkedHashMap<>();
        for (String line : p.stdout().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                r.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
    }

    @Test
    void installsAndRunsPostinst() {
        assertEquals("no", r.get("systemd_running_in_root"));
        assertEquals("absent", r.get("user_before"));
        assertEquals("ok", r.get("install"));
        assertEquals("install ok installed", r.get("status"));
    }

    @Test
    void createsTheSystemUserAndStateDir() {
        String[] pw = r.get("user").split(":");
        assertEquals("lacd", pw[0], r.get("user"));
        assertTrue(Integer.parseInt(pw[2]) < 1000, "system uid: " + r.get("user"));
        assertEquals("/var/lib/lacd", pw[5]);
        assertEquals("/usr/sbin/nologin", pw[6]);
        assertTrue(r.get("group").startsWith("lacd:"), r.get("group"));
        assertEquals("lacd:lacd 750", r.get("state_dir"));
    }

    @Test
    void configIsAConffileReadableByLacdOnly() {
        assertEquals("root:lacd 640", r.get("config_stat"));
        assertEquals("root lacd 640 /etc/lacd/lacd.yaml", r.get("config_override"));
        assertTrue(r.get("conffiles").contains("/etc/lacd/lacd.yaml "), r.get("conffiles"));
        assertTrue(r.get("conffiles").contains("/etc/default/lacd "), r.get("conffiles"));
    }

    @Test
    void installedLauncherRunsAsLacd() {
        assertEquals("ok", r.get("help_as_lacd"));
    }

    /** The installed launcher, run as lacd, validates the installed sample config; nobody cannot read it. */
    @Test
    void lacdUserReadsTheConfigOthersDoNot() {
        String asLacd = r.get("check_config_as_lacd");
        assertTrue(asLacd.startsWith("0 ") && asLacd.contains("OK"), asLacd);
        String asNobody = r.get("check_config_as_nobody");
        assertTrue(!asNobody.startsWith("0 ") && asNobody.contains("/etc/lacd/lacd.yaml"), asNobody);
    }

    @Test
    void installedUnitVerifies() {
        assertEquals("0", r.get("verify_rc"));
        assertEquals("", r.get("verify_lacd_lines").strip());
    }

    @Test
    void reinstallKeepsData() {
        assertEquals("ok", r.get("reinstall"));
        assertEquals("present", r.get("marker_after_reinstall"));
    }

    @Test
    void purgeRemovesFilesDataAndOverrideButKeepsTheUser() {
        assertEquals("ok", r.get("purge"));
        assertEquals("absent", r.get("launcher_after_purge"));
        assertEquals("absent", r.get("config_after_purge"));
        assertEquals("absent", r.get("state_dir_after_purge"));
        assertEquals("none", r.get("override_after_purge"));
        assertEquals("present", r.get("user_after_purge"));
    }
}
