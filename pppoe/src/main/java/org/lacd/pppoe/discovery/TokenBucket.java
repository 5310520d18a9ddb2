package org.lacd.pppoe.discovery;

/** A token bucket on a caller-supplied monotonic clock (nanoseconds). Not thread-safe: server thread only. */
public final class TokenBucket {
    private final double perNano;
    private final double burst;
    private double tokens;
    private long last;

    public TokenBucket(double perSecond, int burst, long now) {
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.last = now;
    }

    private void refill(long now) {
        if (now > last) {
            tokens = Math.min(burst, tokens + (now - last) * perNano);
            last = now;
        }
    }

    /** Takes one token if there is one. */
    public boolean tryTake(long now) {
        refill(now);
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** True when the bucket is full again (idle long enough to be forgotten). */
    public boolean isFull(long now) {
        refill(now);
        return tokens >= burst;
    }
}
