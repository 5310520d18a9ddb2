package org.lacd.pppoe.discovery;

import java.util.Map;

/**
 * Which {@link PadoDelay} applies to a PADI: the one for its Service-Name if there is one (an empty Service-Name,
 * "any service", never matches one), else the one for the interface it came in on, else the default. The session
 * count that picks the step is always the interface's.
 *
 * @param defaultDelay for every interface and service without their own
 * @param byInterface by interface name
 * @param byService by Service-Name
 * @param maxPending delayed PADOs waiting for their time, over all interfaces; a PADI that would make more is dropped
 *                   (counted): under a PADI flood the delay queue stays bounded, after the rate limits
 */
public record PadoDelayPolicy(PadoDelay defaultDelay, Map<String, PadoDelay> byInterface, Map<String, PadoDelay> byService,
                              int maxPending) {
    /** Default bound on waiting PADOs: the default PADI rate (1000/s) times a 1 s delay. */
    public static final int DEFAULT_MAX_PENDING = 1024;
    /** Upper bound accepted for {@code maxPending}. */
    public static final int MAX_MAX_PENDING = 1 << 20;
    /** No delay anywhere: every PADO at once (the behaviour without a configured delay). */
    public static final PadoDelayPolicy NONE = new PadoDelayPolicy(PadoDelay.NONE, Map.of(), Map.of(), DEFAULT_MAX_PENDING);

    public PadoDelayPolicy {
        byInterface = Map.copyOf(byInterface);
        byService = Map.copyOf(byService);
        if (maxPending < 1 || maxPending > MAX_MAX_PENDING) {
            throw new IllegalArgumentException("maxPending must be 1.." + MAX_MAX_PENDING + ", got " + maxPending);
        }
    }

    /** The table for a PADI on {@code interfaceName} asking for {@code serviceName} (empty: any service). */
    public PadoDelay forPadi(String interfaceName, String serviceName) {
        if (!serviceName.isEmpty()) {
            PadoDelay s = byService.get(serviceName);
            if (s != null) {
                return s;
            }
        }
        return forInterface(interfaceName);
    }

    /** The table of an interface for a PADI with an empty Service-Name (what the per-interface gauge shows). */
    public PadoDelay forInterface(String interfaceName) {
        return byInterface.getOrDefault(interfaceName, defaultDelay);
    }
}
