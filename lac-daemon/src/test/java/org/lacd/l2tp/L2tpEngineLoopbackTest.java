package org.lacd.l2tp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.testsupport.Peers;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lacd.l2tp.lns.LnsPeer;
import org.lacd.l2tp.transport.ReliableChannel;
import org.lacd.l2tp.wire.AvpType;
import org.lacd.l2tp.wire.CdnResult;
import org.lacd.l2tp.wire.ControlMessage;
import org.lacd.l2tp.wire.PppDisconnectCause;
import org.lacd.l2tp.wire.ResultCode;
import org.lacd.l2tp.wire.StopCcnResult;

/** The engine against the in-process LNS over loopback UDP. */
class L2tpEngineLoopbackTest {
    static final InetAddress LO = InetAddress.getLoopbackAddress();
    static final byte[] LCP_CONFREQ = {(byte) 0xc0, 0x21, 1, 1, 0, 8, 1, 4, 5, (byte) 0xd4};

    final CountingL2tpStats stats = new CountingL2tpStats();
    final List<AutoCloseable> closers = new ArrayList<>();
    L2tpEngine engine;

    static L2tpSettings fastSettings() {
        return L2tpSettings.defaults().withSourcePort(0).withBindAddress(LO)
                .withRetransmit(Duration.ofMillis(100), Duration.ofMillis(200), 3)
                .withHelloInterval(Duration.ofMillis(300))
                .withTunnelLinger(Duration.ofMillis(300))
                .withStopCcnWait(Duration.ofMillis(500));
    }

    L2tpEngine engine(L2tpSettings s) throws Exception {
        engine = new L2tpEngine(s, stats);
        engine.start();
        return engine;
    }

    LnsPeer lns(String secret) throws Exception {
        LnsPeer p = LnsPeer.start(LnsPeer.Config.loopback(secret)
                .withChannel(new ReliableChannel.Config(100, 200, 3, 50, 16)));
        closers.add(p);
        return p;
    }

    static TunnelProfile profile(LnsPeer lns, String secret) {
        return TunnelProfile.of("test", lns.address(), "lac-test", secret);
    }

    static CallParameters params(String user) {
        return CallParameters.builder().callingNumber("aa:bb:cc:00:00:01").calledNumber("lns")
                .connectSpeeds(100_000_000L, 40_000_000L).physicalChannelId(7).bearerType(1)
                .agentCircuitId("olt1 eth 1/1/1:100").agentRemoteId("cpe-1").actualRates(40_000_000L, 100_000_000L)
                .minimumRates(1_000_000L, 2_000_000L)
                .proxyLcp(new byte[] {1, 4, 5, (byte) 0xd4}, new byte[] {1, 4, 5, (byte) 0xd4, 3, 5, (byte) 0xc2, 0x23, 5},
                        new byte[] {1, 4, 5, (byte) 0xd4})
                .proxyAuth(CallParameters.AUTHEN_CHAP, user, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, 9, new byte[16])
                .build();
    }

    static void await(BooleanSupplier cond, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        if (engine != null) {
            engine.shutdown(Duration.ofSeconds(2));
        }
        for (AutoCloseable c : closers) {
            c.close();
        }
    }

