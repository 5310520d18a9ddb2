package org.lacd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, defect 8: how long a stop takes is one number, {@link Daemon#STOP_BUDGET}, in the README, the unit
 * file's comment and packaging/README.md; systemd's TimeoutStopSec waits longer than the daemon's own halt (budget + 5 s).
 * Reads the repository's files (the test runs in lac-daemon/).
 */
class StopBudgetDocumentedTest {
    static final long BUDGET = Daemon.STOP_BUDGET.toSeconds();
    static final Path REPO = Path.of("..");

    /** The seconds that follow {@code prefix} on the one line of {@code file} that contains {@code marker}. */
    static long seconds(Path file, String marker, String prefix) throws IOException {
        List<String> lines = Files.readAllLines(REPO.resolve(file)).stream().filter(l -> l.contains(marker)).toList();
        assertEquals(1, lines.size(), file + ": lines with '" + marker + "': " + lines);
        Matcher m = Pattern.compile(Pattern.quote(prefix) + "(\\d+) s\\b").matcher(lines.get(0));
        assertTrue(m.find(), file + ": no '" + prefix + "N s' in: " + lines.get(0));
        return Long.parseLong(m.group(1));
    }

    @Test
    void oneStopTimeEverywhere() throws IOException {
        assertEquals(BUDGET, seconds(Path.of("README.md"), "lacd run --config FILE", "stop it within "));
        assertEquals(BUDGET, seconds(Path.of("packaging/README.md"), "systemctl stop lacd", "down within "));
        assertEquals(BUDGET + 5, seconds(Path.of("packaging/README.md"), "systemctl stop lacd", "halts itself at "));
        assertEquals(BUDGET, seconds(Path.of("systemd/lacd.service"), "subscribers, accounting stop records", "to "));

        String timeout = Files.readAllLines(REPO.resolve("systemd/lacd.service")).stream()
                .filter(l -> l.startsWith("TimeoutStopSec=")).findFirst().orElseThrow();
        long unit = Long.parseLong(timeout.substring("TimeoutStopSec=".length()).replace("s", ""));
        assertTrue(unit > BUDGET + 5, "systemd must not SIGKILL before the daemon's own halt: " + timeout);
    }
}
