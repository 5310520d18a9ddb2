package org.lacd.lab.lns;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.lacd.l2tp.CallDownCause;
import org.lacd.l2tp.CallListener;
import org.lacd.l2tp.CallParameters;
import org.lacd.l2tp.L2tpCall;
import org.lacd.pppoe.wire.ChapPacket;
import org.lacd.pppoe.wire.LcpCode;
import org.lacd.pppoe.wire.LcpOption;
import org.lacd.pppoe.wire.LcpPacket;
import org.lacd.pppoe.wire.PapPacket;
import org.lacd.pppoe.wire.PppControlPacket;
import org.lacd.pppoe.wire.PppProtocol;

/**
 * The subscriber's PPP side in tests, behind lacd's own L2TP engine: builds the proxy LCP / proxy authentication
 * values a LAC would have learned, then answers whatever the LNS sends (LCP renegotiation, a challenge, IPCP) like a
 * CPE would. Callbacks run on the engine's loop; tests read the latches and queues.
 */
final class TestSubscriber implements CallListener {
    static final int SUB_MAGIC = 0x11223344;
    static final int LAC_MAGIC = 0x55667788;

    final String user;
    final String password;
    final boolean pap;
    final int proxyId = 7;
    final byte[] proxyChallenge = new byte[16];
    final byte[] initialReceived = LcpOption.encodeList(List.of(LcpOption.mru(1492), LcpOption.magic(SUB_MAGIC)));
    final byte[] lastSent;
    final byte[] lastReceived = initialReceived.clone();
    final byte[] proxyResponse;
    volatile String freshPassword; // what the subscriber answers a fresh challenge with (default: password)
    volatile boolean sequencing;   // ask for sequenced data (Sequencing Required AVP in ICCN)

    volatile L2tpCall call;
    final CountDownLatch up = new CountDownLatch(1);
    final CountDownLatch down = new CountDownLatch(1);
    final CountDownLatch authOk = new CountDownLatch(1);
    final CountDownLatch authFailed = new CountDownLatch(1);
    final CountDownLatch ipcpUp = new CountDownLatch(1);
    final CountDownLatch lcpAcked = new CountDownLatch(1); // the LNS acknowledged our LCP Configure-Request (renegotiation)
    volatile CallDownCause cause;
    volatile LcpPacket lnsLcpRequest;
    volatile ChapPacket challenge;
    volatile int authReplyId = -1;
    volatile int address;
    volatile int lnsAddress;
    volatile int echoMagic;
    final CountDownLatch echoReply = new CountDownLatch(1);
    final LinkedBlockingQueue<byte[]> ipv4 = new LinkedBlockingQueue<>();
    private int ipcpId = 100;
    private boolean ipcpAckRcvd;
    private boolean ipcpAckSent;

    TestSubscriber(String user, String password, boolean pap, String proxyPassword) {
        this.user = user;
        this.password = password;
        this.pap = pap;
        for (int i = 0; i < 16; i++) {
            proxyChallenge[i] = (byte) (0xa0 + i);
        }
        lastSent = LcpOption.encodeList(List.of(LcpOption.mru(1492), pap ? LcpOption.authPap() : LcpOption.authChapMd5(),
                LcpOption.magic(LAC_MAGIC)));
        proxyResponse = pap ? proxyPassword.getBytes(StandardCharsets.UTF_8) : md5(proxyId, proxyPassword, proxyChallenge);
    }

    static TestSubscriber chap(String user, String password) { return new TestSubscriber(user, password, false, password); }

    static TestSubscriber pap(String user, String password) { return new TestSubscriber(user, password, true, password); }