    @Test
    void authenticatedTunnelCallWithProxyAvpsDataBothWaysAndLocalClear() throws Exception {
        LnsPeer lns = lns("s3cret");
        LinkedBlockingQueue<byte[]> atLns = new LinkedBlockingQueue<>();
        lns.onData((c, p) -> atLns.add(p));
        engine(fastSettings());
        RecordingListener l = new RecordingListener();
        L2tpCall call = engine.placeCall(profile(lns, "s3cret"), params("alice@isp"), l);
        assertTrue(l.awaitUp(), "call up");
        assertEquals(CallState.ESTABLISHED, call.state());
        await(() -> lns.connectedCalls() == 1, "ICCN at the LNS");
        LnsPeer.Call lc = lns.calls().get(0);
        // ICRQ: ids, serial, bearer, numbers, physical channel, RFC 5515 access line
        assertEquals(call.localSessionId(), lc.icrq.u16(AvpType.ASSIGNED_SESSION_ID));
        assertEquals("aa:bb:cc:00:00:01", lc.icrq.string(AvpType.CALLING_NUMBER));
        assertEquals(7, lc.icrq.u32(AvpType.PHYSICAL_CHANNEL_ID));
        assertEquals("olt1 eth 1/1/1:100", lc.icrq.string(AvpType.AGENT_CIRCUIT_ID));
        assertEquals(40_000_000L, lc.icrq.u64(AvpType.ACTUAL_DATA_RATE_UPSTREAM));
        assertEquals(2_000_000L, lc.icrq.u64(AvpType.MINIMUM_DATA_RATE_DOWNSTREAM));
        assertTrue(lc.icrq.has(AvpType.CALL_SERIAL_NUMBER));
        // ICCN: speeds, framing, proxy LCP (M clear) and proxy auth
        ControlMessage iccn = lc.iccn();
        assertEquals(100_000_000L, iccn.u32(AvpType.TX_CONNECT_SPEED));
        assertEquals(40_000_000L, iccn.u32(AvpType.RX_CONNECT_SPEED));
        assertFalse(iccn.find(AvpType.LAST_SENT_LCP_CONFREQ).mandatory());
        assertFalse(iccn.find(AvpType.INITIAL_RECEIVED_LCP_CONFREQ).mandatory());
        assertEquals("alice@isp", iccn.string(AvpType.PROXY_AUTHEN_NAME));
        assertEquals(9, iccn.u16(AvpType.PROXY_AUTHEN_ID));
        assertEquals(CallParameters.AUTHEN_CHAP, iccn.u16(AvpType.PROXY_AUTHEN_TYPE));
        // data LAC -> LNS: FF 03 in front
        call.sendPpp(LCP_CONFREQ, 0, LCP_CONFREQ.length);
        byte[] got = atLns.poll(5, TimeUnit.SECONDS);
        assertNotNull(got);
        assertEquals((byte) 0xff, got[0]);
        assertEquals(0x03, got[1]);
        assertArrayEquals(LCP_CONFREQ, java.util.Arrays.copyOfRange(got, 2, got.length));
        // data LNS -> LAC: FF 03 stripped
        lns.sendPpp(lc, LCP_CONFREQ, false);
        assertArrayEquals(LCP_CONFREQ, l.frames.poll(5, TimeUnit.SECONDS));
        // local clear: CDN with result and RFC 3145 cause
        call.disconnect(DisconnectCause.subscriberHangup());
        assertTrue(l.awaitDown());
        assertEquals(CallDownCause.Kind.CLEARED_LOCALLY, l.cause.kind());
        await(() -> lc.cdn() != null, "CDN at the LNS");
        ControlMessage cdn = lc.cdn();
        assertEquals(CdnResult.LOSS_OF_CARRIER.code(), ResultCode.parse(cdn.find(AvpType.RESULT_CODE)).result());
        PppDisconnectCause ppp = PppDisconnectCause.parse(cdn.find(AvpType.PPP_DISCONNECT_CAUSE_CODE));
        assertEquals(PppDisconnectCause.NORMAL_LCP_TERMINATE, ppp.code());
        // RFC 3145: "at local" = at the sender of the CDN, lacd, whose side the subscriber is on (issue 16: l2tpns books
        // direction 2 as User-Request, direction 1 as the LNS's own doing)
        assertEquals(PppDisconnectCause.Direction.AT_LOCAL, ppp.direction());
        assertEquals(1, stats.packetsOut.sum());
        assertEquals(1, stats.packetsIn.sum());
    }

