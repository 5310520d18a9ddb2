package org.lacd.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tarball as built by `mvn package`: its layout, and its launcher run from an extracted copy. */
class TarballIT {
    @TempDir
    static Path tmp;

    @Test
    void tarballLayout() {
        String top = "lacd-" + Build.version() + "/";
        Map<String, String> entries = new HashMap<>();
        for (String line : Proc.ok("tar", "-tvzf", Build.tarball().toString()).stdout().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 6) {
                entries.put(f[5], f[0]);
            }
        }
        assertEquals("-rwxr-xr-x", entries.get(top + "bin/lacd"));
        assertEquals("-rw-r--r--", entries.get(top + "lib/lacd.jar"));
        assertEquals("-rw-r-----", entries.get(top + "etc/lacd.yaml"));
        assertEquals("-rw-r--r--", entries.get(top + "etc/lacd.env"));
        assertEquals("-rw-r--r--", entries.get(top + "systemd/lacd.service"));
        assertTrue(entries.containsKey(top + "grafana/lacd-dashboard.json"));
        assertTrue(entries.containsKey(top + "prometheus/lacd-alerts.yml"));
        for (String e : entries.keySet()) {
            assertTrue(e.startsWith(top), "everything under " + top + ": " + e);
        }
    }

    /** The launcher from the extracted tarball: --help, JAVA_OPTS, the env file and a symlinked launcher. */
    @Test
    void tarballLauncherRuns() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("tar"));
        Proc.ok("tar", "-xzf", Build.tarball().toString(), "-C", dir.toString());
        Path home = dir.resolve("lacd-" + Build.version());
        Path bin = home.resolve("bin/lacd");
        Map<String, String> noOpts = Map.of("LACD_ENV_FILE", "/dev/null");

        Proc help = Proc.run(List.of(bin.toString(), "--help"), noOpts, dir);
        assertEquals(0, help.exitCode(), help.stderr());
        assertTrue(help.stdout().contains("Usage: lacd"), help.stdout());

        // JAVA_OPTS reaches the JVM (shown by -XshowSettings:properties), and so does the jar path.
        Proc opts = Proc.run(List.of(bin.toString(), "--version"),
                Map.of("LACD_ENV_FILE", "/dev/null", "JAVA_OPTS", "-XshowSettings:properties -Dlacd.it.marker=from-env"), dir);
        assertEquals(0, opts.exitCode(), opts.stderr());
        assertTrue(opts.stderr().contains("lacd.it.marker = from-env"), opts.stderr());
        assertTrue(opts.stderr().contains("java.class.path = " + home.toRealPath().resolve("lib/lacd.jar")), opts.stderr());

        // The env file supplies JAVA_OPTS when the caller sets none ...
        Path envFile = dir.resolve("env");
        Files.writeString(envFile, "JAVA_OPTS=\"-XshowSettings:properties -Dlacd.it.marker=from-file\"\n");
        Proc fromFile = Proc.run(List.of(bin.toString(), "--version"), Map.of("LACD_ENV_FILE", envFile.toString()), dir);
        assertEquals(0, fromFile.exitCode(), fromFile.stderr());
        assertTrue(fromFile.stderr().contains("lacd.it.marker = from-file"), fromFile.stderr());
        // ... and a caller's JAVA_OPTS wins over it.
        Proc callerWins = Proc.run(List.of(bin.toString(), "--version"),
                Map.of("LACD_ENV_FILE", envFile.toString(), "JAVA_OPTS", "-XshowSettings:properties -Dlacd.it.marker=caller"), dir);
        assertTrue(callerWins.stderr().contains("lacd.it.marker = caller"), callerWins.stderr());

        // The tarball's own etc/lacd.env is the default env file.
        Files.writeString(home.resolve("etc/lacd.env"), "JAVA_OPTS=\"-XshowSettings:properties -Dlacd.it.marker=tarball-env\"\n");
        Proc defaultEnv = Proc.run(List.of(bin.toString(), "--version"), Map.of(), dir);
        assertTrue(defaultEnv.stderr().contains("lacd.it.marker = tarball-env"), defaultEnv.stderr());

        // A symlink to bin/lacd (e.g. from /usr/local/bin) still finds ../lib/lacd.jar.
        Path link = Files.createSymbolicLink(dir.resolve("lacd-link"), bin);
        Proc linked = Proc.run(List.of(link.toString(), "--help"), noOpts, tmp);
        assertEquals(0, linked.exitCode(), linked.stderr());
        // Run by a relative path from the tarball's directory.
        Proc relative = Proc.run(List.of("sh", "-c", "bin/lacd --help"), noOpts, home);
        assertEquals(0, relative.exitCode(), relative.stderr());

        // A missing env file named explicitly is an error, not silently ignored.
        Proc badEnv = Proc.run(List.of(bin.toString(), "--help"), Map.of("LACD_ENV_FILE", dir.resolve("nope").toString()), dir);
        assertEquals(1, badEnv.exitCode());
        assertTrue(badEnv.stderr().contains("not readable"), badEnv.stderr());
    }
}