    /** Independent of the emulator's code on purpose: RFC 1994 4.1 MD5(Identifier || secret || Challenge). */
    static byte[] md5(int id, String secret, byte[] challenge) {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            byte[] in = new byte[1 + secret.length() + challenge.length];
            in[0] = (byte) id;
            byte[] s = secret.getBytes(StandardCharsets.UTF_8);
            System.arraycopy(s, 0, in, 1, s.length);
            System.arraycopy(challenge, 0, in, 1 + s.length, challenge.length);
            return md.digest(in);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    CallParameters params() {
        return CallParameters.builder().callingNumber("02:00:00:00:00:01").calledNumber("lns").connectSpeeds(100_000_000L, 40_000_000L)
                .agentCircuitId("olt1 eth 1/1/1:100").agentRemoteId("cpe-" + user)
                .proxyLcp(initialReceived, lastSent, lastReceived)
                .proxyAuth(pap ? CallParameters.AUTHEN_PAP : CallParameters.AUTHEN_CHAP, user, pap ? null : proxyChallenge, proxyId,
                        proxyResponse)
                .sequencingRequired(sequencing)
                .build();
    }

    boolean await(CountDownLatch l) throws InterruptedException { return l.await(5, TimeUnit.SECONDS); }

    void send(byte[] frame) { call.sendPpp(frame, 0, frame.length); }

    void send(PppControlPacket p) { send(p.toPppFrame()); }

    /** Replays the subscriber's own authentication packet (what lacd does for expect-auth-packet LNSs). */
    void replayAuth() {
        if (pap) {
            send(PapPacket.request(proxyId, user, password.getBytes(StandardCharsets.UTF_8)));
        } else {
            send(ChapPacket.response(proxyId, md5(proxyId, password, proxyChallenge), user));
        }
    }

    void sendEcho(int id) {
        send(LcpPacket.of(LcpCode.ECHO_REQUEST, id, new byte[] {0x11, 0x22, 0x33, 0x44, 'h', 'i'}));
    }

    @Override
    public void callUp(L2tpCall c) {
        call = c;
        up.countDown();
    }

    @Override
    public void callDown(L2tpCall c, CallDownCause why) {
        cause = why;
        down.countDown();
    }

    @Override
    public void pppFromLns(L2tpCall c, byte[] buf, int off, int len) {
        call = c;
        byte[] f = Arrays.copyOfRange(buf, off, off + len);
        int proto = ((f[0] & 0xff) << 8) | (f[1] & 0xff);
        try {
            switch (proto) {
                case PppProtocol.LCP, PppProtocol.CHAP, PppProtocol.PAP -> control(PppControlPacket.decodePpp(f, 0, f.length));
                case PppProtocol.IPCP -> ipcp(Ipcp.decode(f, 2, f.length - 2));
                case PppProtocol.IPV4 -> ipv4.add(Arrays.copyOfRange(f, 2, f.length));
                default -> { }
            }
        } catch (Exception e) {
            throw new AssertionError("subscriber could not decode " + Arrays.toString(f), e);
        }
    }

    private void control(PppControlPacket p) {
        if (p instanceof LcpPacket l) {
            if (l.kind() == LcpCode.CONFIGURE_REQUEST) {
                boolean first = lnsLcpRequest == null;
                lnsLcpRequest = l;
                send(LcpPacket.of(LcpCode.CONFIGURE_ACK, l.id(), l.data()));
                if (first) { // like a CPE: our own request once (a real one would retransmit it on its restart timer)
                    send(LcpPacket.configure(LcpCode.CONFIGURE_REQUEST, 50, List.of(LcpOption.mru(1492), LcpOption.magic(SUB_MAGIC))));
                }
            } else if (l.kind() == LcpCode.CONFIGURE_ACK && l.id() == 50) {
                lcpAcked.countDown();
            } else if (l.kind() == LcpCode.ECHO_REPLY) {
                echoMagic = ((l.data()[0] & 0xff) << 24) | ((l.data()[1] & 0xff) << 16) | ((l.data()[2] & 0xff) << 8) | (l.data()[3] & 0xff);
                echoReply.countDown();
            }
        } else if (p instanceof ChapPacket ch) {
            switch (ch.code()) {
                case ChapPacket.CHALLENGE -> {
                    challenge = ch;
                    String pw = freshPassword != null ? freshPassword : password;
                    send(ChapPacket.response(ch.id(), md5(ch.id(), pw, ch.value()), user));
                }
                case ChapPacket.SUCCESS -> authSuccess(ch.id());
                case ChapPacket.FAILURE -> {
                    authReplyId = ch.id();
                    authFailed.countDown();
                }
                default -> { }
            }
        } else if (p instanceof PapPacket pp) {
            if (pp.code() == PapPacket.AUTH_ACK) {
                authSuccess(pp.id());
            } else if (pp.code() == PapPacket.AUTH_NAK) {
                authReplyId = pp.id();
                authFailed.countDown();
            }
        }
    }

    private void authSuccess(int id) {
        authReplyId = id;
        authOk.countDown();
        // RFC 1332: ask for an address with 0.0.0.0
        send(Ipcp.frame(LcpPacket.configure(LcpCode.CONFIGURE_REQUEST, ipcpId, List.of(Ipcp.ipAddress(0)))));
    }

    private void ipcp(LcpPacket p) throws Exception {
        switch (p.kind()) {
            case CONFIGURE_REQUEST -> {
                for (LcpOption o : Ipcp.options(p.data())) {
                    if (o.type() == Ipcp.OPT_IP_ADDRESS) {
                        lnsAddress = o.u32();
                    }
                }
                send(Ipcp.frame(LcpPacket.of(LcpCode.CONFIGURE_ACK, p.id(), p.data())));
                ipcpAckSent = true;
            }
            case CONFIGURE_NAK -> {
                for (LcpOption o : Ipcp.options(p.data())) {
                    if (o.type() == Ipcp.OPT_IP_ADDRESS) {
                        address = o.u32();
                    }
                }
                send(Ipcp.frame(LcpPacket.configure(LcpCode.CONFIGURE_REQUEST, ++ipcpId, List.of(Ipcp.ipAddress(address)))));
            }
            case CONFIGURE_ACK -> ipcpAckRcvd = true;
            default -> { }
        }
        if (ipcpAckRcvd && ipcpAckSent) {
            ipcpUp.countDown();
        }
    }
}
