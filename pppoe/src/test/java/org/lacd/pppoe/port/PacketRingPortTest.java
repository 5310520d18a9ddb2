package org.lacd.pppoe.port;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.testsupport.RealPeer;
import org.lacd.testsupport.Peers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lacd.pppoe.testutil.Hex;
import org.lacd.pppoe.testutil.Netns;

/**
 * {@link PacketRingPort} on veth pairs inside a namespace the test creates: every frame is sent on one end and read
 * from the ring on the other.
 */
@RealPeer
class PacketRingPortTest {
    private static Netns ns;
    private static final AtomicInteger PAIRS = new AtomicInteger();
    private final List<EthernetPort> opened = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        Peers.require(Netns.isRoot() && Netns.hasIp(), "needs root and iproute2");
        ns = Netns.create("ring");
    }

    @AfterAll
    static void tearDown() {
        if (ns != null) {
            ns.close();
        }
    }

    @AfterEach
    void closePorts() {
        opened.forEach(EthernetPort::close);
        PacketRingPort.failStepForTest = null;
    }

    /** A new veth pair in the namespace: {ra, rb}. */
    private static String[] veth() throws Exception {
        int n = PAIRS.incrementAndGet();
        String a = "ra" + n;
        String b = "rb" + n;
        ns.exec("ip", "link", "add", a, "type", "veth", "peer", "name", b);
        ns.exec("ip", "link", "set", a, "up");
        ns.exec("ip", "link", "set", b, "up");
        return new String[] {a, b};
    }

    private PacketRingPort ring(String name, int workers) throws Exception {
        return ring(name, workers, true);
    }

    private PacketRingPort ring(String name, int workers, boolean txRing) throws Exception {
        PacketRingPort p = ns.call(() -> PacketRingPort.open(name, 1500, workers, txRing));
        opened.add(p);
        return p;
    }

    private PcapPort pcap(String name, FrameReceiver r) throws Exception {
        PcapPort p = new PcapPort(name);
        opened.add(p);
        ns.call(() -> {
            p.start(r);
            return null;
        });
        return p;
    }

    private static void await(BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    private static byte[] frame(String dst, String src, String tags, String etherType, String body) {
        return Hex.parse(dst + src + tags + etherType + body);
    }

    /** A receiver that keeps a copy of every frame. */
    private static final class Collect implements FrameReceiver {
        final ConcurrentLinkedQueue<byte[]> frames = new ConcurrentLinkedQueue<>();

        @Override
        public void frame(byte[] buf, int off, int len) {
            byte[] c = new byte[len];
            System.arraycopy(buf, off, c, 0, len);
            frames.add(c);
        }

        List<String> hex() {
            List<String> out = new ArrayList<>();
            frames.forEach(f -> out.add(Hex.of(f)));
            return out;
        }
    }

    @Test
    void pppoeFramesArriveByteIdenticalWithTheirVlanTagsPutBackAndNothingElseArrives() throws Exception {
        String[] v = veth();
        PacketRingPort rx = ring(v[1], 1);
        Collect got = new Collect();
        rx.start(got);
        PcapPort tx = pcap(v[0], (b, o, l) -> { });
        String me = rx.mac().toString().replace(":", "");
        String src = "020000000001";
        String padi = "1109000000040101 0000" + "00".repeat(30);
        String session = "1100000100220021" + "45".repeat(34);
        List<byte[]> pppoe = List.of(
                frame("ffffffffffff", src, "", "8863", padi),                            // untagged PADI
                frame(me, src, "8100 a064", "8864", session),                           // 802.1Q, PCP 5, VLAN 100
                frame("ffffffffffff", src, "88a8 0064 8100 00c8", "8863", padi),        // QinQ 802.1ad + 802.1Q
                frame(me, src, "8100 0064 8100 00c8", "8864", session),                 // QinQ 802.1Q + 802.1Q
                frame(me, src, "9100 0064", "8864", session));                          // old QinQ TPID, kept in the frame
        List<byte[]> others = List.of(
                frame(me, src, "", "0800", "4500001400000000401100000a0000010a000002" + "00".repeat(26)),
                frame("ffffffffffff", src, "", "0806", "0001080006040001" + src + "0a000001" + "000000000000"
                        + "0a000002" + "00".repeat(18)),
                frame(me, src, "8100 0064", "0800", "4500001400000000401100000a0000010a000002" + "00".repeat(26)),
                frame(me, src, "88a8 0064 8100 00c8", "86dd", "6" + "0".repeat(79)));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < pppoe.size(); i++) {
            tx.send(others.get(i % others.size()), 0, others.get(i % others.size()).length);
            tx.send(pppoe.get(i), 0, pppoe.get(i).length);
            expected.add(Hex.of(pppoe.get(i)));
        }
        for (byte[] o : others) {
            tx.send(o, 0, o.length);
        }
        byte[] marker = frame("ffffffffffff", src, "", "8863", "11a7000100000000" + "ee".repeat(30)); // PADT
        tx.send(marker, 0, marker.length);
        expected.add(Hex.of(marker));
        await(() -> got.frames.size() >= expected.size(), "the PPPoE frames");
        assertEquals(expected, got.hex(), "only PPPoE, in order, byte for byte, the tags back in place");
        assertEquals(0, rx.captureDrops());
        assertTrue(rx.ringPackets(0) >= expected.size(), "the kernel counted the frames it filtered in");
        assertEquals(expected.size(), rx.ringPackets(0), "the filter let nothing else into the ring");
    }

    @Test
    void ourOwnSendsAreNotReceivedBackButReachThePeer() throws Exception {
        String[] v = veth();
        PacketRingPort port = ring(v[1], 1);
        Collect own = new Collect();
        port.start(own);
        Collect peer = new Collect();
        PcapPort other = pcap(v[0], peer);
        byte[] f = frame("ffffffffffff", port.mac().toString().replace(":", ""), "", "8864",
                "1100000100020021" + "ab".repeat(40));
        for (int i = 0; i < 20; i++) {
            port.send(f, 0, f.length);
        }
        byte[] withOffset = new byte[f.length + 3];
        System.arraycopy(f, 0, withOffset, 3, f.length);
        port.send(withOffset, 3, f.length);
        await(() -> peer.frames.size() >= 21, "our frames at the peer");
        for (byte[] p : peer.frames) {
            assertEquals(Hex.of(f), Hex.of(p));
        }
        byte[] marker = frame("ffffffffffff", "020000000009", "", "8863", "11a7000100000000" + "ee".repeat(30));
        other.send(marker, 0, marker.length);
        await(() -> !own.frames.isEmpty(), "the peer's frame");
        assertEquals(List.of(Hex.of(marker)), own.hex(), "the port heard the peer, never itself");
    }

    @Test
    void withTwoWorkersEverySourceMacStaysOnOneWorkerInOrderAndBothWorkersGetSome() throws Exception {
        String[] v = veth();
        PacketRingPort rx = ring(v[1], 2);
        assertEquals(2, rx.workers());
        int macs = 64;
        int each = 200;
        // per worker: MAC index -> sequence numbers in arrival order (each list touched by one worker thread only)
        List<Map<Integer, List<Integer>>> seen = List.of(new HashMap<>(), new HashMap<>());
        AtomicInteger total = new AtomicInteger();
        List<String> threads = new CopyOnWriteArrayList<>();
        rx.start(w -> (buf, off, len) -> {
            if (!threads.contains(Thread.currentThread().getName())) {
                threads.add(Thread.currentThread().getName());
            }
            int m = buf[off + 11] & 0xff; // source MAC 02:00:00:00:01:<m>
            int seq = ((buf[off + 20] & 0xff) << 8) | (buf[off + 21] & 0xff);
            seen.get(w).computeIfAbsent(m, k -> new ArrayList<>()).add(seq);
            total.incrementAndGet();
        });
        PacketRingPort tx = ring(v[0], 1);
        String dst = rx.mac().toString().replace(":", "");
        int sent = 0;
        for (int s = 0; s < each; s++) {
            for (int m = 0; m < macs; m++) {
                byte[] f = frame(dst, String.format("0200000001%02x", m), "", "8864",
                        "11000001002a" + String.format("%04x", s) + "00".repeat(40));
                tx.send(f, 0, f.length);
                sent++;
            }
            if (s % 8 == 7) { // stay under the veth backlog: kernel drops are not what this test is about
                int upTo = sent;
                await(() -> total.get() >= upTo, upTo + " frames");
            }
        }
        int all = sent;
        await(() -> total.get() >= all, "every frame");
        assertEquals(macs * each, total.get());
        assertTrue(!seen.get(0).isEmpty() && !seen.get(1).isEmpty(), "both workers got frames: " + seen.get(0).size()
                + " and " + seen.get(1).size() + " MACs");
        List<Integer> inOrder = new ArrayList<>();
        for (int s = 0; s < each; s++) {
            inOrder.add(s);
        }
        for (int m = 0; m < macs; m++) {
            boolean on0 = seen.get(0).containsKey(m);
            boolean on1 = seen.get(1).containsKey(m);
            assertTrue(on0 ^ on1, "MAC " + m + " on exactly one worker");
            assertEquals(inOrder, seen.get(on0 ? 0 : 1).get(m), "MAC " + m + " complete and in order");
        }
        assertEquals(List.of("ring-rx-" + v[1] + "-0", "ring-rx-" + v[1] + "-1"),
                threads.stream().sorted().toList(), "one thread per worker");
        assertEquals(0, rx.captureDrops());
    }

    @Test
    void aPadiFloodFillsThePadiRingOnlyWhileEveryOtherFrameReachesItsMacsWorkerInOrder() throws Exception {
        String[] v = veth();
        // two workers with the default rings; a PADI ring of one 128 KiB block (81 slots), its thread stalled
        PacketRingPort rx = ns.call(() -> PacketRingPort.open(v[1], PcapPort.snaplenFor(1500), 2,
                PacketRingPort.DEFAULT_RING_BYTES, true, 128 << 10));
        opened.add(rx);
        assertTrue(rx.description().contains("PADI ring of 81 slots"), rx.description());
        assertThrows(IllegalStateException.class, () -> rx.start(new Collect()), "one receiver for two threads");
        int macs = 64;
        int rounds = 60;
        int padisPerRound = 40;
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger padisRead = new AtomicInteger();
        List<String> padiThreads = new CopyOnWriteArrayList<>();
        Map<Integer, Integer> niceByWorker = new java.util.concurrent.ConcurrentHashMap<>();
        List<String> strays = new CopyOnWriteArrayList<>();
        // per worker: MAC index -> what arrived, in order (each map touched by its worker's thread only)
        List<Map<Integer, List<String>>> seen = List.of(new HashMap<>(), new HashMap<>());
        AtomicInteger dataRead = new AtomicInteger();
        rx.start(w -> {
            if (w == EthernetPort.PADI_WORKER) {
                return (buf, off, len) -> {
                    if (padiThreads.isEmpty()) {
                        padiThreads.add(Thread.currentThread().getName());
                        niceByWorker.put(w, threadNice());
                    }
                    if (buf[off + 15] != 0x09) {
                        strays.add("PADI ring: " + Hex.of(java.util.Arrays.copyOfRange(buf, off, off + len)));
                    }
                    padisRead.incrementAndGet();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                };
            }
            return (buf, off, len) -> {
                niceByWorker.computeIfAbsent(w, k -> threadNice());
                int m = buf[off + 11] & 0xff; // source MAC 02:00:00:00:01:<m>
                String what = buf[off + 13] == 0x63 ? (buf[off + 15] == 0x19 ? "PADR" : buf[off + 15] == (byte) 0xa7
                        ? "PADT" : "code " + buf[off + 15]) : Integer.toString(((buf[off + 20] & 0xff) << 8) | (buf[off + 21] & 0xff));
                seen.get(w).computeIfAbsent(m, k -> new ArrayList<>()).add(what);
                dataRead.incrementAndGet();
            };
        });
        PacketRingPort tx = ring(v[0], 1);
        String dst = rx.mac().toString().replace(":", "");
        String pad = "00".repeat(40);
        int data = 0;
        int padis = 0;
        for (int s = 0; s <= rounds; s++) {
            for (int m = 0; m < macs; m++) {
                String src = String.format("0200000001%02x", m);
                byte[] f = s == 0 ? frame(dst, src, "", "8863", "1119000000040101 0000" + pad)          // PADR
                        : s == rounds ? frame(dst, src, "", "8863", "11a7000100000000" + pad)          // PADT
                        : frame(dst, src, "", "8864", "11000001002a" + String.format("%04x", s) + pad); // session
                tx.send(f, 0, f.length);
                data++;
            }
            for (int i = 0; i < padisPerRound; i++) {
                byte[] f = frame("ffffffffffff", String.format("020000%06x", padis), "", "8863", "1109000000040101 0000" + pad);
                tx.send(f, 0, f.length);
                padis++;
            }
            if (s % 4 == 3) { // stay under the veth backlog: the kernel's drops there are not what this test is about
                int upTo = data;
                int padisUpTo = padis;
                await(() -> dataRead.get() >= upTo && rx.padiRingPackets() >= padisUpTo, upTo + " frames");
            }
        }
        int allData = data;
        int allPadis = padis;
        await(() -> dataRead.get() >= allData && rx.padiRingPackets() >= allPadis, "every frame");
        long padiDrops = rx.padiRingDrops();
        assertTrue(padiDrops >= allPadis - 81 - 1, "the stalled PADI ring dropped the flood: " + padiDrops + " of " + allPadis);
        assertEquals(0, rx.captureDrops(), "the workers' rings lost nothing");
        assertEquals(allData, dataRead.get(), "every frame but the PADIs reached a worker, none twice");
        List<String> inOrder = new ArrayList<>(List.of("PADR"));
        for (int s = 1; s < rounds; s++) {
            inOrder.add(Integer.toString(s));
        }
        inOrder.add("PADT");
        for (int m = 0; m < macs; m++) {
            int worker = Integer.remainderUnsigned(0x00000100 | m, 2); // the fanout's choice: source MAC bytes 2..5 mod 2
            assertEquals(inOrder, seen.get(worker).get(m), "MAC " + m + ": its PADR, session frames and PADT on worker "
                    + worker + ", in order");
            assertFalse(seen.get(1 - worker).containsKey(m), "MAC " + m + " on one worker");
        }
        release.countDown();
        await(() -> padisRead.get() + rx.padiRingDrops() >= allPadis, "the PADIs left in the ring read");
        assertEquals(allPadis, padisRead.get() + rx.padiRingDrops(), "every PADI either read or counted as dropped");
        assertEquals(List.of(), strays, "nothing but PADIs in the PADI ring");
        assertEquals(List.of("ring-rx-" + v[1] + "-padi"), padiThreads);
        // forwarding before control work (the test runs as root: CAP_SYS_NICE); a storm's PADIs get no such priority
        assertEquals(Map.of(0, PacketRingPort.WORKER_NICE, 1, PacketRingPort.WORKER_NICE, EthernetPort.PADI_WORKER, 0),
                niceByWorker, "nice of each receive thread");
    }

    /** The calling thread's nice value: field 19 of /proc/thread-self/stat. */
    private static int threadNice() {
        try {
            String stat = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/thread-self/stat")).get(0);
            return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16]);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Each sending thread's TX ring (the default), and sendmmsg batches ({@code tx-ring: false}). */
    @ParameterizedTest(name = "tx ring {0}")
    @ValueSource(booleans = {true, false})
    void queuedFramesFromSeveralThreadsAllArriveInOrderWithOneSystemCallPerBatch(boolean txRing) throws Exception {
        // one sender queues header and payload apart; 3 x 1000 frames: each thread's TX ring (1024 frames) goes round
        String[] v = veth();
        PacketRingPort rx = ring(v[1], 1);
        Map<Integer, List<Integer>> bySender = new HashMap<>();
        AtomicInteger total = new AtomicInteger();
        rx.start((buf, off, len) -> {
            bySender.computeIfAbsent(buf[off + 11] & 0xff, k -> new ArrayList<>())
                    .add(((buf[off + 20] & 0xff) << 8) | (buf[off + 21] & 0xff));
            total.incrementAndGet();
        });
        PacketRingPort tx = ring(v[0], 1, txRing);
        assertTrue(tx.description().endsWith(txRing ? ", TX ring send" : ", sendmmsg send"), tx.description());
        String dst = rx.mac().toString().replace(":", "");
        int threads = 3;
        int each = 1000;
        int run = 150; // frames queued per flush: more than one batch of 64, so full batches leave early too
        CountDownLatch go = new CountDownLatch(1);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Thread> ts = new ArrayList<>();
        AtomicInteger flushed = new AtomicInteger();
        for (int t = 0; t < threads; t++) {
            int sender = t;
            Thread th = new Thread(() -> {
                try {
                    go.await();
                    for (int i = 0; i < each; i++) {
                        byte[] f = frame(dst, String.format("0200000002%02x", sender), "", "8864",
                                "11000001002a" + String.format("%04x", i) + "00".repeat(40));
                        if (sender == 1) { // the gathered form: Ethernet header and the rest from two arrays
                            tx.queue(java.util.Arrays.copyOf(f, 14), 14, f, 14, f.length - 14);
                        } else {
                            tx.queue(f, 0, f.length);
                        }
                        if (i % run == run - 1 || i == each - 1) {
                            tx.flush();
                            int upTo = flushed.addAndGet(i % run + 1);
                            await(() -> total.get() >= upTo - 2 * run, "the receiver to keep up");
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            th.start();
            ts.add(th);
        }
        go.countDown();
        for (Thread th : ts) {
            th.join(30_000);
        }
        assertEquals(List.of(), failures);
        await(() -> total.get() >= threads * each, "every queued frame");
        assertEquals(0, tx.queuedSendFailures());
        List<Integer> inOrder = new ArrayList<>();
        for (int i = 0; i < each; i++) {
            inOrder.add(i);
        }
        assertEquals(threads, bySender.size());
        for (Map.Entry<Integer, List<Integer>> e : bySender.entrySet()) {
            assertEquals(inOrder, e.getValue(), "sender " + e.getKey() + " complete and in order");
        }
        tx.flush(); // nothing queued: nothing happens
        assertEquals(threads * each, total.get());
    }

    @Test
    void framesTheKernelDropsWhenAWorkerFallsBehindAreCountedExactly() throws Exception {
        String[] v = veth();
        // a small ring: one 128 KiB block of 208-byte slots (snaplen 128)
        PacketRingPort slow = ns.call(() -> PacketRingPort.open(v[1], 128, 1, 128 << 10));
        opened.add(slow);
        int slots = slow.slotsPerWorker();
        assertEquals(208, slow.slotBytes());
        assertEquals((128 << 10) / 208, slots);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger got = new AtomicInteger();
        slow.start((buf, off, len) -> {
            got.incrementAndGet();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        PacketRingPort tx = ring(v[0], 1);
        assertEquals(0, slow.captureDrops(), "nothing dropped before any traffic");
        assertEquals(0, slow.ringPeakWaiting(0), "nothing waited before any traffic");
        assertEquals(slots, slow.ringSlots());
        byte[] f = frame("ffffffffffff", tx.mac().toString().replace(":", ""), "", "8864",
                "1100000100020021" + "00".repeat(40));
        int sent = 3 * slots;
        for (int i = 0; i < sent; i++) {
            tx.send(f, 0, f.length);
            if (i % 200 == 199) { // let the kernel take each run into the ring (or drop it) before the next
                int upTo = i + 1;
                await(() -> slow.ringPackets(0) >= upTo, upTo + " frames seen by the ring");
            }
        }
        await(() -> slow.ringPackets(0) >= sent, "every frame seen by the ring");
        long drops = slow.captureDrops();
        assertTrue(drops > 0 && drops < sent, "ring overflow counted: " + drops + " of " + sent);
        assertEquals(drops, slow.captureDrops(0));
        release.countDown();
        await(() -> got.get() + slow.captureDrops() >= sent, "the held frames read");
        assertEquals(sent, got.get() + slow.captureDrops(), "every frame either read or counted as dropped");
        // the reader found the full ring when it came back: its next measurement, SAMPLE_EVERY frames on, saw the rest
        int peak = slow.ringPeakWaiting(0);
        assertTrue(peak >= slots - PacketRingPort.SAMPLE_EVERY && peak <= slots, "peak " + peak + " of " + slots + " slots");
        slow.close();
        assertEquals(sent - got.get(), slow.captureDrops(), "the count survives close");
        assertEquals(0, tx.captureDrops());
    }

    @Test
    void closeStopsTheThreadsIsIdempotentAndLaterSendsFailCleanly() throws Exception {
        String[] v = veth();
        PacketRingPort p = ring(v[1], 2);
        p.start(w -> (buf, off, len) -> { });
        assertTrue(threadAlive("ring-rx-" + v[1] + "-0") && threadAlive("ring-rx-" + v[1] + "-1"));
        p.close();
        assertTrue(p.threadsStopped());
        assertFalse(threadAlive("ring-rx-" + v[1] + "-0") || threadAlive("ring-rx-" + v[1] + "-1"));
        p.close();
        byte[] f = frame("ffffffffffff", "020000000001", "", "8863", "1109000000000000");
        PortException e = assertThrows(PortException.class, () -> p.send(f, 0, f.length));
        assertEquals(PortException.Kind.SEND, e.kind());
        p.queue(f, 0, f.length);
        p.flush();
        assertEquals(1, p.queuedSendFailures());
        assertEquals(0, p.captureDrops());
        assertThrows(PortException.class, () -> p.start(w -> (buf, off, len) -> { }));
    }

    @Test
    void closeWhileOtherThreadsSendIsSafe() throws Exception {
        String[] v = veth();
        PacketRingPort p = ring(v[1], 1);
        p.start((buf, off, len) -> { });
        byte[] f = frame("ffffffffffff", "020000000001", "", "8864", "1100000100020021" + "00".repeat(40));
        AtomicInteger sends = new AtomicInteger();
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            boolean queueing = t == 1;
            Thread th = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        if (queueing) {
                            p.queue(f, 0, f.length);
                            p.flush();
                        } else {
                            p.send(f, 0, f.length);
                        }
                        sends.incrementAndGet();
                    } catch (PortException e) {
                        if (e.kind() != PortException.Kind.SEND) {
                            unexpected.add(e);
                        }
                        return; // closed
                    } catch (Throwable e) {
                        unexpected.add(e);
                        return;
                    }
                }
            });
            th.start();
            ts.add(th);
        }
        await(() -> sends.get() > 200, "senders running");
        p.close();
        ts.get(0).join(5000);
        ts.get(1).interrupt();
        ts.get(1).join(5000);
        assertFalse(ts.get(0).isAlive(), "the sending thread saw the port closed");
        assertEquals(List.of(), unexpected);
    }

    /**
     * Through the TX ring, frames of every size from 60 to 1514 bytes arrive byte for byte and in order, with each ring
     * frame's virtio_net_hdr (the frame copied into the packet) and without it (where the kernel refuses
     * PACKET_VNET_HDR: the frame hangs on the packet as a page fragment).
     */
    @ParameterizedTest(name = "virtio_net_hdr refused {0}")
    @ValueSource(booleans = {false, true})
    void txRingFramesOfEverySizeArriveByteForByteInOrder(boolean vnetRefused) throws Exception {
        String[] v = veth();
        PacketRingPort rx = ring(v[1], 1);
        Collect got = new Collect();
        rx.start(got);
        PacketRingPort.failStepForTest = vnetRefused ? "PACKET_VNET_HDR" : null;
        PacketRingPort tx = ring(v[0], 1, true);
        PacketRingPort.failStepForTest = null;
        assertTrue(tx.description().endsWith(", TX ring send"), tx.description());
        String dst = rx.mac().toString().replace(":", "");
        List<String> sent = new ArrayList<>();
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 300; i++) {
            int body = 40 + random.nextInt(1494 - 40 + 1); // Ethernet frames of 60..1514 bytes
            byte[] payload = new byte[body - 6];
            random.nextBytes(payload);
            byte[] f = frame(dst, "020000000078", "", "8864", "11000001" + String.format("%04x", body - 6) + Hex.of(payload));
            sent.add(Hex.of(f));
            if (i % 2 == 0) {
                tx.queue(f, 0, f.length);
            } else {
                tx.queue(java.util.Arrays.copyOf(f, 14), 14, f, 14, f.length - 14);
            }
            if (i % 50 == 49) {
                tx.flush();
                int upTo = i + 1;
                await(() -> got.frames.size() >= upTo, upTo + " frames");
            }
        }
        assertEquals(sent, got.hex());
        assertEquals(0, tx.queuedSendFailures());
    }

    @Test
    void whereTheKernelRefusesATxRingQueuedFramesLeaveWithSendmmsgAndThePortSaysSo() throws Exception {
        String[] v = veth();
        PacketRingPort rx = ring(v[1], 1);
        Collect got = new Collect();
        rx.start(got);
        PacketRingPort.failStepForTest = "PACKET_TX_RING";
        PacketRingPort tx = ring(v[0], 1, true);
        PacketRingPort.failStepForTest = null;
        assertTrue(tx.description().endsWith(", sendmmsg send"), tx.description());
        String dst = rx.mac().toString().replace(":", "");
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            byte[] f = frame(dst, "020000000077", "", "8864", "11000001002a" + String.format("%04x", i) + "00".repeat(40));
            sent.add(Hex.of(f));
            tx.queue(f, 0, f.length);
        }
        tx.flush();
        await(() -> got.frames.size() >= 100, "every queued frame");
        assertEquals(sent, got.hex());
        assertEquals(0, tx.queuedSendFailures());
    }

    @Test
    void aMissingInterfaceIsSaidAsSuch() throws Exception {
        Throwable t = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> ns.call(() -> PacketRingPort.open("nosuch0", 1500, 1)));
        PortException e = (PortException) t.getCause();
        assertEquals(PortException.Kind.NO_SUCH_INTERFACE, e.kind());
        assertEquals("nosuch0", e.interfaceName());
    }

    @Test
    void aRefusedSetupStepIsNamedAndLeavesNothingOpen() throws Exception {
        String[] v = veth();
        PacketRingPort.failStepForTest = "PACKET_FANOUT_DATA";
        Throwable t = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> ns.call(() -> PacketRingPort.open(v[1], 1500, 2)));
        PortException e = (PortException) t.getCause();
        assertEquals(PortException.Kind.OTHER, e.kind());
        assertEquals("PACKET_FANOUT_DATA failed on " + v[1] + ": errno 22", e.getMessage());
        PacketRingPort.failStepForTest = null;
        PacketRingPort p = ring(v[1], 2); // the failed attempt left no group or socket behind
        assertEquals(2, p.workers());
    }

    private static boolean threadAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }
}
