package org.lacd.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.testsupport.RealPeer;
import org.lacd.testsupport.Peers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** systemd/lacd.service: the hardening the issue asks for, and systemd-analyze verify. */
class SystemdUnitTest {
    static final String S = "Service";

    static SystemdUnit unit() throws IOException {
        return SystemdUnit.parse(Files.readString(Build.unit()));
    }

    @Test
    void runsTheLauncherAsLacdWithTheEnvFile() throws IOException {
        SystemdUnit u = unit();
        assertEquals("/usr/bin/lacd run --config /etc/lacd/lacd.yaml", u.one(S, "ExecStart"));
        assertEquals("lacd", u.one(S, "User"));
        assertEquals("lacd", u.one(S, "Group"));
        assertEquals("-/etc/default/lacd", u.one(S, "EnvironmentFile"));
        assertTrue(Set.of("simple", "exec").contains(u.one(S, "Type")), "Type without sd_notify");
        assertEquals("/bin/kill -HUP $MAINPID", u.one(S, "ExecReload"));
        assertEquals("on-failure", u.one(S, "Restart"));
        assertTrue(SystemdUnit.seconds(u.one(S, "RestartSec")) > 0);
        // The daemon bounds its shutdown to 20 s and halts itself at 25 s; systemd must wait longer before SIGKILL
        // (lac-daemon's StopBudgetDocumentedTest ties these numbers to Daemon.STOP_BUDGET).
        long stop = SystemdUnit.seconds(u.one(S, "TimeoutStopSec"));
        assertTrue(stop > 25 && stop <= 60, "TimeoutStopSec " + stop);
        assertTrue(Integer.parseInt(u.one(S, "LimitNOFILE")) >= 65536);
        assertEquals("multi-user.target", u.one("Install", "WantedBy"));
    }

    @Test
    void hardening() throws IOException {
        SystemdUnit u = unit();
        Set<String> caps = Set.of("CAP_NET_RAW", "CAP_NET_ADMIN", "CAP_SYS_NICE");
        assertEquals(caps, u.words(S, "AmbientCapabilities"));
        assertEquals(caps, u.words(S, "CapabilityBoundingSet"));
        assertEquals(Set.of("AF_INET", "AF_INET6", "AF_PACKET", "AF_UNIX", "AF_NETLINK"),
                u.words(S, "RestrictAddressFamilies"));
        assertEquals("yes", u.one(S, "NoNewPrivileges"));
        assertEquals("strict", u.one(S, "ProtectSystem"));
        assertEquals("yes", u.one(S, "ProtectHome"));
        assertEquals("yes", u.one(S, "PrivateTmp"));
        assertEquals("/var/lib/lacd", u.one(S, "ReadWritePaths"));
        assertEquals("lacd", u.one(S, "StateDirectory"));
        // The JIT needs W+X memory: this would stop the JVM.
        assertFalse(u.has(S, "MemoryDenyWriteExecute"), "MemoryDenyWriteExecute breaks the JVM's JIT");
        for (String key : List.of("ProtectKernelTunables", "ProtectKernelModules", "ProtectControlGroups",
                "RestrictNamespaces", "RestrictSUIDSGID", "LockPersonality")) {
            assertEquals("yes", u.one(S, key), key);
        }
    }

    /** Verifies the unit with ExecStart pointing at the launcher in the source tree (it exists and is executable). */
    @Test
    @RealPeer
    void systemdAnalyzeVerifyPasses(@TempDir Path dir) throws IOException {
        Peers.require(Proc.onPath("systemd-analyze"), "systemd-analyze not installed");
        Path launcher = Build.basedir().resolve("src/bin/lacd").toAbsolutePath();
        Proc good = verify(dir, "lacd.service", Files.readString(Build.unit()), launcher);
        assertEquals(0, good.exitCode(), good.stderr());
        assertEquals(List.of(), lacdLines(good), "systemd-analyze complained about lacd.service");
    }

    /** The check above would notice a broken unit: systemd-analyze exits 0 on ignored settings, so the lines count. */
    @Test
    @RealPeer
    void verifyCheckCatchesABrokenSetting(@TempDir Path dir) throws IOException {
        Peers.require(Proc.onPath("systemd-analyze"), "systemd-analyze not installed");
        Path launcher = Build.basedir().resolve("src/bin/lacd").toAbsolutePath();
        String broken = Files.readString(Build.unit()).replace("ProtectSystem=strict", "ProtectSystem=stricter");
        assertNotEquals(List.of(), lacdLines(verify(dir, "lacd.service", broken, launcher)));
        String missing = Files.readString(Build.unit());
        Proc noBinary = verify(dir, "lacd.service", missing, dir.resolve("no-such-lacd"));
        assertNotEquals(0, noBinary.exitCode());
    }

    static Proc verify(Path dir, String name, String unitText, Path execStartBinary) throws IOException {
        String rewritten = unitText.replace("ExecStart=/usr/bin/lacd ", "ExecStart=" + execStartBinary + " ");
        assertNotEquals(unitText, rewritten, "ExecStart not found");
        Path copy = dir.resolve(name);
        Files.writeString(copy, rewritten);
        return Proc.run(List.of("systemd-analyze", "verify", copy.toString()), java.util.Map.of(), dir);
    }

    /**
     * systemd's own hardening score (0 = locked down, 10 = none) stays at or below 3.9; the same
     * unit without its sandboxing lines scores above that, so the check has teeth.
     */
    @Test
    @RealPeer
    void exposureScoreStaysLow(@TempDir Path dir) throws IOException {
        Peers.require(Proc.onPath("systemd-analyze"), "systemd-analyze not installed");
        String unit = Files.readString(Build.unit());
        Proc hardened = security(dir, "lacd.service", unit);
        assertEquals(0, hardened.exitCode(), hardened.stdout() + hardened.stderr());
        String bare = unit.lines().filter(l -> !l.matches("(Protect|Private|Restrict|NoNew|Capability|Ambient|Lock|SystemCall|RemoveIPC|UMask).*"))
                .collect(java.util.stream.Collectors.joining("\n"));
        assertNotEquals(0, security(dir, "lacd-bare.service", bare).exitCode());
    }

    static Proc security(Path dir, String name, String unitText) throws IOException {
        Path copy = dir.resolve(name);
        Files.writeString(copy, unitText.replace("ExecStart=/usr/bin/lacd ",
                "ExecStart=" + Build.basedir().resolve("src/bin/lacd").toAbsolutePath() + " "));
        return Proc.run(List.of("systemd-analyze", "security", "--offline=yes", "--threshold=39", copy.toString()),
                java.util.Map.of(), dir);
    }

    /** Lines of systemd-analyze's output about our unit (it also reports other units installed on the host). */
    static List<String> lacdLines(Proc p) {
        return (p.stdout() + "\n" + p.stderr()).lines().filter(l -> l.contains("lacd")).toList();
    }
}
