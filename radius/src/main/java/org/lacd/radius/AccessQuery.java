package org.lacd.radius;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What lacd knows about a subscriber when it asks where the tunnel goes. Binary fields are copied.
 *
 * @param chapId        CHAP identifier (CHAP_MD5)
 * @param chapChallenge challenge lacd sent (CHAP_MD5)
 * @param chapResponse  16-octet response from the CPE (CHAP_MD5)
 * @param papPassword   clear-text PAP password (PAP)
 * @param outerVlan     outer VLAN id (S-tag or single tag), if tagged
 * @param innerVlan     inner VLAN id (C-tag), if double tagged
 * @param callingMac    subscriber MAC, 6 octets
 * @param serviceName   PPPoE Service-Name (sent as Called-Station-Id when not empty)
 * @param nasPort       NAS-Port number
 * @param lineInfo      access line attributes from the PPPoE intermediate agent, if any
 * @param callingStationId Calling-Station-Id as sent, octet for octet (a switched call's L2TP Calling Number); null:
 *                      the MAC in the configured format, or none without a MAC
 * @param nasPortType   NAS-Port-Type of this access (RFC 2865 5.41), overriding the configured one; empty: the configured
 */
public record AccessQuery(String userName, AuthType authType, int chapId, byte[] chapChallenge, byte[] chapResponse, String papPassword,
                          String interfaceName, OptionalInt outerVlan, OptionalInt innerVlan, byte[] callingMac, String serviceName,
                          String acctSessionId, long nasPort, Optional<LineInfo> lineInfo, byte[] callingStationId,
                          Optional<RadiusSettings.NasPortType> nasPortType) {

    public enum AuthType { CHAP_MD5, PAP, NONE }

    /** RFC 4679 access line attributes (DSL Forum vendor 3561). Rates in kbit/s as on the wire. */
    public record LineInfo(Optional<String> agentCircuitId, Optional<String> agentRemoteId, OptionalLong actualRateUp,
                           OptionalLong actualRateDown, OptionalLong minRateUp, OptionalLong minRateDown) {
        public static LineInfo of(String circuitId, String remoteId) {
            return new LineInfo(Optional.ofNullable(circuitId), Optional.ofNullable(remoteId), OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.empty(), OptionalLong.empty());
        }
    }

    public AccessQuery {
        chapChallenge = chapChallenge == null ? null : chapChallenge.clone();
        chapResponse = chapResponse == null ? null : chapResponse.clone();
        callingMac = callingMac == null ? null : callingMac.clone();
        callingStationId = callingStationId == null ? null : callingStationId.clone();
        if (callingStationId != null && (callingStationId.length == 0 || callingStationId.length > 253)) {
            throw new IllegalArgumentException("Calling-Station-Id of " + callingStationId.length + " octets (1..253)");
        }
        if (userName == null) {
            throw new IllegalArgumentException("userName");
        }
        if (authType == AuthType.CHAP_MD5 && (chapChallenge == null || chapResponse == null || chapResponse.length != 16)) {
            throw new IllegalArgumentException("CHAP needs a challenge and a 16-octet response");
        }
        if (authType == AuthType.PAP && papPassword == null) {
            throw new IllegalArgumentException("PAP needs a password");
        }
    }

    /** A query whose Calling-Station-Id is the MAC and whose NAS-Port-Type is the configured one (a PPPoE subscriber). */
    public AccessQuery(String userName, AuthType authType, int chapId, byte[] chapChallenge, byte[] chapResponse, String papPassword,
                       String interfaceName, OptionalInt outerVlan, OptionalInt innerVlan, byte[] callingMac, String serviceName,
                       String acctSessionId, long nasPort, Optional<LineInfo> lineInfo) {
        this(userName, authType, chapId, chapChallenge, chapResponse, papPassword, interfaceName, outerVlan, innerVlan, callingMac,
            serviceName, acctSessionId, nasPort, lineInfo, null, Optional.empty());
    }

    @Override
    public byte[] callingStationId() { return callingStationId == null ? null : callingStationId.clone(); }

    public static AccessQuery pap(String user, String password, String acctSessionId) {
        return new AccessQuery(user, AuthType.PAP, 0, null, null, password, "eth0", OptionalInt.empty(), OptionalInt.empty(), null, "",
            acctSessionId, 0, Optional.empty());
    }

    public static AccessQuery chap(String user, int chapId, byte[] challenge, byte[] response, String acctSessionId) {
        return new AccessQuery(user, AuthType.CHAP_MD5, chapId, challenge, response, null, "eth0", OptionalInt.empty(), OptionalInt.empty(),
            null, "", acctSessionId, 0, Optional.empty());
    }

    public AccessQuery withPort(String iface, OptionalInt outer, OptionalInt inner, byte[] mac, String service, long port,
                                Optional<LineInfo> line) {
        return new AccessQuery(userName, authType, chapId, chapChallenge, chapResponse, papPassword, iface, outer, inner, mac, service,
            acctSessionId, port, line, callingStationId, nasPortType);
    }

    /** The same query with {@code callingStationId} sent as is and {@code type} as NAS-Port-Type (a switched call). */
    public AccessQuery withCallingStation(byte[] callingStationId, RadiusSettings.NasPortType type) {
        return new AccessQuery(userName, authType, chapId, chapChallenge, chapResponse, papPassword, interfaceName, outerVlan, innerVlan,
            callingMac, serviceName, acctSessionId, nasPort, lineInfo, callingStationId, Optional.of(type));
    }
}
