package org.lacd.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** The log counts tagged tests by outcome, a class aborted in its set-up once, and leaves untagged tests out. */
class RealPeerLogTest {

    @RealPeer
    static class TaggedSample {
        @Test void passes() {}
        @Test void skipsOnAMissingPeer() { Assumptions.assumeTrue(false, "gone"); }
        @Test void fails() { throw new AssertionError("boom"); }
        @Disabled @Test void disabled() {}
    }

    @RealPeer
    static class AbortedInSetUp {
        @BeforeAll static void peer() { Assumptions.assumeTrue(false, "no xl2tpd"); }
        @Test void never() {}
    }

    static class Untagged {
        @Test void plain() {}
        @RealPeer @Test void taggedMethod() {}
    }

    @Test
    void logsOnlyPeerTestsWithTheirOutcome(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("target/real-peer-tests.log");
        Launcher launcher = LauncherFactory.create(LauncherConfig.builder().enableTestExecutionListenerAutoRegistration(false).build());
        launcher.execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(TaggedSample.class), selectClass(AbortedInSetUp.class), selectClass(Untagged.class))
                .build(), new RealPeerLog(file));
        List<String> lines = Files.readAllLines(file).stream()
                .map(l -> l.substring(0, l.indexOf(' ')) + " " + l.replaceAll(".*\\$([A-Za-z]+)\\].*?(?:\\[method:([a-zA-Z]+).*)?$", "$1.$2"))
                .sorted().collect(Collectors.toList());
        assertEquals(List.of(
                "ABORTED AbortedInSetUp.",
                "ABORTED TaggedSample.skipsOnAMissingPeer",
                "FAILED TaggedSample.fails",
                "SKIPPED TaggedSample.disabled",
                "SUCCESSFUL TaggedSample.passes",
                "SUCCESSFUL Untagged.taggedMethod"), lines);
    }
}
