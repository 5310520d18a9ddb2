package org.lacd.pppoe;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.lacd.pppoe.discovery.PadoDelayPolicy;

/**
 * Settings of one {@link PppoeServer}. Build with {@link #builder()}; every field has a documented default.
 *
 * @param acName AC-Name tag sent in PADO (default "lacd")
 * @param serviceNames services offered; a PADI/PADR with an empty Service-Name is always accepted (default none)
 * @param unknownService what to do with a Service-Name we do not offer (default SILENT: no answer, RFC 2516 5.2)
 * @param maxPayload largest PPP payload (MRU) granted through RFC 4638 PPP-Max-Payload; 1492 disables it
 * @param authPreference authentication protocols in order of preference (default CHAP-MD5 then PAP)
 * @param cookieRotation how often the AC-Cookie secret rotates; a cookie is valid for one to two periods (default 30 s)
 * @param maxSessionsPerMac sessions one MAC may hold per interface (default 4)
 * @param maxSessionsPerVlan sessions per (interface, outer VLAN, inner VLAN); untagged traffic is not limited by it (default 4000)
 * @param maxSessionsPerInterface sessions per interface, at most 65534 (default 16000)
 * @param padiPerMac PADI token bucket per MAC (default 2/s, burst 5)
 * @param padiTotal PADI token bucket over all MACs (default 1000/s, burst 2000)
 * @param padrPerMac PADR token bucket per MAC (default 2/s, burst 5)
 * @param padrTotal PADR token bucket over all MACs (default 1000/s, burst 2000)
 * @param lcpRestart LCP restart timer (RFC 1661 4.6, default 3 s)
 * @param lcpMaxConfigure Max-Configure (default 10)
 * @param lcpMaxTerminate Max-Terminate (default 2)
 * @param lcpMaxFailure Max-Failure (default 5)
 * @param authTimeout one deadline from PADS until the username is known, over whatever LCP and authentication do: a
 *                    subscriber that has not authenticated by then is terminated (default 30 s)
 * @param decisionTimeout from {@link SubscriberListener#authenticated} until the layer above decides (default 60 s)
 * @param discoveryTimeout from PADS until the subscriber's first LCP packet; a session that hears none by then is
 *                         terminated (default 10 s). PADO to PADR is bounded by the AC-Cookie instead (one to two
 *                         {@code cookieRotation} periods)
 * @param discoveryQueueLimit frames waiting for the server thread (discovery, and PPP of sessions not yet forwarding)
 *                            before new ones are dropped (default 4096); PADIs may hold at most half of it and one
 *                            each per MAC ({@link org.lacd.pppoe.discovery.WorkQueueGuard})
 * @param maxSetupsInFlight sessions opened and not yet forwarding (LCP, authentication, awaiting the decision) at
 *                          or above which a PADI gets no PADO ({@link DropReason#SETUP_PACING}): a storm is shed at
 *                          its cheapest point, before a session exists (default 2000)
 * @param padiHold how long a PADI that finds every setup place taken may wait on the server thread for one instead of
 *                 being shed: its PADO goes out as soon as a setup ends, so that a storm's subscribers do not wait for
 *                 their next retransmission (several seconds) while places stand free. At most {@code maxSetupsInFlight}
 *                 PADIs are held, one per client (a retransmission takes the place of its first PADI), oldest first;
 *                 one held longer is shed after all. Keep it below the clients' PADI retransmission interval (a few
 *                 seconds in common clients). Zero sheds at once (default: zero)
 * @param padoDelay how long to wait before a PADO, by interface, Service-Name and load (default none: at once); the
 *                  running server takes a new one with {@link PppoeServer#padoDelay(PadoDelayPolicy)}
 */
