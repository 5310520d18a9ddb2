package org.lacd.l2tp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lacd.l2tp.lns.LnsPeer;
import org.lacd.testsupport.Peers;
import org.lacd.l2tp.transport.ReliableChannel;

/**
 * The engine with two worker sockets (SO_REUSEPORT, steered by tunnel id) against the in-process LNS over loopback: each
 * call lives on the worker it was placed on, its datagrams reach that worker's loop in order, and the read-batch hook
 * runs on the loop that read them.
 */
class L2tpEngineWorkersTest {
    final List<AutoCloseable> closers = new ArrayList<>();
    L2tpEngine engine;

    @AfterEach
    void tearDown() throws Exception {
        if (engine != null) {
            engine.shutdown(Duration.ofSeconds(2));
        }
        for (AutoCloseable c : closers) {
            c.close();
        }
    }

    /** Per call: the threads its frames arrived on and the sequence numbers in arrival order. */
    static final class Seen implements CallListener {
        final RecordingListener up = new RecordingListener();
        final Set<String> threads = ConcurrentHashMap.newKeySet();
        final List<Integer> numbers = java.util.Collections.synchronizedList(new ArrayList<>());

        @Override public void callUp(L2tpCall c) { up.callUp(c); }

        @Override public void callDown(L2tpCall c, CallDownCause cause) { up.callDown(c, cause); }

        @Override
        public void pppFromLns(L2tpCall c, byte[] buf, int off, int len) {
            threads.add(Thread.currentThread().getName());
            numbers.add(((buf[off + 2] & 0xff) << 8) | (buf[off + 3] & 0xff));
        }
    }

    @Test
    void theSocketsReceiveBufferGoesPastRmemMaxWithCapNetAdmin() throws Exception {
        engine = new L2tpEngine(L2tpEngineLoopbackTest.fastSettings(), null, 2);
        engine.start();
        assertTrue(engine.usesEpoll(), "Linux: the epoll transport");
        int rmemMax = Integer.parseInt(java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/sys/net/core/rmem_max")).get(0).trim());
        int got = engine.receiveBufferBytes();
        if ("root".equals(System.getProperty("user.name"))) { // CI and the lab: lacd's unit grants CAP_NET_ADMIN too
            // the kernel reports twice the size set (its overhead); SO_RCVBUF alone stops at rmem_max
            assertEquals(2 * L2tpEngine.RECEIVE_BUFFER_BYTES, got, "SO_RCVBUFFORCE past rmem_max " + rmemMax);
        } else {
            assertEquals(2 * Math.min(rmemMax, 4 << 20), got, "without CAP_NET_ADMIN: SO_RCVBUF, capped at rmem_max");
        }
    }

    @Test
    void theReceiveBufferIsTheConfiguredSize() throws Exception {
        Peers.require("root".equals(System.getProperty("user.name")), "CAP_NET_ADMIN (root) for SO_RCVBUFFORCE");
        engine = new L2tpEngine(L2tpEngineLoopbackTest.fastSettings(), null, 2);
        engine.receiveBuffer(3 << 20);
        engine.start();
        assertEquals(2 * (3 << 20), engine.receiveBufferBytes(), "l2tp.receive-buffer-mib: 3 (the kernel reports twice)");
        assertThrows(IllegalArgumentException.class, () -> engine.receiveBuffer(4096));
    }

    @Test
    void everyDatagramIsEitherReadOrCountedAsASocketDrop() throws Exception {
        Peers.require("root".equals(System.getProperty("user.name")), "CAP_NET_ADMIN (root) for SO_RCVBUFFORCE");
        CountingL2tpStats stats = new CountingL2tpStats();
        engine = new L2tpEngine(L2tpEngineLoopbackTest.fastSettings(), stats, 1);
        engine.receiveBuffer(1 << 16); // 64 KiB: a few hundred small datagrams
        java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        // the first read's end holds the worker's loop: nothing drains the socket until release
        engine.onReadBatchEnd(() -> {
            if (reading.getCount() > 0) {
                reading.countDown();
                awaitQuietly(release);
            }
        });
        engine.start();
        assertEquals(0, engine.socketDrops(0), "no drop before any traffic");
        // L2TP data for a session lacd does not have: each one read is counted unknown_session
        byte[] data = new byte[200];
        data[0] = 0x00;
        data[1] = 0x02; // version 2, no length, no sequence
        data[3] = 1; // tunnel 1
        data[5] = 1; // session 1
        int sent = 0;
        try (java.net.DatagramSocket s = new java.net.DatagramSocket()) {
            java.net.InetSocketAddress to = new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), engine.localPort());
            s.send(new java.net.DatagramPacket(data, data.length, to));
            sent++;
            assertTrue(reading.await(10, java.util.concurrent.TimeUnit.SECONDS), "the first datagram was read");
            for (int i = 0; i < 5000; i++) {
                s.send(new java.net.DatagramPacket(data, data.length, to));
                sent++;
            }
        } finally {
            release.countDown();
        }
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (stats.drops(L2tpStats.DropReason.UNKNOWN_SESSION) + engine.socketDrops(0) < sent && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        long read = stats.drops(L2tpStats.DropReason.UNKNOWN_SESSION);
        long dropped = engine.socketDrops(0);
        assertTrue(dropped > 0, "64 KiB cannot hold 5,000 datagrams while the loop is held: " + read + " read");
        assertEquals(sent, read + dropped, "each datagram read (" + read + ") or counted dropped (" + dropped + ")");
    }

