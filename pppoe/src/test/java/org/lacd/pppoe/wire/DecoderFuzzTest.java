package org.lacd.pppoe.wire;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.wire.MalformedPacketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.lacd.pppoe.testutil.Hex;

/** Random and mutated input: every decoder either succeeds or throws MalformedPacketException. Seeded, bounded. */
class DecoderFuzzTest {
    private static final long SEED = 0x1acd_2026L;
    private static final int ROUNDS = 60_000;

    private static List<byte[]> seeds() {
        List<byte[]> s = new ArrayList<>(List.of(GoldenVectors.PADI, GoldenVectors.PADO_QINQ, GoldenVectors.PADR_DOT1Q,
                GoldenVectors.PADS, GoldenVectors.PADT));
        for (String p : GoldenVectors.PPP) {
            s.add(GoldenVectors.sessionFrame(p));
        }
        return s;
    }

    private static byte[] mutate(byte[] base, SplittableRandom r) {
        byte[] b = base.clone();
        switch (r.nextInt(6)) {
            case 0 -> b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
            case 1 -> b[r.nextInt(b.length)] = (byte) r.nextInt(256);
            case 2 -> b = Arrays.copyOf(b, r.nextInt(b.length + 1));
            case 3 -> {
                b = Arrays.copyOf(b, b.length + r.nextInt(64));
                for (int i = base.length; i < b.length; i++) {
                    b[i] = (byte) r.nextInt(256);
                }
            }
            case 4 -> { // length fields are the interesting ones: set a 16-bit word to an extreme
                int i = r.nextInt(Math.max(1, b.length - 1));
                int v = r.nextBoolean() ? 0xffff : r.nextInt(8);
                b[i] = (byte) (v >>> 8);
                if (i + 1 < b.length) {
                    b[i + 1] = (byte) v;
                }
            }
            default -> {
                for (int k = 0; k < 1 + r.nextInt(6); k++) {
                    b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                }
            }
        }
        return b;
    }

    /** Runs every decoder; returns how many accepted the input. Anything but the typed exception fails the test. */
    private static int decodeAll(byte[] b, FrameView view) {
        int ok = 0;
        try {
            PppoeDiscovery.Frame f = PppoeDiscovery.decodeFrame(b, 0, b.length);
            f.packet().toFrame(f.eth());
            for (PppoeTag t : f.packet().tags()) {
                if (t.type() == TagType.VENDOR_SPECIFIC.code()) {
                    LineInfo.fromVendorTag(t.value());
                }
            }
            ok++;
        } catch (MalformedPacketException e) {
            assertTrue(e.offset() >= 0);
        }
        try {
            PppoeSessionFrame.Decoded d = PppoeSessionFrame.decode(b, 0, b.length);
            PppControlPacket p = PppControlPacket.decodePpp(d.ppp(), 0, d.ppp().length);
            p.toPppFrame();
            if (p instanceof LcpPacket l && l.kind() != null && l.kind().carriesOptions()) {
                LcpOption.encodeList(l.options());
            }
            ok++;
        } catch (MalformedPacketException e) {
            assertTrue(e.offset() >= 0);
        }
        try {
            PppControlPacket.decodePpp(b, 0, b.length);
            ok++;
        } catch (MalformedPacketException e) {
            assertTrue(e.offset() >= 0);
        }
        try {
            LcpOption.decodeList(b, 0, b.length);
            LineInfo.fromVendorTag(b);
            ok++;
        } catch (MalformedPacketException e) {
            assertTrue(e.offset() >= 0);
        }
        view.parse(b, 0, b.length);
        return ok;
    }

    @Test
    void mutatedGoldenFramesOnlyEverDecodeOrRaiseTheTypedException() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            SplittableRandom r = new SplittableRandom(SEED);
            List<byte[]> seeds = seeds();
            FrameView view = new FrameView();
            int accepted = 0;
            for (int i = 0; i < ROUNDS; i++) {
                byte[] base = seeds.get(r.nextInt(seeds.size()));
                accepted += decodeAll(mutate(base, r), view);
            }
            assertTrue(accepted > 0, "some mutations stay valid (the fuzzer is not only testing rejection)");
        });
    }

    @Test
    void randomBytesOnlyEverDecodeOrRaiseTheTypedException() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            SplittableRandom r = new SplittableRandom(SEED + 1);
            FrameView view = new FrameView();
            byte[] prefix = Hex.parse("ffffffffffff 020000000001");
            for (int i = 0; i < ROUNDS; i++) {
                byte[] b = new byte[r.nextInt(160)];
                for (int k = 0; k < b.length; k++) {
                    b[k] = (byte) r.nextInt(256);
                }
                if (b.length > 20 && r.nextBoolean()) { // steer half of them past the Ethernet header
                    System.arraycopy(prefix, 0, b, 0, prefix.length);
                    b[12] = (byte) 0x88;
                    b[13] = (byte) (r.nextBoolean() ? 0x63 : 0x64);
                    b[14] = 0x11;
                }
                decodeAll(b, view);
            }
        });
    }
}
