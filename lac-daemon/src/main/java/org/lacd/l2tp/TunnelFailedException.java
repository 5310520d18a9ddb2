package org.lacd.l2tp;

/** Completes {@link L2tpEngine#openTunnel} futures when the tunnel cannot be established. */
public final class TunnelFailedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient CallDownCause cause;

    public TunnelFailedException(CallDownCause cause) {
        super(cause.message() + (cause.resultCode() >= 0 ? " (result " + cause.resultCode() + (cause.errorCode() >= 0 ? ", error " + cause.errorCode() : "") + ")" : ""),
                null, false, false);
        this.cause = cause;
    }

    public CallDownCause downCause() { return cause; }
}
