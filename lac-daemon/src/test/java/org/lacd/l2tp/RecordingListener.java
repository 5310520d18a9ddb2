package org.lacd.l2tp;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records call events for tests. */
final class RecordingListener implements CallListener {
    final CountDownLatch up = new CountDownLatch(1);
    final CountDownLatch down = new CountDownLatch(1);
    volatile CallDownCause cause;
    final LinkedBlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
    /** "placing", "up", "down" in the order they came. */
    final java.util.List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void callPlacing(L2tpCall c) { events.add("placing"); }

    @Override
    public void callUp(L2tpCall c) {
        events.add("up");
        up.countDown();
    }

    @Override
    public void callDown(L2tpCall c, CallDownCause cause) {
        events.add("down");
        this.cause = cause;
        down.countDown();
    }

    @Override
    public void pppFromLns(L2tpCall c, byte[] buf, int off, int len) { frames.add(Arrays.copyOfRange(buf, off, off + len)); }

    boolean awaitUp() throws InterruptedException { return up.await(5, TimeUnit.SECONDS); }

    boolean awaitDown() throws InterruptedException { return down.await(10, TimeUnit.SECONDS); }
}
