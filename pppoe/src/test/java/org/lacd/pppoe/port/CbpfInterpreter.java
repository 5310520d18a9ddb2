package org.lacd.pppoe.port;

import java.util.List;

/**
 * Just enough of the kernel's classic BPF machine (net/core/filter.c) to run {@link ClassicBpf}'s programs: ld/ldh/ldb
 * with absolute offsets, link-layer-relative loads ({@code SKF_LL_OFF}), the ancillary "vlan_avail" load, jeq, jset,
 * mod by a constant, ret k and ret a. Absolute offsets count from {@code dataOffset} in the frame (0 for a SOCK_RAW
 * socket filter, 14 for the fanout program, which the kernel runs at the network header); a load past the end of the
 * frame ends the program with 0, as in the kernel. Any other instruction fails the test.
 */
final class CbpfInterpreter {
    private CbpfInterpreter() {}

    static int run(List<ClassicBpf.Insn> prog, byte[] frame, int dataOffset, boolean vlanAvail) {
        int a = 0;
        int pc = 0;
        for (int steps = 0; steps < 4096; steps++) {
            ClassicBpf.Insn in = prog.get(pc++);
            switch (in.code()) {
                case ClassicBpf.LD_W_ABS, ClassicBpf.LD_H_ABS, ClassicBpf.LD_B_ABS -> {
                    int size = in.code() == ClassicBpf.LD_W_ABS ? 4 : in.code() == ClassicBpf.LD_H_ABS ? 2 : 1;
                    int k = in.k();
                    if (k == ClassicBpf.VLAN_AVAIL) {
                        a = vlanAvail ? 1 : 0;
                        continue;
                    }
                    int at;
                    if (k >= ClassicBpf.SKF_LL_OFF && k < ClassicBpf.SKF_LL_OFF + 0x10000) {
                        at = k - ClassicBpf.SKF_LL_OFF;
                    } else if (k >= 0) {
                        at = dataOffset + k;
                    } else {
                        throw new AssertionError("unsupported negative load " + k);
                    }
                    if (at + size > frame.length) {
                        return 0;
                    }
                    a = 0;
                    for (int i = 0; i < size; i++) {
                        a = (a << 8) | (frame[at + i] & 0xff);
                    }
                }
                case ClassicBpf.JEQ_K -> pc += a == in.k() ? in.jt() : in.jf();
                case ClassicBpf.JSET_K -> pc += (a & in.k()) != 0 ? in.jt() : in.jf();
                case ClassicBpf.MOD_K -> a = Integer.remainderUnsigned(a, in.k());
                case ClassicBpf.RET_K -> { return in.k(); }
                case ClassicBpf.RET_A -> { return a; }
                default -> throw new AssertionError("instruction not in the interpreter: 0x" + Integer.toHexString(in.code()));
            }
        }
        throw new AssertionError("program did not end");
    }
}
