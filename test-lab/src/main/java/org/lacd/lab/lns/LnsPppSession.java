package org.lacd.lab.lns;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.lacd.l2tp.transport.L2tpScheduler;
import org.lacd.l2tp.wire.CdnResult;
import org.lacd.l2tp.wire.ErrorCode;
import org.lacd.l2tp.wire.PppDisconnectCause;
import org.lacd.l2tp.wire.ResultCode;
import org.lacd.pppoe.wire.ChapPacket;
import org.lacd.pppoe.wire.LcpCode;
import org.lacd.pppoe.wire.LcpOption;
import org.lacd.pppoe.wire.LcpOptionType;
import org.lacd.pppoe.wire.LcpPacket;
import org.lacd.wire.MalformedPacketException;
import org.lacd.pppoe.wire.PapPacket;
import org.lacd.pppoe.wire.PppControlPacket;
import org.lacd.pppoe.wire.PppProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LNS side of one subscriber's PPP, run through the tunnel's data channel: what is left of LCP after the LAC's
 * proxy (or a full renegotiation), authentication (checking the proxy values or a fresh exchange), IPCP with an
 * address from the pool, LCP echo, and IPv4 reflection. No sockets: frames go out through {@link Link}, timers
 * through an {@link L2tpScheduler}, so it is tested with a manual clock. Single-threaded (the emulator's loop).
 *
 * <p>Phases follow RFC 1661 3.2 (Establish, Authenticate, Network); the option negotiations are the subset of the
 * RFC 1661 4.1 automaton an LNS that always initiates needs: a request is open until acknowledged, the peer's
 * request is answered with Ack, Nak or Reject (Reject wins, RFC 1661 5.4), the layer is up when both acks are in.
 */
final class LnsPppSession {
    private static final Logger LOG = LoggerFactory.getLogger(LnsPppSession.class);
    private static final byte[] WELCOME = "Welcome to the lacd LNS emulator".getBytes(StandardCharsets.UTF_8);

    /** Where the session's output goes: the tunnel, and the CDN that ends the call. */
    interface Link {
        /** One PPP frame, protocol field first (no FF 03). */
        void sendPpp(byte[] frame, int off, int len);

        /** Clears the call with a CDN. */
        void clear(ResultCode result, PppDisconnectCause cause);

        /** IPCP opened. */
        default void up(LnsPppSession s) {}

        /** The session reached a terminal result (after {@link #clear} when it cleared the call itself). */
        default void ended(LnsPppSession s) {}
    }

    /**
     * Timers and limits.
     *
     * @param echoIntervalMillis LCP Echo-Request from the LNS every this often once IPCP is open; 0 for none
     * @param echoFailures       unanswered echoes in a row that end the call; 0 never ends it
     */
    record Settings(long restartMillis, int maxConfigure, long setupTimeoutMillis, String hostName, long echoIntervalMillis,
                    int echoFailures) {
        Settings(long restartMillis, int maxConfigure, long setupTimeoutMillis, String hostName) {
            this(restartMillis, maxConfigure, setupTimeoutMillis, hostName, 0, 0);
        }

        static Settings defaults() { return new Settings(1000, 10, 30_000, "lns-emulator"); }
    }

    /** RFC 1661 3.2 phases (Dead is before {@link #start}, Terminate is {@link #CLOSED}). */
    enum Phase { INITIAL, ESTABLISH, AUTHENTICATE, NETWORK, OPENED, CLOSED }

    /** Outcome of checking the proxy authentication AVPs. */
    enum AuthCheck { NOT_CHECKED, VALID, INVALID, ABSENT, NO_PASSWORD }

    /** Allowed phase changes (RFC 1661 3.2 phase diagram; CLOSED from anywhere is Terminate/Dead). */
    private static final Map<Phase, Set<Phase>> TRANSITIONS = new EnumMap<>(Phase.class);
    static {
        TRANSITIONS.put(Phase.INITIAL, EnumSet.of(Phase.ESTABLISH, Phase.AUTHENTICATE, Phase.CLOSED)); // 3.2: proxied LCP is Opened
        TRANSITIONS.put(Phase.ESTABLISH, EnumSet.of(Phase.AUTHENTICATE, Phase.CLOSED));               // 3.4 LCP Opened -> 3.5
        // 4.1: Configure-Request received in Opened (This-Layer-Down) takes LCP, and the link, back to Establish
        TRANSITIONS.put(Phase.AUTHENTICATE, EnumSet.of(Phase.NETWORK, Phase.ESTABLISH, Phase.CLOSED)); // 3.5 success -> 3.6
        TRANSITIONS.put(Phase.NETWORK, EnumSet.of(Phase.OPENED, Phase.ESTABLISH, Phase.CLOSED));       // 3.6 NCP (IPCP) Opened
        TRANSITIONS.put(Phase.OPENED, EnumSet.of(Phase.ESTABLISH, Phase.CLOSED));                      // 3.7 Terminate
        TRANSITIONS.put(Phase.CLOSED, EnumSet.noneOf(Phase.class));
    }

    private final Mode mode;
    private final Settings settings;
    private final L2tpScheduler scheduler;
    private final Random random;
    private final PasswordPattern passwords;
    private final AddressPool pool;
    private final int lnsAddress;
    private final ProxyValues proxy;
    private final Link link;

    private Phase phase = Phase.INITIAL;
    private CallResult result = CallResult.SETTING_UP;
    private String detail;
    private AuthCheck proxyCheck = AuthCheck.NOT_CHECKED;
    private boolean freshAuthDone;
    private String user;
    private int authProtocol; // PppProtocol.CHAP or PAP
    private int ourMagic;
    private int nextId = 1;
    // LCP (renegotiation)
    private int lcpReqId = -1;
    private int lcpMru = 1492;
    private boolean lcpAckRcvd;
    private boolean lcpAckSent;
    // CHAP challenge we sent (or the proxied one we expect a response to)
    private int chapId = -1;
    private byte[] chapChallenge;
    private byte[] lastAuthReply; // our Success / PAP Ack, resent when the peer repeats its request
    private int lastAuthReplyTo = -1;
    // IPCP
    private int address;
    private int ipcpReqId = -1;
    private boolean ipcpOfferAddress = true;
    private boolean ipcpAckRcvd;
    private boolean ipcpAckSent;
    // timers
    private L2tpScheduler.Cancellable restartTimer;
    private L2tpScheduler.Cancellable setupTimer;
    private L2tpScheduler.Cancellable echoTimer;
    private int echoOutstanding;
    private int restartCount;
    private int ups;
    private final long startNanos;
    private long upNanos = -1;
    // counters
    long framesIn;
    long framesOut;
    long ipv4In;
    long ipv4Out;
    long bytesIn;
    long bytesOut;
    long echoReplies;
    long echoRequestsSent;
    long echoRepliesReceived;
    long lcpRestarts;
    long dropped;
    long malformed;

    LnsPppSession(Mode mode, Settings settings, L2tpScheduler scheduler, Random random, PasswordPattern passwords, AddressPool pool,
                  int lnsAddress, ProxyValues proxy, Link link) {
        this.mode = mode;
        this.settings = settings;
        this.scheduler = scheduler;
        this.random = random;
        this.passwords = passwords;
        this.pool = pool;
        this.lnsAddress = lnsAddress;
        this.proxy = proxy;
        this.link = link;
        this.startNanos = scheduler.nanoTime();
        this.user = proxy.authenName();
    }

    // ------------------------------------------------------------------ accessors (loop only)

    Phase phase() { return phase; }

    CallResult result() { return result; }

    String detail() { return detail; }

    AuthCheck proxyCheck() { return proxyCheck; }

    String user() { return user; }

    int address() { return address; }

    ProxyValues proxy() { return proxy; }

    /** Setup time ICCN -> IPCP opened in ms, -1 when not (yet) up. */
    long setupMillis() { return upNanos < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(upNanos - startNanos); }

    boolean wasUp() { return upNanos >= 0; }

    /** How often IPCP opened (more than once after the subscriber restarted LCP). */
    int ups() { return ups; }

    // ------------------------------------------------------------------ lifecycle

    /** ICCN received: start PPP per mode. */
    void start() {
        setupTimer = scheduler.schedule(this::setupTimeout, settings.setupTimeoutMillis(), TimeUnit.MILLISECONDS);
        ourMagic = proxiedMagic();
        authProtocol = proxy.authenType() == 3 ? PppProtocol.PAP : PppProtocol.CHAP; // RFC 2661 4.4.5: 3 PAP, 2 CHAP
        proxyCheck = checkProxy();
        switch (mode) {
            case ACCEPT_PROXY -> {
                transitionTo(Phase.AUTHENTICATE);
                if (proxyCheck == AuthCheck.VALID) {
                    authSucceeded(proxy.authenId() < 0 ? 1 : proxy.authenId());
                } else if (proxyCheck == AuthCheck.ABSENT) {
                    sendChallenge(); // nothing to accept: authenticate ourselves
                } else {
                    authFailed(proxy.authenId() < 0 ? 1 : proxy.authenId(), "proxy authentication " + proxyCheck);
                }
            }
            case CHALLENGE_AGAIN -> {
                transitionTo(Phase.AUTHENTICATE);
                if (authProtocol == PppProtocol.PAP) {
                    // PAP has no challenge: without renegotiating LCP the proxy values are all there is
                    if (proxyCheck == AuthCheck.VALID) {
                        authSucceeded(proxy.authenId() < 0 ? 1 : proxy.authenId());
                    } else {
                        authFailed(proxy.authenId() < 0 ? 1 : proxy.authenId(), "proxy authentication " + proxyCheck);
                    }
                } else {
                    nextId = (proxy.authenId() + 1) & 0xff;
                    sendChallenge();
                }
            }
            case EXPECT_AUTH_PACKET -> {
                transitionTo(Phase.AUTHENTICATE);
                if (authProtocol == PppProtocol.CHAP) {
                    chapChallenge = proxy.challengeBytes();
                    chapId = proxy.authenId();
                }
                // wait for the replayed PAP Request / CHAP Response; the setup timer bounds the wait
            }
            case RENEGOTIATE_LCP -> {
                transitionTo(Phase.ESTABLISH);
                ourMagic = random.nextInt() | 1;
                sendLcpRequest();
            }
        }
    }

    /** The call ended from outside (LAC's CDN, tunnel gone, cleared on demand). */
    void ended(CallResult why) {
        if (phase == Phase.CLOSED) {
            return;
        }
        finish(why, why.name().toLowerCase().replace('_', ' '));
    }

    private void finish(CallResult why, String reason) {
        cancelRestart();
        cancelEcho();
        if (setupTimer != null) {
            setupTimer.cancel();
            setupTimer = null;
        }
        pool.release(address); // the report keeps showing the address the call had
        LOG.debug("session {} ends: {} ({})", user, why, reason);
        result = why;
        detail = reason;
        transitionTo(Phase.CLOSED);
        link.ended(this);
    }

    /** Ends the call from our side with a CDN. */
    private void clear(CallResult why, CdnResult cdn, String message, int pppCode, PppDisconnectCause.Direction dir) {
        if (phase == Phase.CLOSED) {
            return;
        }
        link.clear(ResultCode.of(cdn, ErrorCode.NO_ERROR, message), new PppDisconnectCause(pppCode, 0, dir, message));
        finish(why, message);
    }

    private void transitionTo(Phase next) {
        if (next == phase) {
            return;
        }
        if (!TRANSITIONS.get(phase).contains(next)) {
            throw new IllegalStateException("PPP phase " + phase + " -> " + next + " not in RFC 1661 3.2");
        }
        LOG.debug("session {}: {} -> {}", user, phase, next);
        phase = next;
    }

    private void setupTimeout() {
        setupTimer = null;
        if (phase != Phase.OPENED && phase != Phase.CLOSED) {
            clear(CallResult.SETUP_TIMEOUT, CdnResult.ERROR, "PPP setup not finished in " + settings.setupTimeoutMillis() + " ms in phase " + phase,
                    PppDisconnectCause.NO_INFORMATION, PppDisconnectCause.Direction.AT_LOCAL);
        }
    }

    // ------------------------------------------------------------------ restart timer (RFC 1661 4.6)

    private void armRestart(Runnable resend, String what) {
        cancelRestart();
        restartTimer = scheduler.schedule(() -> {
            restartTimer = null;
            if (++restartCount >= settings.maxConfigure()) {
                clear(CallResult.SETUP_TIMEOUT, CdnResult.ERROR, "no answer to " + what + " after " + restartCount + " tries",
                        PppDisconnectCause.NO_INFORMATION, PppDisconnectCause.Direction.AT_LOCAL);
                return;
            }
            resend.run();
        }, settings.restartMillis(), TimeUnit.MILLISECONDS);
    }

    private void cancelRestart() {
        if (restartTimer != null) {
            restartTimer.cancel();
            restartTimer = null;
        }
    }

    // ------------------------------------------------------------------ receive

    /** One PPP frame from the subscriber (through the LAC), FF 03 optional. */
    void receive(byte[] b, int off, int len) {
        if (phase == Phase.CLOSED) {
            dropped++;
            return;
        }
        if (len >= 2 && b[off] == (byte) 0xff && b[off + 1] == 0x03) {
            off += 2;
            len -= 2;
        }
        if (len < 1) {
            malformed++;
            return;
        }
        framesIn++;
        bytesIn += len;
        int proto;
        int hdr;
        if ((b[off] & 1) == 1) { // RFC 1661 6.5 protocol field compression
            proto = b[off] & 0xff;
            hdr = 1;
        } else if (len >= 2) {
            proto = ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
            hdr = 2;
        } else {
            malformed++;
            return;
        }
        try {
            switch (proto) {
                case PppProtocol.LCP, PppProtocol.PAP, PppProtocol.CHAP -> control(PppControlPacket.decodePpp(b, off, len));
                case PppProtocol.IPCP -> ipcp(Ipcp.decode(b, off + hdr, len - hdr));
                case PppProtocol.IPV4 -> ipv4(b, off, len, hdr);
                default -> protocolReject(b, off, len, hdr, proto);
            }
        } catch (MalformedPacketException e) {
            malformed++;
            LOG.debug("session {}: malformed PPP: {}", user, e.getMessage());
        }
    }

    private void control(PppControlPacket p) throws MalformedPacketException {
        if (p instanceof LcpPacket l) {
            lcp(l);
        } else if (p instanceof ChapPacket c) {
            chap(c);
        } else if (p instanceof PapPacket pap) {
            pap(pap);
        }
    }

    // ------------------------------------------------------------------ LCP

    private void lcp(LcpPacket p) throws MalformedPacketException {
        LcpCode code = p.kind();
        if (code == null) {
            send(LcpPacket.of(LcpCode.CODE_REJECT, nextId(), rejectedCopy(p)));
            return;
        }
        switch (code) {
            case CONFIGURE_REQUEST -> lcpConfigureRequest(p);
            case CONFIGURE_ACK -> {
                if (phase == Phase.ESTABLISH && p.id() == lcpReqId) {
                    lcpAckRcvd = true;
                    cancelRestart();
                    lcpMaybeOpened();
                }
            }
            case CONFIGURE_NAK -> {
                if (phase == Phase.ESTABLISH && p.id() == lcpReqId) {
                    for (LcpOption o : p.options()) {
                        if (o.knownType() == LcpOptionType.MRU) {
                            lcpMru = o.u16();
                        } else if (o.knownType() == LcpOptionType.AUTH_PROTOCOL) {
                            int proto = o.u16();
                            if (proto == PppProtocol.PAP || (proto == PppProtocol.CHAP && o.data().length == 3 && o.data()[2] == PppProtocol.CHAP_MD5)) {
                                authProtocol = proto;
                            }
                        }
                    }
                    sendLcpRequest();
                }
            }
            case CONFIGURE_REJECT -> {
                if (phase == Phase.ESTABLISH && p.id() == lcpReqId) {
                    for (LcpOption o : p.options()) {
                        if (o.knownType() == LcpOptionType.AUTH_PROTOCOL) {
                            clear(CallResult.PROTOCOL_ERROR, CdnResult.ERROR, "subscriber rejected authentication",
                                    PppDisconnectCause.NO_INFORMATION, PppDisconnectCause.Direction.AT_PEER);
                            return;
                        }
                    }
                    sendLcpRequest();
                }
            }
            case TERMINATE_REQUEST -> {
                send(LcpPacket.of(LcpCode.TERMINATE_ACK, p.id(), new byte[0]));
                clear(CallResult.CLEARED_BY_SUBSCRIBER, CdnResult.LOSS_OF_CARRIER, "subscriber sent LCP Terminate-Request",
                        PppDisconnectCause.NORMAL_LCP_TERMINATE, PppDisconnectCause.Direction.AT_PEER);
            }
            case ECHO_REPLY -> {
                echoOutstanding = 0;
                echoRepliesReceived++;
            }
            case ECHO_REQUEST -> {
                byte[] d = p.data().clone();
                d[0] = (byte) (ourMagic >>> 24);
                d[1] = (byte) (ourMagic >>> 16);
                d[2] = (byte) (ourMagic >>> 8);
                d[3] = (byte) ourMagic;
                send(LcpPacket.of(LcpCode.ECHO_REPLY, p.id(), d));
                echoReplies++;
            }
            default -> { } // Terminate-Ack, Discard, Code/Protocol-Reject, Identification, Time-Remaining
        }
    }

    private void lcpConfigureRequest(LcpPacket p) throws MalformedPacketException {
        if (phase == Phase.AUTHENTICATE || phase == Phase.NETWORK || phase == Phase.OPENED) {
            restartLcp();
        }
        List<LcpOption> reject = new ArrayList<>();
        for (LcpOption o : p.options()) {
            LcpOptionType t = o.knownType();
            // the subscriber authenticates to us, not the other way round; unknown options are not ours to accept
            if (t == null || t == LcpOptionType.AUTH_PROTOCOL || t == LcpOptionType.QUALITY_PROTOCOL || t == LcpOptionType.CALLBACK) {
                reject.add(o);
            }
        }
        if (!reject.isEmpty()) {
            send(LcpPacket.configure(LcpCode.CONFIGURE_REJECT, p.id(), reject));
            return;
        }
        send(LcpPacket.of(LcpCode.CONFIGURE_ACK, p.id(), p.data()));
        if (phase == Phase.ESTABLISH) {
            lcpAckSent = true;
            lcpMaybeOpened();
        }
    }

    /**
     * The subscriber restarted LCP (RFC 1661 4.1: Receive-Configure-Request in Opened: This-Layer-Down, send our
     * Configure-Request): whatever the mode, the link goes back to Establish and then runs like renegotiate-lcp
     * (our request, authentication again, IPCP again; the address goes back to the pool meanwhile).
     */
    private void restartLcp() {
        lcpRestarts++;
        LOG.debug("session {}: subscriber restarted LCP in phase {}", user, phase);
        cancelRestart();
        cancelEcho();
        pool.release(address);
        address = 0;
        ipcpAckRcvd = false;
        ipcpAckSent = false;
        ipcpOfferAddress = true;
        freshAuthDone = false;
        lastAuthReply = null;
        lastAuthReplyTo = -1;
        chapChallenge = null;
        chapId = -1;
        lcpAckRcvd = false;
        lcpAckSent = false;
        restartCount = 0;
        result = CallResult.SETTING_UP;
        if (ourMagic == 0) {
            ourMagic = random.nextInt() | 1;
        }
        if (setupTimer == null) {
            setupTimer = scheduler.schedule(this::setupTimeout, settings.setupTimeoutMillis(), TimeUnit.MILLISECONDS);
        }
        transitionTo(Phase.ESTABLISH);
        sendLcpRequest();
    }

    private void sendLcpRequest() {
        lcpReqId = nextId();
        List<LcpOption> opts = new ArrayList<>();
        opts.add(LcpOption.mru(lcpMru));
        opts.add(authProtocol == PppProtocol.PAP ? LcpOption.authPap() : LcpOption.authChapMd5());
        opts.add(LcpOption.magic(ourMagic));
        send(LcpPacket.configure(LcpCode.CONFIGURE_REQUEST, lcpReqId, opts));
        armRestart(this::sendLcpRequest, "LCP Configure-Request");
    }

    private void lcpMaybeOpened() {
        if (lcpAckRcvd && lcpAckSent) {
            restartCount = 0;
            transitionTo(Phase.AUTHENTICATE);
            if (authProtocol == PppProtocol.CHAP) {
                sendChallenge();
            }
            // PAP: the subscriber sends its Authenticate-Request now (RFC 1334 2.1)
        }
    }

    // ------------------------------------------------------------------ authentication

    private AuthCheck checkProxy() {
        int type = proxy.authenType();
        if (type != 2 && type != 3) {
            return AuthCheck.ABSENT;
        }
        String pw = passwords.passwordFor(proxy.authenName());
        if (pw == null) {
            return AuthCheck.NO_PASSWORD;
        }
        byte[] resp = proxy.responseBytes();
        if (resp == null) {
            return AuthCheck.ABSENT;
        }
        if (type == 3) {
            return MessageDigest.isEqual(resp, pw.getBytes(StandardCharsets.UTF_8)) ? AuthCheck.VALID : AuthCheck.INVALID;
        }
        byte[] challenge = proxy.challengeBytes();
        if (challenge == null || proxy.authenId() < 0) {
            return AuthCheck.ABSENT;
        }
        return MessageDigest.isEqual(resp, chapMd5(proxy.authenId(), pw, challenge)) ? AuthCheck.VALID : AuthCheck.INVALID;
    }

    /** RFC 1994 4.1: MD5 over Identifier, secret, Challenge Value. */
    static byte[] chapMd5(int id, String password, byte[] challenge) {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            md.update((byte) id);
            md.update(password.getBytes(StandardCharsets.UTF_8));
            md.update(challenge);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void sendChallenge() {
        chapId = nextId();
        chapChallenge = new byte[16];
        random.nextBytes(chapChallenge);
        resendChallenge();
    }

    private void resendChallenge() {
        send(ChapPacket.challenge(chapId, chapChallenge, settings.hostName()));
        armRestart(this::resendChallenge, "CHAP Challenge");
    }

    private void chap(ChapPacket c) {
        if (c.code() != ChapPacket.RESPONSE) {
            return; // Challenge/Success/Failure from the subscriber: not for an authenticator
        }
        if (lastAuthReply != null && c.id() == lastAuthReplyTo) {
            sendFrame(lastAuthReply); // RFC 1994 4.2: a repeated Response gets the same answer
            return;
        }
        if (phase != Phase.AUTHENTICATE || authProtocol != PppProtocol.CHAP || chapChallenge == null || freshAuthDone) {
            dropped++;
            return;
        }
        if (chapId >= 0 && c.id() != chapId) {
            dropped++; // RFC 1994 4.1: the Identifier must match the Challenge's
            return;
        }
        user = c.nameString();
        String pw = passwords.passwordFor(user);
        cancelRestart();
        freshAuthDone = true;
        if (pw != null && MessageDigest.isEqual(c.value(), chapMd5(c.id(), pw, chapChallenge))) {
            authSucceeded(c.id());
        } else {
            authFailed(c.id(), pw == null ? "no password for " + user : "CHAP response wrong for " + user);
        }
    }

    private void pap(PapPacket p) {
        if (p.code() != PapPacket.AUTH_REQUEST) {
            return;
        }
        if (lastAuthReply != null && p.id() == lastAuthReplyTo) {
            sendFrame(lastAuthReply);
            return;
        }
        if (phase != Phase.AUTHENTICATE || authProtocol != PppProtocol.PAP || freshAuthDone
                || (mode != Mode.EXPECT_AUTH_PACKET && mode != Mode.RENEGOTIATE_LCP && lcpRestarts == 0)) {
            dropped++;
            return;
        }
        user = p.peerIdString();
        String pw = passwords.passwordFor(user);
        freshAuthDone = true;
        if (pw != null && MessageDigest.isEqual(p.password(), pw.getBytes(StandardCharsets.UTF_8))) {
            authSucceeded(p.id());
        } else {
            authFailed(p.id(), pw == null ? "no password for " + user : "PAP password wrong for " + user);
        }
    }

    private void authSucceeded(int id) {
        PppControlPacket ok = authProtocol == PppProtocol.PAP ? PapPacket.ack(id, new String(WELCOME, StandardCharsets.UTF_8))
                : new ChapPacket(ChapPacket.SUCCESS, id, new byte[0], new byte[0], WELCOME);
        lastAuthReply = ok.toPppFrame();
        lastAuthReplyTo = id;
        sendFrame(lastAuthReply);
        restartCount = 0;
        transitionTo(Phase.NETWORK);
        address = pool.allocate();
        if (address == 0) {
            clear(CallResult.NO_ADDRESS, CdnResult.TEMPORARY_NO_FACILITIES, "address pool " + pool.cidr() + " exhausted",
                    PppDisconnectCause.ADMINISTRATIVE, PppDisconnectCause.Direction.AT_LOCAL);
            return;
        }
        sendIpcpRequest();
    }

    private void authFailed(int id, String why) {
        PppControlPacket no = authProtocol == PppProtocol.PAP ? PapPacket.nak(id, "Authentication failed")
                : ChapPacket.failure(id, "Authentication failed");
        send(no);
        clear(CallResult.AUTH_FAILED, CdnResult.ERROR, "authentication failed: " + why, PppDisconnectCause.NO_INFORMATION,
                PppDisconnectCause.Direction.AT_LOCAL);
    }

    // ------------------------------------------------------------------ IPCP (RFC 1332)

    private void sendIpcpRequest() {
        ipcpReqId = nextId();
        List<LcpOption> opts = ipcpOfferAddress ? List.of(Ipcp.ipAddress(lnsAddress)) : List.of();
        sendFrame(Ipcp.frame(LcpPacket.configure(LcpCode.CONFIGURE_REQUEST, ipcpReqId, opts)));
        armRestart(this::sendIpcpRequest, "IPCP Configure-Request");
    }

    private void ipcp(LcpPacket p) throws MalformedPacketException {
        if (phase != Phase.NETWORK && phase != Phase.OPENED) {
            dropped++; // RFC 1661 3.6: NCP packets before the Network phase are discarded
            return;
        }
        LcpCode code = p.code() <= 7 ? p.kind() : null;
        if (code == null) {
            sendFrame(Ipcp.frame(LcpPacket.of(LcpCode.CODE_REJECT, nextId(), rejectedCopy(p))));
            return;
        }
        switch (code) {
            case CONFIGURE_REQUEST -> ipcpConfigureRequest(p);
            case CONFIGURE_ACK -> {
                if (p.id() == ipcpReqId && !ipcpAckRcvd) {
                    ipcpAckRcvd = true;
                    cancelRestart();
                    ipcpMaybeOpened();
                }
            }
            case CONFIGURE_NAK -> {
                if (p.id() == ipcpReqId && !ipcpAckRcvd) {
                    sendIpcpRequest(); // our own address is not negotiable
                }
            }
            case CONFIGURE_REJECT -> {
                if (p.id() == ipcpReqId && !ipcpAckRcvd) {
                    ipcpOfferAddress = false;
                    sendIpcpRequest();
                }
            }
            case TERMINATE_REQUEST -> sendFrame(Ipcp.frame(LcpPacket.of(LcpCode.TERMINATE_ACK, p.id(), new byte[0])));
            default -> { }
        }
    }

    private void ipcpConfigureRequest(LcpPacket p) throws MalformedPacketException {
        List<LcpOption> reject = new ArrayList<>();
        boolean addressOk = false;
        for (LcpOption o : Ipcp.options(p.data())) {
            if (o.type() == Ipcp.OPT_IP_ADDRESS) {
                addressOk = o.u32() == address;
            } else {
                reject.add(o); // compression, DNS, WINS: not offered by this LNS
            }
        }
        if (!reject.isEmpty()) {
            sendFrame(Ipcp.frame(LcpPacket.configure(LcpCode.CONFIGURE_REJECT, p.id(), reject)));
        } else if (!addressOk) {
            // 0.0.0.0, a wrong address, or none at all: RFC 1332 3.3 Nak with the address the subscriber is to use
            sendFrame(Ipcp.frame(LcpPacket.configure(LcpCode.CONFIGURE_NAK, p.id(), List.of(Ipcp.ipAddress(address)))));
        } else {
            sendFrame(Ipcp.frame(LcpPacket.of(LcpCode.CONFIGURE_ACK, p.id(), p.data())));
            if (!ipcpAckSent) {
                ipcpAckSent = true;
                ipcpMaybeOpened();
            }
        }
    }

    private void ipcpMaybeOpened() {
        if (ipcpAckRcvd && ipcpAckSent && phase == Phase.NETWORK) {
            transitionTo(Phase.OPENED);
            result = CallResult.UP;
            ups++;
            if (upNanos < 0) {
                upNanos = scheduler.nanoTime();
            }
            armEcho();
            if (setupTimer != null) {
                setupTimer.cancel();
                setupTimer = null;
            }
            link.up(this);
        }
    }

    // ------------------------------------------------------------------ LCP echo from our side (keepalive)

    private void armEcho() {
        if (settings.echoIntervalMillis() > 0) {
            echoTimer = scheduler.schedule(this::echoTick, settings.echoIntervalMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void echoTick() {
        echoTimer = null;
        if (phase != Phase.OPENED) {
            return;
        }
        if (settings.echoFailures() > 0 && echoOutstanding >= settings.echoFailures()) {
            clear(CallResult.ECHO_TIMEOUT, CdnResult.LOSS_OF_CARRIER, echoOutstanding + " LCP Echo-Requests unanswered",
                    PppDisconnectCause.NO_INFORMATION, PppDisconnectCause.Direction.AT_LOCAL);
            return;
        }
        echoOutstanding++;
        echoRequestsSent++;
        send(LcpPacket.of(LcpCode.ECHO_REQUEST, nextId(), new byte[] {(byte) (ourMagic >>> 24), (byte) (ourMagic >>> 16),
                (byte) (ourMagic >>> 8), (byte) ourMagic}));
        armEcho();
    }

    private void cancelEcho() {
        if (echoTimer != null) {
            echoTimer.cancel();
            echoTimer = null;
        }
    }

    // ------------------------------------------------------------------ IPv4 and the rest

    private void ipv4(byte[] b, int off, int len, int hdr) {
        if (phase != Phase.OPENED) {
            dropped++;
            return;
        }
        ipv4In++;
        if (!Ipv4Reflector.reflect(b, off + hdr, len - hdr)) {
            malformed++;
            return;
        }
        ipv4Out++;
        sendFrame(b, off, len);
    }

    private void protocolReject(byte[] b, int off, int len, int hdr, int proto) {
        if (phase == Phase.INITIAL || phase == Phase.ESTABLISH) {
            dropped++;
            return;
        }
        // RFC 1661 5.7: Rejected-Protocol then the rejected information
        byte[] d = new byte[2 + Math.min(len - hdr, 1400)];
        d[0] = (byte) (proto >>> 8);
        d[1] = (byte) proto;
        System.arraycopy(b, off + hdr, d, 2, d.length - 2);
        send(LcpPacket.of(LcpCode.PROTOCOL_REJECT, nextId(), d));
    }

    private static byte[] rejectedCopy(LcpPacket p) {
        byte[] d = new byte[p.encodedLength()];
        p.encode(d, 0);
        return d;
    }

    private int proxiedMagic() {
        byte[] lastSent = ProxyValues.bytes(proxy.lastSentLcpConfReq());
        if (lastSent != null) {
            try {
                for (LcpOption o : LcpOption.decodeList(lastSent, 0, lastSent.length)) {
                    if (o.knownType() == LcpOptionType.MAGIC_NUMBER) {
                        return o.u32(); // we continue the LAC's side of LCP: its magic number is ours now
                    }
                }
            } catch (MalformedPacketException e) {
                malformed++;
            }
        }
        return 0;
    }

    private int nextId() {
        int id = nextId;
        nextId = (nextId + 1) & 0xff;
        return id;
    }

    private void send(PppControlPacket p) { sendFrame(p.toPppFrame()); }

    private void sendFrame(byte[] f) { sendFrame(f, 0, f.length); }

    private void sendFrame(byte[] f, int off, int len) {
        framesOut++;
        bytesOut += len;
        link.sendPpp(f, off, len);
    }
}
