package org.lacd.lab.subscriber;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import org.lacd.pppoe.port.EthernetPort;
import org.lacd.pppoe.wire.ChapPacket;
import org.lacd.pppoe.wire.EtherType;
import org.lacd.pppoe.wire.EthernetHeader;
import org.lacd.pppoe.wire.LcpCode;
import org.lacd.pppoe.wire.LcpOption;
import org.lacd.pppoe.wire.LcpOptionType;
import org.lacd.pppoe.wire.LcpPacket;
import org.lacd.pppoe.wire.LineInfo;
import org.lacd.wire.MalformedPacketException;
import org.lacd.pppoe.wire.PapPacket;
import org.lacd.pppoe.wire.PppControlPacket;
import org.lacd.pppoe.wire.PppProtocol;
import org.lacd.pppoe.wire.PppoeCode;
import org.lacd.pppoe.wire.PppoeDiscovery;
import org.lacd.pppoe.wire.PppoeSessionFrame;
import org.lacd.pppoe.wire.PppoeTag;
import org.lacd.pppoe.wire.TagType;

/**
 * A small scripted access concentrator plus LNS on the other end of an InMemoryPort pair: PADO/PADS, LCP asking for
 * CHAP (or PAP after a Nak), then as the "LNS": checks the credentials against the emulator's patterns, CHAP
 * Success / PAP Ack (or Failure / Nak for refused users), optional LCP renegotiation or a second challenge, IPCP
 * with a Nak carrying 10.1.x.y, and reflects IPv4 with source and destination swapped. Records what it saw.
 * Synchronized: it may be called from several emulator workers.
 */
final class FakeAcLns {
    enum Mode { ACCEPT, RENEGOTIATE, CHALLENGE_AGAIN, TERMINATE_AFTER_UP, PADT_AFTER_UP, IPCP_NAK_FOREVER }

    static final long AC_MAC = 0x0a_00_00_00_00_01L;
    static final int LNS_ADDRESS = 0x0a00_0001;

    private final EthernetPort port;
    private final EmulatorConfig cfg;
    Mode mode = Mode.ACCEPT;
    IntPredicate refuse = n -> false;
    boolean silent;
    /** Drop each session's first PAP Request / CHAP Response unanswered (a login lost on its way to the LNS). */
    boolean loseFirstLogin;
    int loginsLost;
    boolean sendEcho;
    /** Answer the subscribers' LCP Echo-Requests (RFC 1661 5.8). */
    boolean answerEcho = true;
    private int nextSession = 1;
    private final Map<Integer, Session> sessions = new HashMap<>();
    private final MessageDigest md5;

    // what was seen
    final Map<Long, EthernetHeader> padiHeaders = new HashMap<>();
    final Map<Long, Integer> padis = new HashMap<>();
    final List<Integer> sessionIds = new ArrayList<>();
    int echoRequests;
    final Map<Long, LineInfo> lineInfo = new HashMap<>();
    final List<String> chapUsersOk = new ArrayList<>();
    final List<String> papUsersOk = new ArrayList<>();
    int authNaksSeen;
    int padts;
    int terminateRequests;
    int echoReplies;
    int reflected;
    int badCredentials;
    /** Subscriber number whose probe number {@link #dropProbe} (1-based) is not reflected; -1 for none. */
    int dropProbeOf = -1;
    int dropProbe;
    private final Map<Integer, Integer> probesSeen = new HashMap<>();

    private static final class Session {
        final int id;
        final int n;
        final EthernetHeader eth;
        int authProto = PppProtocol.CHAP;
        boolean ourAcked;
        boolean peerAcked;
        boolean authDone;
        boolean loginLost;
        boolean extraDone;
        byte[] challenge;
        int challengeId;
        int lcpId = 1;
        boolean ipcpOurAcked;
        boolean ipcpPeerAcked;
        boolean up;

        Session(int id, int n, EthernetHeader eth) {
            this.id = id;
            this.n = n;
            this.eth = eth;
        }
    }