    private static void awaitQuietly(java.util.concurrent.CountDownLatch l) {
        try {
            l.await(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void callsStayOnTheirWorkerAndEachCallsFramesArriveInOrderOnOneThread() throws Exception {
        LnsPeer lns = LnsPeer.start(LnsPeer.Config.loopback(null).withChannel(new ReliableChannel.Config(100, 200, 3, 50, 16)));
        closers.add(lns);
        engine = new L2tpEngine(L2tpEngineLoopbackTest.fastSettings(), null, 2);
        Map<String, Integer> batchEnds = new ConcurrentHashMap<>();
        engine.onReadBatchEnd(() -> batchEnds.merge(Thread.currentThread().getName(), 1, Integer::sum));
        engine.start();
        assertTrue(engine.usesEpoll(), "Linux: the epoll transport");
        assertEquals(2, engine.workers(), "two worker sockets, steered");

        int calls = 8;
        int frames = 300;
        List<Seen> seen = new ArrayList<>();
        List<L2tpCall> placed = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            Seen s = new Seen();
            seen.add(s);
            placed.add(engine.placeCall(L2tpEngineLoopbackTest.profile(lns, null), L2tpEngineLoopbackTest.params("u" + i), s, i % 2));
        }
        for (int i = 0; i < calls; i++) {
            assertTrue(seen.get(i).up.awaitUp(), "call " + i + " up");
            assertEquals(i % 2, placed.get(i).localTunnelId() % 2, "call " + i + "'s tunnel id belongs to worker " + i % 2);
        }
        L2tpEngineLoopbackTest.await(() -> lns.connectedCalls() == calls, "every ICCN at the LNS");
        Set<Integer> tunnels = new HashSet<>();
        placed.forEach(c -> tunnels.add(c.localTunnelId()));
        assertEquals(2, tunnels.size(), "one tunnel per worker to the one LNS");

        // the LNS sends each call a numbered run of frames, interleaved across calls
        lns.execute(() -> {
            for (int n = 0; n < frames; n++) {
                for (LnsPeer.Call c : lns.calls()) {
                    byte[] ppp = {0x00, 0x21, (byte) (n >> 8), (byte) n, 0x45, 0, 0, 0};
                    lns.sendPpp(c, ppp, false);
                }
            }
        });
        for (int i = 0; i < calls; i++) {
            Seen s = seen.get(i);
            L2tpEngineLoopbackTest.await(() -> s.numbers.size() == frames, "call's frames (got " + s.numbers.size() + ")");
            List<Integer> expected = new ArrayList<>();
            for (int n = 0; n < frames; n++) {
                expected.add(n);
            }
            assertEquals(expected, s.numbers, "call " + i + ": every frame, in order");
            assertEquals(1, s.threads.size(), "call " + i + ": one thread " + s.threads);
        }
        Set<String> w0 = new HashSet<>();
        Set<String> w1 = new HashSet<>();
        for (int i = 0; i < calls; i++) {
            (i % 2 == 0 ? w0 : w1).addAll(seen.get(i).threads);
        }
        assertEquals(1, w0.size(), "worker 0's calls on one loop");
        assertEquals(1, w1.size(), "worker 1's calls on one loop");
        assertTrue(java.util.Collections.disjoint(w0, w1), "the two workers' loops differ: " + w0 + " " + w1);
        assertTrue(batchEnds.keySet().containsAll(w0) && batchEnds.keySet().containsAll(w1),
                "the read-batch hook ran on both loops that read data: " + batchEnds);
    }
}
