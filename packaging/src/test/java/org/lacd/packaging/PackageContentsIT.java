package org.lacd.packaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.testsupport.RealPeer;
import org.lacd.testsupport.Peers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .deb as built by `mvn package`: extracted with dpkg-deb into temp dirs and checked file by
 * file (modes and owners from the archive listing, contents against the sources), control fields,
 * conffiles, maintainer scripts, and the packaged unit through systemd-analyze verify.
 */
@RealPeer
class PackageContentsIT {
    @TempDir
    static Path tmp;
    static Path deb;
    static Path root;
    static Path control;
    /** path (without the leading ".") -> "mode owner/group" from the archive listing. */
    static Map<String, String> listing;

    @BeforeAll
    static void extract() throws IOException {
        Peers.require(Proc.onPath("dpkg-deb"), "dpkg-deb not installed");
        deb = Build.deb();
        root = Files.createDirectory(tmp.resolve("root"));
        control = tmp.resolve("DEBIAN");
        Proc.ok("dpkg-deb", "-x", deb.toString(), root.toString());
        Proc.ok("dpkg-deb", "-e", deb.toString(), control.toString());
        listing = new LinkedHashMap<>();
        for (String line : Proc.ok("dpkg-deb", "-c", deb.toString()).stdout().split("\n")) {
            String[] f = line.trim().split("\\s+");
            // -rwxr-xr-x root/root 2625 2026-11-21 02:21 ./usr/bin/lacd
            if (f.length >= 6) {
                listing.put(f[5].substring(1), f[0] + " " + f[1]);
            }
        }
    }

    @Test
    void filesModesAndOwners() throws IOException {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("/usr/bin/lacd", "-rwxr-xr-x root/root");
        expected.put("/usr/share/lacd/lacd.jar", "-rw-r--r-- root/root");
        expected.put("/etc/lacd/lacd.yaml", "-rw-r----- root/root"); // postinst makes it root:lacd 0640
        expected.put("/etc/default/lacd", "-rw-r--r-- root/root");
        expected.put("/lib/systemd/system/lacd.service", "-rw-r--r-- root/root");
        for (var e : expected.entrySet()) {
            assertEquals(e.getValue(), listing.get(e.getKey()), e.getKey());
        }
        // Nothing setuid/setgid, nothing world-writable, everything owned by root.
        for (var e : listing.entrySet()) {
            String mode = e.getValue().split(" ")[0];
            assertTrue(mode.matches("[-d][-r][-w][-x][-r][-w-][-x][-r]-[-x]"), e.getKey() + " " + mode);
            assertTrue(e.getValue().endsWith(" root/root"), e.getKey() + " " + e.getValue());
        }
        assertArrayEquals(Files.readAllBytes(Build.unit()), Files.readAllBytes(root.resolve("lib/systemd/system/lacd.service")));
        assertArrayEquals(Files.readAllBytes(Build.sampleConfig()), Files.readAllBytes(root.resolve("etc/lacd/lacd.yaml")));
        assertArrayEquals(Files.readAllBytes(Build.basedir().resolve("src/bin/lacd")), Files.readAllBytes(root.resolve("usr/bin/lacd")));
        assertTrue(Files.readString(root.resolve("etc/default/lacd")).contains("JAVA_OPTS="));
    }

