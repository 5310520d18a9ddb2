package org.lacd.lab.lab;

import java.time.Duration;
import java.util.Set;

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
 * @param l2tpns           LNS names (e.g. {@code lns-a1}) run as a real l2tpns ({@link L2tpns}) instead of an emulator
 * @param helloInterval    {@code l2tp.hello-interval} of lacd
 * @param maxRetransmits   {@code l2tp.max-retransmits} of lacd (with hello-interval: how soon a dead LNS is found out)
 * @param l2tpExtra        more keys of lacd's {@code l2tp} section, one {@code key: value} per line (e.g. {@code udp-gso: false})
 * @param accessExtra      more keys of lacd's access interface entry, as YAML flow pairs (e.g. {@code tx-ring: false})
 */
public record LabOptions(int usersPerReseller, int radiusServers, Duration lockout, String lnsMode, String lacdHeap,
                         String logLevel, boolean capture, String extraLns, Duration setupTimeout, int workers,
                         Set<String> l2tpns, Duration helloInterval, int maxRetransmits, String l2tpExtra,
                         String accessExtra) {
    public LabOptions {
        if (usersPerReseller < 1 || radiusServers < 1 || radiusServers > 2 || workers < 0 || maxRetransmits < 1) {
            throw new IllegalArgumentException("usersPerReseller >= 1, radiusServers 1..2, workers >= 0, maxRetransmits >= 1");
        }
        l2tpns = Set.copyOf(l2tpns);
    }

    public static LabOptions defaults() {
        return new LabOptions(100, 1, Duration.ofSeconds(300), "accept-proxy", "512m", "info", false, "", Duration.ofSeconds(4), 0,
                Set.of(), Duration.ofSeconds(10), 5, "", "");
    }

    public LabOptions withUsers(int n) { return new LabOptions(n, radiusServers, lockout, lnsMode, lacdHeap, logLevel, capture, extraLns, setupTimeout, workers, l2tpns, helloInterval, maxRetransmits, l2tpExtra, accessExtra); }

    public LabOptions withRadiusServers(int n) { return new LabOptions(usersPerReseller, n, lockout, lnsMode, lacdHeap, logLevel, capture, extraLns, setupTimeout, workers, l2tpns, helloInterval, maxRetransmits, l2tpExtra, accessExtra); }

    public LabOptions withLockout(Duration d) { return new LabOptions(usersPerReseller, radiusServers, d, lnsMode, lacdHeap, logLevel, capture, extraLns, setupTimeout, workers, l2tpns, helloInterval, maxRetransmits, l2tpExtra, accessExtra); }

    public LabOptions withLnsMode(String m) { return new LabOptions(usersPerReseller, radiusServers, lockout, m, lacdHeap, logLevel, capture, extraLns, setupTimeout, workers, l2tpns, helloInterval, maxRetransmits, l2tpExtra, accessExtra); }

    public LabOptions withHeap(String h) { return new LabOptions(usersPerReseller, radiusServers, lockout, lnsMode, h, logLevel, capture, extraLns, setupTimeout, workers, l2tpns, helloInterval, maxRetransmits, l2tpExtra, accessExtra); }

    public LabOptions withLogLevel(String l) { return new LabOptions(usersPerReseller, radiusServers, lockout, lnsMode, lacdHeap, l, capture, extraLns, setupTimeout, workers, l2tpns, helloInterval, maxRetransmits, l2tpExtra, accessExtra); }

    public LabOptions withCapture(boolean c) { return new LabOptions(usersPerReseller, radiusServers, lockout, lnsMode, lacdHeap, logLevel, c, extraLns, setupTimeout, workers, l2tpns, helloInterval, maxRetransmits, l2tpExtra, accessExtra); }

    public LabOptions withExtraLns(String e) { return new LabOptions(usersPerReseller, radiusServers, lockout, lnsMode, lacdHeap, logLevel, capture, e, setupTimeout, workers, l2tpns, helloInterval, maxRetransmits, l2tpExtra, accessExtra); }

    public LabOptions withSetupTimeout(Duration d) { return new LabOptions(usersPerReseller, radiusServers, lockout, lnsMode, lacdHeap, logLevel, capture, extraLns, d, workers, l2tpns, helloInterval, maxRetransmits, l2tpExtra, accessExtra); }

    /** {@code interfaces[].workers: n} in lacd's config; 0 leaves the key out (lacd's default). */
    public LabOptions withWorkers(int n) { return new LabOptions(usersPerReseller, radiusServers, lockout, lnsMode, lacdHeap, logLevel, capture, extraLns, setupTimeout, n, l2tpns, helloInterval, maxRetransmits, l2tpExtra, accessExtra); }

    /** These LNSs run as a real l2tpns instead of an emulator (names of {@link Topology}: lns-a1, lns-a2, lns-b1, lns-b2). */
    public LabOptions withL2tpns(String... names) { return new LabOptions(usersPerReseller, radiusServers, lockout, lnsMode, lacdHeap, logLevel, capture, extraLns, setupTimeout, workers, Set.of(names), helloInterval, maxRetransmits, l2tpExtra, accessExtra); }

    /** lacd's {@code l2tp.hello-interval} and {@code l2tp.max-retransmits}. */
    public LabOptions withHello(Duration interval, int retransmits) { return new LabOptions(usersPerReseller, radiusServers, lockout, lnsMode, lacdHeap, logLevel, capture, extraLns, setupTimeout, workers, l2tpns, interval, retransmits, l2tpExtra, accessExtra); }

    /** More keys of lacd's {@code l2tp} section, one {@code key: value} per line. */
    public LabOptions withL2tpExtra(String e) { return new LabOptions(usersPerReseller, radiusServers, lockout, lnsMode, lacdHeap, logLevel, capture, extraLns, setupTimeout, workers, l2tpns, helloInterval, maxRetransmits, e, accessExtra); }

    /** More keys of lacd's access interface entry, e.g. {@code tx-ring: false}. */
    public LabOptions withAccessExtra(String e) { return new LabOptions(usersPerReseller, radiusServers, lockout, lnsMode, lacdHeap, logLevel, capture, extraLns, setupTimeout, workers, l2tpns, helloInterval, maxRetransmits, l2tpExtra, e); }
}
