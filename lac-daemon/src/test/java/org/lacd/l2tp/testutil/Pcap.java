package org.lacd.l2tp.testutil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes UDP payloads into a classic pcap file behind fake Ethernet/IPv4/UDP headers (UDP 1701 both ways). */
public final class Pcap {
    private Pcap() {}

    public static void write(Path file, List<byte[]> udpPayloads) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer gh = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        gh.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        out.write(gh.array());
        int sec = 1_700_000_000;
        for (byte[] p : udpPayloads) {
            int ipLen = 20 + 8 + p.length;
            ByteBuffer f = ByteBuffer.allocate(14 + ipLen);
            f.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
            int ipStart = f.position();
            f.put((byte) 0x45).put((byte) 0).putShort((short) ipLen).putShort((short) 1).putShort((short) 0)
                    .put((byte) 64).put((byte) 17).putShort((short) 0)
                    .put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, 2});
            int sum = 0;
            for (int i = 0; i < 20; i += 2) {
                sum += ((f.get(ipStart + i) & 0xff) << 8) | (f.get(ipStart + i + 1) & 0xff);
            }
            while ((sum >> 16) != 0) {
                sum = (sum & 0xffff) + (sum >> 16);
            }
            f.putShort(ipStart + 10, (short) ~sum);
            f.putShort((short) 1701).putShort((short) 1701).putShort((short) (8 + p.length)).putShort((short) 0).put(p);
            ByteBuffer rh = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            rh.putInt(sec++).putInt(0).putInt(f.capacity()).putInt(f.capacity());
            out.write(rh.array());
            out.write(f.array());
        }
        Files.write(file, out.toByteArray());
    }
}
