package org.lacd.daemon.log;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %safeMsg} in logback.xml: the formatted message made one printable line ({@link WireText#oneLine}). Whatever a
 * wire string inside it holds (a CHAP name with a newline, a Reply-Message with an ANSI escape, a Service-Name with a
 * U+2028), the log line stays one line: this protects every module's logs, pppoe and radius included, which log wire
 * strings as they are. The exception ({@code %ex}) is laid out as before.
 */
public final class SafeMessageConverter extends MessageConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return WireText.oneLine(super.convert(event));
    }
}
