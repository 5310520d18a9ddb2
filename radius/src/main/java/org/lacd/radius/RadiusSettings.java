package org.lacd.radius;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Everything the RADIUS module needs from the configuration. Immutable; build with {@link #builder()}.
 * Defaults follow common LAC practice and are listed in {@link Builder}.
 */
public record RadiusSettings(List<Server> authServers, List<Server> acctServers, Strategy strategy, Duration timeout, int retries,
                             Duration deadHoldDown, int maxInFlight, String nasIdentifier, Optional<InetAddress> nasIpAddress,
                             Optional<InetAddress> nasIpv6Address, String nasPortIdFormat, MacFormat callingStationIdFormat,
                             NasPortType nasPortType, boolean authenticateAtLac, String steeringPassword, Accounting accounting,
                             Dae dae, ProbeMode probe) {

    /** How answers must carry a Message-Authenticator (RFC 3579; BlastRADIUS, CVE-2024-3596). */
    public enum MessageAuthenticatorMode {
        /** Required from a server once it has sent one valid Message-Authenticator (the default). */
        AUTO,
        /** Every Access-Accept/Reject/Challenge must carry a valid one. */
        REQUIRED,
        /** Not required (a present but wrong one still drops the answer). */
        OFF
    }

    public enum Strategy { FAILOVER, ROUND_ROBIN }

    /** How a dead server is found alive again. */
    public enum ProbeMode {
        /** After the hold-down, the next real request tries it (works with every server; that request may wait). */
        REQUEST,
        /**
         * RFC 5997 Status-Server every hold-down; the server stays skipped until it answers one (no subscriber waits on
         * a dead server; the server must support Status-Server, as FreeRADIUS does with {@code status_server = yes}).
         */
        STATUS_SERVER
    }

    /** RFC 2865 s5.41 NAS-Port-Type values lacd offers. */
    public enum NasPortType {
        VIRTUAL(5), ETHERNET(15);
        private final int code;
        NasPortType(int code) { this.code = code; }
        public int code() { return code; }
    }

    /** Calling-Station-Id MAC formats. */
    public enum MacFormat {
        /** aa:bb:cc:dd:ee:ff */ COLON_LOWER,
        /** AA-BB-CC-DD-EE-FF (RFC 3580 s3.21) */ DASH_UPPER,
        /** aabb.ccdd.eeff */ CISCO_DOTTED,
        /** aabbccddeeff */ BARE_LOWER;

        private static final char[] LOWER = "0123456789abcdef".toCharArray();
        private static final char[] UPPER = "0123456789ABCDEF".toCharArray();

        /** Per RADIUS request (Access and every accounting record): a char table, not String.format per byte (issue 20). */
        public String format(byte[] mac) {
            char[] digits = this == DASH_UPPER ? UPPER : LOWER;
            StringBuilder sb = new StringBuilder(mac.length * 3);
            for (int i = 0; i < mac.length; i++) {
                switch (this) {
                    case COLON_LOWER -> sb.append(i > 0 ? ":" : "");
                    case DASH_UPPER -> sb.append(i > 0 ? "-" : "");
                    case CISCO_DOTTED -> sb.append(i > 0 && i % 2 == 0 ? "." : "");
                    case BARE_LOWER -> { }
                }
                sb.append(digits[(mac[i] >> 4) & 0xF]).append(digits[mac[i] & 0xF]);
            }
            return sb.toString();
        }
    }

    public record Server(String host, int port, String secret, MessageAuthenticatorMode messageAuthenticator) {
        public Server {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port " + port);
            }
            if (secret == null || secret.isEmpty()) {
                throw new IllegalArgumentException("empty secret for " + host);
            }
        }

        public InetSocketAddress address() { return new InetSocketAddress(host, port); }

        /** Label used in logs and metrics. */
        public String label() { return host + ":" + port; }
    }

    /**
     * @param interimInterval Acct-Interim-Interval default (zero = no interim updates)
     * @param spoolDir        directory of the on-disk spool
     * @param spoolMaxRecords bound of the spool; beyond it records are discarded with an ERROR log and a metric
     * @param spoolRetry      how often the spool is retried while no server answers
     * @param tunnelAccounting send RFC 2867 tunnel records
     */
    public record Accounting(Duration interimInterval, Path spoolDir, int spoolMaxRecords, Duration spoolRetry, boolean tunnelAccounting) { }

    public record DaeClient(InetAddress address, String secret) { }

    /** RFC 5176 listener; disabled when {@code port} is empty. */
    public record Dae(InetAddress listenAddress, OptionalInt port, List<DaeClient> clients, boolean requireMessageAuthenticator) {
        public static Dae disabled() {
            return new Dae(InetAddress.getLoopbackAddress(), OptionalInt.empty(), List.of(), false);
        }
    }

    public static Builder builder() { return new Builder(); }

    /** Builder with defaults. */
    public static final class Builder {
        private List<Server> auth = List.of();
        private List<Server> acct = List.of();
        private Strategy strategy = Strategy.FAILOVER;
        private Duration timeout = Duration.ofSeconds(3);
        private int retries = 2;
        private Duration holdDown = Duration.ofSeconds(30);
        private int maxInFlight = 200;
        private String nasIdentifier = "lacd";
        private InetAddress nasIp;
        private InetAddress nasIpv6;
        private String nasPortIdFormat = "{interface}:{outer}.{inner}";
        private MacFormat macFormat = MacFormat.COLON_LOWER;
        private NasPortType nasPortType = NasPortType.VIRTUAL;
        private boolean authenticateAtLac = true;
        private String steeringPassword = "lacd";
        private Accounting accounting = new Accounting(Duration.ZERO, Path.of("/var/spool/lacd/acct"), 500_000, Duration.ofSeconds(10), false);
        private Dae dae = Dae.disabled();
        private ProbeMode probe = ProbeMode.REQUEST;

        public Builder authServers(List<Server> v) { auth = List.copyOf(v); return this; }
        public Builder acctServers(List<Server> v) { acct = List.copyOf(v); return this; }
        public Builder strategy(Strategy v) { strategy = v; return this; }
        public Builder timeout(Duration v) { timeout = v; return this; }
        public Builder retries(int v) { retries = v; return this; }
        public Builder deadHoldDown(Duration v) { holdDown = v; return this; }
        public Builder maxInFlight(int v) { maxInFlight = v; return this; }
        public Builder nasIdentifier(String v) { nasIdentifier = v; return this; }
        public Builder nasIpAddress(InetAddress v) { nasIp = v; return this; }
        public Builder nasIpv6Address(InetAddress v) { nasIpv6 = v; return this; }
        public Builder nasPortIdFormat(String v) { nasPortIdFormat = v; return this; }
        public Builder callingStationIdFormat(MacFormat v) { macFormat = v; return this; }
        public Builder nasPortType(NasPortType v) { nasPortType = v; return this; }
        public Builder authenticateAtLac(boolean v) { authenticateAtLac = v; return this; }
        public Builder steeringPassword(String v) { steeringPassword = v; return this; }
        public Builder accounting(Accounting v) { accounting = v; return this; }
        public Builder dae(Dae v) { dae = v; return this; }
        public Builder probe(ProbeMode v) { probe = v; return this; }

        public RadiusSettings build() {
            return new RadiusSettings(auth, acct, strategy, timeout, retries, holdDown, maxInFlight, nasIdentifier, Optional.ofNullable(nasIp),
                Optional.ofNullable(nasIpv6), nasPortIdFormat, macFormat, nasPortType, authenticateAtLac, steeringPassword, accounting, dae, probe);
        }
    }

    public RadiusSettings {
        authServers = List.copyOf(authServers);
        acctServers = List.copyOf(acctServers);
        for (List<Server> l : List.of(authServers, acctServers)) {
            if (l.stream().map(sv -> sv.host() + ":" + sv.port()).distinct().count() != l.size()) {
                throw new IllegalArgumentException("the same server address twice in one pool: " + l);
            }
        }
        if (retries < 0 || retries > 10) {
            throw new IllegalArgumentException("retries " + retries + " (expected: 0..10)");
        }
        // One server has 256 identifiers (RFC 2865 s3); a bound above that could strand requests without an identifier.
        if (maxInFlight < 1 || maxInFlight > 256) {
            throw new IllegalArgumentException("maxInFlight " + maxInFlight + " (expected: 1..256)");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
    }

    /** NAS-Port-Id from the format: {interface}, {outer}, {inner} (empty when absent; a dangling '.' or ':' is trimmed). */
    public String nasPortId(String iface, OptionalInt outer, OptionalInt inner) {
        String s = nasPortIdFormat.replace("{interface}", iface == null ? "" : iface)
            .replace("{outer}", outer.isPresent() ? Integer.toString(outer.getAsInt()) : "")
            .replace("{inner}", inner.isPresent() ? Integer.toString(inner.getAsInt()) : "");
        while (!s.isEmpty() && (s.endsWith(".") || s.endsWith(":"))) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }
}
