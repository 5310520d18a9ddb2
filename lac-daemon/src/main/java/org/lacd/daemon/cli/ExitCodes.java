package org.lacd.daemon.cli;

/** Process exit codes shared by every subcommand. */
public final class ExitCodes {
    public static final int OK = 0;
    /** Runtime failure: a component could not start, a peer did not answer, a test failed. */
    public static final int START = 1;
    /** Invalid config or invalid command-line usage. */
    public static final int CONFIG = 2;

    private ExitCodes() {}
}
