package org.lacd.pppoe.port;

/**
 * A port cannot be opened or used. The message is meant for an operator (names the interface and, for permission
 * problems, the capability); no stack trace is needed to understand it.
 */
public final class PortException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why a port failed. */
    public enum Kind { NO_SUCH_INTERFACE, PERMISSION_DENIED, FILTER, SEND, OTHER }

    private final Kind kind;
    private final String interfaceName;

    public PortException(Kind kind, String interfaceName, String message, Throwable cause) {
        super(message, cause, false, false);
        this.kind = kind;
        this.interfaceName = interfaceName;
    }

    public Kind kind() { return kind; }
    public String interfaceName() { return interfaceName; }
}
