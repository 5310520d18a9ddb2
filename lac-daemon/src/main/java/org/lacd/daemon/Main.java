package org.lacd.daemon;

/** Entry point of the lacd binary. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(Cli.run(args));
    }
}