public record PppoeSettings(String acName, List<String> serviceNames, UnknownServicePolicy unknownService,
                            int maxPayload, List<AuthType> authPreference, Duration cookieRotation,
                            int maxSessionsPerMac, int maxSessionsPerVlan, int maxSessionsPerInterface,
                            Rate padiPerMac, Rate padiTotal, Rate padrPerMac, Rate padrTotal,
                            Duration lcpRestart, int lcpMaxConfigure, int lcpMaxTerminate, int lcpMaxFailure,
                            Duration authTimeout, Duration decisionTimeout, Duration discoveryTimeout,
                            int discoveryQueueLimit, int maxSetupsInFlight, Duration padiHold, PadoDelayPolicy padoDelay) {

    /** Default MRU on Ethernet: 1500 - 6 (PPPoE header) - 2 (PPP protocol) (RFC 2516 section 7). */
    public static final int DEFAULT_MRU = 1492;
    public static final int MAX_SESSION_ID_COUNT = 65534;

    /** Answer to a Service-Name we do not offer. */
    public enum UnknownServicePolicy { SILENT, SERVICE_NAME_ERROR }

    /** A token bucket: sustained rate per second and burst size. */
    public record Rate(double perSecond, int burst) {
        public Rate {
            if (perSecond <= 0 || burst < 1) {
                throw new IllegalArgumentException("rate must be > 0 and burst >= 1");
            }
        }
    }

    public PppoeSettings {
        serviceNames = List.copyOf(serviceNames);
        authPreference = List.copyOf(authPreference);
        Objects.requireNonNull(padoDelay, "padoDelay");
        if (padiHold.isNegative()) {
            throw new IllegalArgumentException("padiHold must be >= 0");
        }
        if (acName.isEmpty() || acName.length() > 64) {
            throw new IllegalArgumentException("acName must be 1..64 characters");
        }
        if (maxPayload < DEFAULT_MRU || maxPayload > 9000) {
            throw new IllegalArgumentException("maxPayload must be 1492..9000, got " + maxPayload);
        }
        if (authPreference.isEmpty()) {
            throw new IllegalArgumentException("authPreference must not be empty");
        }
        if (maxSessionsPerInterface < 1 || maxSessionsPerInterface > MAX_SESSION_ID_COUNT) {
            throw new IllegalArgumentException("maxSessionsPerInterface must be 1..65534");
        }
        if (maxSessionsPerMac < 1 || maxSessionsPerVlan < 1) {
            throw new IllegalArgumentException("session limits must be >= 1");
        }
        if (authTimeout.isNegative() || authTimeout.isZero() || discoveryTimeout.isNegative() || discoveryTimeout.isZero()) {
            throw new IllegalArgumentException("authTimeout and discoveryTimeout must be > 0");
        }
        if (lcpMaxConfigure < 1 || lcpMaxTerminate < 1 || lcpMaxFailure < 1) {
            throw new IllegalArgumentException("LCP counters must be >= 1");
        }
        if (discoveryQueueLimit < 2 || maxSetupsInFlight < 1) {
            throw new IllegalArgumentException("discoveryQueueLimit must be >= 2 and maxSetupsInFlight >= 1");
        }
    }

    public static Builder builder() { return new Builder(); }

    /** Mutable builder with the defaults documented on {@link PppoeSettings}. */
    public static final class Builder {
        private String acName = "lacd";
        private List<String> serviceNames = List.of();
        private UnknownServicePolicy unknownService = UnknownServicePolicy.SILENT;
        private int maxPayload = DEFAULT_MRU;
        private List<AuthType> authPreference = List.of(AuthType.CHAP_MD5, AuthType.PAP);
        private Duration cookieRotation = Duration.ofSeconds(30);
        private int maxSessionsPerMac = 4;
        private int maxSessionsPerVlan = 4000;
        private int maxSessionsPerInterface = 16000;
        private Rate padiPerMac = new Rate(2, 5);
        private Rate padiTotal = new Rate(1000, 2000);
        private Rate padrPerMac = new Rate(2, 5);
        private Rate padrTotal = new Rate(1000, 2000);
        private Duration lcpRestart = Duration.ofSeconds(3);
        private int lcpMaxConfigure = 10;
        private int lcpMaxTerminate = 2;
        private int lcpMaxFailure = 5;
        private Duration authTimeout = Duration.ofSeconds(30);
        private Duration decisionTimeout = Duration.ofSeconds(60);
        private Duration discoveryTimeout = Duration.ofSeconds(10);
        private int discoveryQueueLimit = 4096;
        private int maxSetupsInFlight = 2000;
        private Duration padiHold = Duration.ZERO;
        private PadoDelayPolicy padoDelay = PadoDelayPolicy.NONE;

        public Builder acName(String v) { acName = v; return this; }
        public Builder serviceNames(List<String> v) { serviceNames = v; return this; }
        public Builder unknownService(UnknownServicePolicy v) { unknownService = v; return this; }
        public Builder maxPayload(int v) { maxPayload = v; return this; }
        public Builder authPreference(List<AuthType> v) { authPreference = v; return this; }
        public Builder cookieRotation(Duration v) { cookieRotation = v; return this; }
        public Builder maxSessionsPerMac(int v) { maxSessionsPerMac = v; return this; }
        public Builder maxSessionsPerVlan(int v) { maxSessionsPerVlan = v; return this; }
        public Builder maxSessionsPerInterface(int v) { maxSessionsPerInterface = v; return this; }
        public Builder padiPerMac(Rate v) { padiPerMac = v; return this; }
        public Builder padiTotal(Rate v) { padiTotal = v; return this; }
        public Builder padrPerMac(Rate v) { padrPerMac = v; return this; }
        public Builder padrTotal(Rate v) { padrTotal = v; return this; }
        public Builder lcpRestart(Duration v) { lcpRestart = v; return this; }
        public Builder lcpMaxConfigure(int v) { lcpMaxConfigure = v; return this; }
        public Builder lcpMaxTerminate(int v) { lcpMaxTerminate = v; return this; }
        public Builder lcpMaxFailure(int v) { lcpMaxFailure = v; return this; }
        public Builder authTimeout(Duration v) { authTimeout = v; return this; }
        public Builder decisionTimeout(Duration v) { decisionTimeout = v; return this; }
        public Builder discoveryTimeout(Duration v) { discoveryTimeout = v; return this; }
        public Builder discoveryQueueLimit(int v) { discoveryQueueLimit = v; return this; }
        public Builder maxSetupsInFlight(int v) { maxSetupsInFlight = v; return this; }
        public Builder padiHold(Duration v) { padiHold = v; return this; }
        public Builder padoDelay(PadoDelayPolicy v) { padoDelay = v; return this; }

        public PppoeSettings build() {
            return new PppoeSettings(acName, serviceNames, unknownService, maxPayload, authPreference, cookieRotation,
                    maxSessionsPerMac, maxSessionsPerVlan, maxSessionsPerInterface, padiPerMac, padiTotal, padrPerMac,
                    padrTotal, lcpRestart, lcpMaxConfigure, lcpMaxTerminate, lcpMaxFailure, authTimeout,
                    decisionTimeout, discoveryTimeout, discoveryQueueLimit, maxSetupsInFlight, padiHold, padoDelay);
        }
    }
}
