package org.lacd.pppoe.port;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.testsupport.RealPeer;
import org.lacd.testsupport.Peers;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lacd.pppoe.testutil.Hex;
import org.lacd.pppoe.testutil.Netns;

/** PcapPort on a veth pair inside a namespace the test creates. */
@RealPeer
class PcapPortTest {
    private static Netns ns;
    private static PcapPort a;
    private static PcapPort b;
    private static final ConcurrentLinkedQueue<byte[]> received = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void setUp() throws Exception {
        Peers.require(Netns.isRoot() && Netns.hasIp(), "needs root and iproute2");
        ns = Netns.create("port");
        ns.exec("ip", "link", "add", "pa", "type", "veth", "peer", "name", "pb");
        ns.exec("ip", "link", "set", "pa", "up");
        ns.exec("ip", "link", "set", "pb", "up");
        a = new PcapPort("pa");
        b = new PcapPort("pb");
        ns.call(() -> {
            a.start((buf, off, len) -> { });
            b.start((buf, off, len) -> {
                byte[] c = new byte[len];
                System.arraycopy(buf, off, c, 0, len);
                received.add(c);
            });
            return null;
        });
    }

    @AfterAll
    static void tearDown() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    private static byte[] frame(String tags, String etherType) {
        return Hex.parse("ffffffffffff" + a.mac().toString().replace(":", "") + tags + etherType
                + "1109000000040101 0000" + "00".repeat(30));
    }

