package org.lacd.pppoe.discovery;

import java.util.HashMap;
import java.util.Map;

/**
 * One token bucket per key (a MAC) plus one over all keys. The number of tracked keys is bounded
 * ({@link #MAX_TRACKED_KEYS}): full (idle) buckets are swept, and when the table is full of active keys new keys
 * are refused. Server thread only.
 */
public final class KeyedRateLimiter {
    /** DoS guard: distinct keys tracked at once. */
    public static final int MAX_TRACKED_KEYS = 65536;

    private final double perKeyRate;
    private final int perKeyBurst;
    private final TokenBucket total;
    private final Map<Long, TokenBucket> perKey = new HashMap<>();

    public KeyedRateLimiter(double perKeyRate, int perKeyBurst, double totalRate, int totalBurst, long now) {
        this.perKeyRate = perKeyRate;
        this.perKeyBurst = perKeyBurst;
        this.total = new TokenBucket(totalRate, totalBurst, now);
    }

    /** Admits one event for {@code key} when both the key's bucket and the total bucket have a token. */
    public boolean admit(long key, long now) {
        TokenBucket b = perKey.get(key);
        if (b == null) {
            if (perKey.size() >= MAX_TRACKED_KEYS) {
                sweep(now);
                if (perKey.size() >= MAX_TRACKED_KEYS) {
                    return false;
                }
            }
            b = new TokenBucket(perKeyRate, perKeyBurst, now);
            perKey.put(key, b);
        }
        if (!b.tryTake(now)) {
            return false;
        }
        return total.tryTake(now);
    }

    /** Forgets keys whose bucket refilled completely. */
    public void sweep(long now) {
        perKey.values().removeIf(b -> b.isFull(now));
    }

    public int trackedKeys() { return perKey.size(); }
}
