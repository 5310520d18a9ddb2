package org.lacd.l2tp;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.lacd.wire.MalformedPacketException;

/** In-memory {@link L2tpStats} for tests and tools. Thread-safe. */
public final class CountingL2tpStats implements L2tpStats {
    private final Map<MalformedPacketException.Reason, LongAdder> malformed = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<DropReason, LongAdder> drops = new EnumMap<>(DropReason.class);
    private final Map<TunnelState, LongAdder> tunnelEntered = new EnumMap<>(TunnelState.class);
    private final Map<CallState, LongAdder> callEntered = new EnumMap<>(CallState.class);
    public final LongAdder retransmits = new LongAdder();
    public final LongAdder helloTimeouts = new LongAdder();
    public final LongAdder packetsIn = new LongAdder();
    public final LongAdder packetsOut = new LongAdder();
    public final AtomicLong bytesIn = new AtomicLong();
    public final AtomicLong bytesOut = new AtomicLong();

    public CountingL2tpStats() {
        for (MalformedPacketException.Reason r : org.lacd.l2tp.wire.L2tpReason.values()) {
            malformed.put(r, new LongAdder());
        }
        for (MalformedPacketException.Reason r : org.lacd.wire.CommonReason.values()) {
            malformed.put(r, new LongAdder());
        }
        for (DropReason r : DropReason.values()) {
            drops.put(r, new LongAdder());
        }
        for (TunnelState s : TunnelState.values()) {
            tunnelEntered.put(s, new LongAdder());
        }
        for (CallState s : CallState.values()) {
            callEntered.put(s, new LongAdder());
        }
    }

    @Override public void malformed(MalformedPacketException.Reason reason) { malformed.get(reason).increment(); }
    @Override public void controlRetransmit() { retransmits.increment(); }
    @Override public void helloTimeout() { helloTimeouts.increment(); }
    @Override public void tunnelState(TunnelState from, TunnelState to) { tunnelEntered.get(to).increment(); }
    @Override public void callState(CallState from, CallState to) { callEntered.get(to).increment(); }

    @Override
    public void dataIn(int bytes) {
        packetsIn.increment();
        bytesIn.addAndGet(bytes);
    }

    @Override
    public void dataOut(int bytes) {
        packetsOut.increment();
        bytesOut.addAndGet(bytes);
    }

    @Override public void drop(DropReason reason) { drops.get(reason).increment(); }

    private final Map<Refusal, LongAdder> refusals = new java.util.concurrent.ConcurrentHashMap<>();

    @Override public void refused(Refusal reason) { refusals.computeIfAbsent(reason, r -> new LongAdder()).increment(); }

    /** Downstream LAC tunnels and calls refused for this reason. */
    public long refusals(Refusal r) {
        LongAdder a = refusals.get(r);
        return a == null ? 0 : a.sum();
    }

    public long malformedCount(MalformedPacketException.Reason r) { return malformed.get(r).sum(); }

    public long malformedTotal() { return malformed.values().stream().mapToLong(LongAdder::sum).sum(); }

    public long drops(DropReason r) { return drops.get(r).sum(); }

    public long tunnelsEntered(TunnelState s) { return tunnelEntered.get(s).sum(); }

    public long callsEntered(CallState s) { return callEntered.get(s).sum(); }
}
