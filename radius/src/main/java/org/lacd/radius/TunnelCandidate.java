package org.lacd.radius;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * One LNS to try, built from the RFC 2868 attributes sharing one tag.
 *
 * @param tag            RFC 2868 tag (0 = untagged)
 * @param preference     Tunnel-Preference (lower is better); {@link #NO_PREFERENCE} when absent
 * @param tunnelType     Tunnel-Type value (always 3 = L2TP for a usable candidate)
 * @param mediumType     Tunnel-Medium-Type (1 = IPv4, 2 = IPv6)
 * @param serverHost     host part of Tunnel-Server-Endpoint (address or FQDN)
 * @param serverPort     port given after the host ("host:port", "[v6]:port"), if any
 * @param clientEndpoint Tunnel-Client-Endpoint (our local address for this tunnel), if any
 * @param password       Tunnel-Password, decrypted; the L2TP tunnel secret
 * @param assignmentId   Tunnel-Assignment-Id: which tunnel to share (RFC 2868 s3.7)
 * @param clientAuthId   Tunnel-Client-Auth-Id: our L2TP host name towards this LNS
 * @param serverAuthId   Tunnel-Server-Auth-Id: the LNS's expected host name
 * @param privateGroupId Tunnel-Private-Group-Id
 */
public record TunnelCandidate(int tag, long preference, int tunnelType, int mediumType, String serverHost, OptionalInt serverPort,
                              Optional<String> clientEndpoint, Optional<String> password, Optional<String> assignmentId,
                              Optional<String> clientAuthId, Optional<String> serverAuthId, Optional<String> privateGroupId) {
    /** Sorts after every explicit preference (Tunnel-Preference is 24 bits on the wire). */
    public static final long NO_PREFERENCE = 0x1000000L;
    public static final int TUNNEL_TYPE_L2TP = 3;
    public static final int MEDIUM_IPV4 = 1;
    public static final int MEDIUM_IPV6 = 2;

    /**
     * This candidate (from RADIUS) completed by a configured LNS profile, as commercial LACs do: every value RADIUS sent
     * wins, the profile fills what RADIUS left out (port, password, auth ids, client endpoint, assignment, group).
     * Tag, preference, type, medium and server host stay RADIUS's.
     */
    public TunnelCandidate withDefaults(TunnelCandidate profile) {
        return new TunnelCandidate(tag, preference, tunnelType, mediumType, serverHost, serverPort.isPresent() ? serverPort : profile.serverPort,
            clientEndpoint.or(profile::clientEndpoint), password.or(profile::password), assignmentId.or(profile::assignmentId),
            clientAuthId.or(profile::clientAuthId), serverAuthId.or(profile::serverAuthId), privateGroupId.or(profile::privateGroupId));
    }

    /** Names under which a configured LNS profile may be looked up: Tunnel-Client-Auth-Id, then Tunnel-Assignment-Id. */
    public java.util.List<String> profileKeys() {
        java.util.List<String> k = new java.util.ArrayList<>(2);
        clientAuthId.ifPresent(k::add);
        assignmentId.ifPresent(k::add);
        return k;
    }

    /** Every attribute on one line; the password only with {@code showSecrets}. */
    public String describe(boolean showSecrets) {
        return toString().replace("password=***", "password=" + (showSecrets ? "\"" + password.orElse("") + "\"" : "***"));
    }

    @Override
    public String toString() {
        return "TunnelCandidate[tag=" + tag + ", pref=" + (preference == NO_PREFERENCE ? "-" : preference) + ", type=" + tunnelType
            + ", medium=" + mediumType + ", server=" + serverHost + serverPort.stream().mapToObj(p -> ":" + p).findFirst().orElse("")
            + ", client=" + clientEndpoint.orElse("-") + ", password=" + (password.isPresent() ? "***" : "-")
            + ", assignment=" + assignmentId.orElse("-") + ", clientAuthId=" + clientAuthId.orElse("-")
            + ", serverAuthId=" + serverAuthId.orElse("-") + ", group=" + privateGroupId.orElse("-") + "]";
    }
}
