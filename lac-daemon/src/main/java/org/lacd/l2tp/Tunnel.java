package org.lacd.l2tp;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.lacd.l2tp.transport.L2tpScheduler;
import org.lacd.l2tp.transport.ReliableChannel;
import org.lacd.l2tp.wire.Avp;
import org.lacd.l2tp.wire.AvpType;
import org.lacd.l2tp.wire.CdnResult;
import org.lacd.l2tp.wire.ControlMessage;
import org.lacd.l2tp.wire.ErrorCode;
import org.lacd.l2tp.wire.HiddenAvps;
import org.lacd.wire.MalformedPacketException;
import org.lacd.l2tp.wire.MessageType;
import org.lacd.l2tp.wire.ResultCode;
import org.lacd.l2tp.wire.StopCcnResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tunnel with its sessions: lacd's tunnel toward an LNS (control connection initiator, RFC 2661 7.2.1), or, for
 * tunnel switching, a downstream LAC's tunnel toward lacd (responder, the LNS side of 7.2.1: {@link #lacPeer} set),
 * which carries the calls that LAC places on lacd. Confined to one event loop.
 * The reliable delivery is a {@link ReliableChannel}; this class only decides.
 */
final class Tunnel implements ReliableChannel.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(Tunnel.class);

    /** Tunnel events. */
    enum Event {
        OPEN, RX_SCCRP_OK, RX_SCCRP_BAD, RX_STOPCCN, RX_UNEXPECTED, GAVE_UP, LOCAL_CLOSE, STOP_ACKED, STOP_WAIT_EXPIRED,
        /** The protected path to the peer is gone (its IPsec SA went down): nothing more may be sent to it. */
        PATH_LOST,
        /** Responder (a downstream LAC's tunnel): its SCCRQ, acceptable or not. */
        RX_SCCRQ_OK, RX_SCCRQ_BAD,
        /** Responder: its SCCCN, acceptable (our Challenge answered right, if we sent one) or not. */
        RX_SCCCN_OK, RX_SCCCN_BAD
    }

    /** The transition table (the machinery is {@link TransitionTable}). */
    static final TransitionTable<TunnelState, Event> TABLE = TransitionTable.of(TunnelState.class, Event.class, List.of(
            row(TunnelState.IDLE, Event.OPEN, TunnelState.WAIT_CTL_REPLY, "RFC 2661 7.2.1 local open: send SCCRQ"),
            row(TunnelState.IDLE, Event.LOCAL_CLOSE, TunnelState.CLOSED, "nothing sent yet"),
            row(TunnelState.WAIT_CTL_REPLY, Event.RX_SCCRP_OK, TunnelState.ESTABLISHED, "RFC 2661 7.2.1 SCCRP acceptable: send SCCCN"),
            row(TunnelState.WAIT_CTL_REPLY, Event.RX_SCCRP_BAD, TunnelState.CLOSING, "RFC 2661 7.2.1 SCCRP not acceptable: send StopCCN"),
            row(TunnelState.WAIT_CTL_REPLY, Event.RX_STOPCCN, TunnelState.CLOSED, "RFC 2661 7.2.1 receive StopCCN: clean up"),
            row(TunnelState.WAIT_CTL_REPLY, Event.RX_UNEXPECTED, TunnelState.CLOSING, "RFC 2661 7.2.1 unexpected message: StopCCN"),
            row(TunnelState.WAIT_CTL_REPLY, Event.GAVE_UP, TunnelState.CLOSED, "RFC 2661 5.8 retransmissions exhausted"),
            row(TunnelState.WAIT_CTL_REPLY, Event.LOCAL_CLOSE, TunnelState.CLOSING, "RFC 2661 5.7 StopCCN"),
            row(TunnelState.ESTABLISHED, Event.RX_STOPCCN, TunnelState.CLOSED, "RFC 2661 7.2.1 receive StopCCN: clean up"),
            row(TunnelState.ESTABLISHED, Event.RX_UNEXPECTED, TunnelState.CLOSING, "RFC 2661 7.2.1 SCCRQ/SCCRP/SCCCN after setup"),
            row(TunnelState.ESTABLISHED, Event.GAVE_UP, TunnelState.CLOSED, "RFC 2661 5.8 / 6.5 peer gone"),
            row(TunnelState.ESTABLISHED, Event.LOCAL_CLOSE, TunnelState.CLOSING, "RFC 2661 5.7 StopCCN"),
            row(TunnelState.CLOSING, Event.STOP_ACKED, TunnelState.CLOSED, "RFC 2661 5.7 StopCCN acknowledged"),
            row(TunnelState.CLOSING, Event.STOP_WAIT_EXPIRED, TunnelState.CLOSED, "RFC 2661 5.7 bounded wait for the ack"),
            row(TunnelState.CLOSING, Event.GAVE_UP, TunnelState.CLOSED, "RFC 2661 5.8"),
            row(TunnelState.CLOSING, Event.RX_STOPCCN, TunnelState.CLOSED, "StopCCN crossed ours"),
            row(TunnelState.CLOSING, Event.LOCAL_CLOSE, TunnelState.CLOSING, "already closing"),
            row(TunnelState.CLOSING, Event.RX_UNEXPECTED, TunnelState.CLOSING, "RFC 2661 5.7: ignore after StopCCN"),
            row(TunnelState.CLOSING, Event.RX_SCCRP_OK, TunnelState.CLOSING, "RFC 2661 5.7: ignore after StopCCN"),
            row(TunnelState.CLOSING, Event.RX_SCCRP_BAD, TunnelState.CLOSING, "RFC 2661 5.7: ignore after StopCCN"),
            // The IPsec SA that protects the path went down (RFC 3193 3.1 SA teardown, RFC 4301 5.1: PROTECT traffic never leaves without an SA):
            // as a peer gone (RFC 2661 5.8), but without a StopCCN, which could only leave in clear
            row(TunnelState.IDLE, Event.PATH_LOST, TunnelState.CLOSED, "RFC 3193 3.1 SA gone: nothing sent yet"),
            row(TunnelState.WAIT_CTL_REPLY, Event.PATH_LOST, TunnelState.CLOSED, "RFC 2661 5.8 as peer unreachable; RFC 3193 3.1 no StopCCN in clear"),
            row(TunnelState.ESTABLISHED, Event.PATH_LOST, TunnelState.CLOSED, "RFC 2661 5.8 as peer unreachable; RFC 3193 3.1 no StopCCN in clear"),
            row(TunnelState.CLOSING, Event.PATH_LOST, TunnelState.CLOSED, "RFC 3193 3.1: stop waiting for the StopCCN ack"),
            // responder rows (tunnel switching: a downstream LAC opens the tunnel, lacd answers as its LNS)
            row(TunnelState.IDLE, Event.RX_SCCRQ_OK, TunnelState.WAIT_CTL_CONN, "RFC 2661 7.2.1 SCCRQ acceptable: send SCCRP"),
            row(TunnelState.IDLE, Event.RX_SCCRQ_BAD, TunnelState.CLOSING, "RFC 2661 7.2.1 SCCRQ not acceptable: send StopCCN"),
            row(TunnelState.WAIT_CTL_CONN, Event.RX_SCCCN_OK, TunnelState.ESTABLISHED, "RFC 2661 7.2.1 SCCCN acceptable (5.1.1 response checked)"),
            row(TunnelState.WAIT_CTL_CONN, Event.RX_SCCCN_BAD, TunnelState.CLOSING, "RFC 2661 7.2.1 / 5.1.1 SCCCN not acceptable: send StopCCN"),
            row(TunnelState.WAIT_CTL_CONN, Event.RX_STOPCCN, TunnelState.CLOSED, "RFC 2661 7.2.1 receive StopCCN: clean up"),
            row(TunnelState.WAIT_CTL_CONN, Event.RX_UNEXPECTED, TunnelState.CLOSING, "RFC 2661 7.2.1 unexpected message: StopCCN"),
            row(TunnelState.WAIT_CTL_CONN, Event.GAVE_UP, TunnelState.CLOSED, "RFC 2661 5.8 retransmissions exhausted"),
            row(TunnelState.WAIT_CTL_CONN, Event.LOCAL_CLOSE, TunnelState.CLOSING, "RFC 2661 5.7 StopCCN"),
            row(TunnelState.WAIT_CTL_CONN, Event.PATH_LOST, TunnelState.CLOSED, "RFC 2661 5.8 as peer unreachable"),
            row(TunnelState.CLOSING, Event.RX_SCCCN_OK, TunnelState.CLOSING, "RFC 2661 5.7: ignore after StopCCN"),
            row(TunnelState.CLOSING, Event.RX_SCCCN_BAD, TunnelState.CLOSING, "RFC 2661 5.7: ignore after StopCCN")));

    private static TransitionTable.Row<TunnelState, Event> row(TunnelState from, Event event, TunnelState to, String rfc) {
        return new TransitionTable.Row<>(from, event, to, rfc);
    }

    /** AVPs hidden when the profile asks for it: the rows that identify a subscriber or carry credentials. */
    static boolean hiddenByProfile(Avp a) {
        return a.known() != null && a.known().subscriberData();
    }

    final TunnelHost host;
    final TunnelProfile profile;
    /** Responder (tunnel switching): the downstream LAC peer that opened this tunnel; null for a tunnel to an LNS. */
    final LacPeer lacPeer;
    final int localTunnelId;
    private final byte[] secret;
    private final ReliableChannel channel;
    private final L2tpScheduler sched;
    private final Map<Integer, Session> sessions = new HashMap<>();
    /** Calls on this tunnel whose ICRP has not come (ICRQ queued or sent, or waiting for the tunnel). */
    private int callsInSetup;
    private final List<CompletableFuture<TunnelSnapshot>> upWaiters = new ArrayList<>();
    private final List<CompletableFuture<Void>> closeWaiters = new ArrayList<>();
    private InetSocketAddress peer;
    private TunnelState state = TunnelState.IDLE;
    private long stateSince;
    private int remoteTunnelId;
    private String peerHostName;
    private byte[] challenge;
    private byte[] tieBreaker;
    private long lastReceived;
    private boolean helloOutstanding;
    private CallDownCause downCause;
    private ResultCode peerStopResult;
    private L2tpScheduler.Cancellable helloTimer;
    private L2tpScheduler.Cancellable lingerTimer;
    private L2tpScheduler.Cancellable stopTimer;
    private int nextCallSerial = 1;

    Tunnel(TunnelHost host, TunnelProfile profile, int localTunnelId) {
        this(host, profile, localTunnelId, null);
    }

    /** With {@code lacPeer}: the responder for a downstream LAC's SCCRQ (tunnel switching). */
    Tunnel(TunnelHost host, TunnelProfile profile, int localTunnelId, LacPeer lacPeer) {
        this.host = host;
        this.lacPeer = lacPeer;
        this.profile = profile;
        this.peer = profile.peer();
        this.localTunnelId = localTunnelId;
        this.sched = host.scheduler();
        this.secret = profile.secret() == null || profile.secret().isEmpty() ? null : profile.secret().getBytes(StandardCharsets.UTF_8);
        L2tpSettings s = host.settings();
        this.channel = new ReliableChannel(new ReliableChannel.Config(s.retransmitInitial().toMillis(), s.retransmitCap().toMillis(),
                s.maxRetries(), s.ackDelay().toMillis(), receiveWindow()), sched, this);
        this.stateSince = sched.nanoTime();
        this.lastReceived = stateSince;
        // the initial state is counted like every later one (transitionTo counts from -> to): without this the IDLE
        // gauge went negative by one per tunnel ever opened (issue 14, defect 7)
        host.stats().tunnelState(null, TunnelState.IDLE);
    }

    private int receiveWindow() { return profile.receiveWindow() > 0 ? profile.receiveWindow() : host.settings().receiveWindow(); }

    /** Calls on this tunnel at most; a downstream LAC's tunnel is bounded by its peer's limit and the id space only. */
    int maxSessions() { return lacPeer != null ? 65534 : profile.maxSessions() > 0 ? profile.maxSessions() : host.settings().sessionsPerTunnel(); }

    TunnelState state() { return state; }

    int remoteTunnelId() { return remoteTunnelId; }

    InetSocketAddress peer() { return peer; }

    int sessionCount() { return sessions.size(); }

    /**
     * Whether a new call may join this tunnel (tunnel sharing with a per-tunnel limit). With
     * {@code l2tp.calls-in-setup-per-tunnel} set, not while that many of its calls wait for their ICRP: in a storm the
     * peer's receive window bounds the calls per round trip of one tunnel, and a call that finds every tunnel to its LNS
     * that busy opens another one (RFC 2661 allows any number of tunnels between two peers).
     */
    boolean accepts() {
        int inSetupBound = host.settings().callsInSetupPerTunnel();
        return lacPeer == null && (state == TunnelState.IDLE || state == TunnelState.WAIT_CTL_REPLY || state == TunnelState.ESTABLISHED)
                && sessions.size() < maxSessions() && (inSetupBound == 0 || callsInSetup < inSetupBound);
    }

    /** Calls on this tunnel still waiting for their ICRP. */
    int callsInSetup() { return callsInSetup; }

    TunnelSnapshot snapshot() {
        return new TunnelSnapshot(profile.name(), peer, peerHostName, localTunnelId, remoteTunnelId, state, sessions.size(),
                channel.retransmits(), channel.unacknowledged(), stateSince, lacPeer == null ? null : lacPeer.name());
    }

    // ---------------------------------------------------------------- state machine

    private void fire(Event e, Runnable action) {
        TransitionTable.Row<TunnelState, Event> r = TABLE.find(state, e);
        if (r == null) {
            if (state == TunnelState.CLOSED) {
                LOG.debug("tunnel {}: {} ignored in CLOSED", localTunnelId, e);
                return;
            }
            // no row: a protocol error with a defined answer (STYLE: never a silent ignore)
            LOG.warn("tunnel {}: event {} not allowed in {}: StopCCN", localTunnelId, e, state);
            close(ResultCode.of(StopCcnResult.FSM_ERROR), failure(StopCcnResult.FSM_ERROR.code(), -1, "FSM error: " + e + " in " + state));
            return;
        }
        transitionTo(r.to(), e);
        if (action != null) {
            action.run();
        }
    }

    private void transitionTo(TunnelState to, Event cause) {
        TunnelState from = state;
        if (from == to) {
            return;
        }
        state = to;
        stateSince = sched.nanoTime();
        host.stats().tunnelState(from, to);
        if (to == TunnelState.ESTABLISHED || to == TunnelState.CLOSED || from == TunnelState.ESTABLISHED) {
            LOG.info("tunnel {} to {} ({}): {} -> {} on {}", localTunnelId, peer, profile.name(), from, to, cause);
        } else {
            LOG.debug("tunnel {}: {} -> {} on {}", localTunnelId, from, to, cause);
        }
    }

    private static CallDownCause failure(int result, int error, String msg) {
        return new CallDownCause(CallDownCause.Kind.TUNNEL_FAILED, result, error, msg, null);
    }

    // ---------------------------------------------------------------- API (event loop)

    void open(CompletableFuture<TunnelSnapshot> upWaiter) {
        if (upWaiter != null) {
            if (state == TunnelState.ESTABLISHED) {
                upWaiter.complete(snapshot());
            } else {
                upWaiters.add(upWaiter);
            }
        }
        if (state != TunnelState.IDLE) {
            return;
        }
        fire(Event.OPEN, this::sendSccrq);
        scheduleLingerIfEmpty();
    }

    void addSession(Session s) {
        int id;
        do {
            id = 1 + host.random().nextInt(65535);
        } while (sessions.containsKey(id));
        sessions.put(id, s);
        s.inSetupOnTunnel = true;
        callsInSetup++;
        cancelLinger();
        s.attach(this, id, nextCallSerial++);
        host.registerSession(this, s);
        if (state == TunnelState.ESTABLISHED) {
            s.tunnelUp();
        } else if (state == TunnelState.IDLE) {
            open(null);
        }
    }

    /** {@code s} left call setup (its ICRP came, or it went down): its place in {@code l2tp.calls-in-setup-per-tunnel} is free. */
    void callSetupEnded(Session s) {
        if (s.inSetupOnTunnel) {
            s.inSetupOnTunnel = false;
            callsInSetup--;
        }
    }

    void removeSession(Session s) {
        callSetupEnded(s);
        if (sessions.remove(s.localSessionId()) != null) {
            host.unregisterSession(this, s);
            scheduleLingerIfEmpty();
        }
    }

    /** Local close with StopCCN (operator, shutdown, linger). */
    void close(ResultCode result, CallDownCause forSessions) {
        if (state == TunnelState.CLOSED) {
            return;
        }
        if (state == TunnelState.CLOSING) {
            return;
        }
        TunnelState before = state;
        fire(Event.LOCAL_CLOSE, () -> {
            if (before == TunnelState.IDLE) {
                finish(forSessions);
            } else {
                startClosing(result, forSessions);
            }
        });
    }

    void whenClosed(CompletableFuture<Void> f) {
        if (state == TunnelState.CLOSED) {
            f.complete(null);
        } else {
            closeWaiters.add(f);
        }
    }

    // ---------------------------------------------------------------- receive

    /** A control message for this tunnel from the socket (logged with MDC keys "tunnel" and "l2tp_session"). */
    void onControl(ControlMessage raw, InetSocketAddress from) {
        org.slf4j.MDC.put("tunnel", Integer.toString(localTunnelId));
        org.slf4j.MDC.put("l2tp_session", Integer.toString(raw.sessionId()));
        try {
            receiveControl(raw, from);
        } finally {
            org.slf4j.MDC.remove("tunnel");
            org.slf4j.MDC.remove("l2tp_session");
        }
    }

    private void receiveControl(ControlMessage raw, InetSocketAddress from) {
        if (!from.equals(peer)) {
            if (state == TunnelState.WAIT_CTL_REPLY && raw.messageType() == MessageType.SCCRP) {
                peer = from; // RFC 2661 8.1: the LNS may answer from another port; follow it
            } else {
                host.stats().drop(L2tpStats.DropReason.UNKNOWN_TUNNEL);
                return;
            }
        }
        ControlMessage m = raw;
        if (!raw.isZlb()) {
            try {
                m = new ControlMessage(raw.tunnelId(), raw.sessionId(), raw.ns(), raw.nr(), HiddenAvps.reveal(raw.avps(), secret));
            } catch (MalformedPacketException e) {
                // not acknowledged: the peer retransmits, and gives up if it never becomes readable
                LOG.debug("tunnel {}: unreadable hidden AVP: {}", localTunnelId, e.getMessage());
                host.stats().drop(L2tpStats.DropReason.HIDDEN_AVP_UNREADABLE);
                return;
            }
        }
        channel.receive(m); // lastReceived moves only in peerAlive(): after the sequence check, never before
    }

    @Override
    public void deliver(ControlMessage m) {
        LOG.debug("tunnel {} rx {}", localTunnelId, m);
        if (state == TunnelState.CLOSED) {
            return;
        }
        MessageType t = m.messageType();
        if (t == null) {
            if (m.messageTypeMandatory()) {
                // RFC 2661 4.4.1: unknown message type with M set clears the tunnel
                close(ResultCode.of(StopCcnResult.GENERAL_ERROR, ErrorCode.UNKNOWN_MANDATORY_AVP, "unknown message type " + m.messageTypeCode()),
                        failure(StopCcnResult.GENERAL_ERROR.code(), ErrorCode.UNKNOWN_MANDATORY_AVP.code(), "peer sent unknown message type"));
            } else {
                host.stats().drop(L2tpStats.DropReason.UNKNOWN_MESSAGE_TYPE);
            }
            return;
        }
        Avp unknown = m.unknownMandatory();
        if (unknown != null) {
            // RFC 2661 4.1: unknown M-bit AVP ends the session (call message) or the tunnel
            String why = "unknown mandatory AVP " + unknown.vendor() + ":" + unknown.type() + " in " + t;
            LOG.info("tunnel {}: {}", localTunnelId, why);
            if (t.isCallMessage()) {
                Session s = sessions.get(m.sessionId());
                if (s != null) {
                    s.protocolError(ResultCode.of(CdnResult.ERROR, ErrorCode.UNKNOWN_MANDATORY_AVP, why));
                } else if (t != MessageType.CDN) {
                    sendCdnFor(m, ResultCode.of(CdnResult.ERROR, ErrorCode.UNKNOWN_MANDATORY_AVP, why));
                }
            } else {
                close(ResultCode.of(StopCcnResult.GENERAL_ERROR, ErrorCode.UNKNOWN_MANDATORY_AVP, why),
                        failure(StopCcnResult.GENERAL_ERROR.code(), ErrorCode.UNKNOWN_MANDATORY_AVP.code(), why));
            }
            return;
        }
        switch (t) {
            case SCCRP -> onSccrp(m);
            case STOPCCN -> onStopCcn(m);
            case HELLO -> { } // acknowledged by the channel
            case SCCRQ -> {
                if (lacPeer != null && state == TunnelState.IDLE) {
                    onSccrq(m);
                } else {
                    fire(Event.RX_UNEXPECTED, () -> startClosing(ResultCode.of(StopCcnResult.FSM_ERROR),
                            failure(StopCcnResult.FSM_ERROR.code(), -1, "unexpected SCCRQ")));
                }
            }
            case SCCCN -> {
                if (lacPeer != null && state == TunnelState.WAIT_CTL_CONN) {
                    onScccn(m);
                } else {
                    fire(Event.RX_UNEXPECTED, () -> startClosing(ResultCode.of(StopCcnResult.FSM_ERROR),
                            failure(StopCcnResult.FSM_ERROR.code(), -1, "unexpected SCCCN")));
                }
            }
            case ICRQ -> {
                if (lacPeer != null) {
                    onIcrq(m);
                } else {
                    LOG.debug("tunnel {}: ICRQ from an LNS ignored", localTunnelId);
                    host.stats().drop(L2tpStats.DropReason.UNKNOWN_SESSION);
                }
            }
            case OCRQ -> sendCdnFor(m, ResultCode.of(CdnResult.PERMANENT_NO_FACILITIES, ErrorCode.NO_ERROR, "LAC does not accept outgoing calls"));
            default -> {
                Session s = sessions.get(m.sessionId());
                if (s != null) {
                    s.handle(m);
                } else {
                    LOG.debug("tunnel {}: {} for unknown session {}", localTunnelId, t, m.sessionId());
                    host.stats().drop(L2tpStats.DropReason.UNKNOWN_SESSION);
                }
            }
        }
    }

    private void onSccrp(ControlMessage m) {
        if (state != TunnelState.WAIT_CTL_REPLY) {
            fire(Event.RX_UNEXPECTED, () -> startClosing(ResultCode.of(StopCcnResult.FSM_ERROR),
                    failure(StopCcnResult.FSM_ERROR.code(), -1, "unexpected SCCRP")));
            return;
        }
        int assigned = m.u16(AvpType.ASSIGNED_TUNNEL_ID);
        if (assigned > 0) {
            remoteTunnelId = assigned;
            channel.setPeerTunnelId(assigned);
        }
        peerHostName = m.string(AvpType.HOST_NAME);
        String problem = null;
        StopCcnResult result = StopCcnResult.GENERAL_ERROR;
        ErrorCode error = ErrorCode.BAD_VALUE;
        byte[] protocol = m.bytes(AvpType.PROTOCOL_VERSION);
        if (assigned <= 0) {
            problem = "SCCRP without Assigned Tunnel ID";
            error = ErrorCode.BAD_LENGTH;
        } else if (protocol == null || protocol[0] != 1) {
            problem = "protocol version not supported";
            result = StopCcnResult.VERSION_NOT_SUPPORTED;
            error = ErrorCode.NO_ERROR;
        } else if (peerHostName == null || !m.has(AvpType.FRAMING_CAPABILITIES)) {
            problem = "SCCRP without Host Name or Framing Capabilities";
        } else if (challenge != null) {
            byte[] resp = m.bytes(AvpType.CHALLENGE_RESPONSE);
            if (resp == null || !MessageDigest.isEqual(resp, HiddenAvps.challengeResponse(MessageType.SCCRP, secret, challenge))) {
                problem = resp == null ? "LNS sent no challenge response" : "LNS challenge response wrong (secret mismatch)";
                result = StopCcnResult.NOT_AUTHORIZED;
                error = ErrorCode.NO_ERROR;
            }
        }
        byte[] peerChallenge = m.bytes(AvpType.CHALLENGE);
        if (problem == null && peerChallenge != null && secret == null) {
            problem = "LNS requires tunnel authentication but no secret is configured";
            result = StopCcnResult.NOT_AUTHORIZED;
            error = ErrorCode.NO_ERROR;
        }
        int rws = m.u16(AvpType.RECEIVE_WINDOW_SIZE);
        if (rws > 0) {
            channel.setPeerWindow(rws);
        }
        if (problem != null) {
            LOG.info("tunnel {} to {}: {}", localTunnelId, peer, problem);
            ResultCode rc = ResultCode.of(result, error, problem);
            CallDownCause c = failure(result.code(), error.code(), problem);
            fire(Event.RX_SCCRP_BAD, () -> startClosing(rc, c));
            return;
        }
        List<Avp> body = new ArrayList<>(1);
        if (peerChallenge != null) {
            body.add(Avp.of(AvpType.CHALLENGE_RESPONSE, HiddenAvps.challengeResponse(MessageType.SCCCN, secret, peerChallenge)));
        }
        fire(Event.RX_SCCRP_OK, () -> {
            send(MessageType.SCCCN, 0, body);
            scheduleHello();
            for (CompletableFuture<TunnelSnapshot> f : upWaiters) {
                f.complete(snapshot());
            }
            upWaiters.clear();
            for (Session s : new ArrayList<>(sessions.values())) {
                s.tunnelUp();
            }
            scheduleLingerIfEmpty();
        });
    }

    // ---------------------------------------------------------------- responder (tunnel switching)

    /**
     * RFC 2661 7.2.1 (LNS side): a downstream LAC's SCCRQ. Acceptable when it names its tunnel, speaks version 1,
     * gives Host Name and Framing Capabilities (6.1), sends the Host Name configured for the peer (if one is), and
     * sends a Challenge only if we share a secret. Answer: SCCRP with our Challenge (when we have a secret: the
     * peer proves it in SCCCN, 5.1.1) and the Challenge Response to theirs (4.4.3).
     */
    private void onSccrq(ControlMessage m) {
        int assigned = m.u16(AvpType.ASSIGNED_TUNNEL_ID);
        if (assigned > 0) {
            remoteTunnelId = assigned;
            channel.setPeerTunnelId(assigned);
        }
        peerHostName = m.string(AvpType.HOST_NAME);
        int rws = m.u16(AvpType.RECEIVE_WINDOW_SIZE);
        if (rws > 0) {
            channel.setPeerWindow(rws);
        }
        byte[] protocol = m.bytes(AvpType.PROTOCOL_VERSION);
        byte[] peerChallenge = m.bytes(AvpType.CHALLENGE);
        String problem = null;
        StopCcnResult result = StopCcnResult.NOT_AUTHORIZED;
        ErrorCode error = ErrorCode.NO_ERROR;
        L2tpStats.Refusal refusal = L2tpStats.Refusal.BAD_SCCRQ;
        if (assigned <= 0 || peerHostName == null || !m.has(AvpType.FRAMING_CAPABILITIES)) {
            problem = "SCCRQ without Assigned Tunnel ID, Host Name or Framing Capabilities";
            result = StopCcnResult.GENERAL_ERROR;
            error = ErrorCode.BAD_LENGTH;
        } else if (protocol == null || protocol.length < 1 || protocol[0] != 1) {
            problem = "protocol version not supported";
            result = StopCcnResult.VERSION_NOT_SUPPORTED;
        } else if (lacPeer.hostName() != null && !lacPeer.hostName().equals(peerHostName)) {
            problem = "Host Name is not the one configured for " + lacPeer.name();
            refusal = L2tpStats.Refusal.HOST_NAME;
        } else if (peerChallenge != null && secret == null) {
            problem = "peer asks for tunnel authentication but no secret is configured for " + lacPeer.name();
            refusal = L2tpStats.Refusal.NO_SECRET;
        }
        if (problem != null) {
            LOG.info("tunnel {} from {} ({}): SCCRQ refused: {}", localTunnelId, peer, lacPeer.name(), problem);
            host.stats().refused(refusal, lacPeer);
            ResultCode rc = ResultCode.of(result, error, problem);
            CallDownCause c = failure(result.code(), error.code(), problem);
            fire(Event.RX_SCCRQ_BAD, () -> startClosing(rc, c));
            return;
        }
        List<Avp> body = new ArrayList<>();
        body.add(Avp.of(AvpType.PROTOCOL_VERSION, new byte[] {1, 0}));
        body.add(Avp.u32(AvpType.FRAMING_CAPABILITIES, 3));
        body.add(Avp.u32(AvpType.BEARER_CAPABILITIES, 0));
        body.add(Avp.u16(AvpType.FIRMWARE_REVISION, 0x0100));
        String hostName = profile.localHostName() != null ? profile.localHostName() : host.settings().localHostName();
        body.add(Avp.string(AvpType.HOST_NAME, hostName));
        body.add(Avp.string(AvpType.VENDOR_NAME, "lacd"));
        body.add(Avp.u16(AvpType.ASSIGNED_TUNNEL_ID, localTunnelId));
        body.add(Avp.u16(AvpType.RECEIVE_WINDOW_SIZE, receiveWindow()));
        if (secret != null) {
            challenge = new byte[16];
            host.random().nextBytes(challenge);
            body.add(Avp.of(AvpType.CHALLENGE, challenge));
        }
        if (peerChallenge != null) {
            body.add(Avp.of(AvpType.CHALLENGE_RESPONSE, HiddenAvps.challengeResponse(MessageType.SCCRP, secret, peerChallenge)));
        }
        fire(Event.RX_SCCRQ_OK, () -> send(MessageType.SCCRP, 0, body));
    }

    /** RFC 2661 7.2.1 / 5.1.1: the SCCCN; with a secret, its Challenge Response must answer our Challenge. */
    private void onScccn(ControlMessage m) {
        if (challenge != null) {
            byte[] resp = m.bytes(AvpType.CHALLENGE_RESPONSE);
            if (resp == null || !MessageDigest.isEqual(resp, HiddenAvps.challengeResponse(MessageType.SCCCN, secret, challenge))) {
                String problem = resp == null ? "peer sent no challenge response" : "peer's challenge response wrong (secret mismatch)";
                LOG.info("tunnel {} from {} ({}): {}", localTunnelId, peer, lacPeer.name(), problem);
                host.stats().refused(L2tpStats.Refusal.AUTH_FAILED, lacPeer);
                ResultCode rc = ResultCode.of(StopCcnResult.NOT_AUTHORIZED, ErrorCode.NO_ERROR, "not authorized");
                CallDownCause c = failure(StopCcnResult.NOT_AUTHORIZED.code(), -1, problem);
                fire(Event.RX_SCCCN_BAD, () -> startClosing(rc, c));
                return;
            }
        }
        fire(Event.RX_SCCCN_OK, () -> {
            scheduleHello();
            for (CompletableFuture<TunnelSnapshot> f : upWaiters) {
                f.complete(snapshot());
            }
            upWaiters.clear();
        });
    }

    /**
     * RFC 2661 7.4.2: an ICRQ from the downstream LAC. Refused with CDN result 4 while the tunnel is not established,
     * beyond the peer's session limit or when the layer above says no (drain); else a new call answers with ICRP.
     */
    private void onIcrq(ControlMessage m) {
        int peerSession = m.u16(AvpType.ASSIGNED_SESSION_ID);
        if (peerSession <= 0) {
            sendCdnFor(m, ResultCode.of(CdnResult.ERROR, ErrorCode.BAD_LENGTH, "ICRQ without Assigned Session ID"));
            return;
        }
        for (Session s : sessions.values()) {
            if (s.remoteSessionId() == peerSession) {
                // RFC 2661 5.8 retransmissions are caught by the channel; this is a second call with a live id
                sendCdnFor(m, ResultCode.of(CdnResult.ERROR, ErrorCode.INVALID_SESSION_ID, "Assigned Session ID in use"));
                return;
            }
        }
        if (state != TunnelState.ESTABLISHED) {
            sendCdnFor(m, ResultCode.of(CdnResult.ERROR, ErrorCode.NO_CONTROL_CONNECTION, "ICRQ before SCCCN"));
            return;
        }
        L2tpStats.Refusal no = sessions.size() >= maxSessions() ? L2tpStats.Refusal.SESSION_LIMIT : host.admitIncoming(lacPeer);
        if (no != null) {
            LOG.info("tunnel {} from {} ({}): ICRQ refused: {}", localTunnelId, peer, lacPeer.name(), no);
            host.stats().refused(no, lacPeer);
            sendCdnFor(m, ResultCode.of(CdnResult.TEMPORARY_NO_FACILITIES, ErrorCode.NO_ERROR, no.name().toLowerCase(java.util.Locale.ROOT)));
            return;
        }
        int id;
        do {
            id = 1 + host.random().nextInt(65535);
        } while (sessions.containsKey(id));
        Session s = new Session(host, profile, lacPeer);
        sessions.put(id, s);
        s.attachIncoming(this, id);
        host.registerSession(this, s);
        s.onIcrq(m);
    }

    private void onStopCcn(ControlMessage m) {
        int assigned = m.u16(AvpType.ASSIGNED_TUNNEL_ID);
        if (remoteTunnelId == 0 && assigned > 0) {
            // StopCCN answering our SCCRQ: address the ack to the tunnel id it assigns (RFC 2661 6.4)
            remoteTunnelId = assigned;
            channel.setPeerTunnelId(assigned);
        }
        ResultCode rc = null;
        Avp avp = m.find(AvpType.RESULT_CODE);
        if (avp != null) {
            try {
                rc = ResultCode.parse(avp);
            } catch (MalformedPacketException e) {
                rc = null;
            }
        }
        peerStopResult = rc;
        String msg = (lacPeer != null ? "downstream LAC" : "LNS") + " sent StopCCN" + (rc != null ? " (" + rc + ")" : "");
        if (lacPeer != null && state == TunnelState.WAIT_CTL_CONN) {
            // it refused our SCCRP before any SCCCN: a wrong secret it noticed first (our Challenge Response) or the like
            host.stats().refused(L2tpStats.Refusal.PEER_REFUSED_TUNNEL, lacPeer);
        }
        CallDownCause c = new CallDownCause(CallDownCause.Kind.TUNNEL_FAILED, rc != null ? rc.result() : -1,
                rc != null ? rc.error() : -1, rc != null && rc.message() != null ? rc.message() : msg, null);
        fire(Event.RX_STOPCCN, () -> {
            channel.sendZlb(); // acknowledge at once; keep the channel for re-acks during the hold time
            LOG.info("tunnel {} to {}: {}", localTunnelId, peer, msg);
            finishSessions(c);
            cancelTimers();
            completeWaiters(c);
            sched.schedule(this::destroy, host.settings().stopCcnWait().toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    ResultCode peerStopResult() { return peerStopResult; }

    /** The peer's reason when the tunnel failed or was stopped, for tools. */
    CallDownCause downCause() { return downCause; }

    // ---------------------------------------------------------------- channel callbacks

    @Override
    public void transmit(byte[] datagram) {
        host.sendControl(peer, datagram);
    }

    @Override
    public void retransmitting(int ns, int attempt) {
        host.stats().controlRetransmit();
        LOG.debug("tunnel {}: retransmit Ns {} attempt {}", localTunnelId, ns, attempt);
    }

    @Override
    public void peerAlive() { lastReceived = sched.nanoTime(); }

    @Override
    public void duplicate(int ns) { host.stats().drop(L2tpStats.DropReason.CONTROL_DUPLICATE); }

    @Override
    public void outOfWindow(int ns) { host.stats().drop(L2tpStats.DropReason.CONTROL_OUT_OF_WINDOW); }

    @Override
    public void allAcknowledged() {
        helloOutstanding = false;
        if (state == TunnelState.CLOSING) {
            fire(Event.STOP_ACKED, () -> finish(null));
        }
    }

    /** The IPsec SA protecting the path to the peer is down: close at once, sending nothing (see {@link Event#PATH_LOST}). */
    void pathLost(String why) {
        LOG.info("tunnel {} to {}: {}", localTunnelId, peer, why);
        fire(Event.PATH_LOST, () -> finish(failure(-1, -1, why)));
    }

    @Override
    public void gaveUp(ControlMessage unacked) {
        boolean hello = helloOutstanding;
        if (hello) {
            host.stats().helloTimeout();
        }
        String why = hello ? "HELLO not acknowledged: LNS gone" : "no acknowledgement from LNS after " + host.settings().maxRetries() + " retransmissions";
        LOG.info("tunnel {} to {}: {}", localTunnelId, peer, why);
        fire(Event.GAVE_UP, () -> finish(failure(-1, -1, why)));
    }

    // ---------------------------------------------------------------- actions

    private void sendSccrq() {
        List<Avp> body = new ArrayList<>();
        body.add(Avp.of(AvpType.PROTOCOL_VERSION, new byte[] {1, 0}));
        String hostName = profile.localHostName() != null ? profile.localHostName() : host.settings().localHostName();
        body.add(Avp.string(AvpType.HOST_NAME, hostName));
        body.add(Avp.u32(AvpType.FRAMING_CAPABILITIES, 3));
        body.add(Avp.u32(AvpType.BEARER_CAPABILITIES, 0));
        body.add(Avp.u16(AvpType.FIRMWARE_REVISION, 0x0100));
        body.add(Avp.string(AvpType.VENDOR_NAME, "lacd"));
        body.add(Avp.u16(AvpType.ASSIGNED_TUNNEL_ID, localTunnelId));
        body.add(Avp.u16(AvpType.RECEIVE_WINDOW_SIZE, receiveWindow()));
        tieBreaker = new byte[8];
        host.random().nextBytes(tieBreaker);
        body.add(Avp.of(AvpType.TIE_BREAKER, tieBreaker));
        if (secret != null) {
            challenge = new byte[16];
            host.random().nextBytes(challenge);
            body.add(Avp.of(AvpType.CHALLENGE, challenge));
        }
        send(MessageType.SCCRQ, 0, body);
    }

    /** Our tie breaker while an SCCRQ is outstanding, else null (RFC 2661 4.4.3). */
    byte[] pendingTieBreaker() { return state == TunnelState.WAIT_CTL_REPLY ? tieBreaker : null; }

    void send(MessageType type, int sessionId, List<Avp> body) { send(type, sessionId, body, null); }

    /** Queues a control message; {@code onFirstTransmit} (may be null) runs once it has first been handed to the socket. */
    void send(MessageType type, int sessionId, List<Avp> body, Runnable onFirstTransmit) {
        ControlMessage m = ControlMessage.of(type, remoteTunnelId, sessionId, body);
        if (profile.hideAvps() && secret != null) {
            boolean any = body.stream().anyMatch(Tunnel::hiddenByProfile);
            if (any) {
                byte[] rv = new byte[16];
                host.random().nextBytes(rv);
                m = new ControlMessage(m.tunnelId(), m.sessionId(), 0, 0,
                        HiddenAvps.hide(m.avps(), secret, rv, Tunnel::hiddenByProfile));
            }
        }
        LOG.debug("tunnel {} tx {}", localTunnelId, m);
        // an ICCN completes a call the LNS already holds (its ICRP came): it takes the next window slot, ahead of the
        // ICRQs of calls not yet started (a storm queues hundreds of them behind the peer's receive window)
        boolean queued = type == MessageType.ICCN ? channel.sendAhead(m, onFirstTransmit) : channel.send(m, onFirstTransmit);
        if (!queued) {
            host.stats().drop(L2tpStats.DropReason.CONTROL_QUEUE_FULL);
        }
    }

    /** CDN for a call message that has no session here (OCRQ, unknown mandatory AVP), RFC 2661 5.? / 7.4. */
    private void sendCdnFor(ControlMessage m, ResultCode rc) {
        int peerSession = m.u16(AvpType.ASSIGNED_SESSION_ID);
        send(MessageType.CDN, Math.max(peerSession, 0), List.of(rc.toAvp(), Avp.u16(AvpType.ASSIGNED_SESSION_ID, 0)));
    }

    private void startClosing(ResultCode rc, CallDownCause forSessions) {
        cancelTimers();
        List<Avp> body = List.of(Avp.u16(AvpType.ASSIGNED_TUNNEL_ID, localTunnelId), rc.toAvp());
        LOG.info("tunnel {} to {}: StopCCN {}", localTunnelId, peer, rc);
        send(MessageType.STOPCCN, 0, body);
        finishSessions(forSessions);
        stopTimer = sched.schedule(() -> fire(Event.STOP_WAIT_EXPIRED, () -> finish(null)),
                host.settings().stopCcnWait().toMillis(), TimeUnit.MILLISECONDS);
        if (forSessions != null) {
            downCause = forSessions;
        }
    }

    private void finishSessions(CallDownCause c) {
        if (c != null) {
            downCause = c;
        }
        CallDownCause cause = downCause != null ? downCause
                : new CallDownCause(CallDownCause.Kind.CLEARED_LOCALLY, -1, -1, "tunnel closed", null);
        for (Session s : new ArrayList<>(sessions.values())) {
            s.tunnelDown(cause);
        }
    }

    private void finish(CallDownCause c) {
        finishSessions(c);
        cancelTimers();
        completeWaiters(downCause);
        destroy();
    }

    private void completeWaiters(CallDownCause c) {
        for (CompletableFuture<TunnelSnapshot> f : upWaiters) {
            f.completeExceptionally(new TunnelFailedException(c != null ? c : failure(-1, -1, "tunnel closed")));
        }
        upWaiters.clear();
    }

    private void destroy() {
        channel.close();
        cancelTimers();
        host.tunnelDestroyed(this);
        for (CompletableFuture<Void> f : closeWaiters) {
            f.complete(null);
        }
        closeWaiters.clear();
    }

    private void cancelTimers() {
        if (helloTimer != null) {
            helloTimer.cancel();
            helloTimer = null;
        }
        cancelLinger();
        if (stopTimer != null) {
            stopTimer.cancel();
            stopTimer = null;
        }
    }

    /** RFC 2661 6.5: a HELLO after {@code helloInterval} without any message from the peer. */
    private void scheduleHello() {
        long interval = host.settings().helloInterval().toNanos();
        long due = Math.max(lastReceived + interval - sched.nanoTime(), TimeUnit.MILLISECONDS.toNanos(10));
        helloTimer = sched.schedule(() -> {
            helloTimer = null;
            if (state != TunnelState.ESTABLISHED) {
                return;
            }
            if (sched.nanoTime() - lastReceived >= interval && channel.idle()) {
                helloOutstanding = true;
                send(MessageType.HELLO, 0, List.of());
                lastReceived = sched.nanoTime(); // next HELLO one interval after this one unless the peer speaks
            }
            scheduleHello();
        }, due, TimeUnit.NANOSECONDS);
    }

    private void scheduleLingerIfEmpty() {
        // a downstream LAC's tunnel lives as long as that LAC wants it (RFC 2661 leaves closing to either side; the
        // LAC that opened it for its calls decides)
        if (lacPeer != null || !sessions.isEmpty() || lingerTimer != null || state == TunnelState.CLOSING || state == TunnelState.CLOSED) {
            return;
        }
        lingerTimer = sched.schedule(() -> {
            lingerTimer = null;
            if (sessions.isEmpty() && (state == TunnelState.ESTABLISHED || state == TunnelState.WAIT_CTL_REPLY)) {
                LOG.info("tunnel {} to {}: idle for {}, closing", localTunnelId, peer, host.settings().tunnelLinger());
                close(ResultCode.of(StopCcnResult.GENERAL_REQUEST_TO_CLEAR), null);
            }
        }, host.settings().tunnelLinger().toNanos(), TimeUnit.NANOSECONDS);
    }

    private void cancelLinger() {
        if (lingerTimer != null) {
            lingerTimer.cancel();
            lingerTimer = null;
        }
    }

    /** Sequencing numbers for calls: next call serial is handed out by {@link #addSession}. */
    int localCallSerialBase() { return nextCallSerial; }

    @Override
    public String toString() { return "tunnel " + localTunnelId + " to " + peer; }
}
