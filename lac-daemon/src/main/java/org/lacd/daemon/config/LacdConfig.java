package org.lacd.daemon.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The whole validated configuration, one record per section of {@code lacd.yaml}. Built only by
 * {@link ConfigLoader}; every value here has passed its range and cross-field checks. The meaning, unit and
 * default of each key is documented in the shipped sample, {@code packaging/lacd.yaml}.
 */
public record LacdConfig(
        Path file,
        List<SubscriberInterface> interfaces,
        Pppoe pppoe,
        Ppp ppp,
        Radius radius,
        L2tp l2tp,
        Steering steering,
        Metrics metrics,
        Management management,
        Logging logging) {

    /** {@code interfaces[].workers} when the config does not say. */
    public static final int DEFAULT_WORKERS = 1;

    /** {@code interfaces[].ring-mib}: receive memory per worker (see {@code packaging/lacd.yaml} for the choice). */
    public static final int DEFAULT_RING_MIB = org.lacd.pppoe.port.PacketRingPort.DEFAULT_RING_BYTES >> 20;

    /** The most workers of any interface: the L2TP engine's worker sockets per local address. */
    public int maxWorkers() {
        return interfaces.stream().mapToInt(SubscriberInterface::workers).max().orElse(1);
    }

    /**
     * A subscriber-facing NIC.
     *
     * @param workers forwarding workers: receive rings in one fanout group, each with its own thread and L2TP socket
     * @param io      how frames are read and written: the AF_PACKET ring where it can be set up, else pcap
     * @param txRing  whether the ring port sends data frames through a TX ring per sending thread (else sendmmsg)
     * @param ringMib receive memory per worker in MiB: the ring port's receive ring, the pcap port's kernel buffer
     * @param padoDelay this interface's own {@code pado-delay}, overriding {@code pppoe.pado-delay}
     */
    public record SubscriberInterface(String name, int maxSessions, int workers, PortIo io, boolean txRing, int ringMib,
                                      Optional<org.lacd.pppoe.discovery.PadoDelay> padoDelay) {
        /** The sessions and workers of a single-worker interface with the default I/O (tests). */
        public SubscriberInterface(String name, int maxSessions) {
            this(name, maxSessions, 1, PortIo.AUTO, true, DEFAULT_RING_MIB, Optional.empty());
        }

        /** Everything but the PADO delay: what only a restart changes. */
        public SubscriberInterface withoutPadoDelay() {
            return new SubscriberInterface(name, maxSessions, workers, io, txRing, ringMib, Optional.empty());
        }
    }

    /** {@code interfaces[].io}: AF_PACKET ring with a pcap fallback, or either one only. */
    public enum PortIo { AUTO, RING, PCAP }

    public enum UnknownService { ERROR, IGNORE }

    /**
     * @param padoDelay the {@code pado-delay} sections: default, per Service-Name, the bound on waiting PADOs (applied by
     *                  a reload, unlike the rest of this section)
     */
    public record Pppoe(String acName, List<String> serviceNames, UnknownService unknownService, int maxPayload,
                        Duration cookieRotation, Duration discoveryTimeout, PppoeLimits limits, PadoDelays padoDelay) {
        /** Everything but the PADO delay: what only a restart changes. */
        public Pppoe withoutPadoDelay() {
            return new Pppoe(acName, serviceNames, unknownService, maxPayload, cookieRotation, discoveryTimeout, limits, null);
        }
    }

    /** {@code pppoe.pado-delay}, {@code pppoe.pado-delay-services}, {@code pppoe.pado-delay-max-pending}. */
    public record PadoDelays(org.lacd.pppoe.discovery.PadoDelay defaultDelay,
                             Map<String, org.lacd.pppoe.discovery.PadoDelay> byService, int maxPending) {}

    public record PppoeLimits(int sessionsPerMac, int sessionsPerVlan, int padiPerMacPerSecond, int padiPerSecond,
                              int padrPerMacPerSecond, int padrPerSecond, int discoveryQueue, int setupsInFlight,
                              Duration padiHold) {}

    public enum AuthProtocol { CHAP_MD5, PAP }

    public record Ppp(List<AuthProtocol> authProtocols, int mru, Duration lcpRestart, int lcpMaxConfigure,
                      int lcpMaxFailure, Duration authTimeout) {}

    public enum MessageAuthenticator { AUTO, REQUIRED, OFF }

    public enum ServerStrategy { FAILOVER, ROUND_ROBIN }

    public enum MacFormat { IETF, COLON, CISCO, RAW }

    public record RadiusServer(InetAddress address, int port, String secret, MessageAuthenticator messageAuthenticator) {}

    public record Accounting(boolean enabled, Duration interimInterval, Path spoolDir, int spoolMaxRecords,
                             boolean tunnelRecords, boolean recordRejects) {}

    public record DaeClient(InetAddress address, String secret) {}

    public record DynamicAuthorization(boolean enabled, InetSocketAddress listen, List<DaeClient> clients) {}

    public record Radius(boolean enabled, boolean authenticate, String nasIdentifier, Optional<InetAddress> nasIpAddress,
                         String nasPortIdFormat, MacFormat callingStationIdFormat, ServerStrategy strategy,
                         Duration timeout, int retries, Duration deadTime, int maxInFlight,
                         List<RadiusServer> authServers, List<RadiusServer> acctServers, Accounting accounting,
                         DynamicAuthorization dynamicAuthorization) {}

    /**
     * @param ipsec whether L2TP to this LNS must go through an IPsec SA that lacd checks (and brings up) through strongSwan
     */
    public record LnsProfile(String name, InetAddress address, int port, Optional<String> secret, String hostname,
                             Optional<InetAddress> localAddress, Optional<String> assignmentId, boolean hideAvps,
                             int maxSessions, int sessionsPerTunnel, int weight, boolean drain, boolean replayAuth,
                             boolean accessLineAvps, Ipsec ipsec) {
        /** A profile without IPsec. */
        public LnsProfile(String name, InetAddress address, int port, Optional<String> secret, String hostname,
                          Optional<InetAddress> localAddress, Optional<String> assignmentId, boolean hideAvps,
                          int maxSessions, int sessionsPerTunnel, int weight, boolean drain, boolean replayAuth,
                          boolean accessLineAvps) {
            this(name, address, port, secret, hostname, localAddress, assignmentId, hideAvps, maxSessions, sessionsPerTunnel,
                    weight, drain, replayAuth, accessLineAvps, Ipsec.OFF);
        }
    }

    /** {@code l2tp.lns[].ipsec}: off, or required. */
    public enum IpsecMode { OFF, REQUIRED }

    /**
     * {@code l2tp.lns[].ipsec}, {@code ipsec-connection}, {@code ipsec-child}: with REQUIRED, the swanctl connection
     * (IKE_SA config) and its child (CHILD_SA config) whose SA must be up, and cover UDP to the LNS, before lacd sends it
     * anything. Both names are empty when OFF.
     */
    public record Ipsec(IpsecMode mode, String connection, String child) {
        public static final Ipsec OFF = new Ipsec(IpsecMode.OFF, "", "");

        public boolean required() {
            return mode == IpsecMode.REQUIRED;
        }
    }

    public record L2tp(int sourcePort, InetAddress bindAddress, String hostname, Duration helloInterval,
                       Duration retransmitInitial, Duration retransmitCap, int maxRetransmits, int receiveWindow,
                       Duration tunnelLinger, int sessionsPerTunnel, int callsInSetupPerTunnel, Duration setupTimeout,
                       String callingNumber, long connectSpeed, boolean udpGso, boolean udpGro, int receiveBufferMib,
                       List<LnsProfile> lns, Path ipsecVici, List<LacPeer> lacPeers) {

        /**
         * Receive buffer of each L2TP socket, in MiB ({@code l2tp.receive-buffer-mib}), unless the config says: what
         * keeps a storm's LNS answers from being dropped at the socket (test-lab lab.md, "Socket buffers").
         */
        public static final int DEFAULT_RECEIVE_BUFFER_MIB = 32;


        /** Where charon's VICI socket is when the config does not say ({@code l2tp.ipsec-vici}). */
        public static final Path DEFAULT_VICI = Path.of("/var/run/charon.vici");

        /** True when any profile requires IPsec: only then does lacd talk to charon. */
        public boolean anyIpsec() {
            return lns.stream().anyMatch(p -> p.ipsec().required());
        }

        public Optional<LnsProfile> profile(String name) {
            return lns.stream().filter(p -> p.name().equals(name)).findFirst();
        }
    }

    /**
     * {@code l2tp.lac-peers[]}: a downstream LAC allowed to open tunnels toward lacd and place calls on them (tunnel
     * switching).
     *
     * @param name        label in logs, metrics and session views
     * @param network     {@code address}: one address, or the network of {@code address: a.b.c.d/n}
     * @param prefix      the prefix length (32 or 128 for one address)
     * @param secret      tunnel secret (RFC 2661 5.1.1); empty for none
     * @param hostName    the Host Name the peer must send in SCCRQ; empty accepts any
     * @param maxSessions most calls at once from this peer; 0 for no limit
     * @param drain       new calls from this peer refused (CDN result 4, counted as draining); its calls up stay
     * @param maxTunnels  most tunnels at once from this peer (StopCCN result 2 beyond); 0 for no limit
     */
    public record LacPeer(String name, InetAddress network, int prefix, Optional<String> secret, Optional<String> hostName,
                          int maxSessions, boolean drain, int maxTunnels) {
        /** What the L2TP engine takes. */
        public org.lacd.l2tp.LacPeer toEngine() {
            return new org.lacd.l2tp.LacPeer(name, network, prefix, secret.orElse(null), hostName.orElse(null), maxSessions, maxTunnels);
        }

        /** Secrets stay out of logs and config diffs. */
        @Override
        public String toString() {
            return "LacPeer[" + name + " " + network.getHostAddress() + "/" + prefix + (secret.isPresent() ? " secret" : "")
                    + hostName.map(h -> " host-name " + h).orElse("") + " max-sessions " + maxSessions + " max-tunnels " + maxTunnels + (drain ? " drain" : "") + "]";
        }
    }

    public enum SteeringSource { RADIUS, REALM, RADIUS_THEN_REALM }

    public enum Spread { WEIGHT, LEAST_SESSIONS }

    public record LnsRef(String name, int preference, int weight) {}

    /** Exactly one of realm, user regex or service name is set. */
    public record RealmRule(Optional<String> realm, Optional<Pattern> userRegex, Optional<String> service,
                            List<LnsRef> lns) {}

    public record Steering(SteeringSource source, Spread spread, Duration lockout, List<RealmRule> rules) {}

    public record Metrics(boolean enabled, InetSocketAddress listen) {}

    public record Management(boolean enabled, InetSocketAddress listen, Optional<String> token) {}

    public enum LogLevel { ERROR, WARN, INFO, DEBUG, TRACE }

    public record Logging(LogLevel level) {}
}
