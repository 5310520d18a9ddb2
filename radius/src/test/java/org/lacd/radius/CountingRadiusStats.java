package org.lacd.radius;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** In-memory {@link RadiusStats} for tests and the operator tool. Thread-safe. */
public final class CountingRadiusStats implements RadiusStats {
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final AtomicLong spoolDepth = new AtomicLong();

    private void inc(String key) {
        counts.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    public long get(String key) {
        LongAdder a = counts.get(key);
        return a == null ? 0 : a.sum();
    }

    public long dropped(DropReason r) { return get("drop." + r); }

    public long completed(RequestType t, Result r) { return get("completed." + t + "." + r); }

    public long sentCount(RequestType t) { return get("sent." + t); }

    public long retries(RequestType t) { return get("retry." + t); }

    public long daeCount(DaeResult r) { return get("dae." + r); }

    public long spoolOverflows() { return get("spool.overflow"); }

    public long spoolDepth() { return spoolDepth.get(); }

    public long serverDowns() { return get("server.down"); }

    @Override public void sent(String server, RequestType type, boolean retry) {
        inc("sent." + type);
        if (retry) {
            inc("retry." + type);
        }
    }

    @Override public void completed(String server, RequestType type, Result result, double seconds) {
        inc("completed." + type + "." + result);
        inc("completed." + server + "." + type + "." + result);
    }

    @Override public void tryTimedOut(String server, RequestType type) { inc("trytimeout." + type); }

    public long tryTimeouts(RequestType t) { return get("trytimeout." + t); }

    @Override public void answerDropped(String server, DropReason reason) { inc("drop." + reason); }

    @Override public void serverDown(String server) { inc("server.down"); inc("server.down." + server); }

    @Override public void serverUp(String server) { inc("server.up." + server); }

    @Override public void spoolDepth(long records) { spoolDepth.set(records); }

    @Override public void spoolOverflow() { inc("spool.overflow"); }

    @Override public void dae(DaeResult result) { inc("dae." + result); }

    @Override public String toString() { return counts.toString() + " spoolDepth=" + spoolDepth; }
}
