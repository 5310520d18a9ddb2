package org.lacd.lab.subscriber;

/**
 * A log-linear histogram of non-negative nanosecond values (in the manner of HdrHistogram, with 64 sub-buckets per
 * power of two: every recorded value is reported within 1.6%). Fixed size (about 30 KiB), no allocation per
 * record. Not thread-safe: one per worker, merged with {@link #add} after the workers stopped.
 */
public final class LatencyHistogram {
    private static final int SUB_BITS = 6;
    private static final int SUB = 1 << SUB_BITS;
    private static final int LINEAR = 2 * SUB;
    private static final int BUCKETS = LINEAR + (63 - SUB_BITS - 1) * SUB;

    private final long[] counts = new long[BUCKETS];
    private long total;
    private long max = -1;
    private long min = Long.MAX_VALUE;

    public void record(long nanos) {
        long v = Math.max(0, nanos);
        counts[index(v)]++;
        total++;
        max = Math.max(max, v);
        min = Math.min(min, v);
    }

    static int index(long v) {
        if (v < LINEAR) {
            return (int) v;
        }
        int e = 63 - Long.numberOfLeadingZeros(v);
        int shift = e - SUB_BITS;
        int sub = (int) (v >>> shift);
        return LINEAR + (e - SUB_BITS - 1) * SUB + (sub - SUB);
    }

    /** The middle of bucket {@code i}. */
    static long valueAt(int i) {
        if (i < LINEAR) {
            return i;
        }
        int e = (i - LINEAR) / SUB + SUB_BITS + 1;
        int sub = (i - LINEAR) % SUB + SUB;
        int shift = e - SUB_BITS;
        return ((long) sub << shift) + (1L << shift) / 2;
    }

    public long count() { return total; }

    /** Largest recorded value (exact), -1 when empty. */
    public long max() { return max; }

    /** Smallest recorded value (exact), -1 when empty. */
    public long min() { return total == 0 ? -1 : min; }

    /** The value at quantile {@code q} (0..1), within the bucket precision and never above {@link #max}; -1 when empty. */
    public long quantile(double q) {
        if (total == 0) {
            return -1;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.max(min, Math.min(max, valueAt(i)));
            }
        }
        return max;
    }

    public void add(LatencyHistogram o) {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] += o.counts[i];
        }
        total += o.total;
        max = Math.max(max, o.max);
        min = Math.min(min, o.min);
    }
}