    @Test
    void hundredCallsUpAndDownOnOneTunnelThenLingerStopCcn() throws Exception {
        LnsPeer lns = lns(null);
        engine(fastSettings());
        List<RecordingListener> ls = new ArrayList<>();
        List<L2tpCall> calls = new ArrayList<>();
        TunnelProfile p = profile(lns, null);
        for (int i = 0; i < 100; i++) {
            RecordingListener l = new RecordingListener();
            ls.add(l);
            calls.add(engine.placeCall(p, params("user" + i), l));
        }
        for (RecordingListener l : ls) {
            assertTrue(l.awaitUp());
        }
        await(() -> lns.connectedCalls() == 100, "100 calls at the LNS");
        assertEquals(1, lns.tunnels().size(), "calls share one tunnel");
        assertEquals(1, engine.tunnels().size());
        assertEquals(100, engine.tunnels().get(0).sessions());
        for (L2tpCall c : calls) {
            c.disconnect(DisconnectCause.administrative("test"));
        }
        for (RecordingListener l : ls) {
            assertTrue(l.awaitDown());
        }
        await(() -> lns.connectedCalls() == 0, "all CDNs at the LNS");
        // the empty tunnel lingers (300 ms) then closes with StopCCN result 1
        LnsPeer.Tunnel lt = lns.tunnels().get(0);
        await(() -> lt.lacStopResult() != null, "StopCCN after linger");
        assertEquals(StopCcnResult.GENERAL_REQUEST_TO_CLEAR.code(), lt.lacStopResult().result());
        await(() -> engine.tunnels().isEmpty(), "tunnel gone after ack");
    }

    @Test
    void hiddenAvpsBothWays() throws Exception {
        LnsPeer lns = LnsPeer.start(LnsPeer.Config.loopback("hide-me").withHideAvps(true));
        closers.add(lns);
        engine(fastSettings());
        RecordingListener l = new RecordingListener();
        L2tpCall call = engine.placeCall(profile(lns, "hide-me").withHideAvps(true), params("bob@isp"), l);
        assertTrue(l.awaitUp(), "up: the LAC read the hidden Assigned Session ID in ICRP");
        await(() -> lns.connectedCalls() == 1, "ICCN");
        LnsPeer.Call lc = lns.calls().get(0);
        assertEquals(lc.lnsSessionId, call.remoteSessionId());
        assertEquals("bob@isp", lc.iccn().string(AvpType.PROXY_AUTHEN_NAME), "LNS revealed the hidden name");
        assertEquals("aa:bb:cc:00:00:01", lc.icrq.string(AvpType.CALLING_NUMBER));
        assertEquals(0, lns.malformed.get());
    }

    @Test
    void wrongSecretIsRefusedWithNotAuthorized() throws Exception {
        LnsPeer lns = lns("right");
        engine(fastSettings());
        RecordingListener l = new RecordingListener();
        engine.placeCall(profile(lns, "wrong"), params("x"), l);
        assertTrue(l.awaitDown());
        assertEquals(CallDownCause.Kind.TUNNEL_FAILED, l.cause.kind());
        assertEquals(StopCcnResult.NOT_AUTHORIZED.code(), l.cause.resultCode());
        LnsPeer.Tunnel lt = lns.tunnels().get(0);
        await(() -> lt.lacStopResult() != null, "StopCCN at the LNS");
        assertEquals(StopCcnResult.NOT_AUTHORIZED.code(), lt.lacStopResult().result());
        assertFalse(lt.established());
    }

    @Test
    void missingSecretAtLnsIsRefused() throws Exception {
        LnsPeer lns = lns(null);
        engine(fastSettings());
        RecordingListener l = new RecordingListener();
        engine.placeCall(profile(lns, "only-lac-has-one"), params("x"), l);
        assertTrue(l.awaitDown());
        assertEquals(StopCcnResult.NOT_AUTHORIZED.code(), l.cause.resultCode());
        assertTrue(l.cause.message().contains("no challenge response"), l.cause.message());
    }

    @Test
    void stopCcnFromLnsTakesCallsDown() throws Exception {
        LnsPeer lns = lns(null);
        engine(fastSettings());
        RecordingListener l = new RecordingListener();
        engine.placeCall(profile(lns, null), params("x"), l);
        assertTrue(l.awaitUp());
        lns.stopTunnel(lns.tunnels().get(0), StopCcnResult.SHUTTING_DOWN, "maintenance");
        assertTrue(l.awaitDown());
        assertEquals(CallDownCause.Kind.TUNNEL_FAILED, l.cause.kind());
        assertEquals(StopCcnResult.SHUTTING_DOWN.code(), l.cause.resultCode());
        assertEquals("maintenance", l.cause.message());
        await(() -> engine.tunnels().isEmpty(), "tunnel state released after the hold time");
    }

