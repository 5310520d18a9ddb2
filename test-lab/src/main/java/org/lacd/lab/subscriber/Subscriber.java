package org.lacd.lab.subscriber;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.lacd.pppoe.AuthType;
import org.lacd.pppoe.wire.ChapPacket;
import org.lacd.pppoe.wire.LcpCode;
import org.lacd.pppoe.wire.LcpOption;
import org.lacd.pppoe.wire.LcpOptionType;
import org.lacd.pppoe.wire.LcpPacket;
import org.lacd.pppoe.wire.LineInfo;
import org.lacd.pppoe.wire.MacAddress;
import org.lacd.wire.MalformedPacketException;
import org.lacd.pppoe.wire.PapPacket;
import org.lacd.pppoe.wire.PppControlPacket;
import org.lacd.pppoe.wire.PppProtocol;
import org.lacd.pppoe.wire.PppoeCode;
import org.lacd.pppoe.wire.PppoeDiscovery;
import org.lacd.pppoe.wire.PppoeTag;
import org.lacd.pppoe.wire.TagType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One emulated PPPoE client: discovery (RFC 2516), LCP as the non-authenticating peer (RFC 1661), CHAP-MD5
 * (RFC 1994) or PAP (RFC 1334) as the authenticatee, IPCP (RFC 1332) asking for 0.0.0.0, then probe traffic.
 * Confined to its {@link Worker}'s thread. Small on purpose (about 200 bytes): 10,000 of them fit in a few MiB.
 *
 * <p>What it does per received packet, by phase:
 * <pre>
 *  PADI_SENT   PADO                 -> PADR, PADR_SENT                     RFC 2516 5.2/5.3
 *  PADR_SENT   PADS (id != 0)       -> LCP Configure-Request, LCP          RFC 2516 5.4
 *              PADS (id 0 / error)  -> FAILED(PADS_ERROR)
 *  LCP..UP     LCP Configure-Request: Ack, or Nak an Auth-Protocol we do not do, or Reject what we do not know;
 *              when LCP had opened: renegotiation (tld, scr, sca: back to LCP)            RFC 1661 4.1 / 5.1-5.4
 *  LCP         both requests acked  -> AUTH (PAP: Authenticate-Request; CHAP: wait for the Challenge)
 *  AUTH..UP    CHAP Challenge       -> Response MD5(id, secret, challenge)                RFC 1994 4.1
 *  AUTH        CHAP Success/PAP Ack -> IPCP Configure-Request 0.0.0.0, IPCP
 *  any         CHAP Failure/PAP Nak/LCP Terminate-Request/PADT -> FAILED(reason)
 *  IPCP        Nak with an address  -> request it; both acked -> UP (traffic, lifetime)    RFC 1332 3.3
 *  UP          lifetime over        -> DRAINING -> LCP Terminate-Request, TERMINATING -> PADT, DONE
 *  UP          echo interval        -> LCP Echo-Request; Echo-Reply clears the count              RFC 1661 5.8
 *  UP          lcpEchoFailures unanswered -> Terminate-Request + PADT, then REDIAL_WAIT (redial on) or
 *              FAILED(LCP_ECHO_TIMEOUT)                                   pppd lcp-echo-failure / persist
 *  UP          PADT / LCP Terminate-Request from the AC, redial on -> REDIAL_WAIT  pppd persist
 *  REDIAL_WAIT hold-off over        -> PADI (same MAC), PADI_SENT
 * </pre>
 * Every wait has a timer with {@code retries} retransmissions; when they run out the subscriber fails with the
 * step's timeout reason.
 */
final class Subscriber {
    private static final Logger LOG = LoggerFactory.getLogger(Subscriber.class);
    /** Configure-Naks/Rejects received in one LCP negotiation before giving up (RFC 1661 Max-Failure). */
    private static final int MAX_FAILURE = 5;
    private static final int TERMINATE_ATTEMPTS = 2;

    final Worker w;
    final int n;
    final long mac;
    final AuthType auth;

    SubscriberPhase phase = SubscriberPhase.IDLE;
    private long phaseSince;
    long acMac;
    int sessionId;
    private byte[] acCookie;
    private byte[] relaySessionId;
    private long padiNanos;
    private int attempts;
    private int protoGen;
    private int trafficGen;
    private int lifeGen;
    private int echoGen;
    private boolean everUp;
    /** The lifetime timer runs for the current session (armed once per session, not again on renegotiation). */
    private boolean lifetimeArmed;
    /** The current dial is a redial (counted as re-established when it comes up). */
    private boolean redialing;
    /** Our Echo-Requests sent since the last Echo-Reply (pppd's lcp_echos_pending). */
    private int echoPending;
    private int echoId;

