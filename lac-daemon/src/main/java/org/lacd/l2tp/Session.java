package org.lacd.l2tp;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.lacd.l2tp.wire.Avp;
import org.lacd.l2tp.wire.AvpType;
import org.lacd.l2tp.wire.CdnResult;
import org.lacd.l2tp.wire.ControlMessage;
import org.lacd.l2tp.wire.ErrorCode;
import org.lacd.wire.MalformedPacketException;
import org.lacd.l2tp.wire.MessageType;
import org.lacd.l2tp.wire.PppDisconnectCause;
import org.lacd.l2tp.wire.ResultCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One incoming call: LAC side (RFC 2661 7.4.1, a call lacd places toward an LNS), or, for tunnel switching, LNS side
 * (RFC 2661 7.4.2, a call a downstream LAC places on lacd: {@link #incoming}). Control handling is confined to the tunnel's event loop;
 * {@link #sendPpp} may be called from any thread (it reads only volatile fields).
 */
final class Session implements IncomingCall {
    private static final Logger LOG = LoggerFactory.getLogger(Session.class);
    /**
     * Memory guard: PPP frames of one call held until its ICCN has left (the replayed login, and whatever the
     * subscriber sends in the same moments: an LCP Echo, an IPCP Configure-Request). Beyond it they are dropped and
     * counted as {@code early_data_queue_full}; PPP retransmits.
     */
    static final int MAX_EARLY_FRAMES = 16;

    /** Call events. */
    enum Event {
        PLACE, TUNNEL_UP, TUNNEL_DOWN, RX_ICRP_OK, RX_ICRP_BAD, RX_CDN, LOCAL_DISCONNECT, RX_UNEXPECTED,
        /** LNS side (tunnel switching): an acceptable ICRQ from the downstream LAC. */
        RX_ICRQ_OK,
        /** LNS side: the ICCN, acceptable or not. */
        RX_ICCN_OK, RX_ICCN_BAD
    }

    /** The transition table (the machinery is {@link TransitionTable}). */
    static final TransitionTable<CallState, Event> TABLE = TransitionTable.of(CallState.class, Event.class, List.of(
            row(CallState.IDLE, Event.PLACE, CallState.WAIT_TUNNEL, "RFC 2661 7.4.1 bearer ring / ready to indicate"),
            row(CallState.IDLE, Event.LOCAL_DISCONNECT, CallState.CLOSED, "nothing sent yet"),
            row(CallState.IDLE, Event.TUNNEL_DOWN, CallState.CLOSED, "tunnel failed"),
            row(CallState.WAIT_TUNNEL, Event.TUNNEL_UP, CallState.WAIT_REPLY, "RFC 2661 7.4.1 tunnel established: send ICRQ"),
            row(CallState.WAIT_TUNNEL, Event.TUNNEL_DOWN, CallState.CLOSED, "RFC 2661 7.4.1 tunnel failed: clean up"),
            row(CallState.WAIT_TUNNEL, Event.LOCAL_DISCONNECT, CallState.CLOSED, "RFC 2661 7.4.1 local close before ICRQ"),
            row(CallState.WAIT_REPLY, Event.RX_ICRP_OK, CallState.ESTABLISHED, "RFC 2661 7.4.1 receive ICRP: send ICCN"),
            row(CallState.WAIT_REPLY, Event.RX_ICRP_BAD, CallState.CLOSED, "RFC 2661 7.4.1 ICRP not acceptable: send CDN"),
            row(CallState.WAIT_REPLY, Event.RX_CDN, CallState.CLOSED, "RFC 2661 7.4.1 receive CDN: clean up"),
            row(CallState.WAIT_REPLY, Event.LOCAL_DISCONNECT, CallState.CLOSED, "RFC 2661 7.4.1 local close: send CDN"),
            row(CallState.WAIT_REPLY, Event.TUNNEL_DOWN, CallState.CLOSED, "RFC 2661 7.4.1 tunnel gone"),
            row(CallState.WAIT_REPLY, Event.RX_UNEXPECTED, CallState.CLOSED, "RFC 2661 7.4.1 unexpected message: send CDN"),
            row(CallState.ESTABLISHED, Event.RX_CDN, CallState.CLOSED, "RFC 2661 7.4.1 receive CDN: clean up"),
            row(CallState.ESTABLISHED, Event.LOCAL_DISCONNECT, CallState.CLOSED, "RFC 2661 7.4.1 local close: send CDN"),
            row(CallState.ESTABLISHED, Event.TUNNEL_DOWN, CallState.CLOSED, "RFC 2661 7.4.1 tunnel gone"),
            row(CallState.ESTABLISHED, Event.RX_UNEXPECTED, CallState.CLOSED, "RFC 2661 7.4.1 unexpected message: send CDN"),
            // LNS side, for calls from a downstream LAC (tunnel switching)
            row(CallState.IDLE, Event.RX_ICRQ_OK, CallState.WAIT_CONNECT, "RFC 2661 7.4.2 ICRQ acceptable: send ICRP"),
            row(CallState.WAIT_CONNECT, Event.RX_ICCN_OK, CallState.ESTABLISHED, "RFC 2661 7.4.2 ICCN acceptable: prepare for data"),
            row(CallState.WAIT_CONNECT, Event.RX_ICCN_BAD, CallState.CLOSED, "RFC 2661 7.4.2 ICCN not acceptable: send CDN"),
            row(CallState.WAIT_CONNECT, Event.RX_CDN, CallState.CLOSED, "RFC 2661 7.4.2 receive CDN: clean up"),
            row(CallState.WAIT_CONNECT, Event.LOCAL_DISCONNECT, CallState.CLOSED, "RFC 2661 7.4.2 local close: send CDN"),
            row(CallState.WAIT_CONNECT, Event.TUNNEL_DOWN, CallState.CLOSED, "RFC 2661 7.4.2 tunnel gone"),
            row(CallState.WAIT_CONNECT, Event.RX_UNEXPECTED, CallState.CLOSED, "RFC 2661 7.4.2 unexpected message: send CDN")));

    private static TransitionTable.Row<CallState, Event> row(CallState from, Event event, CallState to, String rfc) {
        return new TransitionTable.Row<>(from, event, to, rfc);
    }

    private final TunnelHost host;
    private final TunnelProfile profile;
    /** What ICRQ and ICCN carry; dropped once ICCN is sent (it is a few hundred bytes per established call). */
    private CallParameters params;
    /** For an incoming call: null until its ICCN, then what the {@link IncomingCallHandler} gave. */
    private volatile CallListener listener;
    /** For an incoming call (LNS side): the peer it came from; null for a call lacd places. */
    private final LacPeer lacPeer;
    /** For an incoming call: its ICRQ and ICCN as received. */
    private ControlMessage icrq;
    private ControlMessage iccn;
    private final AtomicInteger dataNs = new AtomicInteger();
    private Tunnel tunnel;
    private volatile CallState state = CallState.IDLE;
    private volatile int localTunnelId;
    private volatile int remoteTunnelId;
    private volatile int localSessionId;
    private volatile int remoteSessionId;
    private volatile boolean sequencing;
    private volatile java.net.InetSocketAddress peer;
    /**
     * The ICCN has been handed to the socket. RFC 2661 6.10/7.4.1: the call is established by ICCN, so no data
     * message of the call may leave before it; an LNS that authenticates only what comes through the tunnel drops a
     * replayed login that overtakes the ICCN (issue 14, defect 1).
     */
    private volatile boolean iccnSent;
    /** Frames handed to the event loop by {@link #sendPpp} and not yet sent or held: while any are, later ones follow them. */
    private final AtomicInteger handovers = new AtomicInteger();
    /** Frames offered before the ICCN left, in order (event loop only). */
    private java.util.ArrayDeque<byte[]> early;
    private int callSerial;
    private int lastDataNs = -1;
    private boolean downReported;
    /** Counted in its tunnel's calls in setup (from {@code addSession} until the ICRP or the call's end). Event loop. */
    boolean inSetupOnTunnel;
    private org.lacd.l2tp.transport.L2tpScheduler.Cancellable setupTimer;

    Session(TunnelHost host, TunnelProfile profile, CallParameters params, CallListener listener) {
        this.host = host;
        this.profile = profile;
        this.params = params;
        this.listener = listener;
        this.sequencing = params.sequencingRequired();
        this.lacPeer = null;
    }

    /** A call a downstream LAC places on lacd (tunnel switching), created on its ICRQ. */
    Session(TunnelHost host, TunnelProfile profile, LacPeer lacPeer) {
        this.host = host;
        this.profile = profile;
        this.params = null;
        this.listener = null;
        this.lacPeer = lacPeer;
    }

    /** Whether this is a call from a downstream LAC (LNS side). */
    boolean incoming() { return lacPeer != null; }

    @Override public LacPeer lacPeer() { return lacPeer; }
    @Override public java.net.InetSocketAddress downstream() { return peer; }
    @Override public ControlMessage icrq() { return icrq; }
    @Override public ControlMessage iccn() { return iccn; }

    // ---------------------------------------------------------------- L2tpCall (any thread)

    @Override
    public void sendPpp(byte[] buf, int off, int len) {
        if (state != CallState.ESTABLISHED) {
            host.stats().drop(L2tpStats.DropReason.SESSION_NOT_ESTABLISHED);
            return;
        }
        if (iccnSent && handovers.get() == 0) {
            host.sendData(this, buf, off, len); // the fast path, once the call is connected
            return;
        }
        // the ICCN may still wait in the control window: hand the frame to the loop, which holds it until the ICCN
        // has left. Frames handed over stay in order behind each other (one thread's frames: handovers > 0).
        byte[] copy = java.util.Arrays.copyOfRange(buf, off, off + len);
        handovers.incrementAndGet();
        host.execute(() -> {
            try {
                sendOrHold(copy);
            } finally {
                handovers.decrementAndGet();
            }
        });
    }

    /** Event loop: sends the frame if the ICCN has left, holds it (bounded) otherwise. */
    private void sendOrHold(byte[] frame) {
        if (state != CallState.ESTABLISHED) {
            host.stats().drop(L2tpStats.DropReason.SESSION_NOT_ESTABLISHED);
            return;
        }
        if (iccnSent) {
            host.sendData(this, frame, 0, frame.length);
            return;
        }
        if (early == null) {
            early = new java.util.ArrayDeque<>(4);
        }
        if (early.size() >= MAX_EARLY_FRAMES) {
            host.stats().drop(L2tpStats.DropReason.EARLY_DATA_QUEUE_FULL);
            return;
        }
        early.add(frame);
    }

    /** Event loop, right after the ICCN was first handed to the socket: release the held frames in order, then open. */
    private void iccnTransmitted() {
        java.util.ArrayDeque<byte[]> held = early;
        early = null;
        if (held != null && state == CallState.ESTABLISHED) {
            for (byte[] f : held) {
                host.sendData(this, f, 0, f.length);
            }
        }
        iccnSent = true; // after the held frames: a frame offered meanwhile was handed over and follows them
    }

    @Override
    public void disconnect(DisconnectCause cause) {
        host.execute(() -> localDisconnect(cause));
    }

    @Override public CallState state() { return state; }
    @Override public TunnelProfile profile() { return profile; }
    @Override public int localTunnelId() { return localTunnelId; }
    @Override public int localSessionId() { return localSessionId; }
    @Override public int remoteSessionId() { return remoteSessionId; }
    @Override public boolean sequencing() { return sequencing; }

    int remoteTunnelId() { return remoteTunnelId; }

    /** The LNS address data goes to (any thread). */
    java.net.InetSocketAddress peer() { return peer; }

    /** Next data Ns (any thread). */
    int nextDataNs() { return dataNs.getAndIncrement() & 0xffff; }

    CallListener listener() { return listener; }

    // ---------------------------------------------------------------- state machine (event loop)

    private boolean fire(Event e) {
        TransitionTable.Row<CallState, Event> r = TABLE.find(state, e);
        if (r == null) {
            if (state != CallState.CLOSED) {
                // no row: a protocol error with a defined answer, CDN (STYLE: never a silent ignore)
                CallState before = state;
                LOG.debug("call {}/{}: {} has no row in {}: CDN", localTunnelId, localSessionId, e, before);
                transitionTo(CallState.CLOSED, e);
                if (before == CallState.WAIT_REPLY || before == CallState.WAIT_CONNECT || before == CallState.ESTABLISHED) {
                    sendCdn(ResultCode.of(CdnResult.ERROR, ErrorCode.NO_ERROR, "FSM: " + e + " in " + before), null);
                }
                down(new CallDownCause(CallDownCause.Kind.CLEARED_LOCALLY, CdnResult.ERROR.code(), -1, "FSM error " + e, null));
            }
            return false;
        }
        transitionTo(r.to(), e);
        return true;
    }

    private void transitionTo(CallState to, Event cause) {
        CallState from = state;
        if (from == to) {
            return;
        }
        state = to;
        host.stats().callState(from, to);
        LOG.debug("call {}/{}: {} -> {} on {}", localTunnelId, localSessionId, from, to, cause);
    }

    void place() { fire(Event.PLACE); }

    void attach(Tunnel t, int sessionId, int serial) {
        this.tunnel = t;
        this.localTunnelId = t.localTunnelId;
        this.localSessionId = sessionId;
        this.callSerial = serial;
    }

    void tunnelUp() {
        if (state != CallState.WAIT_TUNNEL) {
            return;
        }
        remoteTunnelId = tunnel.remoteTunnelId();
        peer = tunnel.peer();
        fire(Event.TUNNEL_UP);
        tunnel.send(MessageType.ICRQ, 0, icrqBody());
        setupTimer = host.scheduler().schedule(this::setupTimedOut, host.settings().callSetupTimeout().toNanos(),
                java.util.concurrent.TimeUnit.NANOSECONDS);
        try {
            listener.callPlacing(this);
        } catch (RuntimeException e) {
            LOG.warn("call listener failed in callPlacing", e);
        }
    }

    /**
     * No ICRP (LAC side) or ICCN (LNS side) in time: clear with CDN result 10 (RFC 2661 4.4.2 "not established within
     * time allotted").
     */
    private void setupTimedOut() {
        setupTimer = null;
        if (state != CallState.WAIT_REPLY && state != CallState.WAIT_CONNECT) {
            return;
        }
        String why = "no " + (state == CallState.WAIT_REPLY ? "ICRP" : "ICCN") + " within " + host.settings().callSetupTimeout().toSeconds() + " s";
        LOG.info("call {}/{}: {}", localTunnelId, localSessionId, why);
        fire(Event.LOCAL_DISCONNECT);
        sendCdn(ResultCode.of(CdnResult.NOT_ESTABLISHED_IN_TIME, ErrorCode.NO_ERROR, why), null);
        down(new CallDownCause(CallDownCause.Kind.REFUSED, CdnResult.NOT_ESTABLISHED_IN_TIME.code(), -1, why, null));
    }

    void tunnelDown(CallDownCause cause) {
        if (state == CallState.CLOSED) {
            return;
        }
        fire(Event.TUNNEL_DOWN);
        down(cause);
    }

    /** A malformed or unknown-mandatory call message: CDN with the given result. */
    void protocolError(ResultCode rc) {
        if (state == CallState.CLOSED) {
            return;
        }
        if (state == CallState.WAIT_TUNNEL || state == CallState.IDLE) {
            return;
        }
        fire(Event.RX_UNEXPECTED);
        sendCdn(rc, null);
        down(new CallDownCause(CallDownCause.Kind.CLEARED_LOCALLY, rc.result(), rc.error(), rc.message(), null));
    }

    void localDisconnect(DisconnectCause cause) {
        CallState before = state;
        if (before == CallState.CLOSED) {
            return;
        }
        fire(Event.LOCAL_DISCONNECT);
        if (before == CallState.WAIT_REPLY || before == CallState.WAIT_CONNECT || before == CallState.ESTABLISHED) {
            ResultCode rc = cause.error() != null ? ResultCode.of(cause.result(), cause.error(), cause.message())
                    : cause.message() != null ? ResultCode.of(cause.result(), ErrorCode.NO_ERROR, cause.message()) : ResultCode.of(cause.result());
            sendCdn(rc, cause.pppCause());
        }
        down(new CallDownCause(CallDownCause.Kind.CLEARED_LOCALLY, cause.result().code(), cause.error() != null ? cause.error().code() : -1,
                cause.message(), cause.pppCause()));
    }

    void handle(ControlMessage m) {
        MessageType t = m.messageType();
        switch (t) {
            case ICRP -> {
                if (incoming()) {
                    protocolError(ResultCode.of(CdnResult.ERROR, ErrorCode.NO_ERROR, "ICRP on a call placed by the peer"));
                } else {
                    onIcrp(m);
                }
            }
            case ICCN -> {
                if (incoming()) {
                    onIccn(m);
                } else {
                    protocolError(ResultCode.of(CdnResult.ERROR, ErrorCode.NO_ERROR, "ICCN on a call placed by lacd"));
                }
            }
            case CDN -> onCdn(m);
            case SLI, WEN -> LOG.debug("call {}/{}: {} noted", localTunnelId, localSessionId, t); // RFC 2661 6.13/6.14: informational
            default -> {
                LOG.info("call {}/{}: unexpected {} in {}", localTunnelId, localSessionId, t, state);
                protocolError(ResultCode.of(CdnResult.ERROR, ErrorCode.NO_ERROR, "unexpected " + t));
            }
        }
    }

    private void onIcrp(ControlMessage m) {
        if (state != CallState.WAIT_REPLY) {
            protocolError(ResultCode.of(CdnResult.ERROR, ErrorCode.NO_ERROR, "ICRP in " + state));
            return;
        }
        int peerSession = m.u16(AvpType.ASSIGNED_SESSION_ID);
        if (peerSession <= 0) {
            fire(Event.RX_ICRP_BAD);
            sendCdn(ResultCode.of(CdnResult.ERROR, ErrorCode.BAD_LENGTH, "ICRP without Assigned Session ID"), null);
            down(new CallDownCause(CallDownCause.Kind.REFUSED, CdnResult.ERROR.code(), ErrorCode.BAD_LENGTH.code(),
                    "ICRP without Assigned Session ID", null));
            return;
        }
        remoteSessionId = peerSession;
        if (setupTimer != null) {
            setupTimer.cancel();
            setupTimer = null;
        }
        fire(Event.RX_ICRP_OK);
        tunnel.callSetupEnded(this);
        tunnel.send(MessageType.ICCN, peerSession, iccnBody(), this::iccnTransmitted);
        params = null;
        LOG.info("call {}/{} up: LNS session {} ({})", localTunnelId, localSessionId, peerSession, profile.name());
        try {
            listener.callUp(this);
        } catch (RuntimeException e) {
            LOG.warn("call listener failed in callUp", e);
        }
    }

    private void onCdn(ControlMessage m) {
        ResultCode rc = null;
        PppDisconnectCause ppp = null;
        try {
            Avp r = m.find(AvpType.RESULT_CODE);
            rc = r != null ? ResultCode.parse(r) : null;
            Avp p = m.find(AvpType.PPP_DISCONNECT_CAUSE_CODE);
            ppp = p != null ? PppDisconnectCause.parse(p) : null;
        } catch (MalformedPacketException e) {
            LOG.debug("call {}/{}: bad CDN AVP: {}", localTunnelId, localSessionId, e.getMessage());
        }
        CallState before = state;
        if (!fire(Event.RX_CDN)) {
            return;
        }
        CallDownCause.Kind kind = before == CallState.WAIT_REPLY || before == CallState.WAIT_CONNECT
                ? CallDownCause.Kind.REFUSED : CallDownCause.Kind.CLEARED_BY_PEER;
        LOG.info("call {}/{} cleared by {}: {}", localTunnelId, localSessionId, incoming() ? "downstream LAC" : "LNS", rc);
        down(new CallDownCause(kind, rc != null ? rc.result() : -1, rc != null ? rc.error() : -1, rc != null ? rc.message() : null, ppp));
    }

    private void sendCdn(ResultCode rc, PppDisconnectCause ppp) {
        List<Avp> body = new ArrayList<>(3);
        body.add(rc.toAvp());
        body.add(Avp.u16(AvpType.ASSIGNED_SESSION_ID, localSessionId));
        if (ppp != null) {
            body.add(ppp.toAvp());
        }
        tunnel.send(MessageType.CDN, remoteSessionId, body);
    }

    private void down(CallDownCause cause) {
        if (downReported) {
            return;
        }
        downReported = true;
        if (early != null) {
            for (int i = early.size(); i > 0; i--) {
                host.stats().drop(L2tpStats.DropReason.SESSION_NOT_ESTABLISHED);
            }
            early = null;
        }
        if (setupTimer != null) {
            setupTimer.cancel();
            setupTimer = null;
        }
        if (tunnel != null) {
            tunnel.removeSession(this);
        }
        if (incoming()) {
            host.releaseIncoming(lacPeer);
        }
        CallListener l = listener;
        if (l == null) {
            return; // an incoming call that never connected: nobody above knew it
        }
        try {
            l.callDown(this, cause);
        } catch (RuntimeException e) {
            LOG.warn("call listener failed in callDown", e);
        }
    }

    // ---------------------------------------------------------------- LNS side (tunnel switching)

    /** An incoming call: its tunnel and our session id, given by the responder tunnel on ICRQ. */
    void attachIncoming(Tunnel t, int sessionId) {
        this.tunnel = t;
        this.localTunnelId = t.localTunnelId;
        this.localSessionId = sessionId;
        this.remoteTunnelId = t.remoteTunnelId();
        this.peer = t.peer();
    }

    /** RFC 2661 7.4.2: the ICRQ (checked by the tunnel: it has an Assigned Session ID) is acceptable: send ICRP. */
    void onIcrq(ControlMessage m) {
        icrq = m;
        remoteSessionId = m.u16(AvpType.ASSIGNED_SESSION_ID);
        fire(Event.RX_ICRQ_OK);
        tunnel.send(MessageType.ICRP, remoteSessionId, List.of(Avp.u16(AvpType.ASSIGNED_SESSION_ID, localSessionId)));
        setupTimer = host.scheduler().schedule(this::setupTimedOut, host.settings().callSetupTimeout().toNanos(),
                java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /**
     * RFC 2661 7.4.2 / 6.8: the ICCN. Tx Connect Speed and Framing Type are mandatory in it; without them the call is
     * cleared with CDN. Sequencing Required (4.4.4) makes both directions sequenced.
     */
    private void onIccn(ControlMessage m) {
        if (state != CallState.WAIT_CONNECT) {
            protocolError(ResultCode.of(CdnResult.ERROR, ErrorCode.NO_ERROR, "ICCN in " + state));
            return;
        }
        if (setupTimer != null) {
            setupTimer.cancel();
            setupTimer = null;
        }
        if (!m.has(AvpType.TX_CONNECT_SPEED) || !m.has(AvpType.FRAMING_TYPE)) {
            String why = "ICCN without Tx Connect Speed or Framing Type";
            fire(Event.RX_ICCN_BAD);
            sendCdn(ResultCode.of(CdnResult.ERROR, ErrorCode.BAD_LENGTH, why), null);
            down(new CallDownCause(CallDownCause.Kind.REFUSED, CdnResult.ERROR.code(), ErrorCode.BAD_LENGTH.code(), why, null));
            return;
        }
        String user = m.string(AvpType.PROXY_AUTHEN_NAME);
        if (user == null || user.isEmpty()) {
            // a switched call is steered by its user (issue 18): a downstream LAC that authenticated nobody (a dial-out
            // client such as xl2tpd, whose own pppd is the PPP peer) gives nothing to steer by
            String why = "ICCN without Proxy Authen Name: no user to switch the call by";
            fire(Event.RX_ICCN_BAD);
            host.stats().refused(L2tpStats.Refusal.NO_PROXY_AUTH, lacPeer);
            sendCdn(ResultCode.of(CdnResult.INVALID_DESTINATION, ErrorCode.NO_ERROR, why), null);
            down(new CallDownCause(CallDownCause.Kind.REFUSED, CdnResult.INVALID_DESTINATION.code(), ErrorCode.NO_ERROR.code(),
                    why, null));
            return;
        }
        iccn = m;
        if (m.has(AvpType.SEQUENCING_REQUIRED)) {
            sequencing = true;
        }
        fire(Event.RX_ICCN_OK);
        iccnSent = true; // nothing of ours to wait for: data may flow both ways from now on
        LOG.info("call {}/{} up: from {} ({}) session {}", localTunnelId, localSessionId, peer, lacPeer.name(), remoteSessionId);
        CallListener l;
        try {
            l = host.incomingHandler().connected(this);
        } catch (RuntimeException e) {
            LOG.warn("incoming call handler failed", e);
            l = null;
        }
        if (l == null) {
            localDisconnect(new DisconnectCause(CdnResult.TEMPORARY_NO_FACILITIES, null, "call not taken", null));
            return;
        }
        listener = l;
    }

    /** A data message for this call (event loop); {@code ns} is -1 when the S bit was clear. */
    void dataIn(byte[] buf, int off, int len, int ns) {
        if (state != CallState.ESTABLISHED) {
            host.stats().drop(L2tpStats.DropReason.SESSION_NOT_ESTABLISHED);
            return;
        }
        if (ns >= 0) {
            if (!sequencing) {
                sequencing = true; // RFC 2661 5.4: the LNS sequences data: do the same
            }
            // RFC 2661 5.4: sequence numbers let the receiver drop reordered data (PPP copes with loss, not reordering)
            if (lastDataNs >= 0 && !org.lacd.l2tp.transport.Seq.before(lastDataNs, ns)) {
                host.stats().drop(L2tpStats.DropReason.DATA_OUT_OF_ORDER);
                return;
            }
            lastDataNs = ns;
        }
        if (len >= 2 && buf[off] == (byte) 0xff && buf[off + 1] == 0x03) {
            off += 2;
            len -= 2;
        }
        if (len <= 0) {
            host.stats().drop(L2tpStats.DropReason.EMPTY_FRAME);
            return;
        }
        host.stats().dataIn(len);
        CallListener l = listener;
        if (l == null) {
            return;
        }
        try {
            l.pppFromLns(this, buf, off, len);
        } catch (RuntimeException e) {
            LOG.warn("call listener failed in pppFromLns", e);
        }
    }

    // ---------------------------------------------------------------- message bodies

    private List<Avp> icrqBody() {
        List<Avp> b = new ArrayList<>();
        b.add(Avp.u16(AvpType.ASSIGNED_SESSION_ID, localSessionId));
        b.add(Avp.u32(AvpType.CALL_SERIAL_NUMBER, callSerial));
        if (params.onwardIcrq() != null) {
            // tunnel switching: the downstream LAC's call information as it sent it; Bearer Type is required (6.6)
            if (params.onwardIcrq().stream().noneMatch(a -> a.known() == AvpType.BEARER_TYPE)) {
                b.add(Avp.u32(AvpType.BEARER_TYPE, 0));
            }
            b.addAll(params.onwardIcrq());
            return b;
        }
        b.add(Avp.u32(AvpType.BEARER_TYPE, params.bearerType()));
        if (params.physicalChannelId() >= 0) {
            b.add(Avp.u32(AvpType.PHYSICAL_CHANNEL_ID, params.physicalChannelId()));
        }
        if (params.callingNumber() != null) {
            b.add(Avp.string(AvpType.CALLING_NUMBER, params.callingNumber()));
        }
        if (params.calledNumber() != null) {
            b.add(Avp.string(AvpType.CALLED_NUMBER, params.calledNumber()));
        }
        if (!profile.accessLineAvps()) {
            return b;
        }
        if (params.agentCircuitId() != null) {
            b.add(Avp.string(AvpType.AGENT_CIRCUIT_ID, params.agentCircuitId()));
        }
        if (params.agentRemoteId() != null) {
            b.add(Avp.string(AvpType.AGENT_REMOTE_ID, params.agentRemoteId()));
        }
        addRate(b, AvpType.ACTUAL_DATA_RATE_UPSTREAM, params.actualRateUp());
        addRate(b, AvpType.ACTUAL_DATA_RATE_DOWNSTREAM, params.actualRateDown());
        addRate(b, AvpType.MINIMUM_DATA_RATE_UPSTREAM, params.minRateUp());
        addRate(b, AvpType.MINIMUM_DATA_RATE_DOWNSTREAM, params.minRateDown());
        return b;
    }

    private static void addRate(List<Avp> b, AvpType t, long v) {
        if (v >= 0) {
            b.add(Avp.u64(t, v));
        }
    }

    private List<Avp> iccnBody() {
        List<Avp> b = new ArrayList<>();
        if (params.onwardIccn() != null) {
            // tunnel switching: the downstream LAC's ICCN as it sent it; Tx Connect Speed and Framing Type are required (6.8)
            if (params.onwardIccn().stream().noneMatch(a -> a.known() == AvpType.TX_CONNECT_SPEED)) {
                b.add(Avp.u32(AvpType.TX_CONNECT_SPEED, host.settings().connectSpeedDefault()));
            }
            if (params.onwardIccn().stream().noneMatch(a -> a.known() == AvpType.FRAMING_TYPE)) {
                b.add(Avp.u32(AvpType.FRAMING_TYPE, 1));
            }
            b.addAll(params.onwardIccn());
            return b;
        }
        long tx = params.txConnectSpeed() > 0 ? params.txConnectSpeed() : host.settings().connectSpeedDefault();
        b.add(Avp.u32(AvpType.TX_CONNECT_SPEED, tx));
        b.add(Avp.u32(AvpType.FRAMING_TYPE, params.framingType()));
        if (params.rxConnectSpeed() > 0) {
            b.add(Avp.u32(AvpType.RX_CONNECT_SPEED, params.rxConnectSpeed()));
        }
        // proxy LCP AVPs with M clear (RFC 2661 4.4.5; xl2tpd closes the call on mandatory AVPs it does not handle)
        if (params.initialReceivedLcpConfReq() != null) {
            b.add(Avp.of(AvpType.INITIAL_RECEIVED_LCP_CONFREQ, params.initialReceivedLcpConfReq()));
        }
        if (params.lastSentLcpConfReq() != null) {
            b.add(Avp.of(AvpType.LAST_SENT_LCP_CONFREQ, params.lastSentLcpConfReq()));
        }
        if (params.lastReceivedLcpConfReq() != null) {
            b.add(Avp.of(AvpType.LAST_RECEIVED_LCP_CONFREQ, params.lastReceivedLcpConfReq()));
        }
        if (params.proxyAuthenType() >= 0) {
            b.add(Avp.u16(AvpType.PROXY_AUTHEN_TYPE, params.proxyAuthenType()));
            if (params.proxyAuthenName() != null) {
                b.add(Avp.string(AvpType.PROXY_AUTHEN_NAME, params.proxyAuthenName()));
            }
            if (params.proxyAuthenChallenge() != null) {
                b.add(Avp.of(AvpType.PROXY_AUTHEN_CHALLENGE, params.proxyAuthenChallenge()));
            }
            if (params.proxyAuthenId() >= 0) {
                b.add(Avp.u16(AvpType.PROXY_AUTHEN_ID, params.proxyAuthenId()));
            }
            if (params.proxyAuthenResponse() != null) {
                b.add(Avp.of(AvpType.PROXY_AUTHEN_RESPONSE, params.proxyAuthenResponse()));
            }
        }
        if (params.sequencingRequired()) {
            b.add(Avp.of(AvpType.SEQUENCING_REQUIRED, new byte[0]));
        }
        return b;
    }

    @Override
    public String toString() { return "call " + localTunnelId + "/" + localSessionId + " " + state; }
}
