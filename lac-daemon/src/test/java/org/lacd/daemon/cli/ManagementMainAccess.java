package org.lacd.daemon.cli;

/** Test access to the light parser of {@link ManagementMain} from other packages. */
public final class ManagementMainAccess {
    private ManagementMainAccess() {}

    public static boolean binds(String... args) {
        return ManagementMain.bind(args) != null;
    }
}
