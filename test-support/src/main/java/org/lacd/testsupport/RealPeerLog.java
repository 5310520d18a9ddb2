package org.lacd.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestTag;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Appends one line per real-peer test ({@link RealPeer}) to {@code target/real-peer-tests.log} of the module under
 * test: {@code SUCCESSFUL|FAILED|ABORTED|SKIPPED <test>}. A class whose set-up failed or was aborted is one line for
 * the class (its methods never start). {@code .ci/run} sums these files, so the CI log shows how many real-peer tests
 * ran and that none was skipped. Registered through {@code META-INF/services}; tests without the tag are not logged.
 */
public final class RealPeerLog implements TestExecutionListener {
    private static final TestTag PEER = TestTag.create(RealPeer.TAG);
    private final Path file;

    /** The one the launcher finds: {@code target/real-peer-tests.log} under the working directory (the module). */
    public RealPeerLog() {
        this(Path.of("target", "real-peer-tests.log"));
    }

    RealPeerLog(Path file) {
        this.file = file;
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (!id.getTags().contains(PEER)) {
            return;
        }
        // Containers (classes) only when they did not succeed: their methods then never report.
        if (id.isTest() || result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
            write(result.getStatus().name(), id);
        }
    }

    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
        if (id.getTags().contains(PEER)) {
            write("SKIPPED", id);
        }
    }

    private synchronized void write(String outcome, TestIdentifier id) {
        String line = outcome + " " + id.getUniqueId() + System.lineSeparator();
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot append to " + file.toAbsolutePath(), e);
        }
    }
}
