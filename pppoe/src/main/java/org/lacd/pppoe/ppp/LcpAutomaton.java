package org.lacd.pppoe.ppp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.lacd.pppoe.AuthType;
import org.lacd.pppoe.CloseReason;
import org.lacd.pppoe.ServerScheduler;
import org.lacd.pppoe.wire.LcpCode;
import org.lacd.pppoe.wire.LcpOption;
import org.lacd.pppoe.wire.LcpOptionType;
import org.lacd.pppoe.wire.LcpPacket;
import org.lacd.wire.MalformedPacketException;
import org.lacd.pppoe.wire.PppProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LCP (RFC 1661) as the authenticator side of a PPPoE session: it opens at once (Up + Open: irc, scr), asks for
 * MRU, Authentication-Protocol and Magic-Number, acks what it can take of the peer's request (MRU, Magic-Number),
 * naks bad values and rejects everything else. Transitions come from {@link LcpTransitions}; the only assignment
 * of the state is in {@link #transitionTo}. Runs on the server thread only.
 *
 * <p>Keeps the proxy-LCP values of RFC 2661 (section 4.4.5, AVPs 26-28) byte for byte: the first Configure-Request
 * received, the last one received and the last one sent (option bytes only).
 */
public final class LcpAutomaton {
    private static final Logger LOG = LoggerFactory.getLogger(LcpAutomaton.class);

    /** What the automaton needs from its session. */
    public interface Host {
        void sendLcp(LcpPacket packet);

        ServerScheduler.Cancellable schedule(Runnable task, long delayNanos);

        /** This-Layer-Up: LCP is open, authentication may start. */
        void layerUp();

        /** This-Layer-Down: LCP left Opened (renegotiation or termination). */
        void layerDown();

        /** This-Layer-Finished: LCP is done; the session ends with this reason. */
        void layerFinished(CloseReason reason);
    }

    private final LcpConfig config;
    private final Host host;
    private final RandomGenerator random;
    private final String logName;

    private LcpState state = LcpState.REQ_SENT;
    private long stateSince;
    private int restartCounter;
    private ServerScheduler.Cancellable timer;
    private int nextId;

    // what we ask for
    private int ourMru;
    private boolean sendMru = true;
    private boolean sendMagic = true;
    private int ourMagic;
    private int authIndex;
    private int lastSentId = -1;
    private byte[] lastSentOptions;

    // what the peer asked for
    private int peerMru; // RFC 1661 6.1 default 1500 (capped at our MRU) until a Configure-Request says otherwise
    private int peerMagic;
    private byte[] initialReceivedOptions;
    private byte[] lastReceivedOptions;
    private int naksSent;
    /** Configure-Naks/Rejects of our Configure-Requests in a row, without an Ack in between. */
    private int naksReceived;
    private int loopbacks;

    // the packet being handled (for sca/scn/sta/scj/ser)
    private LcpPacket current;
    private LcpPacket response;
    private CloseReason finishReason = CloseReason.LCP_TIMEOUT;
    private final List<LcpTransitionListener> listeners = new ArrayList<>(1);

    /** Observes state changes (tests, gauges). */
    @FunctionalInterface
    public interface LcpTransitionListener {
        void changed(LcpState from, LcpState to, LcpEvent event);
    }

    public LcpAutomaton(LcpConfig config, Host host, RandomGenerator random, String logName) {
        this.config = config;
        this.host = host;
        this.random = random;
        this.logName = logName;
        this.ourMru = config.mru();
        this.peerMru = Math.min(1500, config.mru());
        this.ourMagic = newMagic();
        this.nextId = random.nextInt(256);
    }

    public void addListener(LcpTransitionListener l) { listeners.add(l); }

    /** Up + Open from Starting: irc, scr -> Req-Sent (RFC 1661 4.1). */
    public void open() {
        restartCounter = config.maxConfigure();
        sendConfigureRequest();
    }

    public LcpState state() { return state; }
    public AuthType authType() { return config.authPreference().get(authIndex); }
    public int ourMru() { return ourMru; }
    public int peerMru() { return peerMru; }
    public int ourMagic() { return ourMagic; }
    public int peerMagic() { return peerMagic; }
    public byte[] initialReceivedConfReq() { return initialReceivedOptions == null ? new byte[0] : initialReceivedOptions.clone(); }
    public byte[] lastReceivedConfReq() { return lastReceivedOptions == null ? new byte[0] : lastReceivedOptions.clone(); }
    public byte[] lastSentConfReq() { return lastSentOptions == null ? new byte[0] : lastSentOptions.clone(); }
    public int nextIdentifier() { nextId = (nextId + 1) & 0xff; return nextId; }

    /** Administrative close (RFC 1661 4.3 Close event); the session ends with {@code reason} once LCP finishes. */
    public void close(CloseReason reason) {
        if (state.finished()) {
            return;
        }
        finishReason = reason;
        fire(LcpEvent.CLOSE);
    }

    /** Stops timers without sending anything (the session is handed over or torn down elsewhere). */
    public void detach() {
        cancelTimer();
    }

    /** Handles one received LCP packet. Returns false when it was discarded as invalid (counted by the caller). */
    public boolean receive(LcpPacket p) throws MalformedPacketException {
        if (state.finished()) {
            return false;
        }
        LcpCode code = p.kind();
        current = p;
        response = null;
        if (code == null) {
            fire(LcpEvent.RUC);
            return true;
        }
        switch (code) {
            case CONFIGURE_REQUEST -> {
                LcpEvent ev = classifyRequest(p);
                if (loopbacks > config.maxFailure()) {
                    close(CloseReason.LOOPBACK); // RFC 1661 6.4: the link appears looped back
                } else {
                    fire(ev);
                }
            }
            case CONFIGURE_ACK -> {
                if (p.id() != lastSentId || !Arrays.equals(p.data(), lastSentOptions)) {
                    return false; // RFC 1661 5.2: an Ack that does not match is silently discarded
                }
                naksReceived = 0;
                fire(LcpEvent.RCA);
            }
            case CONFIGURE_NAK, CONFIGURE_REJECT -> {
                if (p.id() != lastSentId) {
                    return false; // RFC 1661 5.3/5.4: stale Nak/Reject
                }
                CloseReason fatal = code == LcpCode.CONFIGURE_NAK ? applyNak(p.options()) : applyReject(p.options());
                if (fatal == null && ++naksReceived > config.maxFailure()) {
                    // Policy on RFC 1661 4.6: the RFC bounds the Naks we send (Max-Failure) and the requests nobody
                    // answers (Max-Configure), but a Nak resets the restart counter (irc), so a peer that Naks every
                    // Configure-Request would loop for ever. Max-Failure bounds the Naks we receive as well.
                    fatal = CloseReason.LCP_NOT_CONVERGING;
                }
                if (fatal != null) {
                    close(fatal);
                } else {
                    fire(LcpEvent.RCN);
                }
            }
            case TERMINATE_REQUEST -> {
                if (state != LcpState.CLOSING && state != LcpState.STOPPING) {
                    finishReason = CloseReason.LCP_TERMINATE_FROM_SUBSCRIBER;
                }
                fire(LcpEvent.RTR);
            }
            case TERMINATE_ACK -> fire(LcpEvent.RTA);
            case CODE_REJECT -> {
                int rejected = p.data().length > 0 ? p.data()[0] & 0xff : 0;
                boolean catastrophic = rejected >= 1 && rejected <= 7; // RFC 1661 5.6: Configure-* .. Code-Reject
                if (catastrophic) {
                    finishReason = CloseReason.LCP_NEGOTIATION_FAILED;
                }
                fire(catastrophic ? LcpEvent.RXJ_MINUS : LcpEvent.RXJ_PLUS);
            }
            case PROTOCOL_REJECT -> {
                int proto = ((p.data()[0] & 0xff) << 8) | (p.data()[1] & 0xff);
                if (proto == PppProtocol.LCP) {
                    finishReason = CloseReason.LCP_NEGOTIATION_FAILED;
                    fire(LcpEvent.RXJ_MINUS);
                } else if (proto == authType().protocol()) {
                    close(CloseReason.AUTH_PROTOCOL_REFUSED); // RFC 1661 5.7 policy: no way to authenticate
                } else {
                    fire(LcpEvent.RXJ_PLUS);
                }
            }
            case ECHO_REQUEST, ECHO_REPLY, DISCARD_REQUEST -> {
                if (sendMagic && ourMagic != 0 && p.magic() == ourMagic) {
                    loopbacks++; // RFC 1661 6.4: our own magic came back
                    if (loopbacks > config.maxFailure()) {
                        close(CloseReason.LOOPBACK);
                        return true;
                    }
                }
                fire(LcpEvent.RXR);
            }
            case IDENTIFICATION, TIME_REMAINING -> fire(LcpEvent.RXR);
        }
        return true;
    }

    private LcpEvent classifyRequest(LcpPacket p) throws MalformedPacketException {
        byte[] opts = p.data().clone();
        if (initialReceivedOptions == null) {
            initialReceivedOptions = opts;
        }
        lastReceivedOptions = opts;
        List<LcpOption> rej = new ArrayList<>(2);
        List<LcpOption> nak = new ArrayList<>(2);
        int mruCandidate = Math.min(1500, config.mru()); // RFC 1661 6.1 default, never above what PPPoE carries
        for (LcpOption o : p.options()) {
            LcpOptionType t = o.knownType();
            if (t == LcpOptionType.MRU) {
                int v = o.u16();
                if (v > config.mru()) {
                    nak.add(LcpOption.mru(config.mru())); // larger than the PPPoE session carries (RFC 2516 7)
                } else if (v < LcpConfig.MIN_MRU) {
                    nak.add(LcpOption.mru(LcpConfig.MIN_MRU));
                } else {
                    mruCandidate = v;
                }
            } else if (t == LcpOptionType.MAGIC_NUMBER) {
                int v = o.u32();
                if (v == 0) {
                    nak.add(LcpOption.magic(newMagic())); // RFC 1661 6.4: zero is not a magic number
                } else if (sendMagic && v == ourMagic) {
                    loopbacks++; // RFC 1661 6.4: looped back or an unlucky peer: both pick again
                    ourMagic = newMagic();
                    nak.add(LcpOption.magic(newMagic()));
                } else {
                    peerMagic = v;
                }
            } else {
                rej.add(o); // RFC 1661 5.4: everything else (ACCM, PFC, ACFC, auth for us, ...) is rejected
            }
        }
        if (!rej.isEmpty()) {
            response = LcpPacket.configure(LcpCode.CONFIGURE_REJECT, p.id(), rej);
            return LcpEvent.RCR_MINUS;
        }
        if (!nak.isEmpty()) {
            naksSent++;
            if (naksSent > config.maxFailure()) {
                // RFC 1661 4.6 Max-Failure: stop Nak-ing, Configure-Reject the options instead
                List<LcpOption> asReceived = new ArrayList<>();
                for (LcpOption o : p.options()) {
                    for (LcpOption n : nak) {
                        if (n.type() == o.type()) {
                            asReceived.add(o);
                            break;
                        }
                    }
                }
                response = LcpPacket.configure(LcpCode.CONFIGURE_REJECT, p.id(), asReceived);
            } else {
                response = LcpPacket.configure(LcpCode.CONFIGURE_NAK, p.id(), nak);
            }
            return LcpEvent.RCR_MINUS;
        }
        naksSent = 0;
        peerMru = mruCandidate;
        response = LcpPacket.of(LcpCode.CONFIGURE_ACK, p.id(), p.data());
        return LcpEvent.RCR_PLUS;
    }

    /** Returns a close reason when the Nak leaves nothing to negotiate. */
    private CloseReason applyNak(List<LcpOption> options) {
        for (LcpOption o : options) {
            LcpOptionType t = o.knownType();
            if (t == LcpOptionType.MRU && o.data().length == 2) {
                int v = o.u16();
                if (v >= LcpConfig.MIN_MRU && v <= config.mru()) {
                    ourMru = v;
                }
            } else if (t == LcpOptionType.MAGIC_NUMBER) {
                ourMagic = newMagic();
            } else if (t == LcpOptionType.AUTH_PROTOCOL) {
                AuthType wanted = AuthType.fromOptionData(o.data());
                List<AuthType> pref = config.authPreference();
                int idx = wanted == null ? -1 : pref.indexOf(wanted);
                if (idx > authIndex) {
                    authIndex = idx; // the peer suggests one we offer further down the list
                } else {
                    authIndex++; // it suggests something we do not do: try our next preference
                }
                if (authIndex >= pref.size()) {
                    authIndex = pref.size() - 1;
                    return CloseReason.AUTH_PROTOCOL_REFUSED;
                }
            }
        }
        return null;
    }

    private CloseReason applyReject(List<LcpOption> options) {
        for (LcpOption o : options) {
            LcpOptionType t = o.knownType();
            if (t == LcpOptionType.MRU) {
                sendMru = false;
                ourMru = 1500 > config.mru() ? config.mru() : 1500;
            } else if (t == LcpOptionType.MAGIC_NUMBER) {
                sendMagic = false;
                ourMagic = 0;
            } else if (t == LcpOptionType.AUTH_PROTOCOL) {
                return CloseReason.AUTH_PROTOCOL_REFUSED; // an authenticator cannot do without
            }
        }
        return null;
    }

    private int newMagic() {
        int m;
        do {
            m = random.nextInt();
        } while (m == 0);
        return m;
    }

    private void fire(LcpEvent e) {
        LcpTransitions.Row row = LcpTransitions.lookup(state, e);
        if (row == null) {
            // Only timeouts in Opened and events in the finished states lack rows: nothing to do there.
            LOG.debug("{} LCP {}: no transition for {}", logName, state, e);
            return;
        }
        for (LcpAction a : row.actions()) {
            execute(a, row.next());
        }
        transitionTo(row.next(), e);
        if (row.actions().contains(LcpAction.TLF)) {
            host.layerFinished(finishReason);
        } else if (row.actions().contains(LcpAction.TLU)) {
            host.layerUp();
        }
    }

    private void execute(LcpAction a, LcpState next) {
        switch (a) {
            case TLU, TLF -> { } // after the state change, see fire()
            case TLD -> host.layerDown();
            case IRC -> restartCounter = next == LcpState.CLOSING || next == LcpState.STOPPING
                    ? config.maxTerminate() : config.maxConfigure();
            case ZRC -> {
                restartCounter = 0;
                startTimer();
            }
            case SCR -> sendConfigureRequest();
            case SCA, SCN -> host.sendLcp(response);
            case STR -> {
                restartCounter--;
                host.sendLcp(LcpPacket.of(LcpCode.TERMINATE_REQUEST, nextIdentifier(), new byte[0]));
                startTimer();
            }
            case STA -> host.sendLcp(LcpPacket.of(LcpCode.TERMINATE_ACK, current.id(), new byte[0]));
            case SCJ -> {
                byte[] rejected = current.toPppFrame();
                int max = Math.min(rejected.length - 2, peerMru - 4);
                host.sendLcp(LcpPacket.of(LcpCode.CODE_REJECT, nextIdentifier(), Arrays.copyOfRange(rejected, 2, 2 + max)));
            }
            case SER -> {
                if (current.kind() == LcpCode.ECHO_REQUEST) {
                    byte[] d = current.data().clone();
                    d[0] = (byte) (ourMagic >>> 24);
                    d[1] = (byte) (ourMagic >>> 16);
                    d[2] = (byte) (ourMagic >>> 8);
                    d[3] = (byte) ourMagic;
                    host.sendLcp(LcpPacket.of(LcpCode.ECHO_REPLY, current.id(), d));
                }
            }
        }
    }

    private void sendConfigureRequest() {
        List<LcpOption> opts = new ArrayList<>(3);
        if (sendMru) {
            opts.add(LcpOption.mru(ourMru));
        }
        opts.add(authType().option());
        if (sendMagic) {
            opts.add(LcpOption.magic(ourMagic));
        }
        LcpPacket cr = LcpPacket.configure(LcpCode.CONFIGURE_REQUEST, nextIdentifier(), opts);
        lastSentId = cr.id();
        lastSentOptions = cr.data();
        restartCounter--;
        host.sendLcp(cr);
        startTimer();
    }

    private void startTimer() {
        cancelTimer();
        timer = host.schedule(this::timeout, config.restartNanos());
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    private void timeout() {
        timer = null;
        if (!state.timerRuns()) {
            return;
        }
        fire(restartCounter > 0 ? LcpEvent.TO_PLUS : LcpEvent.TO_MINUS);
    }

    private void transitionTo(LcpState next, LcpEvent cause) {
        LcpState from = state;
        state = next;
        if (!next.timerRuns()) {
            cancelTimer();
        }
        if (from != next) {
            LOG.debug("{} LCP {} -> {} on {}", logName, from, next, cause);
            for (LcpTransitionListener l : listeners) {
                l.changed(from, next, cause);
            }
        }
    }
}
