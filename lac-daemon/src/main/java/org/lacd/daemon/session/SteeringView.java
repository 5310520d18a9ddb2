package org.lacd.daemon.session;

import java.util.Optional;
import org.lacd.daemon.config.LacdConfig;
import org.lacd.daemon.steering.LnsCandidate;
import org.lacd.radius.TunnelCandidate;

/** The steering merge rules, for operator tools outside this package. */
public final class SteeringView {
    private SteeringView() {}

    /** A RADIUS candidate merged over the config profile it names, as the daemon would place the call. */
    public static Optional<LnsCandidate> fromRadius(LacdConfig c, TunnelCandidate t) {
        return Steering.fromRadius(c, t);
    }
}
