package org.lacd.pppoe.port;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.lacd.pppoe.testutil.Hex;

/** {@link ClassicBpf}'s hand-written programs, run in {@link CbpfInterpreter} over annotated golden frames. */
class ClassicBpfTest {
    private static final int SNAPLEN = 1536;
    private static final List<ClassicBpf.Insn> FILTER = ClassicBpf.pppoeFilter(SNAPLEN);

    /** PADI, untagged. */
    static final byte[] PADI = Hex.parse("""
            ffffffffffff            # destination: broadcast
            020000000001            # source: the subscriber
            8863                    # ethertype: PPPoE discovery
            11 09 0000 0004         # ver/type 1/1, code PADI, session 0, length 4
            0101 0000               # Service-Name, empty
            """);
    /** A session frame with one 802.1Q tag in the frame. */
    static final byte[] TAGGED_SESSION = Hex.parse("""
            0200000000aa 020000000001
            8100 0064               # 802.1Q, VLAN 100
            8864                    # PPPoE session
            11 00 0001 0002 0021    # session 1, length 2, PPP protocol IPv4
            """);
    /** QinQ: 802.1ad outer 100, 802.1Q inner 200, PPPoE discovery. */
    static final byte[] QINQ = Hex.parse("""
            ffffffffffff 020000000001
            88a8 0064               # 802.1ad S-tag, VLAN 100
            8100 00c8               # 802.1Q C-tag, VLAN 200
            8863                    # PPPoE discovery
            11 09 0000 0000         # PADI, no tags
            """);
    /** A session frame whose outer tag the kernel moved into the skb metadata: no tag left in the bytes. */
    static final byte[] SESSION_TAG_IN_METADATA = Hex.parse("""
            0200000000aa 020000000001
            8864                    # PPPoE session (vlan_avail = 1)
            11 00 0001 0002 0021
            """);
    /** QinQ with the outer tag in metadata: the inner tag is still in the bytes. */
    static final byte[] QINQ_INNER_LEFT = Hex.parse("""
            ffffffffffff 020000000001
            8100 00c8               # inner C-tag, VLAN 200 (vlan_avail = 1: the S-tag is in metadata)
            8863
            11 09 0000 0000
            """);
    static final byte[] IPV4 = Hex.parse("""
            0200000000aa 020000000001
            0800                    # IPv4
            4500 0014 0000 0000 4011 0000 0a000001 0a000002
            """);
    static final byte[] ARP = Hex.parse("""
            ffffffffffff 020000000001
            0806                    # ARP
            0001 0800 06 04 0001 020000000001 0a000001 000000000000 0a000002
            """);
    static final byte[] TAGGED_IPV4 = Hex.parse("""
            0200000000aa 020000000001
            8100 0064               # 802.1Q, VLAN 100
            0800                    # IPv4
            4500 0014 0000 0000 4011 0000 0a000001 0a000002
            """);
    /** Three tags deep: beyond what PcapPort.FILTER accepts. */
    static final byte[] THREE_TAGS = Hex.parse("""
            ffffffffffff 020000000001
            88a8 0064 8100 00c8 8100 012c
            8863
            11 09 0000 0000
            """);

    @Test
    void pppoeFramesUntaggedTaggedAndQinqAreAcceptedWithTheSnaplen() {
        assertEquals(SNAPLEN, CbpfInterpreter.run(FILTER, PADI, 0, false), "untagged PADI");
        assertEquals(SNAPLEN, CbpfInterpreter.run(FILTER, TAGGED_SESSION, 0, false), "802.1Q session frame");
        assertEquals(SNAPLEN, CbpfInterpreter.run(FILTER, QINQ, 0, false), "QinQ discovery frame");
    }

    @Test
    void framesWhoseOuterTagIsInMetadataAreAccepted() {
        assertEquals(SNAPLEN, CbpfInterpreter.run(FILTER, SESSION_TAG_IN_METADATA, 0, true), "tag in metadata");
        assertEquals(SNAPLEN, CbpfInterpreter.run(FILTER, QINQ_INNER_LEFT, 0, true), "QinQ, outer tag in metadata");
        assertEquals(SNAPLEN, CbpfInterpreter.run(FILTER, PADI, 0, true), "PADI with a tag in metadata");
    }

    @Test
    void otherFramesAreDropped() {
        assertEquals(0, CbpfInterpreter.run(FILTER, IPV4, 0, false), "IPv4");
        assertEquals(0, CbpfInterpreter.run(FILTER, ARP, 0, false), "ARP");
        assertEquals(0, CbpfInterpreter.run(FILTER, TAGGED_IPV4, 0, false), "802.1Q IPv4");
        assertEquals(0, CbpfInterpreter.run(FILTER, IPV4, 0, true), "IPv4 with its tag in metadata");
        assertEquals(0, CbpfInterpreter.run(FILTER, THREE_TAGS, 0, false), "three tags");
        // QinQ with the outer tag in metadata leaves two tags' worth of room: one tag more in the bytes is too deep
        assertEquals(0, CbpfInterpreter.run(FILTER, QINQ, 0, true), "three tags counting the one in metadata");
        assertEquals(0, CbpfInterpreter.run(FILTER, Hex.parse("ffffffffffff 0200000000"), 0, false), "runt");
    }

