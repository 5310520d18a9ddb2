package org.lacd.lab.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.read.ListAppender;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lacd.lab.lns.Mode;
import org.lacd.lab.subscriber.AuthMode;
import org.lacd.daemon.Daemon;
import org.lacd.daemon.log.WireText;
import org.slf4j.LoggerFactory;

/**
 * Issue 14, defect 4: a CHAP name with a line break, a carriage return, a NUL and an ANSI escape goes through lacd's
 * real PPPoE server and daemon session (realm rules, an emulated LNS). Every log event lacd writes, at DEBUG, laid out
 * by the pattern of lacd's logback.xml (message and MDC), is one printable line: the name appears only in its escaped
 * form, never as a forged line. The PPPoE server logs the name as it is; the layout's converters keep its lines whole.
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
        // what lacd writes is each event laid out by its logback.xml's pattern: check that, not the raw events
        Layout<ILoggingEvent> layout = lacdLayout();
        List<String> written = new ArrayList<>();
        for (ILoggingEvent e : events) {
            String text = layout.doLayout(e);
            int nl = text.indexOf('\n');
            assertTrue(nl >= 0, text);
            String line = text.substring(0, nl);
            // the stack trace of an event's exception (%ex) follows on lines of its own; without one, nothing follows
            assertTrue(e.getThrowableProxy() != null || nl == text.length() - 1,
                    e.getLoggerName() + " wrote more than one line: " + text);
            assertTrue(printableOneLine(line), e.getLoggerName() + " wrote an unprintable line: " + line);
            assertFalse(line.contains(user), line);
            written.add(line);
        }
        // the name is still there for the operator, escaped, from the PPPoE server (which logs it as it is) and from
        // the daemon's session (which escapes it itself), in the message and in the MDC
        assertTrue(written.stream().anyMatch(l -> l.contains(" PppoeSession ") && l.contains("authenticated as '" + escaped + "'")),
                String.join("\n", written));
        assertTrue(written.stream().anyMatch(l -> l.contains(" PppoeSession [") && l.contains("user=" + escaped)),
                String.join("\n", written));
        assertTrue(written.stream().anyMatch(l -> l.contains(" Session [") && l.contains("user=" + escaped)
                && l.contains(" - session ") && l.contains(escaped + " up on LNS")), String.join("\n", written));
        assertTrue(escaped.contains("\\n2026-12-06") && escaped.contains("\\r\\x00\\x1b[31mRED"), escaped);
    }

    /** The layout of lacd's STDERR appender, from lacd's own logback.xml (lac-daemon), in a context of its own. */
    @SuppressWarnings("unchecked")
    static Layout<ILoggingEvent> lacdLayout() throws Exception {
        URL xml = Daemon.class.getResource("/logback.xml");
        assertTrue(xml != null && xml.toString().contains("lac-daemon"), String.valueOf(xml));
        LoggerContext ctx = new LoggerContext();
        JoranConfigurator j = new JoranConfigurator();
        j.setContext(ctx);
        j.doConfigure(xml);
        AsyncAppender async = (AsyncAppender) ctx.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("ASYNC");
        OutputStreamAppender<ILoggingEvent> stderr = (OutputStreamAppender<ILoggingEvent>) async.getAppender("STDERR");
        Layout<ILoggingEvent> layout = ((PatternLayoutEncoder) stderr.getEncoder()).getLayout();
        async.stop(); // the layout alone is used; no thread stays behind
        return layout;
    }

    /** One line of printable characters: no C0 or C1 control, no DEL, no Unicode line or paragraph separator, no bidi control. */
    static boolean printableOneLine(String s) {
        return s == null || s.codePoints().noneMatch(c -> c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0x2028 || c == 0x2029
                || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069));
    }
}
