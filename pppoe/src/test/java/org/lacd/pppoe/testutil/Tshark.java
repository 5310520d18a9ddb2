package org.lacd.pppoe.testutil;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Writes frames into a classic pcap file by hand and runs {@code tshark -V} on it. */
public final class Tshark {
    private Tshark() {}

    public static boolean available() {
        for (String dir : List.of("/usr/bin", "/usr/sbin", "/usr/local/bin")) {
            if (Files.isExecutable(Path.of(dir, "tshark"))) {
                return true;
            }
        }
        return false;
    }

    public static void writePcap(Path file, List<byte[]> frames) throws IOException {
        int size = 24;
        for (byte[] f : frames) {
            size += 16 + f.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        int t = 0;
        for (byte[] f : frames) {
            b.putInt(1_700_000_000 + t++).putInt(0).putInt(f.length).putInt(f.length).put(f);
        }
        Files.write(file, b.array());
    }

    /** The verbose dissection of every frame. */
    public static String dissect(List<byte[]> frames) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("lacd-tshark");
        Path f = dir.resolve("frames.pcap");
        try {
            writePcap(f, frames);
            Process p = new ProcessBuilder("tshark", "-n", "-r", f.toString(), "-V")
                    .redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("tshark timed out");
            }
            return new String(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(f);
            Files.deleteIfExists(dir);
        }
    }
}
