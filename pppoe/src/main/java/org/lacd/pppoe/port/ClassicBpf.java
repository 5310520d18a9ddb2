package org.lacd.pppoe.port;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The two classic BPF programs of {@link PacketRingPort}, written by hand: the socket filter (which frames enter a
 * worker's ring, or the PADI ring) and the fanout program (which worker gets a frame). A program is a list of {@link Insn} rows, the
 * kernel's {@code struct sock_filter} ({@code linux/filter.h}); jumps are written with labels and resolved once.
 *
 * <p>No libpcap compiler at run time: the ring port must work where libpcap does not load, and libpcap's compiled
 * "vlan" filter depends on the libpcap version. The programs are small enough to read, and a test runs them in a
 * classic-BPF interpreter over golden frames.
 */
final class ClassicBpf {
    /** One instruction: {@code struct sock_filter { __u16 code; __u8 jt; __u8 jf; __u32 k; }}. */
    record Insn(int code, int jt, int jf, int k) {}

    // instruction classes and modes (linux/bpf_common.h)
    static final int LD_W_ABS = 0x20;   // BPF_LD | BPF_W | BPF_ABS: A = 32 bits at [k]
    static final int LD_H_ABS = 0x28;   // BPF_LD | BPF_H | BPF_ABS: A = 16 bits at [k]
    static final int LD_B_ABS = 0x30;   // BPF_LD | BPF_B | BPF_ABS: A = 8 bits at [k]
    static final int JEQ_K = 0x15;      // BPF_JMP | BPF_JEQ | BPF_K
    static final int JSET_K = 0x45;     // BPF_JMP | BPF_JSET | BPF_K
    static final int MOD_K = 0x94;      // BPF_ALU | BPF_MOD | BPF_K: A %= k
    static final int RET_K = 0x06;      // BPF_RET | BPF_K: accept k bytes (0: drop)
    static final int RET_A = 0x16;      // BPF_RET | BPF_A

    /** Ancillary loads (linux/filter.h): {@code SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT}, "ld vlan_avail". */
    static final int SKF_AD_OFF = -0x1000;
    static final int SKF_AD_VLAN_TAG_PRESENT = 48;
    static final int VLAN_AVAIL = SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT;
    /** Loads relative to the link-layer (MAC) header, whatever the skb's data pointer is: {@code SKF_LL_OFF}. */
    static final int SKF_LL_OFF = -0x200000;

    static final int PPPOE_DISCOVERY = 0x8863;
    static final int PPPOE_SESSION = 0x8864;
    /** The tag protocol ids libpcap's "vlan" keyword accepts: 802.1Q, 802.1ad, and the old QinQ 0x9100. */
    static final int TPID_8021Q = 0x8100;
    static final int TPID_8021AD = 0x88a8;
    static final int TPID_QINQ = 0x9100;

    private ClassicBpf() {}

    /** Which PPPoE frames a socket filter passes. */
    enum Select {
        /** Discovery and session frames. */
        ALL,
        /** Everything but PADIs: a worker's ring when the port has a PADI ring. */
        ALL_BUT_PADI,
        /** PADIs only: the PADI ring. */
        PADI
    }

    /** The PPPoE code of a PADI (RFC 2516 5.1). */
    static final int CODE_PADI = 0x09;

    /** {@link #pppoeFilter(int, Select)} of every PPPoE frame. */
    static List<Insn> pppoeFilter(int snaplen) {
        return pppoeFilter(snaplen, Select.ALL);
    }

    /**
     * PPPoE discovery and session frames ({@code select} says which), untagged, single-tagged or QinQ
     * ({@link PcapPort#FILTER}), accepted with {@code snaplen} bytes. On receive the kernel moves the outer
     * 802.1Q/802.1ad tag into the skb's metadata (skb_vlan_untag, on veth too), so the filter sees one tag fewer in the
     * frame and asks "ld vlan_avail" whether that happened: then at most one more tag can be in the frame; otherwise up
     * to two. Offsets are from the destination MAC (a SOCK_RAW packet socket runs its filter with the data pointer at
     * the MAC header). A discovery frame's code is the byte 3 after its ethertype (after the version/type byte).
     */
    static List<Insn> pppoeFilter(int snaplen, Select select) {
        String session = select == Select.PADI ? "drop" : "accept";
        Asm a = new Asm()
                .ld(LD_W_ABS, VLAN_AVAIL)                                // A = outer tag in metadata? (0/1)
                .jeq(0, "frame0", "meta0");
        // no tag in metadata: offset 12 is the outer ethertype, up to two tags follow
        a.label("frame0").ld(LD_H_ABS, 12)                               // ethertype after the MACs
                .jeq(PPPOE_DISCOVERY, discovery(select, 12), null)
                .jeq(PPPOE_SESSION, session, null)
                .jeq(TPID_8021Q, "frame1", null)
                .jeq(TPID_8021AD, "frame1", null)
                .jeq(TPID_QINQ, "frame1", "drop");
        a.label("frame1").ld(LD_H_ABS, 16)                               // ethertype after one tag
                .jeq(PPPOE_DISCOVERY, discovery(select, 16), null)
                .jeq(PPPOE_SESSION, session, null)
                .jeq(TPID_8021Q, "frame2", null)
                .jeq(TPID_8021AD, "frame2", null)
                .jeq(TPID_QINQ, "frame2", "drop");
        a.label("frame2").ld(LD_H_ABS, 20)                               // ethertype after two tags
                .jeq(PPPOE_DISCOVERY, discovery(select, 20), null)
                .jeq(PPPOE_SESSION, session, "drop");
        // the outer tag is in metadata: offset 12 is the ethertype after it, at most one more tag follows
        a.label("meta0").ld(LD_H_ABS, 12)
                .jeq(PPPOE_DISCOVERY, discovery(select, 12), null)
                .jeq(PPPOE_SESSION, session, null)
                .jeq(TPID_8021Q, "meta1", null)
                .jeq(TPID_8021AD, "meta1", null)
                .jeq(TPID_QINQ, "meta1", "drop");
        a.label("meta1").ld(LD_H_ABS, 16)                                // ethertype after the inner tag
                .jeq(PPPOE_DISCOVERY, discovery(select, 16), null)
                .jeq(PPPOE_SESSION, session, "drop");
        if (select != Select.ALL) {
            // a discovery frame's code decides: PADI or not (one block per ethertype offset)
            String padi = select == Select.PADI ? "accept" : "drop";
            String other = select == Select.PADI ? "drop" : "accept";
            for (int at : new int[] {12, 16, 20}) {
                a.label(discovery(select, at)).ld(LD_B_ABS, at + 3)    // the PPPoE code
                        .jeq(CODE_PADI, padi, other);
            }
        }
        return a.label("accept").ret(snaplen)
                .label("drop").ret(0)
                .build();
    }

    /** Where a discovery frame whose ethertype is at {@code at} goes. */
    private static String discovery(Select select, int at) {
        return select == Select.ALL ? "accept" : "code" + at;
    }

    /** Accepts nothing: a worker's socket carries it until it has joined its fanout group. */
    static List<Insn> dropAll() {
        return List.of(new Insn(RET_K, 0, 0, 0));
    }

    /**
     * The PACKET_FANOUT_CBPF program: the worker index for a frame, from the last four bytes of its source MAC, so that
     * every frame of one subscriber (PADI, PADR, LCP, session data) reaches the same worker. The kernel runs it with
     * the skb's data pointer at the network header (after the Ethernet header), hence the link-layer-relative load;
     * the MAC addresses are never in the VLAN metadata, so tags do not move them. The kernel takes the answer modulo
     * the group's size again, which changes nothing while every worker is in the group.
     */
    static List<Insn> fanoutBySourceMac(int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers " + workers);
        }
        return new Asm()
                .ld(LD_W_ABS, SKF_LL_OFF + 8)                            // A = source MAC bytes 2..5 (frame bytes 8..11)
                .alu(MOD_K, workers)                                     // A %= workers
                .retA()
                .build();
    }

    /** A tiny assembler: forward jumps by label ({@code null}: the next instruction). */
    private static final class Asm {
        private final List<Object[]> rows = new ArrayList<>(); // {code, jtLabel, jfLabel, k}
        private final Map<String, Integer> labels = new HashMap<>();

        Asm label(String l) {
            labels.put(l, rows.size());
            return this;
        }

        Asm ld(int code, int k) { return add(code, null, null, k); }

        Asm jeq(int k, String jt, String jf) { return add(JEQ_K, jt, jf, k); }

        Asm alu(int code, int k) { return add(code, null, null, k); }

        Asm ret(int k) { return add(RET_K, null, null, k); }

        Asm retA() { return add(RET_A, null, null, 0); }

        private Asm add(int code, String jt, String jf, int k) {
            rows.add(new Object[] {code, jt, jf, k});
            return this;
        }

        List<Insn> build() {
            List<Insn> out = new ArrayList<>(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                Object[] r = rows.get(i);
                out.add(new Insn((Integer) r[0], jump(i, (String) r[1]), jump(i, (String) r[2]), (Integer) r[3]));
            }
            return List.copyOf(out);
        }

        private int jump(int from, String label) {
            if (label == null) {
                return 0;
            }
            Integer to = labels.get(label);
            if (to == null || to <= from || to - from - 1 > 255) {
                throw new IllegalStateException("bad jump to " + label + " from " + from);
            }
            return to - from - 1;
        }
    }
}
