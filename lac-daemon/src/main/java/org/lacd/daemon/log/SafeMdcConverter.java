package org.lacd.daemon.log;

import ch.qos.logback.classic.pattern.MDCConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %safeMdc} / {@code %safeMdc{key}} in logback.xml: the MDC (all of it, or one key) as {@code %mdc} renders it,
 * made one printable line ({@link WireText#oneLine}). MDC values such as the subscriber's user name come from the wire.
 */
public final class SafeMdcConverter extends MDCConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return WireText.oneLine(super.convert(event));
    }
}
