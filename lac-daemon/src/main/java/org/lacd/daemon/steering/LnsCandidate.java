package org.lacd.daemon.steering;

import org.lacd.daemon.config.LacdConfig.LnsProfile;

/**
 * One LNS a subscriber may be placed on: the effective profile (config merged with RADIUS, RADIUS winning),
 * its preference (lower is tried first) and its weight among equal preferences. {@code key} identifies the LNS
 * for lockout, limits and metrics: the profile name, or {@code address:port} for an LNS known only from RADIUS.
 */
public record LnsCandidate(String key, LnsProfile profile, int preference, int weight) {
    public LnsCandidate {
        if (weight < 1) {
            throw new IllegalArgumentException("weight must be >= 1");
        }
    }
}
