package org.lacd.l2tp;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * Steers each L2TP datagram to the worker socket that owns its tunnel: a classic BPF program attached to a
 * SO_REUSEPORT group with {@code SO_ATTACH_REUSEPORT_CBPF} (Linux 4.5+). The kernel runs it on the UDP payload (the
 * L2TP header, RFC 2661 3.1) and delivers the datagram to the socket whose index in the group (the order the sockets
 * were bound in) the program returns: the header's Tunnel ID modulo the worker count. A worker gives its tunnels ids
 * congruent to its index, so control and data of a tunnel always reach the loop that runs it.
 *
 * <p>Tunnel ID 0 (an SCCRQ from an LNS) and runts (the load fails, and the program returns 0) go to socket 0, which
 * answers or drops them as a single socket would. An index past the group's size makes the kernel fall back to its
 * hash, which cannot happen while the group has {@code workers} sockets.
 */
final class ReuseportSteering {
    private static final int SOL_SOCKET = 1;
    private static final int SO_ATTACH_REUSEPORT_CBPF = 51;
    /** struct sock_filter: u16 code, u8 jt, u8 jf, u32 k. */
    private static final int INSN = 8;
    /** L2TP header flags (RFC 2661 3.1): the Length bit moves the Tunnel ID from offset 2 to offset 4. */
    private static final int L_BIT = 0x40;
    private static final boolean AVAILABLE = LibC.register(ReuseportSteering.class) == null;

    private ReuseportSteering() {}

    /**
     * The program, one row per instruction: {@code {code, jt, jf, k}}. Opcodes from linux/filter.h:
     * BPF_LD|BPF_B|BPF_ABS 0x30, BPF_LD|BPF_H|BPF_ABS 0x28, BPF_JMP|BPF_JSET|BPF_K 0x45, BPF_JMP|BPF_JA 0x05,
     * BPF_ALU|BPF_MOD|BPF_K 0x94, BPF_RET|BPF_A 0x16.
     */
    static int[][] program(int workers) {
        return new int[][] {
            {0x30, 0, 0, 0},          // A = payload[0]: T L x x S x O P
            {0x45, 0, 2, L_BIT},      // if (A & L) next, else skip 2
            {0x28, 0, 0, 4},          // A = Tunnel ID after Length (offset 4)
            {0x05, 0, 0, 1},          // skip 1
            {0x28, 0, 0, 2},          // A = Tunnel ID at offset 2
            {0x94, 0, 0, workers},    // A = A % workers
            {0x16, 0, 0, 0},          // return A: the socket index
        };
    }

    /**
     * Attaches the program for {@code workers} sockets to the reuseport group of {@code fd}. Returns null on success,
     * else why not (for the log).
     */
    static String attach(int fd, int workers) {
        if (!AVAILABLE) {
            return "setsockopt is not reachable through JNA on this platform";
        }
        int[][] prog = program(workers);
        try (Memory insns = new Memory((long) prog.length * INSN); Memory fprog = new Memory(16)) {
            for (int i = 0; i < prog.length; i++) {
                long at = (long) i * INSN;
                insns.setShort(at, (short) prog[i][0]);
                insns.setByte(at + 2, (byte) prog[i][1]);
                insns.setByte(at + 3, (byte) prog[i][2]);
                insns.setInt(at + 4, prog[i][3]);
            }
            fprog.clear();
            fprog.setShort(0, (short) prog.length); // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
            fprog.setPointer(8, insns);
            if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, fprog, 16) != 0) {
                return "SO_ATTACH_REUSEPORT_CBPF failed: errno " + Native.getLastError();
            }
            return null;
        }
    }

    private static native int setsockopt(int fd, int level, int name, Pointer value, int len);
}
