package org.lacd.radius.dae;

import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * Session identification attributes of a Disconnect-Request or CoA-Request (RFC 5176 s3). A session matches when it
 * matches every attribute present (AND).
 *
 * @param callingStationId as received; {@link #callingMac()} parses it whatever the separator style
 */
public record SessionCriteria(Optional<String> acctSessionId, Optional<String> userName, Optional<String> callingStationId,
                              Optional<String> nasPortId) {

    public boolean isEmpty() {
        return acctSessionId.isEmpty() && userName.isEmpty() && callingStationId.isEmpty() && nasPortId.isEmpty();
    }

    /** The MAC in Calling-Station-Id ("aa:bb:..", "AA-BB-..", "aabb.ccdd.eeff", "aabbccddeeff"), if it is one. */
    public Optional<byte[]> callingMac() {
        if (callingStationId.isEmpty()) {
            return Optional.empty();
        }
        String hex = callingStationId.get().replaceAll("[:.\\-]", "").toLowerCase(Locale.ROOT);
        if (!hex.matches("[0-9a-f]{12}")) {
            return Optional.empty();
        }
        return Optional.of(HexFormat.of().parseHex(hex));
    }
}
