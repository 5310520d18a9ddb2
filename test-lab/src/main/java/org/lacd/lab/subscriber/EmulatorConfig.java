package org.lacd.lab.subscriber;

import java.time.Duration;

/**
 * What one emulator run does. Subscribers are numbered 1..count; {@code {n}} in the patterns is replaced by the
 * number. Everything is bounded: at most {@code count} sessions, each step retried at most {@code retries} times,
 * the whole run ends at {@code duration} at the latest.
 *
 * @param count number of subscribers (1..{@value #MAX_SUBSCRIBERS})
 * @param setupRate sessions started per second (PADI of subscriber n at (n-1)/rate seconds)
 * @param auth authentication protocol per subscriber
 * @param userPattern user name, e.g. {@code user{n}@reseller-a.example}
 * @param passwordPattern password (PAP) / CHAP secret
 * @param vlan tagging
 * @param lineTags send the TR-101 vendor tag (circuit id {@code lab/1/{n}}, remote id, actual rates) in PADI/PADR
 * @param serviceName Service-Name tag value (empty: any service)
 * @param lifetime how long a session stays up before LCP Terminate + PADT; zero: until the run's duration ends
 * @param trafficPps UDP packets per second per established subscriber (0: no traffic)
 * @param trafficSize IPv4 packet size in bytes (header included), {@value Probe#MIN_SIZE}..MRU
 * @param duration hard bound on the whole run
 * @param stepTimeout wait per attempt of a step (PADI, PADR, LCP Configure-Request, PAP/CHAP, IPCP)
 * @param retries retransmissions per step after the first attempt
 * @param drain after a session's traffic stops, how long to wait for reflected packets before terminating
 * @param macBase subscriber n uses MAC {@code macBase + n}
 * @param mru the MRU this client asks for
 * @param shards worker threads (subscribers are spread over them by number); 1 is enough for thousands
 * @param lcpEchoInterval once up, an LCP Echo-Request every this long (RFC 1661 5.8, pppd's lcp-echo-interval);
 *     zero: none (the emulator then only answers the peer's echoes)
 * @param lcpEchoFailures unanswered Echo-Requests after which the session is dropped (pppd's lcp-echo-failure), 1..100
 * @param redial after a session dropped for unanswered echoes, dial again from PADI with the same MAC (pppd's
 *     persist); otherwise the subscriber fails with {@link FailureReason#LCP_ECHO_TIMEOUT}
 * @param redialHoldoff wait between the drop and the new PADI (pppd's holdoff)
 */
