package org.lacd.daemon.session;

import java.time.Instant;
import org.lacd.pppoe.AuthExchange;
import org.lacd.pppoe.CloseReason;
import org.lacd.pppoe.PppSink;
import org.lacd.pppoe.wire.LineInfo;
import org.lacd.pppoe.wire.MacAddress;

/**
 * The access side of a {@link Session}: what the session needs from whoever brought the user to lacd. Two kinds, one
 * session model: a PPPoE subscriber ({@link PppoeAccess}) and, for tunnel switching, a call a downstream LAC placed on
 * lacd ({@link SwitchedAccess}). Getters are safe from any thread; the actions may be called from any thread.
 */
sealed interface Access permits PppoeAccess, SwitchedAccess {
    /** The user and how they authenticated (CHAP or PAP, byte for byte): for steering and the proxy AVPs. */
    AuthExchange auth();

    /** Where the access came in, for views, metrics, accounting and NAS-Port-Id: the subscriber interface, or the downstream LAC peer. */
    String interfaceName();

    /** The receive worker that carries this access's frames (0 where there is one). */
    int worker();

    /** The subscriber's MAC, or null where the access does not know it (a switched call whose Calling Number is no MAC). */
    MacAddress mac();

    /** Outer VLAN ID, -1 when none. */
    int outerVlan();

    /** Inner VLAN ID, -1 when none. */
    int innerVlan();

    /** NAS-Port: the PPPoE session id, or the switched call's session id at lacd. */
    int pppoeSessionId();

    /** The PPPoE Service-Name, or the switched call's Called Number ("" when none). */
    String serviceName();

    /** TR-101 / RFC 5515 line information: from the PADR, or from the switched call's ICRQ. */
    LineInfo lineInfo();

    Instant createdAt();

    /** Proxy LCP (RFC 2661 4.4.5): options of the first LCP Configure-Request received from the subscriber. */
    byte[] initialReceivedConfReq();

    /** Proxy LCP: options of the last Configure-Request sent to the subscriber. */
    byte[] lastSentConfReq();

    /** Proxy LCP: options of the last Configure-Request received from the subscriber. */
    byte[] lastReceivedConfReq();

    /** Refuse the user: CHAP Failure / PAP Nak and PADT, or a CDN toward the downstream LAC. */
    void reject(String message);

    /** From now on every PPP frame from the access goes to {@code upstream} straight from its receive thread. */
    void startForwarding(PppSink upstream);

    /** A PPP frame (protocol field onward) toward the access, from the L2TP read path (it may be batched). */
    void queuePpp(byte[] buf, int off, int len);

    /** Ends the access side: LCP Terminate and PADT, or a CDN toward the downstream LAC. */
    void terminate(CloseReason reason);

    /** Ends the access side because the LNS ended the call with {@code lns}: its cause goes along where it can. */
    default void terminate(CloseReason reason, org.lacd.l2tp.CallDownCause lns) {
        terminate(reason);
    }

    /** The CDN cause toward the LNS when the access side ended: a subscriber's hang-up, or the downstream LAC's own CDN. */
    default org.lacd.l2tp.DisconnectCause hangupCause() {
        return org.lacd.l2tp.DisconnectCause.subscriberHangup();
    }

    /**
     * Calling-Station-Id for RADIUS, octet for octet: a switched call's Calling Number as the downstream LAC sent it;
     * null for a PPPoE subscriber, whose MAC goes in the configured format.
     */
    default byte[] callingStationId() {
        return null;
    }

    /** NAS-Port-Type for RADIUS (RFC 2865 5.41): empty for the configured one (a PPPoE port's); Virtual for a switched call. */
    default java.util.Optional<org.lacd.radius.RadiusSettings.NasPortType> nasPortType() {
        return java.util.Optional.empty();
    }

    /** The MAC as text, "" when unknown. */
    default String macText() {
        MacAddress m = mac();
        return m == null ? "" : m.toString();
    }

    /** The MAC's 6 octets, null when unknown (RADIUS then sends no Calling-Station-Id). */
    default byte[] macBytes() {
        MacAddress m = mac();
        return m == null ? null : m.bytes();
    }
}
