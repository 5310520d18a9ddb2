package org.lacd.radius.dae;

/** RFC 5176 s3.5 Error-Cause values lacd sends. */
public enum ErrorCause {
    UNSUPPORTED_ATTRIBUTE(401), MISSING_ATTRIBUTE(402), NAS_IDENTIFICATION_MISMATCH(403), INVALID_REQUEST(404), UNSUPPORTED_SERVICE(405),
    INVALID_ATTRIBUTE_VALUE(407), ADMINISTRATIVELY_PROHIBITED(501), SESSION_CONTEXT_NOT_FOUND(503), SESSION_CONTEXT_NOT_REMOVABLE(504),
    RESOURCES_UNAVAILABLE(506);

    private final int code;

    ErrorCause(int code) { this.code = code; }

    public int code() { return code; }

    public static ErrorCause fromCode(int code) {
        for (ErrorCause e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        return null;
    }
}
