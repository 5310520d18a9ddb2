package org.lacd.daemon.session;

import java.time.Instant;
import org.lacd.pppoe.AuthExchange;
import org.lacd.pppoe.CloseReason;
import org.lacd.pppoe.PppSink;
import org.lacd.pppoe.SubscriberSession;
import org.lacd.pppoe.wire.LineInfo;
import org.lacd.pppoe.wire.MacAddress;

/** A PPPoE subscriber as a session's access side: its {@link SubscriberSession} and what it authenticated with. */
record PppoeAccess(SubscriberSession sub, AuthExchange auth) implements Access {
    @Override public String interfaceName() { return sub.interfaceName(); }
    @Override public int worker() { return sub.worker(); }
    @Override public MacAddress mac() { return sub.mac(); }
    @Override public int outerVlan() { return sub.outerVlan(); }
    @Override public int innerVlan() { return sub.innerVlan(); }
    @Override public int pppoeSessionId() { return sub.pppoeSessionId(); }
    @Override public String serviceName() { return sub.serviceName(); }
    @Override public LineInfo lineInfo() { return sub.lineInfo(); }
    @Override public Instant createdAt() { return sub.createdAt(); }
    @Override public byte[] initialReceivedConfReq() { return sub.initialReceivedConfReq(); }
    @Override public byte[] lastSentConfReq() { return sub.lastSentConfReq(); }
    @Override public byte[] lastReceivedConfReq() { return sub.lastReceivedConfReq(); }
    @Override public void reject(String message) { sub.reject(message); }
    @Override public void startForwarding(PppSink upstream) { sub.startForwarding(upstream); }
    @Override public void queuePpp(byte[] buf, int off, int len) { sub.queuePpp(buf, off, len); }
    @Override public void terminate(CloseReason reason) { sub.terminate(reason); }
}
