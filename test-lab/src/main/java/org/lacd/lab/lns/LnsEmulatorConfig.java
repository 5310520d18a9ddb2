package org.lacd.lab.lns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import org.lacd.l2tp.transport.ReliableChannel;

/**
 * Configuration of an {@link LnsEmulator}.
 *
 * @param listen          UDP address (default 0.0.0.0:1701; port 0 picks one)
 * @param secret          tunnel secret (RFC 2661 5.1.1 challenge/response, AVP hiding); null for none
 * @param hostName        Host Name AVP and CHAP name
 * @param hideAvps        hide the Assigned Session ID in ICRP (needs a secret)
 * @param passwords       password per user ({@link PasswordPattern})
 * @param mode            how proxy LCP/authentication is treated
 * @param pool            subscriber address prefix; its first host is the LNS's own address
 * @param restart         PPP restart timer (RFC 1661 4.6) for our Configure-Requests and CHAP Challenges
 * @param maxConfigure    tries before an unanswered request ends the call
 * @param setupTimeout    ICCN to IPCP opened; longer ends the call with a CDN
 * @param maxCallRecords  calls kept for the report (older ended ones are dropped first; counters keep counting)
 * @param echoInterval    LCP Echo-Request from the LNS this often once IPCP is open; zero for none (default)
 * @param echoFailures    unanswered echoes in a row that end the call (CDN); 0 never (default)
 * @param channel         reliable control channel timers and our receive window
 */
public record LnsEmulatorConfig(InetSocketAddress listen, String secret, String hostName, boolean hideAvps, PasswordPattern passwords,
                                Mode mode, String pool, Duration restart, int maxConfigure, Duration setupTimeout, int maxCallRecords,
                                Duration echoInterval, int echoFailures, ReliableChannel.Config channel) {
    public LnsEmulatorConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(passwords, "passwords");
        Objects.requireNonNull(mode, "mode");
        new AddressPool(pool); // validates
        if (hideAvps && (secret == null || secret.isEmpty())) {
            throw new IllegalArgumentException("hiding AVPs needs a secret");
        }
        if (maxConfigure < 1 || maxCallRecords < 0 || restart.isNegative() || restart.isZero() || setupTimeout.isNegative()
                || echoInterval.isNegative() || echoFailures < 0) {
            throw new IllegalArgumentException("bad LNS emulator limits");
        }
    }

    public static Builder builder() { return new Builder(); }

    /** Defaults: 0.0.0.0:1701, no secret, accept-proxy, password {@code pass{n}}, pool 100.64.0.0/16. */
    public static final class Builder {
        private InetSocketAddress listen = new InetSocketAddress(1701);
        private String secret;
        private String hostName = "lns-emulator";
        private boolean hideAvps;
        private PasswordPattern passwords = new PasswordPattern("pass{n}");
        private Mode mode = Mode.ACCEPT_PROXY;
        private String pool = "100.64.0.0/16";
        private Duration restart = Duration.ofSeconds(1);
        private int maxConfigure = 10;
        private Duration setupTimeout = Duration.ofSeconds(30);
        private int maxCallRecords = 100_000;
        private Duration echoInterval = Duration.ZERO;
        private int echoFailures;
        private ReliableChannel.Config channel = ReliableChannel.Config.defaults();

        public Builder listen(InetSocketAddress a) { listen = a; return this; }

        /** 127.0.0.1 on an ephemeral port (tests). */
        public Builder loopback() { listen = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0); return this; }

        public Builder secret(String s) { secret = s; return this; }
        public Builder hostName(String h) { hostName = h; return this; }
        public Builder hideAvps(boolean h) { hideAvps = h; return this; }
        public Builder passwords(String pattern) { passwords = new PasswordPattern(pattern); return this; }
        public Builder mode(Mode m) { mode = m; return this; }
        public Builder pool(String cidr) { pool = cidr; return this; }
        public Builder restart(Duration d) { restart = d; return this; }
        public Builder maxConfigure(int n) { maxConfigure = n; return this; }
        public Builder setupTimeout(Duration d) { setupTimeout = d; return this; }
        public Builder maxCallRecords(int n) { maxCallRecords = n; return this; }
        public Builder channel(ReliableChannel.Config c) { channel = c; return this; }
        public Builder lcpEcho(Duration interval, int failures) { echoInterval = interval; echoFailures = failures; return this; }

        public LnsEmulatorConfig build() {
            return new LnsEmulatorConfig(listen, secret, hostName, hideAvps, passwords, mode, pool, restart, maxConfigure, setupTimeout,
                    maxCallRecords, echoInterval, echoFailures, channel);
        }
    }
}
