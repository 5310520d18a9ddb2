package org.lacd.daemon.ipsec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lacd.daemon.config.LacdConfig.Ipsec;
import org.lacd.daemon.config.LacdConfig.IpsecMode;

/** IpsecManager's decisions against a VICI stand-in ({@link FakeCharon}); the real charon is in the lab test. */
class IpsecManagerTest {
    static final Ipsec POLICY = new Ipsec(IpsecMode.REQUIRED, "lns-a1", "l2tp");
    static final Duration BOUND = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    static InetAddress lns() throws Exception {
        return InetAddress.getByName("198.18.1.2");
    }

    static IpsecManager.Result up(IpsecManager m) throws Exception {
        return m.ensureUp(POLICY, lns(), 1701, BOUND).get(10, TimeUnit.SECONDS);
    }

    @Test
    void downSaIsInitiatedOnDemandThenFoundUpWithoutInitiatingAgain() throws Exception {
        try (FakeCharon charon = new FakeCharon(dir); IpsecManager m = new IpsecManager(charon.socket, (c, ch, why) -> { })) {
            IpsecManager.Result first = up(m);
            assertEquals(IpsecOutcome.UP, first.outcome(), first.detail());
            assertTrue(first.initiated(), "brought up by this call");
            assertEquals(List.of("list-sas", "initiate", "list-sas"), charon.commands);
            assertTrue(m.isUp(POLICY));
            IpsecManager.Result second = up(m);
            assertEquals(IpsecOutcome.UP, second.outcome());
            assertFalse(second.initiated(), "already up: not initiated again");
            assertEquals(1, charon.commands.stream().filter("initiate"::equals).count());
        }
    }

    @Test
    void initiateFailureIsReportedWithCharonsReason() throws Exception {
        try (FakeCharon charon = new FakeCharon(dir); IpsecManager m = new IpsecManager(charon.socket, (c, ch, why) -> { })) {
            charon.initiate = child -> false;
            IpsecManager.Result r = up(m);
            assertEquals(IpsecOutcome.INITIATE_FAILED, r.outcome());
            assertTrue(r.detail().contains("establishing CHILD_SA 'l2tp' failed"), r.detail());
            assertFalse(m.isUp(POLICY));
        }
    }

    @Test
    void saThatDoesNotCoverTheLnsIsRefused() throws Exception {
        try (FakeCharon charon = new FakeCharon(dir); IpsecManager m = new IpsecManager(charon.socket, (c, ch, why) -> { })) {
            charon.initiateTs = List.of("198.18.2.0/24[udp/1701]");
            IpsecManager.Result r = up(m);
            assertEquals(IpsecOutcome.NOT_COVERED, r.outcome(), r.detail());
        }
    }

    @Test
    void noCharonIsControlUnreachable() throws Exception {
        try (IpsecManager m = new IpsecManager(dir.resolve("nothing-here.vici"), (c, ch, why) -> { })) {
            assertEquals(IpsecOutcome.CONTROL_UNREACHABLE, up(m).outcome());
        }
    }

    @Test
    void childDownEventReachesTheListenerAndTheNextCallChecksAgain() throws Exception {
        LinkedBlockingQueue<String> downs = new LinkedBlockingQueue<>();
        try (FakeCharon charon = new FakeCharon(dir);
             IpsecManager m = new IpsecManager(charon.socket, (c, ch, why) -> downs.add(c + "/" + ch))) {
            m.start();
            assertTrue(await(() -> m.watching() && charon.eventListeners() == 1), "event stream registered");
            assertEquals(IpsecOutcome.UP, up(m).outcome());
            charon.childDown("lns-a1", "l2tp");
            assertEquals("lns-a1/l2tp", downs.poll(10, TimeUnit.SECONDS));
            assertFalse(m.isUp(POLICY));
            charon.initiate = child -> false;
            assertEquals(IpsecOutcome.INITIATE_FAILED, up(m).outcome(), "not answered from a stale memory");
        }
    }

    @Test
    void losingTheEventStreamCountsEverySaDown() throws Exception {
        LinkedBlockingQueue<String> downs = new LinkedBlockingQueue<>();
        FakeCharon charon = new FakeCharon(dir);
        try (IpsecManager m = new IpsecManager(charon.socket, (c, ch, why) -> downs.add(why))) {
            m.start();
            assertTrue(await(() -> m.watching() && charon.eventListeners() == 1), "event stream registered");
            assertEquals(IpsecOutcome.UP, up(m).outcome());
            charon.close(); // charon stops: whatever it protected can no longer be vouched for
            String why = downs.poll(10, TimeUnit.SECONDS);
            assertTrue(why != null && why.contains("event stream lost"), String.valueOf(why));
            assertFalse(m.isUp(POLICY));
        }
    }

    @Test
    void charonsNamedPortCoversTheLns() throws Exception {
        assertTrue(IpsecManager.covers(List.of("198.18.1.2/32[udp/l2f]"), lns(), 1701, Map.of("l2f", 1701)));
    }

    private static boolean await(BooleanSupplier c) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end) {
            if (c.getAsBoolean()) {
                return true;
            }
            Thread.onSpinWait();
            Thread.sleep(10); // polling a condition, bounded: not a fixed wait
        }
        return c.getAsBoolean();
    }
}