    @Test
    void filterPassesPppoeUntaggedDot1qAndQinqButNotIp() throws Exception {
        received.clear();
        a.send(frame("", "8863"), 0, frame("", "8863").length);
        a.send(frame("", "0800"), 0, frame("", "0800").length);
        a.send(frame("8100 0064", "8864"), 0, frame("8100 0064", "8864").length);
        a.send(frame("8100 0064", "0800"), 0, frame("8100 0064", "0800").length);
        a.send(frame("88a8 0064 8100 00c8", "8863"), 0, frame("88a8 0064 8100 00c8", "8863").length);
        a.send(frame("8100 0064 8100 00c8", "8864"), 0, frame("8100 0064 8100 00c8", "8864").length);
        a.send(frame("88a8 0064 8100 00c8", "86dd"), 0, frame("88a8 0064 8100 00c8", "86dd").length);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (received.size() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(200); // let any wrongly passed frame arrive too
        List<String> types = new ArrayList<>();
        for (byte[] f : received) {
            String h = Hex.of(f);
            types.add(h.substring(24, h.indexOf("1109")));
        }
        assertEquals(List.of("8863", "81000064" + "8864", "88a8006481" + "0000c88863", "8100006481" + "0000c88864"),
                types);
    }

    @Test
    void sendIsSafeFromSeveralThreads() throws Exception {
        received.clear();
        int threads = 4;
        int each = 100;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> patterns = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            byte[] f = frame("", "8864");
            java.util.Arrays.fill(f, 30, f.length, (byte) (0x10 + t)); // a per-thread body
            patterns.add(Hex.of(f));
            Thread th = new Thread(() -> {
                try {
                    go.await();
                    for (int i = 0; i < each; i++) {
                        a.send(f, 0, f.length);
                        if (i % 10 == 9) {
                            Thread.sleep(2); // stay under the veth backlog: kernel drops are not what we test
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
            th.join(10_000);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (received.size() < threads * each && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(List.of(), failures);
        for (byte[] r : received) {
            assertTrue(patterns.contains(Hex.of(r)), "frame intact: " + Hex.of(r));
        }
        assertTrue(received.size() >= threads * each * 9 / 10, "received " + received.size());
    }

    @Test
    void everyRunOfFramesEndsWithABatchEndAndBurstsArriveInFewerBatchesThanFrames() throws Exception {
        assertTrue(PcapPort.Dispatch.available(), "the direct pcap_dispatch mapping is in use on Linux");
        ns.exec("ip", "link", "add", "pe", "type", "veth", "peer", "name", "pf");
        ns.exec("ip", "link", "set", "pe", "up");
        ns.exec("ip", "link", "set", "pf", "up");
        PcapPort from = new PcapPort("pe");
        PcapPort to = new PcapPort("pf");
        java.util.concurrent.atomic.AtomicInteger frames = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger sinceBatchEnd = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger batches = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger emptyBatches = new java.util.concurrent.atomic.AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        try {
            ns.call(() -> {
                from.start((buf, off, len) -> { });
                to.start(new FrameReceiver() {
                    @Override
                    public void frame(byte[] buf, int off, int len) {
                        if (frames.incrementAndGet() == 1) {
                            try {
                                go.await(5, TimeUnit.SECONDS); // hold the first frame: the burst queues up in the ring
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                        sinceBatchEnd.incrementAndGet();
                    }

                    @Override
                    public void endOfBatch() {
                        batches.incrementAndGet();
                        if (sinceBatchEnd.getAndSet(0) == 0) {
                            emptyBatches.incrementAndGet();
                        }
                    }
                });
                return null;
            });
            byte[] f = Hex.parse("ffffffffffff" + from.mac().toString().replace(":", "") + "8864" + "1100000100020021" + "00".repeat(40));
            int sent = 200;
            for (int i = 0; i < sent; i++) {
                from.send(f, 0, f.length);
            }
            Thread.sleep(200);
            go.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while ((frames.get() < sent || sinceBatchEnd.get() != 0) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(sent, frames.get(), "every frame received");
            assertEquals(0, sinceBatchEnd.get(), "the last frame was followed by a batch end");
            assertEquals(0, emptyBatches.get(), "no batch end without a frame");
            assertTrue(batches.get() < sent / 2, "a burst waiting in the ring comes as few batches: " + batches.get());
            // a lone frame later is its own batch: nothing waits for a next one
            int before = batches.get();
            from.send(f, 0, f.length);
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (batches.get() == before && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(sent + 1, frames.get());
            assertEquals(before + 1, batches.get(), "the lone frame ended its own batch");
        } finally {
            go.countDown();
            to.close();
            from.close();
        }
    }

    @Test
    void framesTheKernelDropsWhenTheReceiverFallsBehindAreCounted() throws Exception {
        ns.exec("ip", "link", "add", "pc", "type", "veth", "peer", "name", "pd");
        ns.exec("ip", "link", "set", "pc", "up");
        ns.exec("ip", "link", "set", "pd", "up");
        PcapPort from = new PcapPort("pc");
        // a small ring (64 KiB of 128-byte slots) behind a receiver that stops reading
        PcapPort slow = new PcapPort("pd", 64 << 10, true, null, 128);
        CountDownLatch release = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger got = new java.util.concurrent.atomic.AtomicInteger();
        try {
            ns.call(() -> {
                from.start((buf, off, len) -> { });
                slow.start((buf, off, len) -> {
                    got.incrementAndGet();
                    try {
                        release.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                return null;
            });
            assertEquals(0, slow.captureDrops(), "nothing dropped before any traffic");
            byte[] f = Hex.parse("ffffffffffff" + from.mac().toString().replace(":", "") + "8864" + "1100000100020021" + "00".repeat(40));
            int sent = 3000;
            for (int i = 0; i < sent; i++) {
                from.send(f, 0, f.length);
                if (i % 50 == 49) {
                    Thread.sleep(1); // under the veth backlog: the ring is what overflows
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (slow.captureDrops() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            long drops = slow.captureDrops();
            assertTrue(drops > 0 && drops < sent, "ring overflow counted: " + drops + " of " + sent);
            release.countDown();
            slow.close();
            long after = slow.captureDrops();
            assertTrue(after >= drops, "counter never goes back: " + after + " < " + drops);
            assertEquals(after, slow.captureDrops(), "the count survives close");
            assertEquals(0, b.captureDrops(), "a port that keeps up drops nothing");
        } finally {
            release.countDown();
            slow.close();
            from.close();
        }
    }

    @Test
    void missingInterfaceIsAClearError() {
        PcapPort p = new PcapPort("lacd-nope0");
        PortException e = assertThrows(PortException.class, () -> p.start((buf, off, len) -> { }));
        assertEquals(PortException.Kind.NO_SUCH_INTERFACE, e.kind());
        assertTrue(e.getMessage().contains("lacd-nope0"), e.getMessage());
        assertEquals(0, e.getStackTrace().length, "no stack trace for an operator error");
    }
}
