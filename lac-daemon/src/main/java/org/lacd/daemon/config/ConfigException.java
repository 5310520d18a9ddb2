package org.lacd.daemon.config;

import java.nio.file.Path;

/**
 * A configuration problem: names the file, the key path and a one-line reason.
 * The message is what the operator sees, so it never carries a stack trace.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Path file;
    private final String keyPath;
    private final String reason;

    public ConfigException(Path file, String keyPath, String reason) {
        super(format(file, keyPath, reason), null, false, false);
        this.file = file;
        this.keyPath = keyPath;
        this.reason = reason;
    }

    private static String format(Path file, String keyPath, String reason) {
        String where = file == null ? "<config>" : file.toString();
        return keyPath == null || keyPath.isEmpty() ? where + ": " + reason : where + ": " + keyPath + ": " + reason;
    }

    public Path file() {
        return file;
    }

    /** Dotted key path such as {@code l2tp.lns[1].secret}; empty for whole-file problems. */
    public String keyPath() {
        return keyPath;
    }

    public String reason() {
        return reason;
    }
}
