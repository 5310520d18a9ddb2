package org.lacd.lab.bench;

/**
 * Heap per idle session: opens N sessions up to "awaiting decision" (LCP open, CHAP captured) and measures the
 * used heap before and after (after full GCs). Run: {@code java -cp ... org.lacd.lab.bench.PppoeSessionFootprint 20000}.
 */
public final class PppoeSessionFootprint {
    private PppoeSessionFootprint() {}

    private static long usedAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 6; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20000;
        PppoeBenchRig rig = new PppoeBenchRig(65534);
        // warm up the code paths (and the rig's own structures) with one session that is closed again
        int s0 = rig.negotiate(0x0277_0000_0000L);
        rig.padt(0x0277_0000_0000L, s0);
        rig.inbox.clear();
        long before = usedAfterGc();
        for (int i = 0; i < n; i++) {
            rig.negotiate(0x0200_0000_0000L | i);
            rig.inbox.clear();
        }
        long after = usedAfterGc();
        if (rig.server.sessionCount() != n) {
            throw new IllegalStateException("expected " + n + " sessions, have " + rig.server.sessionCount());
        }
        System.out.printf("sessions=%d heapBefore=%d heapAfter=%d bytesPerSession=%d%n", n, before, after,
                (after - before) / n);
        System.out.println(rig.server.sessionCount() > 0 ? "ok" : "none");
    }
}