    FakeAcLns(EthernetPort port, EmulatorConfig cfg) throws Exception {
        this.port = port;
        this.cfg = cfg;
        this.md5 = MessageDigest.getInstance("MD5");
        port.start(this::frame);
    }

    private int number(long mac) { return (int) (mac - cfg.macBase()); }

    synchronized void frame(byte[] b, int off, int len) {
        if (silent) {
            return;
        }
        try {
            int type = EthernetHeader.decode(new org.lacd.wire.WireReader(
                    org.lacd.wire.WireProtocol.ETHERNET, b, off, len)).etherType();
            if (type == EtherType.PPPOE_DISCOVERY) {
                discovery(PppoeDiscovery.decodeFrame(b, off, len));
            } else if (type == EtherType.PPPOE_SESSION) {
                session(PppoeSessionFrame.decode(b, off, len));
            }
        } catch (Exception e) {
            throw new AssertionError("fake AC got a frame it cannot decode", e);
        }
    }

    private void discovery(PppoeDiscovery.Frame f) throws MalformedPacketException {
        PppoeDiscovery d = f.packet();
        EthernetHeader eth = f.eth();
        List<PppoeTag> echo = new ArrayList<>();
        d.first(TagType.HOST_UNIQ).ifPresent(echo::add);
        echo.add(PppoeTag.utf8(TagType.SERVICE_NAME, ""));
        for (PppoeTag t : d.all(TagType.VENDOR_SPECIFIC)) {
            LineInfo.fromVendorTag(t.value()).ifPresent(li -> lineInfo.put(eth.src(), li));
        }
        switch (d.code()) {
            case PADI -> {
                padiHeaders.put(eth.src(), eth);
                padis.merge(eth.src(), 1, Integer::sum);
                echo.add(PppoeTag.utf8(TagType.AC_NAME, "fake-ac"));
                echo.add(new PppoeTag(TagType.AC_COOKIE.code(), new byte[] {1, 2, 3, 4}));
                send(new PppoeDiscovery(PppoeCode.PADO, 0, echo).toFrame(eth.reply(eth.src(), AC_MAC, EtherType.PPPOE_DISCOVERY)));
            }
            case PADR -> {
                if (d.first(TagType.AC_COOKIE).isEmpty()) {
                    throw new AssertionError("PADR without the AC-Cookie");
                }
                Session s = new Session(nextSession++, number(eth.src()), eth.reply(eth.src(), AC_MAC, EtherType.PPPOE_SESSION));
                sessions.put(s.id, s);
                sessionIds.add(s.id);
                send(new PppoeDiscovery(PppoeCode.PADS, s.id, echo).toFrame(eth.reply(eth.src(), AC_MAC, EtherType.PPPOE_DISCOVERY)));
                lcpRequest(s);
            }
            case PADT -> {
                padts++;
                sessions.remove(d.sessionId());
            }
            default -> { }
        }
    }

    private void lcpRequest(Session s) {
        LcpOption auth = s.authProto == PppProtocol.PAP ? LcpOption.authPap() : LcpOption.authChapMd5();
        s.ourAcked = false;
        ctl(s, LcpPacket.configure(LcpCode.CONFIGURE_REQUEST, s.lcpId++, List.of(LcpOption.mru(1492), auth, LcpOption.magic(0x1234 + s.id))));
    }

    private void session(PppoeSessionFrame.Decoded f) throws MalformedPacketException {
        Session s = sessions.get(f.sessionId());
        if (s == null) {
            return;
        }
        byte[] ppp = f.ppp();
        int proto = ((ppp[0] & 0xff) << 8) | (ppp[1] & 0xff);
        switch (proto) {
            case PppProtocol.LCP, PppProtocol.PAP, PppProtocol.CHAP -> control(s, PppControlPacket.decodePpp(ppp, 0, ppp.length));
            case PppProtocol.IPCP -> ipcp(s, IpcpPacket.decode(ppp, 2, ppp.length - 2));
            case PppProtocol.IPV4 -> {
                if (probesSeen.merge(s.n, 1, Integer::sum) == dropProbe && s.n == dropProbeOf) {
                    return; // lost on the way
                }
                // reflect: swap source and destination address
                byte[] r = ppp.clone();
                System.arraycopy(ppp, 2 + 12, r, 2 + 16, 4);
                System.arraycopy(ppp, 2 + 16, r, 2 + 12, 4);
                reflected++;
                send(PppoeSessionFrame.encode(s.eth, s.id, r));
            }
            default -> { }
        }
    }

