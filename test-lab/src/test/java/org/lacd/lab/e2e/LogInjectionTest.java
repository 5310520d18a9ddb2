package org.lacd.lab.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lacd.lab.lns.Mode;
import org.lacd.lab.subscriber.AuthMode;
import org.lacd.text.WireText;
import org.slf4j.LoggerFactory;

/**
 * Issue 14, defect 4: a CHAP name with a line break, a carriage return, a NUL and an ANSI escape goes through lacd's
 * real PPPoE server and daemon session (realm rules, an emulated LNS). Every log event lacd writes, at DEBUG, is one
 * printable line, and so is every MDC value: the name appears only in its escaped form, never as a forged line.
 */
class LogInjectionTest {
    /** What the subscriber calls itself: a forged log line, a NUL and a terminal colour change before the realm. */
    static final String HOSTILE = "mallory{n}\n2026-12-06 21:00:00 INFO  session 99 admin up\r\u0000\u001b[31mRED\u001b[0m"
            + "@reseller-a.example";

    @TempDir
    Path dir;
    LacHarness lab;
    final ListAppender<ILoggingEvent> captured = new ListAppender<>();
    final Logger lacd = (Logger) LoggerFactory.getLogger("org.lacd");
    Level levelBefore;

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (lab != null) {
                lab.close();
            }
        } finally {
            lacd.detachAppender(captured);
            lacd.setLevel(levelBefore);
        }
    }

    @Test
    void aChapNameWithControlCharactersForgesNoLogLine() throws Exception {
        levelBefore = lacd.getLevel();
        lacd.setLevel(Level.DEBUG); // the per-packet and per-transition lines too
        captured.start();
        lacd.addAppender(captured);

        lab = new LacHarness(dir).startLns(Mode.ACCEPT_PROXY).startLacd("  source: realm\n" + LacHarness.REALM_RULES);
        lab.run("sub-a", LacHarness.subscribers("reseller-a", 1, AuthMode.CHAP).userPattern(HOSTILE)
                .lifetime(Duration.ofMillis(500)).build());
        assertTrue(LacHarness.await(Duration.ofSeconds(10), () -> lab.daemon.lac().sessions().count() == 0));
        lab.close();
        lab = null;

        String user = HOSTILE.replace("{n}", "1");
        String escaped = WireText.escape(user);
        List<ILoggingEvent> events = List.copyOf(captured.list).stream()
                .filter(e -> !e.getLoggerName().startsWith("org.lacd.lab.")) // the emulated peers are not lacd
                .toList();
        assertFalse(events.isEmpty());
        for (ILoggingEvent e : events) {
            String m = e.getFormattedMessage();
            assertTrue(printableOneLine(m), e.getLoggerName() + " wrote a forged or unprintable line: " + m);
            assertFalse(m.contains(user), m);
            for (Map.Entry<String, String> kv : e.getMDCPropertyMap().entrySet()) {
                assertTrue(printableOneLine(kv.getValue()), "MDC " + kv.getKey() + " of " + m + ": " + kv.getValue());
            }
        }
        // the name is still there for the operator, escaped, from the PPPoE server and from the daemon's session
        assertTrue(events.stream().anyMatch(e -> e.getLoggerName().equals("org.lacd.pppoe.PppoeSession")
                && e.getFormattedMessage().contains("authenticated as '" + escaped + "'")), escaped);
        assertTrue(events.stream().anyMatch(e -> e.getLoggerName().equals("org.lacd.daemon.session.Session")
                && e.getFormattedMessage().contains(escaped)), escaped);
        assertTrue(events.stream().anyMatch(e -> e.getLoggerName().equals("org.lacd.daemon.session.Session")
                && escaped.equals(e.getMDCPropertyMap().get("user"))), "MDC user is the escaped name");
        assertTrue(escaped.contains("\\n2026-12-06") && escaped.contains("\\r\\x00\\x1b[31mRED"), escaped);
    }

    /** One line of printable characters: no C0 or C1 control, no DEL, no Unicode line or paragraph separator. */
    static boolean printableOneLine(String s) {
        return s == null || s.codePoints().noneMatch(c -> c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0x2028 || c == 0x2029);
    }
}
