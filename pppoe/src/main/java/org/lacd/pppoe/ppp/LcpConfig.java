package org.lacd.pppoe.ppp;

import java.util.List;
import org.lacd.pppoe.AuthType;

/**
 * What one LCP negotiation asks for and tolerates.
 *
 * @param mru the MRU we request (1492, or the RFC 4638 grant) and the largest peer MRU we accept
 * @param authPreference authentication protocols in order of preference
 * @param restartNanos restart timer (RFC 1661 4.6)
 */
public record LcpConfig(int mru, List<AuthType> authPreference, long restartNanos, int maxConfigure,
                        int maxTerminate, int maxFailure) {
    /** Smallest MRU anybody may ask for (RFC 1661 6.1 keeps 1500 as default; 64 is the common floor). */
    public static final int MIN_MRU = 64;

    public LcpConfig {
        authPreference = List.copyOf(authPreference);
    }
}