    private void control(Session s, PppControlPacket c) throws MalformedPacketException {
        if (c instanceof LcpPacket l) {
            switch (l.kind()) {
                case CONFIGURE_REQUEST -> {
                    ctl(s, LcpPacket.of(LcpCode.CONFIGURE_ACK, l.id(), l.data()));
                    s.peerAcked = true;
                    lcpMaybeUp(s);
                }
                case CONFIGURE_ACK -> {
                    s.ourAcked = true;
                    lcpMaybeUp(s);
                }
                case CONFIGURE_NAK -> {
                    for (LcpOption o : l.options()) {
                        if (o.knownType() == LcpOptionType.AUTH_PROTOCOL) {
                            authNaksSeen++;
                            s.authProto = o.u16();
                        }
                    }
                    lcpRequest(s);
                }
                case TERMINATE_REQUEST -> {
                    terminateRequests++;
                    ctl(s, LcpPacket.of(LcpCode.TERMINATE_ACK, l.id(), new byte[0]));
                }
                case ECHO_REPLY -> echoReplies++;
                case ECHO_REQUEST -> {
                    echoRequests++;
                    if (answerEcho) {
                        byte[] d = l.data().clone();
                        d[0] = 0;
                        d[1] = 0;
                        d[2] = 0x12;
                        d[3] = (byte) (0x34 + s.id); // our magic
                        ctl(s, LcpPacket.of(LcpCode.ECHO_REPLY, l.id(), d));
                    }
                }
                default -> { }
            }
        } else if (loseFirstLogin && !s.loginLost && (c instanceof ChapPacket || c instanceof PapPacket)) {
            s.loginLost = true;
            loginsLost++;
        } else if (c instanceof ChapPacket ch && ch.code() == ChapPacket.RESPONSE) {
            md5.reset();
            md5.update((byte) ch.id());
            md5.update(cfg.password(s.n).getBytes(StandardCharsets.UTF_8));
            md5.update(s.challenge);
            boolean ok = MessageDigest.isEqual(md5.digest(), ch.value()) && ch.nameString().equals(cfg.user(s.n))
                    && ch.id() == s.challengeId;
            if (!ok) {
                badCredentials++;
            }
            if (!ok || refuse.test(s.n)) {
                ctl(s, ChapPacket.failure(ch.id(), "refused"));
                return;
            }
            if (!s.authDone) {
                chapUsersOk.add(ch.nameString());
            }
            s.authDone = true;
            if (lnsExtra(s)) {
                return;
            }
            ctl(s, new ChapPacket(ChapPacket.SUCCESS, ch.id(), new byte[0], new byte[0], "welcome".getBytes(StandardCharsets.UTF_8)));
            ipcpStart(s);
        } else if (c instanceof PapPacket p && p.code() == PapPacket.AUTH_REQUEST) {
            boolean ok = p.peerIdString().equals(cfg.user(s.n))
                    && new String(p.password(), StandardCharsets.UTF_8).equals(cfg.password(s.n));
            if (!ok) {
                badCredentials++;
            }
            if (!ok || refuse.test(s.n)) {
                ctl(s, PapPacket.nak(p.id(), "refused"));
                return;
            }
            papUsersOk.add(p.peerIdString());
            s.authDone = true;
            if (lnsExtra(s)) {
                return;
            }
            ctl(s, PapPacket.ack(p.id(), "welcome"));
            ipcpStart(s);
        }
    }