    @Test
    void stopCcnFromLacClearsTunnelAndCalls() throws Exception {
        LnsPeer lns = lns(null);
        engine(fastSettings());
        RecordingListener l = new RecordingListener();
        L2tpCall call = engine.placeCall(profile(lns, null), params("x"), l);
        assertTrue(l.awaitUp());
        engine.clearTunnel(call.localTunnelId()).get(5, TimeUnit.SECONDS);
        assertTrue(l.awaitDown());
        assertEquals(CallDownCause.Kind.CLEARED_LOCALLY, l.cause.kind());
        LnsPeer.Tunnel lt = lns.tunnels().isEmpty() ? null : lns.tunnels().get(0);
        if (lt != null) {
            assertEquals(StopCcnResult.GENERAL_REQUEST_TO_CLEAR.code(), lt.lacStopResult().result());
        }
        assertTrue(engine.tunnels().isEmpty());
    }

    @Test
    void helloTimeoutWhenLnsGoesSilent() throws Exception {
        LnsPeer lns = lns(null);
        engine(fastSettings());
        RecordingListener l = new RecordingListener();
        engine.placeCall(profile(lns, null), params("x"), l);
        assertTrue(l.awaitUp());
        await(() -> lns.connectedCalls() == 1, "ICCN");
        // the LNS's delayed ack of the ICCN (50 ms) has arrived, so only HELLOs go unanswered
        await(() -> engine.tunnels().stream().allMatch(t -> t.unacknowledged() == 0), "the ICCN acknowledged");
        lns.silent(true);
        assertTrue(l.awaitDown());
        assertEquals(CallDownCause.Kind.TUNNEL_FAILED, l.cause.kind());
        assertTrue(l.cause.message().contains("HELLO"), l.cause.message());
        assertEquals(1, stats.helloTimeouts.sum());
        assertTrue(stats.retransmits.sum() >= 3);
    }

