package org.lacd.pppoe;

import java.time.Instant;
import org.lacd.pppoe.ppp.AuthPhase;
import org.lacd.pppoe.ppp.LcpAutomaton;
import org.lacd.pppoe.ppp.LcpConfig;
import org.lacd.pppoe.wire.EthernetHeader;
import org.lacd.pppoe.wire.EtherType;
import org.lacd.pppoe.wire.LcpCode;
import org.lacd.pppoe.wire.LcpPacket;
import org.lacd.pppoe.wire.LineInfo;
import org.lacd.pppoe.wire.MacAddress;
import org.lacd.wire.MalformedPacketException;
import org.lacd.pppoe.wire.PppControlPacket;
import org.lacd.pppoe.wire.PppProtocol;
import org.lacd.pppoe.wire.PppoeHeader;
import org.lacd.pppoe.wire.WireLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One PPPoE session: its binding (interface, MAC, VLANs, session id), its LCP automaton and authentication phase,
 * and the forwarding hook. Protocol state is touched only on the server thread; {@link #sink} and {@link #state}
 * are volatile because the receive thread and API callers read them.
 */
final class PppoeSession implements SubscriberSession, LcpAutomaton.Host, AuthPhase.Host {
    private static final Logger LOG = LoggerFactory.getLogger(PppoeSession.class);
    private static final ThreadLocal<byte[]> TX = ThreadLocal.withInitial(() -> new byte[WireLimits.MAX_FRAME]);

    private final PppoeServer server;
    private final long id;
    final int portIndex;
    /** The port worker whose thread receives this subscriber's frames (all frames of one MAC reach one worker). */
    final int worker;
    final long macValue;
    final int outerVlan;
    final int innerVlan;
    final int sessionId;
    private final String interfaceName;
    private final String serviceName;
    private final LineInfo lineInfo;
    private final Instant createdAt;
    /** Ethernet + PPPoE session header towards the subscriber, LENGTH left to fill. */
    private final byte[] header;
    /** Largest PPP frame (protocol field onward) this session carries: MRU + 2. */
    private final int maxPppFrame;
    final PppoeServer.PadrKey padrKey;
    final byte[] padsFrame;
    private final String logName;

    final LcpAutomaton lcp;
    final AuthPhase auth;
    volatile PppSink sink;
    /**
     * A PADT of this session is waiting in the server thread's queue: set by the receive thread that admitted it past
     * the queue's limit (one per session; a subscriber's frames all reach one receive thread), read there only.
     */
    volatile boolean padtQueued;
    private volatile SessionState state = SessionState.LCP;
    /** Counted in the server's setups in flight (from PADS until forwarding or closed). Server thread. */
    boolean inSetup;
    /** The client that opened it (its setup is superseded by that client's next PADR). Server thread. */
    PppoeServer.ClientKey clientKey;
    private long stateSince;
    private boolean notified;
    private CloseReason closeReason;
    private ServerScheduler.Cancellable phaseTimer;
    /** PADS to "username known" (authTimeout), over whatever LCP and authentication do. */
    private ServerScheduler.Cancellable setupDeadline;
    /** PADS to the subscriber's first LCP packet (discoveryTimeout); null once one arrived. */
    private ServerScheduler.Cancellable firstLcpTimer;
    private int terminatesLeft;
    private byte[] lastReceivedPpp;
    private String username;

    PppoeSession(PppoeServer server, long id, int portIndex, int worker, String interfaceName, EthernetHeader toSubscriber,
                 int sessionId, String serviceName, LineInfo lineInfo, int mru, PppoeServer.PadrKey padrKey,
                 byte[] padsFrame, PppoeSettings settings, java.util.random.RandomGenerator random) {
        this.server = server;
        this.id = id;
        this.portIndex = portIndex;
        this.worker = worker;
        this.interfaceName = interfaceName;
        this.macValue = toSubscriber.dst();
        this.outerVlan = toSubscriber.outerVlan();
        this.innerVlan = toSubscriber.innerVlan();
        this.sessionId = sessionId;
        this.serviceName = serviceName;
        this.lineInfo = lineInfo;
        this.createdAt = server.scheduler().now();
        this.stateSince = server.scheduler().nanoTime();
        this.padrKey = padrKey;
        this.padsFrame = padsFrame;
        EthernetHeader eth = toSubscriber.reply(toSubscriber.dst(), toSubscriber.src(), EtherType.PPPOE_SESSION);
        this.header = new byte[eth.length() + PppoeHeader.LENGTH];
        int p = eth.encode(header, 0);
        PppoeHeader.encode(header, p, 0, sessionId, 0);
        this.maxPppFrame = mru + 2;
        this.logName = interfaceName + "/" + new MacAddress(macValue) + "/" + sessionId;
        long restart = settings.lcpRestart().toNanos();
        this.lcp = new LcpAutomaton(new LcpConfig(mru, settings.authPreference(), restart, settings.lcpMaxConfigure(),
                settings.lcpMaxTerminate(), settings.lcpMaxFailure()), this, random, logName);
        this.auth = new AuthPhase(this, random, restart, settings.lcpMaxConfigure());
    }

    /** MDC keys of this session (STYLE.md: mac, pppoe_session, user) for the duration of a task on the server thread. */
    final class Mdc implements AutoCloseable {
        Mdc() {
            MDC.put("iface", interfaceName);
            MDC.put("mac", new MacAddress(macValue).toString());
            MDC.put("pppoe_session", Integer.toString(sessionId));
            if (username != null) {
                MDC.put("user", username);
            }
        }

        @Override
        public void close() {
            MDC.remove("iface");
            MDC.remove("mac");
            MDC.remove("pppoe_session");
            MDC.remove("user");
        }
    }

    Mdc mdc() { return new Mdc(); }

    /** Runs a task on the server thread with this session's MDC. */
    @SuppressWarnings("try") // the MDC scope is the resource
    void onServerThread(Runnable task) {
        server.scheduler().execute(() -> {
            try (Mdc m = mdc()) {
                PppoeServer.runGuarded(task);
            }
        });
    }

    // ---- SubscriberSession getters

    @Override public long id() { return id; }
    @Override public String interfaceName() { return interfaceName; }
    @Override public int worker() { return worker; }
    @Override public MacAddress mac() { return new MacAddress(macValue); }
    @Override public int outerVlan() { return outerVlan; }
    @Override public int innerVlan() { return innerVlan; }
    @Override public int pppoeSessionId() { return sessionId; }
    @Override public String serviceName() { return serviceName; }
    @Override public LineInfo lineInfo() { return lineInfo; }
    @Override public int mru() { return maxPppFrame - 2; }
    @Override public int peerMru() { return lcp.peerMru(); }
    @Override public byte[] initialReceivedConfReq() { return lcp.initialReceivedConfReq(); }
    @Override public byte[] lastSentConfReq() { return lcp.lastSentConfReq(); }
    @Override public byte[] lastReceivedConfReq() { return lcp.lastReceivedConfReq(); }
    @Override public Instant createdAt() { return createdAt; }
    @Override public SessionState state() { return state; }
    CloseReason closeReason() { return closeReason; }

    @Override
    public String toString() { return "PppoeSession[" + logName + " " + state + "]"; }

    // ---- API actions (any thread)

    @Override
    public void reject(String message) {
        onServerThread(() -> {
            if (state != SessionState.AWAITING_DECISION && state != SessionState.AUTHENTICATING) {
                return;
            }
            sendControl(auth.failure(message));
            beginTerminate(CloseReason.REJECTED);
        });
    }

    @Override
    public void startForwarding(PppSink upstream) {
        if (state == SessionState.AWAITING_DECISION) {
            sink = upstream; // frames flow to the upstream from this moment on
        }
        onServerThread(() -> {
            if (state != SessionState.AWAITING_DECISION) {
                sink = null;
                return;
            }
            sink = upstream;
            cancelPhaseTimer();
            lcp.detach();
            auth.cancel();
            transitionTo(SessionState.FORWARDING);
        });
    }

    @Override
    public void sendPpp(byte[] buf, int off, int len) {
        if (len < 2 || len > maxPppFrame) {
            server.stats().drop(DropReason.OVERSIZE);
            return;
        }
        if (transmit(buf, off, len)) {
            server.stats().dataOut(interfaceName, worker, len);
        }
    }

    @Override
    public void queuePpp(byte[] buf, int off, int len) {
        if (len < 2 || len > maxPppFrame) {
            server.stats().drop(DropReason.OVERSIZE);
            return;
        }
        if (state == SessionState.CLOSED) {
            return;
        }
        // only the headers are copied here (the session's template, with this frame's length): the port writes
        // them and the payload straight into its send batch
        byte[] head = TX.get();
        int h = header.length;
        System.arraycopy(header, 0, head, 0, h);
        head[h - 2] = (byte) (len >>> 8);
        head[h - 1] = (byte) len;
        server.queueFrame(portIndex, head, h, buf, off, len);
        server.stats().dataOut(interfaceName, worker, len);
    }

    @Override
    public void terminate(CloseReason reason) {
        onServerThread(() -> beginTerminate(reason));
    }

    private boolean transmit(byte[] ppp, int off, int len) {
        if (state == SessionState.CLOSED) {
            return false;
        }
        byte[] out = TX.get();
        int h = frame(out, ppp, off, len);
        return server.sendFrame(portIndex, out, h + len);
    }

    /** Writes this session's Ethernet and PPPoE headers, then the PPP frame, into {@code out}; returns the header length. */
    private int frame(byte[] out, byte[] ppp, int off, int len) {
        int h = header.length;
        System.arraycopy(header, 0, out, 0, h);
        out[h - 2] = (byte) (len >>> 8);
        out[h - 1] = (byte) len;
        System.arraycopy(ppp, off, out, h, len);
        return h;
    }

    // ---- server thread

    void start() {
        // Both bounds run from PADS (this moment), not from LCP Opened: a subscriber that never lets LCP open
        // (silent, or Nak-ing every Configure-Request) is bounded as well as one that never authenticates.
        setupDeadline = schedule(this::setupDeadlineExpired, server.settings().authTimeout().toNanos());
        firstLcpTimer = schedule(() -> {
            firstLcpTimer = null;
            if (state == SessionState.LCP) {
                server.stats().timeout(TimeoutKind.DISCOVERY);
                beginTerminate(CloseReason.DISCOVERY_TIMEOUT);
            }
        }, server.settings().discoveryTimeout().toNanos());
        lcp.open();
    }

    private void setupDeadlineExpired() {
        setupDeadline = null;
        if (state == SessionState.LCP || state == SessionState.AUTHENTICATING) {
            server.stats().timeout(state == SessionState.LCP ? TimeoutKind.LCP_DEADLINE : TimeoutKind.AUTHENTICATION);
            beginTerminate(CloseReason.AUTH_TIMEOUT);
        }
    }

    private void cancelSetupTimers() {
        if (setupDeadline != null) {
            setupDeadline.cancel();
            setupDeadline = null;
        }
        if (firstLcpTimer != null) {
            firstLcpTimer.cancel();
            firstLcpTimer = null;
        }
    }

    /** A PPP frame from the subscriber while not forwarding (copied by the receive thread). */
    void onPpp(byte[] ppp) {
        if (state == SessionState.CLOSED) {
            server.stats().drop(DropReason.NO_SESSION);
            return;
        }
        PppSink s = sink;
        if (s != null) {
            server.stats().dataIn(interfaceName, ppp.length);
            s.ppp(ppp, 0, ppp.length); // queued before forwarding began: still delivered, in order
            return;
        }
        int proto = ((ppp[0] & 0xff) << 8) | (ppp[1] & 0xff);
        if (proto != PppProtocol.LCP && proto != PppProtocol.PAP && proto != PppProtocol.CHAP) {
            // NCPs and data before forwarding: the LNS negotiates those (RFC 1661 3.4/3.5 phases)
            server.stats().drop(DropReason.PPP_IGNORED);
            return;
        }
        PppControlPacket p;
        try {
            p = PppControlPacket.decodePpp(ppp, 0, ppp.length);
        } catch (MalformedPacketException e) {
            LOG.debug("{} malformed PPP: {}", logName, e.getMessage());
            server.stats().drop(DropReason.MALFORMED);
            return;
        }
        lastReceivedPpp = ppp;
        if (p instanceof LcpPacket l) {
            if (firstLcpTimer != null) {
                firstLcpTimer.cancel(); // the subscriber speaks LCP: from here the setup deadline bounds it
                firstLcpTimer = null;
            }
            onLcp(l);
        } else if (state == SessionState.AUTHENTICATING) {
            AuthExchange a = auth.receive(p, ppp);
            if (a == null) {
                server.stats().drop(DropReason.PPP_IGNORED);
                return;
            }
            authenticated(a);
        } else {
            server.stats().drop(DropReason.PPP_IGNORED); // e.g. a retransmitted auth while the decision is pending
        }
    }

    private void onLcp(LcpPacket l) {
        if (state == SessionState.TERMINATING) {
            // RFC 1661 3.7: our Terminate-Request is out; a Terminate-Ack (or the peer's own Terminate-Request) ends it
            if (l.kind() == LcpCode.TERMINATE_REQUEST) {
                sendControl(LcpPacket.of(LcpCode.TERMINATE_ACK, l.id(), new byte[0]));
                finish(closeReason);
            } else if (l.kind() == LcpCode.TERMINATE_ACK) {
                finish(closeReason);
            } else {
                server.stats().drop(DropReason.PPP_IGNORED);
            }
            return;
        }
        try {
            if (!lcp.receive(l)) {
                server.stats().drop(DropReason.PPP_IGNORED);
            }
        } catch (MalformedPacketException e) {
            server.stats().drop(DropReason.MALFORMED);
        }
    }

    private void authenticated(AuthExchange a) {
        cancelPhaseTimer();
        cancelSetupTimers();
        transitionTo(SessionState.AWAITING_DECISION);
        phaseTimer = schedule(() -> {
            server.stats().timeout(TimeoutKind.DECISION);
            beginTerminate(CloseReason.DECISION_TIMEOUT);
        }, server.settings().decisionTimeout().toNanos());
        notified = true;
        username = a.username();
        MDC.put("user", username);
        LOG.info("{} authenticated as '{}' ({})", logName, a.username(), a.type());
        try {
            server.listener().authenticated(this, a);
        } catch (RuntimeException e) {
            LOG.error("{} listener failed in authenticated(): {}", logName, e.toString(), e);
        }
    }

    /** Terminate-Request (retransmitted up to Max-Terminate on the restart timer) then PADT. */
    void beginTerminate(CloseReason reason) {
        if (state == SessionState.CLOSED || state == SessionState.TERMINATING) {
            return;
        }
        sink = null;
        closeReason = reason;
        cancelPhaseTimer();
        cancelSetupTimers();
        lcp.detach();
        auth.cancel();
        transitionTo(SessionState.TERMINATING);
        terminatesLeft = server.settings().lcpMaxTerminate();
        sendTerminateRequest();
    }

    private void sendTerminateRequest() {
        phaseTimer = null;
        if (state != SessionState.TERMINATING) {
            return;
        }
        if (terminatesLeft-- <= 0) {
            server.stats().timeout(TimeoutKind.TERMINATE);
            finish(closeReason);
            return;
        }
        sendControl(LcpPacket.of(LcpCode.TERMINATE_REQUEST, lcp.nextIdentifier(), new byte[0]));
        phaseTimer = schedule(this::sendTerminateRequest, server.settings().lcpRestart().toNanos());
    }

    /** Sends PADT and closes. */
    void finish(CloseReason reason) {
        server.closeSession(this, reason, true);
    }

    /** Called by the server when the session is removed; returns whether the listener must hear of it. */
    boolean markClosed(CloseReason reason) {
        if (state == SessionState.CLOSED) {
            return false;
        }
        sink = null;
        closeReason = reason;
        cancelPhaseTimer();
        cancelSetupTimers();
        lcp.detach();
        auth.cancel();
        transitionTo(SessionState.CLOSED);
        LOG.info("{} closed: {}", logName, reason);
        return notified;
    }

    private void cancelPhaseTimer() {
        if (phaseTimer != null) {
            phaseTimer.cancel();
            phaseTimer = null;
        }
    }

    private void transitionTo(SessionState next) {
        SessionState from = state;
        if (!from.canGo(next)) {
            throw new IllegalStateException(logName + ": no transition " + from + " -> " + next);
        }
        state = next;
        if (next == SessionState.FORWARDING) {
            server.setupEnded(this);
        }
        long now = server.scheduler().nanoTime();
        LOG.debug("{} {} -> {} after {} ms", logName, from, next, (now - stateSince) / 1_000_000);
        stateSince = now;
    }

    // ---- LcpAutomaton.Host / AuthPhase.Host

    @Override
    public void sendLcp(LcpPacket packet) {
        sendControl(packet);
    }

    @Override
    public void sendControl(PppControlPacket p) {
        byte[] f = p.toPppFrame();
        transmit(f, 0, f.length);
    }

    @Override
    @SuppressWarnings("try") // the MDC scope is the resource
    public ServerScheduler.Cancellable schedule(Runnable task, long delayNanos) {
        return server.scheduler().schedule(() -> {
            if (state != SessionState.CLOSED) {
                try (Mdc m = mdc()) {
                    PppoeServer.runGuarded(task);
                }
            }
        }, delayNanos);
    }

    @Override
    public void layerUp() {
        if (state != SessionState.LCP) {
            return;
        }
        transitionTo(SessionState.AUTHENTICATING);
        auth.start(lcp.authType(), server.settings().acName()); // bounded by setupDeadline, started at PADS
    }

    @Override
    public void layerDown() {
        if (state == SessionState.AUTHENTICATING) {
            auth.cancel();
            transitionTo(SessionState.LCP); // renegotiation before authentication: authenticate again after tlu
        } else if (state == SessionState.AWAITING_DECISION) {
            // The layer above already holds this exchange; a renegotiated link would not match it any more.
            onServerThread(() -> beginTerminate(CloseReason.LCP_NEGOTIATION_FAILED));
        }
    }

    @Override
    public void layerFinished(CloseReason reason) {
        if (reason == CloseReason.LCP_TIMEOUT) {
            server.stats().timeout(TimeoutKind.LCP_NEGOTIATION);
        }
        finish(reason);
    }

    byte[] lastReceivedPpp() { return lastReceivedPpp; }
}