    // LCP
    private int nextId;
    private int ourLcpId;
    private int ourMagic;
    private int ourMru;
    private boolean mruRejected;
    private boolean magicRejected;
    private boolean ourLcpAcked;
    private boolean peerLcpAcked;
    private int lcpFailures;
    private int authNaks;
    private int peerAuthProtocol;
    private boolean challenged;
    /** The CHAP Response sent last while authenticating (sent again on a step timeout), null otherwise. */
    private ChapPacket chapResponse;

    // PAP / IPCP / traffic
    private int papId;
    private int ipcpId;
    private boolean ipcpOurAcked;
    private boolean ipcpPeerAcked;
    private int ipcpNaks;
    private int localAddress;
    private int peerAddress;
    private int seq;
    /** The highest probe sequence number that came back so far (-1: none): a lower one came back out of order. */
    private int lastEchoSeq = -1;
    /**
     * Probes missing from the replies so far: the gaps in their sequence numbers (a reply arriving after a later one
     * fills its gap again). The probes still in flight at the end are not among them, nor a session's first probe.
     */
    private long probesMissing;

    // outcome
    private FailureReason failure;
    private SubscriberPhase failedIn;
    private long setupNanos = -1;

    Subscriber(Worker w, int n, AuthType auth) {
        this.w = w;
        this.n = n;
        this.mac = w.config.mac(n);
        this.auth = auth;
    }

    /** The only assignment of {@link #phase}: follows a row of {@link SubscriberTransitions}. */
    private void transitionTo(SubscriberEvent event, long now) {
        SubscriberTransitions.Row row = SubscriberTransitions.find(phase, event);
        if (row == null) {
            throw new IllegalStateException("subscriber " + n + ": no transition for " + event + " in " + phase);
        }
        SubscriberPhase next = row.to();
        if (LOG.isDebugEnabled()) {
            LOG.debug("subscriber {} ({}): {} -> {} on {}", n, MacAddress.of(macBytes()), phase, next, event);
        }
        if (!everUp && next.ordinal() == phase.ordinal() + 1 && phase != SubscriberPhase.IDLE) {
            w.phaseLatency(phase).record(now - phaseSince); // first pass only: PADI_SENT .. IPCP
        }
        phaseSince = now;
        phase = next;
        if (next.terminal()) {
            protoGen++;
            trafficGen++;
            lifeGen++;
            echoGen++;
            w.becameTerminal();
        }
    }

    private byte[] macBytes() { return new MacAddress(mac).bytes(); }

    private void armStep(long now) {
        w.arm(this, Worker.PROTO, ++protoGen, now + w.stepTimeoutNanos);
    }

    private void enter(SubscriberEvent event, long now) {
        transitionTo(event, now);
        attempts = 0;
        armStep(now);
    }

    // ---------------------------------------------------------------- discovery (RFC 2516)

    void start(long now) {
        padiNanos = now;
        ourMru = w.config.mru();
        ourMagic = newMagic();
        nextId = w.random.nextInt(256);
        sendPadi();
        enter(SubscriberEvent.START, now);
    }

