package org.lacd.pppoe;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.lacd.pppoe.wire.PppoeCode;

/** In-memory counters (tests, lab, and a simple source for the daemon's metrics). */
public final class CountingPppoeStats implements PppoeStats {
    private final Map<DropReason, LongAdder> drops = adders(DropReason.class);
    private final Map<PppoeCode, LongAdder> discIn = adders(PppoeCode.class);
    private final Map<PppoeCode, LongAdder> discOut = adders(PppoeCode.class);
    private final Map<CloseReason, LongAdder> closed = adders(CloseReason.class);
    private final Map<TimeoutKind, LongAdder> timeouts = adders(TimeoutKind.class);
    private final LongAdder opened = new LongAdder();
    private final LongAdder padoDelayed = new LongAdder();
    private final Map<String, LongAdder[]> data = new ConcurrentHashMap<>();

    private static <E extends Enum<E>> Map<E, LongAdder> adders(Class<E> c) {
        EnumMap<E, LongAdder> m = new EnumMap<>(c);
        for (E e : c.getEnumConstants()) {
            m.put(e, new LongAdder());
        }
        return m;
    }

    private LongAdder[] data(String iface) {
        return data.computeIfAbsent(iface, k -> new LongAdder[] {new LongAdder(), new LongAdder(), new LongAdder(),
                new LongAdder()});
    }

    @Override public void drop(DropReason r) { drops.get(r).increment(); }
    @Override public void discoveryReceived(PppoeCode c) { discIn.get(c).increment(); }
    @Override public void discoverySent(PppoeCode c) { discOut.get(c).increment(); }
    @Override public void sessionOpened() { opened.increment(); }
    @Override public void sessionClosed(CloseReason r) { closed.get(r).increment(); }
    @Override public void timeout(TimeoutKind k) { timeouts.get(k).increment(); }
    @Override public void padoDelayed() { padoDelayed.increment(); }

    @Override
    public void dataIn(String iface, int bytes) {
        LongAdder[] a = data(iface);
        a[0].increment();
        a[1].add(bytes);
    }

    @Override
    public void dataOut(String iface, int bytes) {
        LongAdder[] a = data(iface);
        a[2].increment();
        a[3].add(bytes);
    }

    public long drops(DropReason r) { return drops.get(r).sum(); }
    public long received(PppoeCode c) { return discIn.get(c).sum(); }
    public long sent(PppoeCode c) { return discOut.get(c).sum(); }
    public long opened() { return opened.sum(); }
    public long delayedPados() { return padoDelayed.sum(); }
    public long closed(CloseReason r) { return closed.get(r).sum(); }
    public long timeouts(TimeoutKind k) { return timeouts.get(k).sum(); }
    public long packetsIn(String iface) { return data(iface)[0].sum(); }
    public long bytesIn(String iface) { return data(iface)[1].sum(); }
    public long packetsOut(String iface) { return data(iface)[2].sum(); }
    public long bytesOut(String iface) { return data(iface)[3].sum(); }

    public long totalDrops() {
        long n = 0;
        for (LongAdder a : drops.values()) {
            n += a.sum();
        }
        return n;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("drops{");
        drops.forEach((k, v) -> {
            if (v.sum() > 0) {
                sb.append(k).append('=').append(v.sum()).append(' ');
            }
        });
        sb.append("} closed{");
        closed.forEach((k, v) -> {
            if (v.sum() > 0) {
                sb.append(k).append('=').append(v.sum()).append(' ');
            }
        });
        return sb.append("} opened=").append(opened.sum()).toString();
    }
}