    /** Debian policy 12.5 and 12.7: the copyright file and a gzipped changelog; the main README as the doc. */
    @Test
    void docsAreTheMainReadmeCopyrightAndChangelog() throws IOException {
        java.nio.file.Path doc = root.resolve("usr/share/doc/lacd");
        assertArrayEquals(Files.readAllBytes(Build.basedir().resolve("../README.md")), Files.readAllBytes(doc.resolve("README.md")),
                "the project's main README");
        assertArrayEquals(Files.readAllBytes(Build.basedir().resolve("README.md")), Files.readAllBytes(doc.resolve("README.packaging.md")));
        String copyright = Files.readString(doc.resolve("copyright"));
        assertTrue(copyright.startsWith("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"), copyright);
        for (String bundled : new String[] {"io.netty", "net.java.dev.jna", "org.pcap4j", "ch.qos.logback", "org.yaml:snakeyaml"}) {
            assertTrue(copyright.contains(bundled), "copyright names the bundled " + bundled);
        }
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(doc.resolve("changelog.gz")))) {
            String changelog = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(changelog.matches("(?s)lacd \\([0-9][^)]*\\) [a-z]+; urgency=[a-z]+\n.*\n -- .+ <.+>  .+\n"), changelog);
        }
    }

    @Test
    void jarIsTheShadedDaemon() throws IOException {
        try (JarFile jar = new JarFile(root.resolve("usr/share/lacd/lacd.jar").toFile())) {
            assertEquals("org.lacd.daemon.Main", jar.getManifest().getMainAttributes().getValue("Main-Class"));
            assertNotNull(jar.getEntry("org/lacd/daemon/Main.class"));
            assertNotNull(jar.getEntry("picocli/CommandLine.class"), "dependencies are shaded in");
        }
    }

    @Test
    void conffiles() throws IOException {
        List<String> conffiles = Files.readAllLines(control.resolve("conffiles")).stream()
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
        assertEquals(Set.of("/etc/lacd/lacd.yaml", "/etc/default/lacd"), Set.copyOf(conffiles));
        for (String c : conffiles) {
            assertTrue(Files.isRegularFile(root.resolve(c.substring(1))), c + " is in the package");
        }
    }

    @Test
    void controlFields() {
        Map<String, String> f = new HashMap<>();
        for (String key : List.of("Package", "Version", "Architecture", "Depends", "Maintainer", "Description")) {
            f.put(key, Proc.ok("dpkg-deb", "-f", deb.toString(), key).stdout().strip());
        }
        assertEquals("lacd", f.get("Package"));
        assertTrue(f.get("Version").startsWith(Build.debianVersionPrefix()), f.get("Version"));
        assertTrue(f.get("Version").matches("[0-9][A-Za-z0-9.+~]*"), "valid Debian version without revision: " + f.get("Version"));
        assertEquals("amd64", f.get("Architecture"));
        List<String> depends = List.of(f.get("Depends").split("\\s*,\\s*"));
        assertTrue(depends.contains("default-jre-headless (>= 2:1.17) | java17-runtime-headless"), f.get("Depends"));
        assertTrue(depends.stream().anyMatch(d -> d.matches("libpcap0\\.8( \\|.*)?")), f.get("Depends"));
        assertTrue(depends.contains("adduser"), "postinst runs adduser: " + f.get("Depends"));
        assertTrue(f.get("Maintainer").matches(".+ <[^ @]+@[^ >]+>"), f.get("Maintainer"));
        // A SNAPSHOT version sorts below the release.
        String release = Build.version().replace("-SNAPSHOT", "");
        if (!release.equals(Build.version())) {
            assertEquals(0, Proc.run(List.of("dpkg", "--compare-versions", f.get("Version"), "lt", release)).exitCode());
        }
    }

    @Test
    void maintainerScripts() throws IOException {
        for (String s : List.of("postinst", "prerm", "postrm")) {
            Path script = control.resolve(s);
            assertTrue(Files.isExecutable(script), s + " executable");
            String text = Files.readString(script);
            assertTrue(text.startsWith("#!/bin/sh\n"), s);
            assertTrue(text.contains("\nset -e\n"), s + " uses set -e");
            Proc.ok("sh", "-n", script.toString());
            // systemctl only when systemd runs: every systemctl call sits under the /run/systemd/system test.
            assertSystemctlGuarded(s, text);
        }
        String postinst = Files.readString(control.resolve("postinst"));
        assertTrue(postinst.contains("adduser --system") && postinst.contains("useradd --system"), "creates a system user");
        assertTrue(postinst.contains("install -d -o \"$LACD_USER\" -g \"$LACD_USER\" -m 0750 \"$LACD_HOME\""));
        assertTrue(postinst.contains("LACD_HOME=/var/lib/lacd"));
        assertTrue(postinst.contains("deb-systemd-helper"));
        String prerm = Files.readString(control.resolve("prerm"));
        assertTrue(prerm.contains("systemctl stop lacd.service"));
        String postrm = Files.readString(control.resolve("postrm"));
        assertTrue(postrm.contains("purge)") && postrm.contains("rm -rf -- \"$LACD_HOME\""));
    }

    static void assertSystemctlGuarded(String name, String text) {
        boolean guarded = false;
        int depth = 0;
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (l.startsWith("if [ -d /run/systemd/system ]")) {
                guarded = true;
                depth = 0;
            }
            if (guarded) {
                if (l.startsWith("if ")) {
                    depth++;
                } else if (l.equals("fi")) {
                    if (--depth == 0) {
                        guarded = false;
                    }
                }
            } else if (l.startsWith("systemctl")) {
                throw new AssertionError(name + ": systemctl outside the /run/systemd/system guard: " + l);
            }
        }
    }

    @Test
    void unitInThePackageVerifies() throws IOException {
        Peers.require(Proc.onPath("systemd-analyze"), "systemd-analyze not installed");
        Path dir = Files.createDirectories(tmp.resolve("verify"));
        Proc p = SystemdUnitTest.verify(dir, "lacd.service",
                Files.readString(root.resolve("lib/systemd/system/lacd.service")), root.resolve("usr/bin/lacd"));
        assertEquals(0, p.exitCode(), p.stderr());
        assertEquals(List.of(), SystemdUnitTest.lacdLines(p));
    }
}
