package org.lacd.daemon.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.OutputStreamAppender;
import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lacd.pppoe.wire.ChapPacket;
import org.lacd.pppoe.wire.PapPacket;
import org.lacd.radius.dae.SessionCriteria;

/**
 * Issue 14, defect 4, at the layout: events laid out by the pattern of lacd's real logback.xml (loaded into a context
 * of its own) are one printable line whatever their message and MDC values hold. pppoe and radius log wire strings as
 * they are (their packets' and DAE criteria's toString included); this is what keeps their lines whole.
 */
class SafeMessageConverterTest {
    static final String FORGED = "eve\n2026-12-06T21:00:00.000Z INFO  [main] Session - session 99 admin up\r\0\033[31mRED";
    static final String ESCAPED = "eve\\n2026-12-06T21:00:00.000Z INFO  [main] Session - session 99 admin up\\r\\x00\\x1b[31mRED";

    LoggerContext ctx;
    Layout<ILoggingEvent> layout;

    @BeforeEach
    void lacdLayout() throws Exception {
        ctx = new LoggerContext();
        URL xml = SafeMessageConverter.class.getResource("/logback.xml");
        assertNotNull(xml);
        JoranConfigurator j = new JoranConfigurator();
        j.setContext(ctx);
        j.doConfigure(xml);
        AsyncAppender async = (AsyncAppender) ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("ASYNC");
        OutputStreamAppender<ILoggingEvent> stderr = (OutputStreamAppender<ILoggingEvent>) async.getAppender("STDERR");
        layout = ((PatternLayoutEncoder) stderr.getEncoder()).getLayout();
    }

    @AfterEach
    void stop() {
        ctx.stop();
    }

    String lay(String logger, String msg, Map<String, String> mdc, Throwable t, Object... args) {
        LoggingEvent e = new LoggingEvent(getClass().getName(), ctx.getLogger(logger), Level.INFO, msg, t, args);
        e.setMDCPropertyMap(mdc);
        return layout.doLayout(e);
    }

    /** Exactly one line: a single newline, at the end, and no other control or line/paragraph separator. */
    static void assertOneLine(String line) {
        assertTrue(line.endsWith("\n"), line);
        String body = line.substring(0, line.length() - 1);
        assertTrue(body.codePoints().noneMatch(c -> c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0x2028 || c == 0x2029
                || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)), line);
    }

    @Test
    void controlsInTheMessageAndInAnMdcValueAreEscapedOnOneLine() {
        String line = lay("org.lacd.pppoe.PppoeSession", "{} authenticated as '{}' ({})", Map.of("user", FORGED, "mac", "02:00:00:00:00:01"),
                null, "session 0x11", FORGED, "CHAP");
        assertOneLine(line);
        assertTrue(line.contains(" - session 0x11 authenticated as '" + ESCAPED + "' (CHAP)\n"), line);
        assertTrue(line.contains("user=" + ESCAPED), line);
        assertTrue(line.contains(" PppoeSession [") && line.contains("mac=02:00:00:00:00:01"), line);
    }

    @Test
    void lineSeparatorsBidiControlsAndC1AreEscapedButPrintableUnicodeStays() {
        String line = lay("org.lacd.radius.AaaService", "RADIUS: user {} rejected by {}: {}", Map.of(), null,
                "jürgen\u2028x\u2029y\u202e\u2066z\u0085", "r1", "Reply\u001b]0;title\u0007");
        assertOneLine(line);
        assertTrue(line.endsWith(" AaaService - RADIUS: user jürgen\\u{2028}x\\u{2029}y\\u{202e}\\u{2066}z\\x85 rejected by r1: "
                + "Reply\\x1b]0;title\\x07\n"), line);
    }

    @Test
    void aStringTheDaemonAlreadyEscapedIsNotEscapedTwice() {
        String once = WireText.escape("a\\b\nc");
        String line = lay("org.lacd.daemon.session.Session", "session {} {} up", Map.of("user", once), null, 7, once);
        assertTrue(line.endsWith(" Session [user=a\\\\b\\nc] - session 7 a\\\\b\\nc up\n"), line);
    }

    @Test
    void pppoeAndRadiusRecordsLoggedAsTheyAreStayOneLine() {
        // what these modules used to escape themselves: CHAP/PAP names and messages, DAE session identification
        List<Object> logged = List.of(ChapPacket.response(1, new byte[] {1, 2}, FORGED), ChapPacket.failure(2, FORGED),
                PapPacket.request(3, FORGED, new byte[4]), PapPacket.nak(4, FORGED),
                new SessionCriteria(Optional.empty(), Optional.of(FORGED), Optional.of("02:00:00:00:00:01\r\033[2J"), Optional.empty()));
        for (Object o : logged) {
            String line = lay("org.lacd.pppoe.Lcp", "received {}", Map.of(), null, o);
            assertOneLine(line);
            assertTrue(line.contains(ESCAPED) || line.contains("02:00:00:00:00:01\\r\\x1b[2J"), line);
        }
    }

    @Test
    void anExceptionIsLaidOutAsBefore() {
        String text = lay("org.lacd.daemon.Daemon", "failed for {}", Map.of(), new IllegalStateException("boom"), "x\ny");
        List<String> lines = text.lines().toList();
        assertTrue(lines.get(0).endsWith(" - failed for x\\ny"), text);
        assertEquals("java.lang.IllegalStateException: boom", lines.get(1), text);
        assertTrue(lines.get(2).startsWith("\tat "), text);
    }

    @Test
    void theConvertersAreWhatTheRealPatternUses() {
        String pattern = ((PatternLayoutEncoder) ((OutputStreamAppender<ILoggingEvent>) ((AsyncAppender) ctx
                .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("ASYNC")).getAppender("STDERR")).getEncoder()).getPattern();
        assertTrue(pattern.contains("%safeMsg") && pattern.contains("%safeMdc"), pattern);
        assertTrue(!pattern.contains("%msg") && !pattern.contains("%m ") && !pattern.contains("%mdc") && !pattern.contains("%X"), pattern);
    }
}
