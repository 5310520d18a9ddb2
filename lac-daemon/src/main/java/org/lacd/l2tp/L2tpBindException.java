package org.lacd.l2tp;

/** The engine could not bind its UDP socket (port in use, address not local, no permission). */
public final class L2tpBindException extends Exception {
    private static final long serialVersionUID = 1L;

    public L2tpBindException(String message, Throwable cause) { super(message, cause); }
}
