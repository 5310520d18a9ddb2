package org.lacd.radius;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * What accounting needs to know about one subscriber session. {@code counters} is called from the accounting thread
 * at Interim-Update and Stop time: it must be thread-safe and cheap.
 *
 * @param tunnel        the LNS used, when the call is up (tunnel attributes and Acct-Tunnel-Connection)
 * @param classes       Class attributes from the Access-Accept, echoed as RFC 2865 s5.25 requires
 * @param interimInterval Acct-Interim-Interval from the Access-Accept (seconds), overriding the configured one
 * @param authentic     Acct-Authentic: 1 = RADIUS, 2 = Local (realm rules)
 * @param lineInfo      access line attributes (sent as DSL Forum VSAs like in the Access-Request)
 * @param callingStationId Calling-Station-Id octet for octet (a switched call's Calling Number); null: from the MAC
 * @param nasPortType   NAS-Port-Type overriding the configured one; empty: the configured
 */
public record AcctSession(String acctSessionId, String userName, byte[] callingMac, String interfaceName, OptionalInt outerVlan,
                          OptionalInt innerVlan, long nasPort, String serviceName, Instant startTime, Supplier<Counters> counters,
                          Optional<TunnelInfo> tunnel, List<byte[]> classes, OptionalInt interimInterval, int authentic,
                          Optional<AccessQuery.LineInfo> lineInfo, byte[] callingStationId,
                          Optional<RadiusSettings.NasPortType> nasPortType) {

    public static final int AUTHENTIC_RADIUS = 1;
    public static final int AUTHENTIC_LOCAL = 2;

    public AcctSession {
        callingMac = callingMac == null ? null : callingMac.clone();
        callingStationId = callingStationId == null ? null : callingStationId.clone();
        if (callingStationId != null && (callingStationId.length == 0 || callingStationId.length > 253)) {
            throw new IllegalArgumentException("Calling-Station-Id of " + callingStationId.length + " octets (1..253)");
        }
        classes = classes.stream().map(byte[]::clone).toList();
    }

    /** A session whose Calling-Station-Id is the MAC and whose NAS-Port-Type is the configured one (a PPPoE subscriber). */
    public AcctSession(String acctSessionId, String userName, byte[] callingMac, String interfaceName, OptionalInt outerVlan,
                       OptionalInt innerVlan, long nasPort, String serviceName, Instant startTime, Supplier<Counters> counters,
                       Optional<TunnelInfo> tunnel, List<byte[]> classes, OptionalInt interimInterval, int authentic,
                       Optional<AccessQuery.LineInfo> lineInfo) {
        this(acctSessionId, userName, callingMac, interfaceName, outerVlan, innerVlan, nasPort, serviceName, startTime, counters, tunnel,
            classes, interimInterval, authentic, lineInfo, null, Optional.empty());
    }

    @Override
    public byte[] callingStationId() { return callingStationId == null ? null : callingStationId.clone(); }

    /** Octets and packets as 64-bit counters; split into 32-bit value + Gigawords on the wire (RFC 2869 s5.1). */
    public record Counters(long octetsIn, long octetsOut, long packetsIn, long packetsOut) {
        public static final Counters ZERO = new Counters(0, 0, 0, 0);
    }

    /**
     * The tunnel of a session (or of a tunnel record). Strings are sent as untagged RFC 2868 attributes.
     * @param acctTunnelConnection RFC 2867 s4.1 Acct-Tunnel-Connection: e.g. "tunnel-id/session-id/call-serial"
     */
    public record TunnelInfo(int tunnelType, int mediumType, String serverEndpoint, Optional<String> clientEndpoint,
                             Optional<String> assignmentId, Optional<String> clientAuthId, Optional<String> serverAuthId,
                             Optional<String> privateGroupId, String acctTunnelConnection) {

        public static TunnelInfo l2tp(String server, String client, String connection) {
            return new TunnelInfo(TunnelCandidate.TUNNEL_TYPE_L2TP, TunnelCandidate.MEDIUM_IPV4, server, Optional.ofNullable(client),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), connection);
        }

        public static TunnelInfo of(TunnelCandidate c, String clientEndpoint, String connection) {
            String server = c.serverHost().contains(":") ? "[" + c.serverHost() + "]" : c.serverHost();
            if (c.serverPort().isPresent()) {
                server += ":" + c.serverPort().getAsInt();
            }
            return new TunnelInfo(c.tunnelType(), c.mediumType(), server, Optional.ofNullable(clientEndpoint).or(c::clientEndpoint),
                c.assignmentId(), c.clientAuthId(), c.serverAuthId(), c.privateGroupId(), connection);
        }
    }
}