    private List<PppoeTag> commonTags() {
        List<PppoeTag> tags = new ArrayList<>(5);
        tags.add(PppoeTag.utf8(TagType.SERVICE_NAME, w.config.serviceName()));
        tags.add(new PppoeTag(TagType.HOST_UNIQ.code(), new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n}));
        if (w.config.lineTags()) {
            tags.add(new PppoeTag(TagType.VENDOR_SPECIFIC.code(), lineInfo(n).toVendorTagValue()));
        }
        return tags;
    }

    /** The TR-101 access-line tag subscriber n sends: circuit id "lab/1/n", remote id "remote-n", actual rates. */
    static LineInfo lineInfo(int n) {
        return new LineInfo(List.of(
                new LineInfo.SubOption(LineInfo.AGENT_CIRCUIT_ID, ("lab/1/" + n).getBytes(StandardCharsets.UTF_8)),
                new LineInfo.SubOption(LineInfo.AGENT_REMOTE_ID, ("remote-" + n).getBytes(StandardCharsets.UTF_8)),
                new LineInfo.SubOption(LineInfo.ACTUAL_DATA_RATE_UP, u32(10_000 + n % 1000)),
                new LineInfo.SubOption(LineInfo.ACTUAL_DATA_RATE_DOWN, u32(50_000 + n % 1000))));
    }

    private static byte[] u32(int v) { return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v}; }

    private void sendPadi() {
        w.sendDiscovery(this, MacAddress.BROADCAST.value(), new PppoeDiscovery(PppoeCode.PADI, 0, commonTags()));
    }

    private void sendPadr() {
        List<PppoeTag> tags = commonTags();
        if (acCookie != null) {
            tags.add(new PppoeTag(TagType.AC_COOKIE.code(), acCookie));
        }
        if (relaySessionId != null) {
            tags.add(new PppoeTag(TagType.RELAY_SESSION_ID.code(), relaySessionId));
        }
        w.sendDiscovery(this, acMac, new PppoeDiscovery(PppoeCode.PADR, 0, tags));
    }

    private void sendPadt() {
        w.sendDiscovery(this, acMac, new PppoeDiscovery(PppoeCode.PADT, sessionId, List.of()));
    }

    void onDiscovery(long src, PppoeDiscovery d, long now) {
        switch (d.code()) {
            case PADO -> {
                if (phase != SubscriberPhase.PADI_SENT || !hostUniqMatches(d)) {
                    w.unexpected++;
                    return;
                }
                acMac = src;
                acCookie = d.first(TagType.AC_COOKIE).map(PppoeTag::value).orElse(null);
                relaySessionId = d.first(TagType.RELAY_SESSION_ID).map(PppoeTag::value).orElse(null);
                sendPadr();
                enter(SubscriberEvent.PADO, now);
            }
            case PADS -> {
                if (phase != SubscriberPhase.PADR_SENT || src != acMac || !hostUniqMatches(d)) {
                    w.unexpected++;
                    return;
                }
                boolean error = d.first(TagType.SERVICE_NAME_ERROR).isPresent()
                        || d.first(TagType.AC_SYSTEM_ERROR).isPresent() || d.first(TagType.GENERIC_ERROR).isPresent();
                if (d.sessionId() == 0 || error) {
                    fail(FailureReason.PADS_ERROR, now);
                    return;
                }
                sessionId = d.sessionId();
                sendLcpRequest();
                enter(SubscriberEvent.PADS, now);
            }
            case PADT -> {
                if (sessionId == 0 || d.sessionId() != sessionId || src != acMac || phase.terminal()) {
                    w.unexpected++;
                    return;
                }
                if (phase == SubscriberPhase.TERMINATING) {
                    done(SubscriberEvent.TERMINATED, now, false);
                } else if (phase == SubscriberPhase.UP && w.config.redial()) {
                    sessionId = 0; // the AC ended the session: nothing more to send on it
                    dropAndRedial(SubscriberEvent.PEER_HUNG_UP, now);
                } else {
                    fail(everUp ? FailureReason.PADT_AFTER_UP : FailureReason.PADT_BEFORE_UP, now, false);
                }
            }
            default -> w.unexpected++;
        }
    }

    private boolean hostUniqMatches(PppoeDiscovery d) {
        return d.first(TagType.HOST_UNIQ).map(t -> t.value().length == 4 && Probe.u32(t.value(), 0) == n).orElse(true);
    }

    // ---------------------------------------------------------------- LCP (RFC 1661), PAP, CHAP

    private int newMagic() {
        int m;
        do {
            m = w.random.nextInt();
        } while (m == 0);
        return m;
    }

    private void sendLcpRequest() {
        List<LcpOption> opts = new ArrayList<>(2);
        if (!mruRejected) {
            opts.add(LcpOption.mru(ourMru));
        }
        if (!magicRejected) {
            opts.add(LcpOption.magic(ourMagic));
        }
        ourLcpId = nextId++ & 0xff;
        ourLcpAcked = false;
        w.sendControl(this, LcpPacket.configure(LcpCode.CONFIGURE_REQUEST, ourLcpId, opts));
    }

    private boolean lcpOpened() {
        return phase == SubscriberPhase.AUTH || phase == SubscriberPhase.IPCP || phase == SubscriberPhase.UP;
    }

    void onControl(PppControlPacket c, long now) throws MalformedPacketException {
        if (phase.terminal() || phase.ordinal() < SubscriberPhase.LCP.ordinal()) {
            w.unexpected++;
            return;
        }
        if (c instanceof LcpPacket l) {
            onLcp(l, now);
        } else if (c instanceof ChapPacket ch) {
            onChap(ch, now);
        } else if (c instanceof PapPacket p) {
            onPap(p, now);
        }
    }

    private void onLcp(LcpPacket p, long now) throws MalformedPacketException {
        LcpCode code = p.kind();
        if (code == null) {
            // RFC 1661 5.6: unknown code -> Code-Reject carrying the packet.
            byte[] rejected = new byte[p.encodedLength()];
            p.encode(rejected, 0);
            w.sendControl(this, new LcpPacket(LcpCode.CODE_REJECT.code(), nextId++ & 0xff,
                    java.util.Arrays.copyOf(rejected, Math.min(rejected.length, ourMru - 4))));
            return;
        }
        switch (code) {
            case CONFIGURE_REQUEST -> onLcpConfigureRequest(p, now);
            case CONFIGURE_ACK -> {
                if (phase == SubscriberPhase.LCP && p.id() == ourLcpId) {
                    ourLcpAcked = true;
                    maybeLcpUp(now);
                } else {
                    w.unexpected++;
                }
            }
            case CONFIGURE_NAK, CONFIGURE_REJECT -> {
                if (phase != SubscriberPhase.LCP || p.id() != ourLcpId) {
                    w.unexpected++;
                    return;
                }
                if (++lcpFailures > MAX_FAILURE) {
                    fail(FailureReason.LCP_TIMEOUT, now);
                    return;
                }
                for (LcpOption o : p.options()) {
                    LcpOptionType t = o.knownType();
                    if (code == LcpCode.CONFIGURE_REJECT) {
                        mruRejected |= t == LcpOptionType.MRU;
                        magicRejected |= t == LcpOptionType.MAGIC_NUMBER;
                    } else if (t == LcpOptionType.MRU) {
                        ourMru = Math.max(576, Math.min(w.config.mru(), o.u16()));
                    } else if (t == LcpOptionType.MAGIC_NUMBER) {
                        ourMagic = newMagic();
                    }
                }
                sendLcpRequest();
                armStep(now);
            }
            case TERMINATE_REQUEST -> {
                w.sendControl(this, LcpPacket.of(LcpCode.TERMINATE_ACK, p.id(), new byte[0]));
                if (phase == SubscriberPhase.TERMINATING) {
                    done(SubscriberEvent.TERMINATED, now, true);
                } else if (phase == SubscriberPhase.UP && w.config.redial()) {
                    sendPadt();
                    sessionId = 0;
                    dropAndRedial(SubscriberEvent.PEER_HUNG_UP, now);
                } else {
                    fail(FailureReason.LCP_TERMINATED, now);
                }
            }
            case TERMINATE_ACK -> {
                if (phase == SubscriberPhase.TERMINATING) {
                    done(SubscriberEvent.TERMINATED, now, true);
                } else {
                    w.unexpected++;
                }
            }
            case ECHO_REQUEST -> {
                byte[] d = p.data().clone();
                d[0] = (byte) (ourMagic >>> 24);
                d[1] = (byte) (ourMagic >>> 16);
                d[2] = (byte) (ourMagic >>> 8);
                d[3] = (byte) ourMagic;
                w.sendControl(this, LcpPacket.of(LcpCode.ECHO_REPLY, p.id(), d));
                w.echoReplies++;
            }
            case PROTOCOL_REJECT -> {
                int proto = ((p.data()[0] & 0xff) << 8) | (p.data()[1] & 0xff);
                if (proto == PppProtocol.IPCP) {
                    fail(FailureReason.IPCP_REJECTED, now);
                } else {
                    w.unexpected++;
                }
            }
            case ECHO_REPLY -> {
                if (lcpOpened()) {
                    echoPending = 0; // any reply shows the peer is alive (pppd does the same)
                } else {
                    w.unexpected++;
                }
            }
            case DISCARD_REQUEST, CODE_REJECT, IDENTIFICATION, TIME_REMAINING -> { }
        }
    }

    private void onLcpConfigureRequest(LcpPacket p, long now) throws MalformedPacketException {
        if (phase == SubscriberPhase.DRAINING || phase == SubscriberPhase.TERMINATING) {
            // Closing (RFC 1661 4.1, state Closing: RCR is ignored); while draining we simply do not renegotiate.
            w.unexpected++;
            return;
        }
        if (lcpOpened()) {
            // RFC 1661 4.1, Opened + RCR: tld, scr, sca/scn -> back to negotiation.
            w.renegotiations++;
            trafficGen++;
            ipcpOurAcked = false;
            ipcpPeerAcked = false;
            challenged = false;
            lcpFailures = 0;
            authNaks = 0;
            sendLcpRequest();
            enter(SubscriberEvent.RENEGOTIATION, now);
        }
        List<LcpOption> nak = new ArrayList<>(1);
        List<LcpOption> reject = new ArrayList<>(2);
        int peerAuth = 0;
        for (LcpOption o : p.options()) {
            LcpOptionType t = o.knownType();
            if (t == LcpOptionType.MRU || t == LcpOptionType.MAGIC_NUMBER) {
                continue;
            }
            if (t == LcpOptionType.AUTH_PROTOCOL) {
                AuthType offered = AuthType.fromOptionData(o.data());
                if (offered == auth) {
                    peerAuth = auth.protocol();
                } else {
                    nak.add(auth.option());
                }
                continue;
            }
            reject.add(o);
        }
        if (!reject.isEmpty()) {
            w.sendControl(this, LcpPacket.configure(LcpCode.CONFIGURE_REJECT, p.id(), reject));
        } else if (!nak.isEmpty()) {
            if (++authNaks > w.config.retries() + 1) {
                fail(FailureReason.AUTH_PROTOCOL_REFUSED, now);
                return;
            }
            w.sendControl(this, LcpPacket.configure(LcpCode.CONFIGURE_NAK, p.id(), nak));
        } else {
            w.sendControl(this, LcpPacket.of(LcpCode.CONFIGURE_ACK, p.id(), p.data()));
            peerLcpAcked = true;
            peerAuthProtocol = peerAuth;
            maybeLcpUp(now);
        }
    }

    private void maybeLcpUp(long now) {
        if (phase != SubscriberPhase.LCP || !ourLcpAcked || !peerLcpAcked) {
            return;
        }
        peerLcpAcked = false; // a later Configure-Request starts a new negotiation
        enter(SubscriberEvent.LCP_OPENED, now);
        if (peerAuthProtocol == PppProtocol.PAP) {
            papId = nextId++ & 0xff;
            sendPap();
        } else if (peerAuthProtocol == 0) {
            startIpcp(now);
        }
        // CHAP: the authenticator speaks first (RFC 1994 4.1).
    }

    private void sendPap() {
        w.sendControl(this, PapPacket.request(papId, w.config.user(n),
                w.config.password(n).getBytes(StandardCharsets.UTF_8)));
    }

    private void onChap(ChapPacket c, long now) {
        switch (c.code()) {
            case ChapPacket.CHALLENGE -> {
                if (auth != AuthType.CHAP_MD5 || !lcpOpened()) {
                    w.unexpected++;
                    return;
                }
                if (challenged) {
                    w.rechallenges++;
                }
                challenged = true;
                w.md5.reset();
                w.md5.update((byte) c.id());
                w.md5.update(w.config.password(n).getBytes(StandardCharsets.UTF_8));
                w.md5.update(c.value());
                ChapPacket response = ChapPacket.response(c.id(), w.md5.digest(), w.config.user(n));
                w.sendControl(this, response);
                if (phase == SubscriberPhase.AUTH) {
                    chapResponse = response;
                    armStep(now);
                }
            }
            case ChapPacket.SUCCESS -> {
                if (phase == SubscriberPhase.AUTH && challenged) {
                    chapResponse = null;
                    startIpcp(now);
                }
            }
            case ChapPacket.FAILURE -> fail(FailureReason.CHAP_FAILURE, now);
            default -> w.unexpected++;
        }
    }

    private void onPap(PapPacket p, long now) {
        if (auth != AuthType.PAP || p.id() != papId) {
            w.unexpected++;
            return;
        }
        if (p.code() == PapPacket.AUTH_ACK) {
            if (phase == SubscriberPhase.AUTH) {
                startIpcp(now);
            }
        } else if (p.code() == PapPacket.AUTH_NAK) {
            fail(FailureReason.PAP_NAK, now);
        } else {
            w.unexpected++;
        }
    }

    // ---------------------------------------------------------------- IPCP (RFC 1332)

    private void startIpcp(long now) {
        enter(SubscriberEvent.AUTH_SUCCESS, now);
        localAddress = 0;
        ipcpOurAcked = false;
        ipcpNaks = 0;
        sendIpcpRequest();
    }

    private void sendIpcpRequest() {
        ipcpId = nextId++ & 0xff;
        w.sendIpcp(this, IpcpPacket.withAddress(IpcpPacket.CONFIGURE_REQUEST, ipcpId, localAddress));
    }

    void onIpcp(IpcpPacket p, long now) throws MalformedPacketException {
        if (phase != SubscriberPhase.IPCP && phase != SubscriberPhase.UP && phase != SubscriberPhase.DRAINING) {
            w.unexpected++; // RFC 1661 3.4: NCP packets outside the network phase are dropped
            return;
        }
        switch (p.code()) {
            case IpcpPacket.CONFIGURE_REQUEST -> {
                if (!p.onlyAddress()) {
                    w.sendIpcp(this, new IpcpPacket(IpcpPacket.CONFIGURE_REJECT, p.id(), p.nonAddressOptions()));
                    return;
                }
                long a = p.address();
                peerAddress = a == Long.MIN_VALUE ? 0 : (int) a;
                w.sendIpcp(this, new IpcpPacket(IpcpPacket.CONFIGURE_ACK, p.id(), p.data()));
                ipcpPeerAcked = true;
                if (phase == SubscriberPhase.UP && ipcpOurAcked) {
                    // RFC 1661 4.1 Opened + RCR: renegotiate our side too; we stay up meanwhile.
                    sendIpcpRequest();
                    ipcpOurAcked = false;
                }
                maybeIpcpUp(now);
            }
            case IpcpPacket.CONFIGURE_NAK -> {
                if (p.id() != ipcpId) {
                    w.unexpected++;
                    return;
                }
                if (++ipcpNaks > MAX_FAILURE) {
                    fail(FailureReason.IPCP_REJECTED, now); // RFC 1661 Max-Failure: the peer never agrees
                    return;
                }
                long a = p.address();
                if (a != Long.MIN_VALUE) {
                    localAddress = (int) a;
                }
                sendIpcpRequest();
                if (phase == SubscriberPhase.IPCP) {
                    armStep(now);
                }
            }
            case IpcpPacket.CONFIGURE_ACK -> {
                if (p.id() != ipcpId) {
                    w.unexpected++;
                    return;
                }
                ipcpOurAcked = true;
                maybeIpcpUp(now);
            }
            case IpcpPacket.CONFIGURE_REJECT -> fail(FailureReason.IPCP_REJECTED, now);
            case IpcpPacket.TERMINATE_REQUEST -> {
                w.sendIpcp(this, new IpcpPacket(IpcpPacket.TERMINATE_ACK, p.id(), new byte[0]));
                if (phase != SubscriberPhase.DRAINING) {
                    fail(FailureReason.IPCP_REJECTED, now);
                }
            }
            default -> w.unexpected++;
        }
    }

    private void maybeIpcpUp(long now) {
        if (phase != SubscriberPhase.IPCP || !ipcpOurAcked || !ipcpPeerAcked) {
            return;
        }
        transitionTo(SubscriberEvent.IPCP_OPENED, now);
        protoGen++;
        if (!everUp) {
            everUp = true;
            w.established++;
            setupNanos = now - padiNanos;
            w.setupLatency.record(setupNanos);
            w.lastEstablishedNanos = Math.max(w.lastEstablishedNanos, now);
            LOG.debug("subscriber {} up: {} in {} us", n, ipString(localAddress), (now - padiNanos) / 1000);
        } else if (redialing) {
            redialing = false;
            w.reestablished++;
            LOG.debug("subscriber {} up again after a redial: {} in {} us", n, ipString(localAddress), (now - padiNanos) / 1000);
        }
        if (w.lifetimeNanos > 0 && !lifetimeArmed) {
            lifetimeArmed = true;
            w.arm(this, Worker.LIFETIME, ++lifeGen, now + w.lifetimeNanos);
        }
        if (w.echoIntervalNanos > 0) {
            // (re)started on every IPCP-opened: an older timer of this subscriber becomes stale
            echoPending = 0;
            w.arm(this, Worker.ECHO, ++echoGen, now + w.echoIntervalNanos);
        }
        if (w.trafficIntervalNanos > 0) {
            long phaseShift = (n * 7919L) % w.trafficIntervalNanos;
            w.arm(this, Worker.TRAFFIC, ++trafficGen, now + phaseShift);
        }
    }

    static String ipString(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
    }

    // ---------------------------------------------------------------- traffic

    private void sendProbe(long now) {
        int size = w.config.trafficSize();
        int p = w.beginPpp(this, PppProtocol.IPV4, size);
        int dst = peerAddress != 0 ? peerAddress : 0xc000_0201; // 192.0.2.1 when the peer named no address
        Probe.write(w.tx, p, size, localAddress, dst, n, seq++, now);
        w.send(p + size);
        w.packetsSent++;
        w.bytesSent += size;
    }

    void onIpv4(byte[] b, int off, int len, long now) {
        if (Probe.read(b, off, len, w.echo) && w.echo.subscriber == n && phase.ordinal() >= SubscriberPhase.IPCP.ordinal()) {
            w.packetsReceived++;
            if (w.echo.seq < lastEchoSeq) {
                w.packetsReordered++;
                if (probesMissing > 0) {
                    probesMissing--; // late, not lost
                }
            } else {
                if (lastEchoSeq >= 0 && w.echo.seq > lastEchoSeq + 1) {
                    probesMissing += w.echo.seq - lastEchoSeq - 1;
                }
                lastEchoSeq = w.echo.seq;
            }
            w.bytesReceived += w.echo.size;
            w.roundTrip.record(now - w.echo.sentNanos);
        } else {
            w.unexpected++;
        }
    }

    /** RFC 1661 5.7: a protocol we do not speak (IPv6CP, CCP, ...) gets an LCP Protocol-Reject once LCP is open. */
    void onUnknownProtocol(int proto, byte[] b, int off, int len) {
        if (!lcpOpened() && phase != SubscriberPhase.DRAINING) {
            w.unexpected++;
            return;
        }
        int keep = Math.max(0, Math.min(len, ourMru - 6));
        byte[] d = new byte[2 + keep];
        d[0] = (byte) (proto >>> 8);
        d[1] = (byte) proto;
        System.arraycopy(b, off, d, 2, keep);
        w.sendControl(this, LcpPacket.of(LcpCode.PROTOCOL_REJECT, nextId++ & 0xff, d));
    }

    /** What became of this subscriber (read after the run, or racily for display). */
    SubscriberOutcome outcome() {
        VlanPlan v = w.config.vlan();
        return new SubscriberOutcome(n, w.config.user(n), new MacAddress(mac).toString(),
                auth == AuthType.CHAP_MD5 ? "chap" : "pap", v.outerTci(n), v.innerTci(n), sessionId, phase, everUp,
                failure, failedIn, localAddress == 0 ? null : ipString(localAddress),
                peerAddress == 0 ? null : ipString(peerAddress), setupNanos < 0 ? -1 : Math.round(setupNanos / 1e3) / 1e3,
                probesMissing);
    }

    // ---------------------------------------------------------------- timers and endings

    void timer(int kind, int gen, long now) {
        switch (kind) {
            case Worker.PROTO -> {
                if (gen == protoGen) {
                    stepTimeout(now);
                }
            }
            case Worker.TRAFFIC -> {
                if (gen == trafficGen && phase == SubscriberPhase.UP && now < w.trafficStopNanos) {
                    sendProbe(now);
                    w.arm(this, Worker.TRAFFIC, gen, now + w.trafficIntervalNanos);
                }
            }
            case Worker.LIFETIME -> {
                if (gen == lifeGen && !phase.terminal()) {
                    lifetimeOver(now);
                }
            }
            case Worker.ECHO -> {
                if (gen == echoGen) {
                    echoTimer(now);
                }
            }
            default -> throw new IllegalArgumentException("timer kind " + kind);
        }
    }

    private void stepTimeout(long now) {
        boolean retry = attempts < w.config.retries();
        switch (phase) {
            case PADI_SENT -> {
                if (!retry) {
                    fail(FailureReason.PADO_TIMEOUT, now);
                    return;
                }
                sendPadi();
            }
            case PADR_SENT -> {
                if (!retry) {
                    fail(FailureReason.PADS_TIMEOUT, now);
                    return;
                }
                sendPadr();
            }
            case LCP -> {
                if (!retry) {
                    fail(FailureReason.LCP_TIMEOUT, now);
                    return;
                }
                if (!ourLcpAcked) {
                    sendLcpRequest();
                }
            }
            case AUTH -> {
                if (!retry) {
                    fail(FailureReason.AUTH_TIMEOUT, now);
                    return;
                }
                if (peerAuthProtocol == PppProtocol.PAP) {
                    w.authRetransmits++;
                    sendPap();
                } else if (chapResponse != null) {
                    // RFC 1994 leaves retransmission to the authenticator's Challenge; like many clients we also
                    // repeat the Response when nothing came back, which lets a login lost on the way get through
                    w.authRetransmits++;
                    w.sendControl(this, chapResponse);
                }
            }
            case IPCP -> {
                if (!retry) {
                    fail(FailureReason.IPCP_TIMEOUT, now);
                    return;
                }
                if (!ipcpOurAcked) {
                    sendIpcpRequest();
                }
            }
            case DRAINING -> {
                sendTerminateRequest();
                enter(SubscriberEvent.DRAINED, now);
                return;
            }
            case REDIAL_WAIT -> {
                redial(now);
                return;
            }
            case TERMINATING -> {
                if (attempts + 1 >= TERMINATE_ATTEMPTS) {
                    done(SubscriberEvent.TERMINATED, now, true);
                    return;
                }
                sendTerminateRequest();
            }
            default -> {
                return;
            }
        }
        attempts++;
        armStep(now);
    }

    private void sendTerminateRequest() {
        w.sendControl(this, LcpPacket.of(LcpCode.TERMINATE_REQUEST, nextId++ & 0xff, new byte[0]));
    }

    // ---------------------------------------------------------------- LCP echo and redial (RFC 1661 5.8, pppd)

    /**
     * The echo interval passed: with {@code lcpEchoFailures} requests unanswered the peer is gone (pppd's
     * lcp-echo-failure); otherwise one more Echo-Request. Only while UP: during a renegotiation the timer lapses and
     * the next IPCP-opened starts it again.
     */
    private void echoTimer(long now) {
        if (phase != SubscriberPhase.UP) {
            return;
        }
        if (echoPending >= w.config.lcpEchoFailures()) {
            echoTimeout(now);
            return;
        }
        echoPending++;
        w.echoRequests++;
        byte[] magic = {(byte) (ourMagic >>> 24), (byte) (ourMagic >>> 16), (byte) (ourMagic >>> 8), (byte) ourMagic};
        w.sendControl(this, LcpPacket.of(LcpCode.ECHO_REQUEST, echoId++ & 0xff, magicRejected ? new byte[4] : magic));
        w.arm(this, Worker.ECHO, echoGen, now + w.echoIntervalNanos);
    }

    /** Peer not responding: Terminate-Request and PADT without waiting (it is most likely gone), then redial or fail. */
    private void echoTimeout(long now) {
        w.echoFailures++;
        LOG.debug("subscriber {}: no answer to {} LCP Echo-Requests, session {} dropped", n, echoPending, sessionId);
        if (!w.config.redial()) {
            sendTerminateRequest();
            fail(FailureReason.LCP_ECHO_TIMEOUT, now);
            return;
        }
        sendTerminateRequest();
        sendPadt();
        sessionId = 0;
        dropAndRedial(SubscriberEvent.ECHO_TIMEOUT, now);
    }

    /** The session is gone (its PADT already sent or received): stop its timers, redial after the hold-off. */
    private void dropAndRedial(SubscriberEvent why, long now) {
        trafficGen++;
        lifeGen++;
        echoGen++;
        lifetimeArmed = false;
        transitionTo(why, now);
        w.arm(this, Worker.PROTO, ++protoGen, now + w.redialHoldoffNanos);
    }

    /** The hold-off is over: a fresh discovery with the same MAC, everything negotiated before forgotten. */
    private void redial(long now) {
        w.redials++;
        redialing = true;
        acMac = 0;
        acCookie = null;
        relaySessionId = null;
        padiNanos = now;
        ourMru = w.config.mru();
        ourMagic = newMagic();
        mruRejected = false;
        magicRejected = false;
        ourLcpAcked = false;
        peerLcpAcked = false;
        lcpFailures = 0;
        authNaks = 0;
        peerAuthProtocol = 0;
        challenged = false;
        chapResponse = null;
        ipcpOurAcked = false;
        ipcpPeerAcked = false;
        ipcpNaks = 0;
        localAddress = 0;
        peerAddress = 0;
        lastEchoSeq = -1;
        echoPending = 0;
        sendPadi();
        enter(SubscriberEvent.REDIAL, now);
    }

    /** Lifetime over: stop traffic, wait for what is in flight, then terminate (from any phase after discovery). */
    private void lifetimeOver(long now) {
        trafficGen++;
        if (phase == SubscriberPhase.DRAINING || phase == SubscriberPhase.TERMINATING) {
            return;
        }
        transitionTo(SubscriberEvent.LIFETIME_OVER, now);
        w.arm(this, Worker.PROTO, ++protoGen, now + w.drainNanos);
    }

    /** The run's duration is over while this subscriber is active. */
    void endOfRun(long now) {
        // in a session now (after a redial, the new one): a polite end; between sessions or still dialing: not up
        if (everUp && sessionId != 0 && !phase.terminal()) {
            if (phase != SubscriberPhase.TERMINATING) {
                sendTerminateRequest();
            }
            done(SubscriberEvent.END_OF_RUN, now, true);
        } else {
            fail(FailureReason.NOT_ESTABLISHED_BY_DEADLINE, now);
        }
    }

    private void done(SubscriberEvent event, long now, boolean sendPadt) {
        if (sendPadt) {
            sendPadt();
        }
        w.completed++;
        transitionTo(event, now);
    }

    private void fail(FailureReason r, long now) { fail(r, now, true); }

    /** A bug in the emulator hit this subscriber: it fails (with PADT) and the run goes on. */
    void internalError(long now) { fail(FailureReason.EMULATOR_ERROR, now); }

    /** Fails without sending anything (nothing was negotiated yet). */
    void failNow(FailureReason r, long now) { fail(r, now, false); }

    private void fail(FailureReason r, long now, boolean sendPadt) {
        if (phase.terminal()) {
            return;
        }
        if (sendPadt && sessionId != 0) {
            sendPadt();
        }
        failure = r;
        failedIn = phase;
        w.failed(r);
        if (LOG.isDebugEnabled()) {
            LOG.debug("subscriber {} failed in {}: {}", n, phase, r);
        }
        transitionTo(SubscriberEvent.FAILURE, now);
    }
}
