package org.lacd.lab.subscriber;

/** Summary of a latency distribution, in milliseconds; all -1 when nothing was measured. */
public record Percentiles(long count, double p50Ms, double p90Ms, double p99Ms, double maxMs) {
    public static Percentiles of(LatencyHistogram h) {
        return new Percentiles(h.count(), ms(h.quantile(0.50)), ms(h.quantile(0.90)), ms(h.quantile(0.99)), ms(h.max()));
    }

    private static double ms(long nanos) {
        return nanos < 0 ? -1 : Math.round(nanos / 1e3) / 1e3;
    }

    String text() {
        return count == 0 ? "n/a" : String.format(java.util.Locale.ROOT, "p50 %.3f  p90 %.3f  p99 %.3f  max %.3f ms (n=%d)",
                p50Ms, p90Ms, p99Ms, maxMs, count);
    }
}
