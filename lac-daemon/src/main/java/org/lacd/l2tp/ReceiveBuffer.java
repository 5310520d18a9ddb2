package org.lacd.l2tp;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * A UDP socket's receive buffer beyond {@code net.core.rmem_max}: SO_RCVBUFFORCE, which the kernel allows a process
 * with CAP_NET_ADMIN (lacd's systemd unit grants it for promiscuous mode). SO_RCVBUF alone is capped at rmem_max,
 * 208 KiB on a stock Debian: a few hundred datagrams, which a storm's LNS answers overflowed while the event loop was
 * busy (17,892 datagrams lost at lacd's L2TP socket in one cold 64,000 storm, each a retransmission or a lost frame).
 * Public for the lab's LNS, whose socket overflowed the same way.
 */
public final class ReceiveBuffer {
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVBUF = 8;
    private static final int SO_RCVBUFFORCE = 33;
    /** getsockopt: the socket's memory counters, u32[SK_MEMINFO_VARS] (Linux 3.x; the drop count since 4.x). */
    private static final int SO_MEMINFO = 55;
    private static final int SK_MEMINFO_DROPS = 8;
    private static final boolean AVAILABLE = LibC.register(ReceiveBuffer.class) == null;

    private ReceiveBuffer() {}

    /** Sets the receive buffer of {@code fd} to {@code bytes} past rmem_max; null on success, else why not (for the log). */
    public static String force(int fd, int bytes) {
        if (!AVAILABLE) {
            return "setsockopt is not reachable through JNA on this platform";
        }
        try (Memory v = new Memory(4)) {
            v.setInt(0, bytes);
            if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, v, 4) != 0) {
                return "SO_RCVBUFFORCE failed: errno " + Native.getLastError() + " (lacd needs CAP_NET_ADMIN)";
            }
            return null;
        }
    }

    /** The receive buffer of {@code fd} as the kernel reports it (twice what was set: it counts its overhead), or -1. */
    public static int bytes(int fd) {
        if (!AVAILABLE) {
            return -1;
        }
        try (Memory v = new Memory(4); Memory len = new Memory(4)) {
            len.setInt(0, 4);
            return getsockopt(fd, SOL_SOCKET, SO_RCVBUF, v, len) == 0 ? v.getInt(0) : -1;
        }
    }

    /**
     * Datagrams the kernel dropped at {@code fd} since it was opened, most of them because the receive buffer was full
     * (SO_MEMINFO's sk_drops: the per-socket count behind /proc/net/udp's "drops"); -1 where the kernel does not say.
     * A 32-bit counter, read as unsigned.
     */
    public static long drops(int fd) {
        if (!AVAILABLE) {
            return -1;
        }
        try (Memory v = new Memory(4 * (SK_MEMINFO_DROPS + 1)); Memory len = new Memory(4)) {
            len.setInt(0, (int) v.size());
            if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, v, len) != 0 || len.getInt(0) < v.size()) {
                return -1;
            }
            return Integer.toUnsignedLong(v.getInt(4L * SK_MEMINFO_DROPS));
        }
    }

    private static native int setsockopt(int fd, int level, int name, Pointer value, int len);

    private static native int getsockopt(int fd, int level, int name, Pointer value, Pointer len);
}