    /** The LNS's extra step (once per session); true when it replaced the success. */
    private boolean lnsExtra(Session s) {
        if (s.extraDone) {
            return false;
        }
        if (mode == Mode.RENEGOTIATE) {
            s.extraDone = true;
            s.peerAcked = false;
            s.authDone = false;
            lcpRequest(s);
            return true;
        }
        if (mode == Mode.CHALLENGE_AGAIN && s.authProto == PppProtocol.CHAP) {
            s.extraDone = true;
            challenge(s);
            return true;
        }
        return false;
    }

    private void lcpMaybeUp(Session s) {
        if (s.ourAcked && s.peerAcked && !s.authDone) {
            if (s.authProto == PppProtocol.CHAP) {
                challenge(s);
            }
        }
    }

    private void challenge(Session s) {
        s.challenge = new byte[16];
        for (int i = 0; i < 16; i++) {
            s.challenge[i] = (byte) (s.id * 31 + i + s.challengeId);
        }
        s.challengeId = (s.challengeId + 1) & 0xff;
        ctl(s, ChapPacket.challenge(s.challengeId, s.challenge, "fake-lns"));
    }

    private void ipcpStart(Session s) {
        sendIpcp(s, IpcpPacket.withAddress(IpcpPacket.CONFIGURE_REQUEST, 1, LNS_ADDRESS));
    }

    static int addressFor(int n) { return 0x0a01_0000 + n; }

    private void ipcp(Session s, IpcpPacket p) throws MalformedPacketException {
        switch (p.code()) {
            case IpcpPacket.CONFIGURE_REQUEST -> {
                long a = p.address();
                if (a != addressFor(s.n) || mode == Mode.IPCP_NAK_FOREVER) {
                    sendIpcp(s, IpcpPacket.withAddress(IpcpPacket.CONFIGURE_NAK, p.id(), addressFor(s.n)));
                } else {
                    sendIpcp(s, new IpcpPacket(IpcpPacket.CONFIGURE_ACK, p.id(), p.data()));
                    s.ipcpPeerAcked = true;
                    ipcpMaybeUp(s);
                }
            }
            case IpcpPacket.CONFIGURE_ACK -> {
                s.ipcpOurAcked = true;
                ipcpMaybeUp(s);
            }
            default -> { }
        }
    }

    private void ipcpMaybeUp(Session s) {
        if (!s.ipcpOurAcked || !s.ipcpPeerAcked || s.up) {
            return;
        }
        s.up = true;
        if (sendEcho) {
            ctl(s, LcpPacket.of(LcpCode.ECHO_REQUEST, 99, new byte[] {0, 0, 0x12, 0x34, 'h', 'i'}));
        }
        if (mode == Mode.TERMINATE_AFTER_UP) {
            ctl(s, LcpPacket.of(LcpCode.TERMINATE_REQUEST, 77, new byte[0]));
        } else if (mode == Mode.PADT_AFTER_UP) {
            send(new PppoeDiscovery(PppoeCode.PADT, s.id, List.of()).toFrame(
                    s.eth.reply(s.eth.dst(), AC_MAC, EtherType.PPPOE_DISCOVERY)));
            sessions.remove(s.id);
        }
    }

    private void ctl(Session s, PppControlPacket c) {
        send(PppoeSessionFrame.encode(s.eth, s.id, c.toPppFrame()));
    }

    private void sendIpcp(Session s, IpcpPacket p) {
        byte[] ppp = new byte[2 + p.encodedLength()];
        p.encodePpp(ppp, 0);
        send(PppoeSessionFrame.encode(s.eth, s.id, ppp));
    }

    private void send(byte[] frame) {
        port.send(frame, 0, frame.length);
    }

    synchronized int openSessions() { return sessions.size(); }

    /** The box dies (SIGKILL): every session forgotten, nothing answered until {@link #restart()}. */
    synchronized void crash() {
        silent = true;
        sessions.clear();
    }

    /** Answers again (another box, or this one restarted), with new session ids. */
    synchronized void restart() { silent = false; }
}
