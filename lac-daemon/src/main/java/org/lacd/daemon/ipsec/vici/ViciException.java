package org.lacd.daemon.ipsec.vici;

/** charon refused a VICI request: it knows no such command or event, or the connection broke mid-exchange. */
public final class ViciException extends Exception {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** CMD_UNKNOWN: this charon has no such command (older strongSwan, or vici plugin not loaded). */
        UNKNOWN_COMMAND,
        /** EVENT_UNKNOWN: no such event. */
        UNKNOWN_EVENT,
        /** A packet that does not belong at this point of the exchange. */
        UNEXPECTED_PACKET,
        /** charon closed the connection. */
        CLOSED
    }

    private final Kind kind;

    public ViciException(Kind kind, String detail) {
        super(detail);
        this.kind = kind;
    }

    public Kind kind() { return kind; }
}