    @Test
    void perTunnelSessionLimitOpensAnotherTunnel() throws Exception {
        LnsPeer lns = lns(null);
        engine(fastSettings());
        TunnelProfile p = profile(lns, null).withMaxSessions(2);
        List<RecordingListener> ls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            RecordingListener l = new RecordingListener();
            ls.add(l);
            engine.placeCall(p, params("u" + i), l);
        }
        for (RecordingListener l : ls) {
            assertTrue(l.awaitUp());
        }
        assertEquals(3, engine.tunnels().size(), "2 + 2 + 1 sessions");
        assertEquals(3, lns.tunnels().size());
        // a different assignment id does not share
        RecordingListener other = new RecordingListener();
        engine.placeCall(profile(lns, null).withAssignmentId("reseller-b"), params("b"), other);
        assertTrue(other.awaitUp());
        assertEquals(4, engine.tunnels().size());
    }

    @Test
    void refusedCallReportsCdnResult() throws Exception {
        LnsPeer lns = lns(null);
        lns.refuseCalls(CdnResult.BUSY);
        engine(fastSettings());
        RecordingListener l = new RecordingListener();
        engine.placeCall(profile(lns, null), params("x"), l);
        assertTrue(l.awaitDown());
        assertEquals(CallDownCause.Kind.REFUSED, l.cause.kind());
        assertEquals(CdnResult.BUSY.code(), l.cause.resultCode());
        assertFalse(l.cause.tunnelFailure());
    }

    @Test
    void cdnFromLnsCarriesDisconnectCause() throws Exception {
        LnsPeer lns = lns(null);
        engine(fastSettings());
        RecordingListener l = new RecordingListener();
        engine.placeCall(profile(lns, null), params("x"), l);
        assertTrue(l.awaitUp());
        await(() -> lns.connectedCalls() == 1, "ICCN");
        lns.disconnect(lns.calls().get(0), CdnResult.ADMINISTRATIVE,
                new PppDisconnectCause(PppDisconnectCause.ADMINISTRATIVE, 0, PppDisconnectCause.Direction.AT_LOCAL, "bye"));
        assertTrue(l.awaitDown());
        assertEquals(CallDownCause.Kind.CLEARED_BY_PEER, l.cause.kind());
        assertEquals(CdnResult.ADMINISTRATIVE.code(), l.cause.resultCode());
        assertEquals("bye", l.cause.pppCause().message());
    }

    @Test
    void lnsThatNeverAnswersFailsTheTunnel() throws Exception {
        LnsPeer lns = lns(null);
        lns.silent(true);
        engine(fastSettings());
        RecordingListener l = new RecordingListener();
        engine.placeCall(profile(lns, null), params("x"), l);
        assertTrue(l.awaitDown());
        assertTrue(l.cause.tunnelFailure());
        assertNull(null);
        assertTrue(stats.tunnelsEntered(TunnelState.CLOSED) >= 1);
    }

    /**
     * The default read path (epoll with JNA): the engine's own recvmmsg on a second descriptor of the socket. A burst
     * of downstream frames larger than several batches arrives whole and in order, and shutting the engine down
     * releases the port (the second descriptor is closed with the channel).
     */
    @Test
    void ownRecvmmsgReadKeepsOrderAcrossBatchesAndReleasesThePort() throws Exception {
        Peers.require(io.netty.channel.epoll.Epoll.isAvailable() && DatagramReader.available(), "epoll and recvmmsg (Linux)");
        LnsPeer lns = lns(null);
        engine(fastSettings());
        assertTrue(engine.readsWithRecvmmsg(), "the engine reads its socket itself");
        RecordingListener l = new RecordingListener();
        engine.placeCall(profile(lns, null), params("bob"), l);
        assertTrue(l.awaitUp(), "call up");
        await(() -> lns.connectedCalls() == 1, "ICCN at the LNS");
        LnsPeer.Call lc = lns.calls().get(0);
        int n = 5 * L2tpEngine.READ_PER_WAKEUP;
        for (int i = 0; i < n; i++) {
            lns.sendPpp(lc, new byte[] {0x00, 0x21, (byte) (i >>> 8), (byte) i}, false);
        }
        for (int i = 0; i < n; i++) {
            byte[] f = l.frames.poll(5, TimeUnit.SECONDS);
            assertNotNull(f, "frame " + i + " of " + n);
            assertEquals(i, ((f[2] & 0xff) << 8) | (f[3] & 0xff), "in order");
        }
        assertEquals(n, stats.packetsIn.sum());
        int port = engine.localPort();
        engine.shutdown(Duration.ofSeconds(2));
        engine = null;
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(null)) {
            s.setReuseAddress(false); // refused while any descriptor of the engine's socket (SO_REUSEADDR) stays open
            s.bind(new InetSocketAddress(LO, port));
        }
    }

    /**
     * Both read paths with epoll: the own recvmmsg on a socket with UDP GRO (merged runs are cut by the reader, see
     * DatagramReaderTest), and Netty's, the fallback: calls and data work on each.
     */
    @ParameterizedTest
    @ValueSource(strings = {"own with UDP GRO", "netty"})
    void eitherReadPathCarriesCallsAndDataBothWays(String path) throws Exception {
        Peers.require(io.netty.channel.epoll.Epoll.isAvailable() && DatagramReader.available(), "epoll and recvmmsg (Linux)");
        LnsPeer lns = lns(null);
        engine = new L2tpEngine(fastSettings(), stats);
        boolean own = path.startsWith("own");
        engine.udpGro(own);
        engine.readOwn(own);
        engine.start();
        assertEquals(own, engine.readsWithRecvmmsg());
        RecordingListener l = new RecordingListener();
        L2tpCall call = engine.placeCall(profile(lns, null), params("carol"), l);
        assertTrue(l.awaitUp(), "call up");
        await(() -> lns.connectedCalls() == 1, "ICCN at the LNS");
        LinkedBlockingQueue<byte[]> atLns = new LinkedBlockingQueue<>();
        lns.onData((c, p) -> atLns.add(p));
        call.sendPpp(LCP_CONFREQ, 0, LCP_CONFREQ.length);
        assertNotNull(atLns.poll(5, TimeUnit.SECONDS));
        lns.sendPpp(lns.calls().get(0), LCP_CONFREQ, false);
        assertArrayEquals(LCP_CONFREQ, l.frames.poll(5, TimeUnit.SECONDS));
    }

    @Test
    void secondEngineOnTheSamePortGetsACleanBindError() throws Exception {
        engine(fastSettings());
        L2tpEngine other = new L2tpEngine(fastSettings().withSourcePort(engine.localPort()).withPreferEpoll(false), stats);
        // SO_REUSEADDR lets UDP share a port on Linux; bind a specific non-local address instead to force a failure
        L2tpEngine bad = new L2tpEngine(fastSettings().withBindAddress(InetAddress.getByName("192.0.2.1")), stats);
        L2tpBindException e = org.junit.jupiter.api.Assertions.assertThrows(L2tpBindException.class, bad::start);
        assertTrue(e.getMessage().contains("192.0.2.1"), e.getMessage());
        assertNotNull(other);
    }

    @Test
    void engineSurvivesMutatedDatagramsAimedAtItsTunnel() throws Exception {
        // default LNS timers: the engine's loop is busy with the garbage for a moment and must not be declared dead
        LnsPeer lns = LnsPeer.start(LnsPeer.Config.loopback(null));
        closers.add(lns);
        engine(fastSettings().withRetransmit(Duration.ofMillis(300), Duration.ofSeconds(1), 5));
        RecordingListener first = new RecordingListener();
        L2tpCall call = engine.placeCall(profile(lns, null), params("x"), first);
        assertTrue(first.awaitUp());
        long seed = System.nanoTime();
        java.util.Random rnd = new java.util.Random(seed);
        List<byte[]> corpus = new ArrayList<>(org.lacd.l2tp.wire.GoldenVectors.all().values());
        // garbage from another socket on the LNS's own address; it must not disturb the tunnel, whose peer
        // address and port are fixed once the SCCRP arrived
        try (java.net.DatagramSocket sock = new java.net.DatagramSocket(0, LO)) {
            for (int i = 0; i < 3000; i++) {
                byte[] b = org.lacd.l2tp.wire.DecoderFuzzTest.mutate(corpus.get(rnd.nextInt(corpus.size())), rnd);
                if (b.length >= 8 && rnd.nextBoolean()) {
                    int off = (b[0] & 0x40) != 0 ? 4 : 2; // aim at our tunnel and session
                    b[off] = (byte) (call.localTunnelId() >>> 8);
                    b[off + 1] = (byte) call.localTunnelId();
                    b[off + 2] = (byte) (call.localSessionId() >>> 8);
                    b[off + 3] = (byte) call.localSessionId();
                }
                sock.send(new java.net.DatagramPacket(b, b.length, new InetSocketAddress(LO, engine.localPort())));
            }
        }
        await(() -> stats.malformedTotal() > 0, "malformed datagrams counted (seed " + seed + ")");
        RecordingListener second = new RecordingListener();
        L2tpCall again = engine.placeCall(profile(lns, null), params("y"), second);
        assertTrue(second.awaitUp(), "engine still works after fuzzing, seed " + seed + " first=" + first.cause + " second=" + second.cause
                + " tunnels=" + engine.tunnels() + " lns=" + lns.tunnels().size() + " drops=" + java.util.Arrays.stream(L2tpStats.DropReason.values()).map(r -> r + "=" + stats.drops(r)).toList()
                + " malformed=" + stats.malformedTotal() + " lnsMalformed=" + lns.malformed.get());
        assertEquals(call.localTunnelId(), again.localTunnelId(), "same tunnel, undisturbed");
        assertEquals(CallState.ESTABLISHED, call.state());
        assertEquals(1, first.down.getCount(), "first call still up");
    }

    @Test
    void sendPppFromSeveralThreadsDeliversEveryFrame() throws Exception {
        LnsPeer lns = lns(null);
        java.util.concurrent.ConcurrentHashMap<String, Boolean> seen = new java.util.concurrent.ConcurrentHashMap<>();
        lns.onData((c, p) -> seen.put(java.util.HexFormat.of().formatHex(p, 2, p.length), true));
        engine(fastSettings());
        RecordingListener l = new RecordingListener();
        L2tpCall call = engine.placeCall(profile(lns, null), params("x"), l);
        assertTrue(l.awaitUp());
        int threads = 4;
        int perThread = 500;
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            ts.add(new Thread(() -> {
                byte[] frame = new byte[40];
                frame[1] = 0x21;
                for (int i = 0; i < perThread; i++) {
                    frame[2] = (byte) id;
                    frame[3] = (byte) (i >> 8);
                    frame[4] = (byte) i;
                    call.sendPpp(frame, 0, frame.length); // the buffer is reused at once: the engine must have copied it
                    if (i % 100 == 99) {
                        Thread.onSpinWait();
                    }
                }
            }));
        }
        ts.forEach(Thread::start);
        for (Thread t : ts) {
            t.join();
        }
        await(() -> seen.size() == threads * perThread, "all " + threads * perThread + " distinct frames at the LNS (got " + seen.size() + ")");
        assertEquals(threads * perThread, stats.packetsOut.sum());
    }

    /**
     * Every send path writes the data header of {@link org.lacd.l2tp.wire.L2tpHeader#writeData} (RFC 2661 3.1): NIO
     * (a Netty buffer), epoll from a thread that sends at once (sendto) and from a batching thread (sendmmsg); without
     * Ns/Nr until the LNS sequences its data, then with Ns counting from 0 and Nr 0 (RFC 2661 5.4).
     */
    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll-sendto", "epoll-batch"})
    void everySendPathWritesTheDataHeader(String path) throws Exception {
        LnsPeer lns = lns(null);
        engine(fastSettings().withPreferEpoll(!path.equals("nio")));
        if (!path.equals("nio")) {
            Peers.require(engine.usesEpoll() && DatagramBatch.available(), "epoll and sendmmsg");
        }
        RecordingListener l = new RecordingListener();
        L2tpCall call = engine.placeCall(profile(lns, null), params("x"), l);
        assertTrue(l.awaitUp());
        await(() -> lns.connectedCalls() == 1, "ICCN at the LNS");
        LnsPeer.Call lc = lns.calls().get(0);
        java.util.concurrent.ExecutorService sender = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.function.IntConsumer send = n -> {
                byte[] frame = {0x00, 0x21, (byte) n, 0, 0, 0};
                if (path.equals("epoll-batch")) {
                    engine.sendQueuedData(); // first call: this thread batches from now on; later calls send the batch
                    call.sendPpp(frame, 0, frame.length);
                    engine.sendQueuedData();
                } else {
                    call.sendPpp(frame, 0, frame.length);
                }
            };
            sender.submit(() -> send.accept(1)).get();
            await(() -> lc.dataHeaders.size() == 1, "the first data message");
            lns.execute(() -> lns.sendPpp(lc, LCP_CONFREQ, true)); // the LNS sequences: the LAC does too from now on
            assertArrayEquals(LCP_CONFREQ, l.frames.poll(5, TimeUnit.SECONDS));
            sender.submit(() -> send.accept(2)).get();
            sender.submit(() -> send.accept(3)).get();
            await(() -> lc.dataHeaders.size() == 3, "three data messages");
        } finally {
            sender.shutdownNow();
        }
        List<org.lacd.l2tp.wire.L2tpHeader> h = new ArrayList<>(lc.dataHeaders);
        for (org.lacd.l2tp.wire.L2tpHeader x : h) {
            assertFalse(x.control(), path);
            assertEquals(lc.tunnel.lnsTunnelId, x.tunnelId(), path + ": the LNS's tunnel id");
            assertEquals(lc.lnsSessionId, x.sessionId(), path + ": the LNS's session id");
            assertEquals(-1, x.length(), path + ": no Length field");
            assertEquals(-1, x.offsetSize(), path + ": no offset");
            assertEquals(2 + 6, x.payloadLength(), path + ": FF 03 and the 6-byte frame");
        }
        assertEquals(List.of(-1, 0, 1), h.stream().map(org.lacd.l2tp.wire.L2tpHeader::ns).toList(), path + ": Ns");
        assertEquals(List.of(-1, 0, 0), h.stream().map(org.lacd.l2tp.wire.L2tpHeader::nr).toList(), path + ": Nr");
    }

    @Test
    void aThreadThatSendsQueuedDataHoldsItsFramesUntilItsNextCallOrAFullBatch() throws Exception {
        LnsPeer lns = lns(null);
        List<Integer> atLns = java.util.Collections.synchronizedList(new ArrayList<>());
        lns.onData((c, p) -> atLns.add(((p[2] & 0xff) << 8) | (p[3] & 0xff))); // after FF 03: the number in the first two bytes
        engine(fastSettings());
        Peers.require(engine.usesEpoll() && DatagramBatch.available(), "epoll and sendmmsg");
        RecordingListener l = new RecordingListener();
        L2tpCall call = engine.placeCall(profile(lns, null), params("x"), l);
        assertTrue(l.awaitUp());
        byte[] frame = new byte[40];
        frame[1] = 0x21;
        java.util.concurrent.ExecutorService receiveThread = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.function.IntConsumer send = n -> {
                frame[0] = (byte) (n >> 8);
                frame[1] = (byte) n;
                call.sendPpp(frame, 0, frame.length);
            };
            // the first call makes the thread a batching one; then 10 frames wait for the next call
            receiveThread.submit(() -> {
                engine.sendQueuedData();
                for (int i = 0; i < 10; i++) {
                    send.accept(i);
                }
            }).get();
            Thread.sleep(300);
            assertEquals(List.of(), atLns, "frames held in the batch");
            assertEquals(0, stats.packetsOut.sum());
            // another thread's frames are not held
            new Thread(() -> call.sendPpp(new byte[] {0x03, (byte) 0xe8, 0, 0, 0}, 0, 5)).start();
            await(() -> atLns.size() == 1, "the other thread's frame");
            receiveThread.submit(engine::sendQueuedData).get();
            await(() -> atLns.size() == 11, "the held frames after sendQueuedData");
            assertEquals(List.of(1000, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9), atLns, "in order");
            assertEquals(11, stats.packetsOut.sum());
            // a full batch goes out without waiting; the next frame waits again
            atLns.clear();
            receiveThread.submit(() -> {
                for (int i = 0; i < DatagramBatch.CAPACITY + 1; i++) {
                    send.accept(i);
                }
            }).get();
            await(() -> atLns.size() == DatagramBatch.CAPACITY, "a full batch");
            Thread.sleep(300);
            assertEquals(DatagramBatch.CAPACITY, atLns.size(), "the frame after the full batch waits");
            receiveThread.submit(engine::sendQueuedData).get();
            await(() -> atLns.size() == DatagramBatch.CAPACITY + 1, "the last frame");
            assertEquals(11 + DatagramBatch.CAPACITY + 1, stats.packetsOut.sum());
        } finally {
            receiveThread.shutdownNow();
        }
    }

    @Test
    void perProfileLocalAddressSendsFromThatAddress() throws Exception {
        LnsPeer lns = lns(null);
        engine(fastSettings());
        InetAddress second = InetAddress.getByName("127.0.0.2");
        TunnelProfile p = new TunnelProfile("from-127.0.0.2", lns.address(), second, "lac-2", null, null, false, 0, 0, true);
        RecordingListener l = new RecordingListener();
        engine.placeCall(p, params("x"), l);
        assertTrue(l.awaitUp());
        assertEquals(second, lns.tunnels().get(0).lac.getAddress());
        assertEquals(1, engine.tunnels().size());
    }

    @Test
    void openTunnelWithoutCall() throws Exception {
        LnsPeer lns = lns("k");
        engine(fastSettings());
        TunnelSnapshot s = engine.openTunnel(profile(lns, "k")).get(5, TimeUnit.SECONDS);
        assertEquals(TunnelState.ESTABLISHED, s.state());
        assertEquals("lns-test", s.peerHostName());
        assertEquals(new InetSocketAddress(LO, lns.address().getPort()), s.peer());
    }
}