    /** A PADR with one 802.1Q tag in the frame, and the same with its tag in metadata: the code byte moves with it. */
    static final byte[] TAGGED_PADR = Hex.parse("""
            0200000000aa 020000000001
            8100 0064               # 802.1Q, VLAN 100
            8863
            11 19 0000 0004         # PADR
            0101 0000
            """);
    static final byte[] PADT_TAG_IN_METADATA = Hex.parse("""
            0200000000aa 020000000001
            8863                    # (vlan_avail = 1)
            11 a7 0001 0000         # PADT of session 1
            """);
    /** QinQ, both tags in the frame, a PADR: the code is 3 bytes after the ethertype at offset 20. */
    static final byte[] QINQ_PADR = Hex.parse("""
            0200000000aa 020000000001
            88a8 0064 8100 00c8
            8863
            11 19 0000 0000
            """);

    @Test
    void withAPadiRingTheWorkersFilterPassesEverythingButPadisAndThePadiFilterOnlyThem() {
        List<ClassicBpf.Insn> workers = ClassicBpf.pppoeFilter(SNAPLEN, ClassicBpf.Select.ALL_BUT_PADI);
        List<ClassicBpf.Insn> padis = ClassicBpf.pppoeFilter(SNAPLEN, ClassicBpf.Select.PADI);
        // {frame, tag in metadata, is a PADI}
        Object[][] cases = {
            {PADI, false, true}, {PADI, true, true}, {QINQ, false, true}, {QINQ_INNER_LEFT, true, true},
            {TAGGED_PADR, false, false}, {PADT_TAG_IN_METADATA, true, false}, {QINQ_PADR, false, false},
            {TAGGED_SESSION, false, false}, {SESSION_TAG_IN_METADATA, true, false},
        };
        for (Object[] c : cases) {
            byte[] f = (byte[]) c[0];
            boolean meta = (Boolean) c[1];
            boolean padi = (Boolean) c[2];
            String what = Hex.of(f) + (meta ? " (tag in metadata)" : "");
            assertEquals(SNAPLEN, CbpfInterpreter.run(FILTER, f, 0, meta), "all: " + what);
            assertEquals(padi ? 0 : SNAPLEN, CbpfInterpreter.run(workers, f, 0, meta), "all but PADIs: " + what);
            assertEquals(padi ? SNAPLEN : 0, CbpfInterpreter.run(padis, f, 0, meta), "PADIs: " + what);
        }
        for (byte[] f : List.of(IPV4, ARP, TAGGED_IPV4, THREE_TAGS)) {
            assertEquals(0, CbpfInterpreter.run(workers, f, 0, false), Hex.of(f));
            assertEquals(0, CbpfInterpreter.run(padis, f, 0, false), Hex.of(f));
        }
    }

    @Test
    void theDropAllFilterDropsEverything() {
        for (byte[] f : List.of(PADI, TAGGED_SESSION, QINQ, IPV4)) {
            assertEquals(0, CbpfInterpreter.run(ClassicBpf.dropAll(), f, 0, false));
        }
    }

    @Test
    void fanoutKeysOnTheSourceMacOnlyWhateverTheTags() {
        List<ClassicBpf.Insn> fanout = ClassicBpf.fanoutBySourceMac(4);
        // source 02:00:00:00:00:01 -> bytes 8..11 = 0x00000001 -> worker 1, for every frame of it
        for (byte[] f : List.of(PADI, TAGGED_SESSION, QINQ, SESSION_TAG_IN_METADATA, QINQ_INNER_LEFT)) {
            assertEquals(1, CbpfInterpreter.run(fanout, f, 14, false), Hex.of(f));
        }
        byte[] other = PADI.clone();
        other[11] = 0x07; // source ...:07
        assertEquals(3, CbpfInterpreter.run(fanout, other, 14, false));
        other[8] = (byte) 0xff; // high bytes count too: 0xff000007 % 4 = 3
        assertEquals((int) (0xff000007L % 4), CbpfInterpreter.run(fanout, other, 14, false));
    }

    @Test
    void fanoutSpreadsConsecutiveMacsOverEveryWorker() {
        for (int workers : new int[] {1, 2, 3, 8}) {
            List<ClassicBpf.Insn> fanout = ClassicBpf.fanoutBySourceMac(workers);
            Set<Integer> seen = new HashSet<>();
            for (int m = 0; m < 64; m++) {
                byte[] f = PADI.clone();
                f[10] = (byte) (m >>> 8);
                f[11] = (byte) m;
                int w = CbpfInterpreter.run(fanout, f, 14, false);
                assertTrue(w >= 0 && w < workers, "worker " + w);
                seen.add(w);
            }
            assertEquals(workers, seen.size(), workers + " workers");
        }
    }

    @Test
    void jumpsStayInsideTheProgramAndEveryPathEnds() {
        for (int i = 0; i < FILTER.size(); i++) {
            ClassicBpf.Insn in = FILTER.get(i);
            if (in.code() == ClassicBpf.RET_K || in.code() == ClassicBpf.RET_A) {
                continue;
            }
            assertTrue(i + 1 + in.jt() < FILTER.size() && i + 1 + in.jf() < FILTER.size(), "row " + i);
        }
        assertNotEquals(ClassicBpf.RET_K, FILTER.get(0).code());
        assertEquals(ClassicBpf.RET_K, FILTER.get(FILTER.size() - 1).code());
    }
}