public record EmulatorConfig(int count, double setupRate, AuthMode auth, String userPattern, String passwordPattern,
                             VlanPlan vlan, boolean lineTags, String serviceName, Duration lifetime, int trafficPps,
                             int trafficSize, Duration duration, Duration stepTimeout, int retries, Duration drain,
                             long macBase, int mru, int shards, Duration lcpEchoInterval, int lcpEchoFailures,
                             boolean redial, Duration redialHoldoff) {
    /** Subscriber numbers fit the low 24 bits of the MAC. */
    public static final int MAX_SUBSCRIBERS = 1 << 22;
    /** 100 at the default 3 s: a CPE that keeps dialling for 5 minutes through a reconnect storm (issue 20). */
    public static final int MAX_RETRIES = 100;

    public EmulatorConfig {
        if (count < 1 || count > MAX_SUBSCRIBERS) {
            throw new IllegalArgumentException("count " + count + " (expected: 1.." + MAX_SUBSCRIBERS + ")");
        }
        if (!(setupRate > 0) || Double.isInfinite(setupRate)) {
            throw new IllegalArgumentException("setup rate " + setupRate + " (expected: > 0 per second)");
        }
        if (trafficPps < 0 || trafficPps > 100_000) {
            throw new IllegalArgumentException("traffic pps " + trafficPps + " (expected: 0..100000)");
        }
        if (trafficSize < Probe.MIN_SIZE || trafficSize > mru) {
            throw new IllegalArgumentException("traffic size " + trafficSize + " (expected: " + Probe.MIN_SIZE
                    + ".." + mru + " = MRU)");
        }
        if (mru < 576 || mru > 1500) {
            throw new IllegalArgumentException("MRU " + mru + " (expected: 576..1500)");
        }
        if (retries < 0 || retries > MAX_RETRIES) {
            throw new IllegalArgumentException("retries " + retries + " (expected: 0.." + MAX_RETRIES + ")");
        }
        if (shards < 1 || shards > 64) {
            throw new IllegalArgumentException("shards " + shards + " (expected: 1..64)");
        }
        if (duration.isNegative() || duration.isZero() || stepTimeout.isNegative() || stepTimeout.isZero()
                || lifetime.isNegative() || drain.isNegative()) {
            throw new IllegalArgumentException("duration and step timeout must be positive, lifetime and drain >= 0");
        }
        if (lcpEchoInterval.isNegative() || redialHoldoff.isNegative()) {
            throw new IllegalArgumentException("LCP echo interval and redial hold-off must be >= 0");
        }
        if (lcpEchoFailures < 1 || lcpEchoFailures > 100) {
            throw new IllegalArgumentException("LCP echo failures " + lcpEchoFailures + " (expected: 1..100)");
        }
        if (((macBase + count) & ~0xffff_ffff_ffffL) != 0 || macBase < 0) {
            throw new IllegalArgumentException("MAC base " + Long.toHexString(macBase) + " leaves no room for "
                    + count + " subscribers");
        }
        if (!userPattern.contains("{n}")) {
            throw new IllegalArgumentException("user pattern must contain {n}: " + userPattern);
        }
    }

    public static Builder builder() { return new Builder(); }

    public String user(int n) { return userPattern.replace("{n}", Integer.toString(n)); }

    public String password(int n) { return passwordPattern.replace("{n}", Integer.toString(n)); }

    public long mac(int n) { return macBase + n; }

    /**
     * A libpcap filter for the frames this emulator answers: PPPoE ({@code pppoeFilter}) to one of its subscribers'
     * MACs ({@code macBase + 1 .. macBase + count}). The lab runs several emulators on one interface (a storm: two
     * halves and the probe subscribers); without the MAC test each read every PPPoE frame on it and dropped the
     * others' in Java, after libpcap's copy and the JNA crossing. The MAC test comes first: libpcap's {@code vlan}
     * keyword moves the offsets of everything after it.
     */
    public String pcapFilter(String pppoeFilter) {
        long first = macBase + 1;
        long last = macBase + count;
        long firstHi = first >>> 16;
        long lastHi = last >>> 16;
        String mac;
        if (firstHi == lastHi) {
            mac = "ether[0:4] = 0x%x and ether[4:2] >= 0x%x and ether[4:2] <= 0x%x".formatted(firstHi, first & 0xffff, last & 0xffff);
        } else {
            mac = ("(ether[0:4] = 0x%x and ether[4:2] >= 0x%x) or (ether[0:4] > 0x%x and ether[0:4] < 0x%x)"
                    + " or (ether[0:4] = 0x%x and ether[4:2] <= 0x%x)").formatted(firstHi, first & 0xffff, firstHi, lastHi,
                    lastHi, last & 0xffff);
        }
        return "(" + mac + ") and (" + pppoeFilter + ")";
    }

    /** Builder with the defaults used by the lab. */
    public static final class Builder {
        private int count = 10;
        private double setupRate = 100;
        private AuthMode auth = AuthMode.CHAP;
        private String userPattern = "user{n}@reseller-a.example";
        private String passwordPattern = "secret{n}";
        private VlanPlan vlan = VlanPlan.NONE;
        private boolean lineTags;
        private String serviceName = "";
        private Duration lifetime = Duration.ZERO;
        private int trafficPps;
        private int trafficSize = 128;
        private Duration duration = Duration.ofSeconds(60);
        private Duration stepTimeout = Duration.ofSeconds(3);
        private int retries = 3;
        private Duration drain = Duration.ofMillis(500);
        private long macBase = 0x02_00_00_00_00_00L;
        private int mru = 1492;
        private int shards = 1;
        private Duration lcpEchoInterval = Duration.ZERO;
        private int lcpEchoFailures = 3;
        private boolean redial;
        private Duration redialHoldoff = Duration.ofSeconds(1);

        public Builder count(int v) { count = v; return this; }
        public Builder setupRate(double v) { setupRate = v; return this; }
        public Builder auth(AuthMode v) { auth = v; return this; }
        public Builder userPattern(String v) { userPattern = v; return this; }
        public Builder passwordPattern(String v) { passwordPattern = v; return this; }
        public Builder vlan(VlanPlan v) { vlan = v; return this; }
        public Builder lineTags(boolean v) { lineTags = v; return this; }
        public Builder serviceName(String v) { serviceName = v; return this; }
        public Builder lifetime(Duration v) { lifetime = v; return this; }
        public Builder trafficPps(int v) { trafficPps = v; return this; }
        public Builder trafficSize(int v) { trafficSize = v; return this; }
        public Builder duration(Duration v) { duration = v; return this; }
        public Builder stepTimeout(Duration v) { stepTimeout = v; return this; }
        public Builder retries(int v) { retries = v; return this; }
        public Builder drain(Duration v) { drain = v; return this; }
        public Builder macBase(long v) { macBase = v; return this; }
        public Builder mru(int v) { mru = v; return this; }
        public Builder shards(int v) { shards = v; return this; }
        public Builder lcpEchoInterval(Duration v) { lcpEchoInterval = v; return this; }
        public Builder lcpEchoFailures(int v) { lcpEchoFailures = v; return this; }
        public Builder redial(boolean v) { redial = v; return this; }
        public Builder redialHoldoff(Duration v) { redialHoldoff = v; return this; }

        public EmulatorConfig build() {
            return new EmulatorConfig(count, setupRate, auth, userPattern, passwordPattern, vlan, lineTags,
                    serviceName, lifetime, trafficPps, trafficSize, duration, stepTimeout, retries, drain, macBase,
                    mru, shards, lcpEchoInterval, lcpEchoFailures, redial, redialHoldoff);
        }
    }
}
