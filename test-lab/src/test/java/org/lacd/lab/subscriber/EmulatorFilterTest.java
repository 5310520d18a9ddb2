package org.lacd.lab.subscriber;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.lacd.pppoe.port.PcapPort;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

/** {@link EmulatorConfig#pcapFilter}, compiled by libpcap and run over frames as the kernel would run it. */
class EmulatorFilterTest {
    static final long AC = 0x02_00_00_00_ac_01L;

    /** A frame from the access concentrator to {@code dst}: {@code tags} 802.1Q tags, then {@code ethertype}. */
    static byte[] frame(long dst, int tags, int ethertype) {
        ByteBuffer b = ByteBuffer.allocate(64);
        b.putShort((short) (dst >>> 32)).putInt((int) dst);
        b.putShort((short) (AC >>> 32)).putInt((int) AC);
        for (int i = 0; i < tags; i++) {
            b.putShort((short) (i == 0 && tags == 2 ? 0x88a8 : 0x8100)).putShort((short) (100 + i));
        }
        b.putShort((short) ethertype);
        b.put((byte) 0x11).put((byte) 0x07); // PPPoE version/type, PADO
        return b.array();
    }

    static BpfProgram compile(EmulatorConfig c) throws Exception {
        return Pcaps.compileFilter(2048, DataLinkType.EN10MB, c.pcapFilter(PcapPort.FILTER), BpfProgram.BpfCompileMode.OPTIMIZE,
                (java.net.Inet4Address) java.net.InetAddress.getByAddress(new byte[4]));
    }

    @Test
    void passesPppoeToItsOwnSubscribersOnlyTaggedOrNot() throws Exception {
        EmulatorConfig c = EmulatorConfig.builder().count(32_000).macBase(0x02_00_0a_04_00_00L).build();
        BpfProgram p = compile(c);
        try {
            for (int tags = 0; tags <= 2; tags++) {
                for (int type : new int[] {0x8863, 0x8864}) {
                    assertTrue(p.applyFilter(frame(c.mac(1), tags, type)), "first subscriber, tags " + tags);
                    assertTrue(p.applyFilter(frame(c.mac(17_000), tags, type)));
                    assertTrue(p.applyFilter(frame(c.mac(32_000), tags, type)), "last subscriber");
                    assertFalse(p.applyFilter(frame(c.mac(0), tags, type)), "the base itself is nobody's");
                    assertFalse(p.applyFilter(frame(c.mac(32_001), tags, type)), "past the last");
                    assertFalse(p.applyFilter(frame(0x02_00_0b_04_00_01L, tags, type)), "another emulator's subscriber");
                    assertFalse(p.applyFilter(frame(0xffff_ffff_ffffL, tags, type)), "broadcast: other subscribers' PADIs");
                }
                assertFalse(p.applyFilter(frame(c.mac(1), tags, 0x0800)), "not PPPoE");
            }
        } finally {
            p.free();
        }
    }

    @Test
    void aRangeAcrossA16BitBoundaryKeepsItsMiddle() throws Exception {
        EmulatorConfig c = EmulatorConfig.builder().count(200_000).macBase(0x02_00_0a_04_ff_f0L).build();
        BpfProgram p = compile(c);
        try {
            for (int n : new int[] {1, 15, 16, 17, 70_000, 131_000, 200_000}) {
                assertTrue(p.applyFilter(frame(c.mac(n), 0, 0x8864)), "subscriber " + n);
                assertTrue(p.applyFilter(frame(c.mac(n), 1, 0x8864)), "subscriber " + n + ", tagged");
            }
            assertFalse(p.applyFilter(frame(c.mac(0), 0, 0x8864)));
            assertFalse(p.applyFilter(frame(c.mac(200_001), 0, 0x8864)));
            assertFalse(p.applyFilter(frame(c.mac(-16), 0, 0x8864)), "below, in the first block");
        } finally {
            p.free();
        }
    }
}
