package org.lacd.lab.lab;

import java.time.Duration;

/**
 * How a {@link Lab} is built.
 *
 * @param usersPerReseller users generated in FreeRADIUS's users file per reseller ({@code user1..N@reseller-a.example},
 *                         {@code user1..N@reseller-b.example}, password {@code pass{n}})
 * @param radiusServers    FreeRADIUS instances (1 or 2; lacd fails over from the first to the second)
 * @param lockout          {@code steering.lockout} of lacd
 * @param lnsMode          mode of every LNS emulator (accept-proxy, renegotiate-lcp, challenge-again, expect-auth-packet)
 * @param lacdHeap         -Xmx of lacd
 * @param logLevel         lacd's logging.level
 * @param capture          run tshark on lacd's access and LNS-side interfaces for the whole lab
 * @param extraLns         extra YAML lines appended to every LNS profile (e.g. {@code replay-auth: true})
 * @param setupTimeout     {@code l2tp.setup-timeout} of lacd (tunnel plus call per LNS attempt)
 * @param workers          {@code interfaces[].workers} of lacd's access interface; 0 leaves the key out (lacd's default)
 */
public record LabOptions(int usersPerReseller, int radiusServers, Duration lockout, String lnsMode, String lacdHeap,
                         String logLevel, boolean capture, String extraLns, Duration setupTimeout, int workers) {
    public LabOptions {
        if (usersPerReseller < 1 || radiusServers < 1 || radiusServers > 2 || workers < 0) {
            throw new IllegalArgumentException("usersPerReseller >= 1, radiusServers 1..2, workers >= 0");
        }
    }

    public static LabOptions defaults() {
        return new LabOptions(100, 1, Duration.ofSeconds(300), "accept-proxy", "512m", "info", false, "", Duration.ofSeconds(4), 0);
    }

    public LabOptions withUsers(int n) { return new LabOptions(n, radiusServers, lockout, lnsMode, lacdHeap, logLevel, capture, extraLns, setupTimeout, workers); }

    public LabOptions withRadiusServers(int n) { return new LabOptions(usersPerReseller, n, lockout, lnsMode, lacdHeap, logLevel, capture, extraLns, setupTimeout, workers); }

    public LabOptions withLockout(Duration d) { return new LabOptions(usersPerReseller, radiusServers, d, lnsMode, lacdHeap, logLevel, capture, extraLns, setupTimeout, workers); }

    public LabOptions withLnsMode(String m) { return new LabOptions(usersPerReseller, radiusServers, lockout, m, lacdHeap, logLevel, capture, extraLns, setupTimeout, workers); }

    public LabOptions withHeap(String h) { return new LabOptions(usersPerReseller, radiusServers, lockout, lnsMode, h, logLevel, capture, extraLns, setupTimeout, workers); }

    public LabOptions withLogLevel(String l) { return new LabOptions(usersPerReseller, radiusServers, lockout, lnsMode, lacdHeap, l, capture, extraLns, setupTimeout, workers); }

    public LabOptions withCapture(boolean c) { return new LabOptions(usersPerReseller, radiusServers, lockout, lnsMode, lacdHeap, logLevel, c, extraLns, setupTimeout, workers); }

    public LabOptions withExtraLns(String e) { return new LabOptions(usersPerReseller, radiusServers, lockout, lnsMode, lacdHeap, logLevel, capture, e, setupTimeout, workers); }

    public LabOptions withSetupTimeout(Duration d) { return new LabOptions(usersPerReseller, radiusServers, lockout, lnsMode, lacdHeap, logLevel, capture, extraLns, d, workers); }

    /** {@code interfaces[].workers: n} in lacd's config; 0 leaves the key out (lacd's default). */
    public LabOptions withWorkers(int n) { return new LabOptions(usersPerReseller, radiusServers, lockout, lnsMode, lacdHeap, logLevel, capture, extraLns, setupTimeout, n); }
}
