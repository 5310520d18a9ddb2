package org.lacd.lab.lab;

/** The lab could not be built or a lab step failed; the message says which command and why. */
public final class LabException extends RuntimeException {
    public LabException(String message) {
        super(message);
    }

    public LabException(String message, Throwable cause) {
        super(message, cause);
    }
}
