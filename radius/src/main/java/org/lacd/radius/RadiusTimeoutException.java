package org.lacd.radius;

/** A request could not be completed: every server timed out (or dropped answers), or the queue was full. */
public final class RadiusTimeoutException extends Exception {
    private static final long serialVersionUID = 1L;

    public enum Kind { ALL_SERVERS_FAILED, OVERLOADED, STOPPED }

    private final Kind kind;

    public RadiusTimeoutException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() { return kind; }
}
