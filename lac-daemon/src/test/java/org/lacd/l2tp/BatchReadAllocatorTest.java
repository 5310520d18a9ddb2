package org.lacd.l2tp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.UncheckedBooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The read loop of the engine's recvmmsg sockets: another recvmmsg in the same wake-up only after a full one, and at
 * most {@link L2tpEngine#READ_PER_WAKEUP} datagrams per wake-up. Netty's loop asks the handle after each recvmmsg, with
 * the bytes it offered (slots x slot size) and the bytes it counts as read (datagrams x slot size).
 */
class BatchReadAllocatorTest {
    static final int SLOT = L2tpEngine.MAX_SLOT;
    static final int BATCH = L2tpEngine.RECV_BATCH;

    private static RecvByteBufAllocator.ExtendedHandle handle() {
        RecvByteBufAllocator.ExtendedHandle h = (RecvByteBufAllocator.ExtendedHandle)
                new L2tpEngine.BatchReadAllocator(SLOT * BATCH, L2tpEngine.READ_PER_WAKEUP).newHandle();
        h.reset(new EmbeddedChannel().config());
        return h;
    }

    /** What Netty's recvmmsg path reports after a call that returned {@code datagrams}. */
    private static boolean read(RecvByteBufAllocator.ExtendedHandle h, int datagrams) {
        h.attemptedBytesRead(SLOT * BATCH);
        h.lastBytesRead(Math.max(1, datagrams * SLOT));
        h.incMessagesRead(datagrams);
        return h.continueReading(UncheckedBooleanSupplier.TRUE_SUPPLIER);
    }

    @Test
    void aFullBatchReadsAgainAndAPartOneEndsTheWakeUp() {
        RecvByteBufAllocator.ExtendedHandle h = handle();
        assertEquals(SLOT * BATCH, h.guess(), "one buffer holds a batch of slots");
        assertTrue(read(h, BATCH), "all slots filled: more are likely waiting");
        assertFalse(read(h, 5), "fewer than the slots: the queue is empty, the send at the end of the read runs now");
    }

    @Test
    void aWakeUpReadsAtMostReadPerWakeupDatagrams() {
        RecvByteBufAllocator.ExtendedHandle h = handle();
        int reads = 1;
        while (read(h, BATCH)) {
            reads++;
        }
        assertEquals(L2tpEngine.READ_PER_WAKEUP / BATCH, reads, "full batches read in one wake-up");
        h.reset(new EmbeddedChannel().config());
        assertTrue(read(h, BATCH), "the next wake-up starts counting again");
    }

    @Test
    void oneDatagramAtLowRatesIsOneRecvmmsgPerWakeUp() {
        assertFalse(read(handle(), 1), "no second recvmmsg (and Netty's getsockopt before it) that would find nothing");
    }
}
