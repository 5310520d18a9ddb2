package org.lacd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue 14, defect 8: started with SIGHUP ignored (nohup), lacd would silently never reload on SIGHUP; it warns at
 * start. Real processes: one whose shell ignores SIGHUP before exec (what nohup does), one that does not.
 */
class SighupIgnoredTest {

    /** A process that waits on its stdin (it ends when we close it), with SIGHUP ignored or not. */
    static Process child(boolean ignoreHup) throws Exception {
        // the other child gets SIGHUP's default back first (env --default-signal, coreutils 8.31+): a test run under
        // nohup would otherwise hand its own SIG_IGN down, which a non-interactive shell cannot undo
        Process p = (ignoreHup ? new ProcessBuilder("sh", "-c", "trap '' HUP; exec cat")
                : new ProcessBuilder("env", "--default-signal=HUP", "sh", "-c", "exec cat")).start();
        // the shell has set the disposition once it has become cat (exec keeps SIG_IGN, as under nohup)
        Path comm = Path.of("/proc/" + p.pid() + "/comm");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!"cat".equals(Files.readString(comm).trim())) {
            assertTrue(System.nanoTime() < end, "child did not exec cat");
            Thread.onSpinWait();
        }
        return p;
    }

    static List<ILoggingEvent> warningsFor(Path status) {
        Logger log = (Logger) LoggerFactory.getLogger(Daemon.class);
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        log.addAppender(captured);
        try {
            Daemon.warnIfSighupIgnored(status);
        } finally {
            log.detachAppender(captured);
        }
        return captured.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
    }

    @Test
    void warnsWhenSighupIsIgnoredAndOnlyThen() throws Exception {
        Process ignoring = child(true);
        Process normal = child(false);
        try {
            Path ignoringStatus = Path.of("/proc/" + ignoring.pid() + "/status");
            Path normalStatus = Path.of("/proc/" + normal.pid() + "/status");
            assertTrue(Daemon.sighupIgnored(ignoringStatus));
            assertFalse(Daemon.sighupIgnored(normalStatus));

            List<ILoggingEvent> w = warningsFor(ignoringStatus);
            assertEquals(1, w.size());
            assertTrue(w.get(0).getFormattedMessage().startsWith("SIGHUP is ignored"), w.get(0).getFormattedMessage());
            assertTrue(warningsFor(normalStatus).isEmpty());
            assertFalse(Daemon.sighupIgnored(Path.of("/nonexistent/status")), "unreadable: no false alarm");
        } finally {
            for (Process p : List.of(ignoring, normal)) {
                p.getOutputStream().close();
                p.waitFor(10, TimeUnit.SECONDS);
                p.destroy();
            }
        }
    }
}
