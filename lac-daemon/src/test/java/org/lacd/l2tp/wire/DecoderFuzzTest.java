package org.lacd.l2tp.wire;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.lacd.wire.MalformedPacketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Random and mutated golden messages through every decoder: the only outcomes allowed are success and
 * {@link MalformedPacketException}, whose offset lies inside the datagram and whose message names offset and reason.
 * The fixed seed must reach every check it can (see {@link #FIXED_SEED_REASONS}), so a decoder that stops checking
 * fails here. Bounded iterations; a fixed seed plus one fresh seed printed for replay.
 */
public class DecoderFuzzTest {
    static final int ITERATIONS = 60_000;
    /**
     * What the fixed seed's mutations reach: every check past the header (lengths, AVP framing, hiding). Not reached
     * by mutating received messages: RESERVED_BITS (ignored on receive), TOO_MANY_AVPS (needs a longer datagram than
     * a mutation makes), HIDDEN_WITHOUT_SECRET (the secret is given), OVERSIZE (the encoder's).
     */
    static final java.util.Set<MalformedPacketException.Reason> FIXED_SEED_REASONS = fixedSeedReasons();

    private static java.util.Set<MalformedPacketException.Reason> fixedSeedReasons() {
        java.util.Set<MalformedPacketException.Reason> s = new java.util.HashSet<>(java.util.EnumSet.complementOf(java.util.EnumSet.of(
                L2tpReason.RESERVED_BITS, L2tpReason.TOO_MANY_AVPS, L2tpReason.HIDDEN_WITHOUT_SECRET, L2tpReason.OVERSIZE)));
        s.add(org.lacd.wire.CommonReason.TRUNCATED);
        return s;
    }
    static final byte[] SECRET = "fuzz".getBytes(StandardCharsets.US_ASCII);

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void fixedSeed() { run(0x1ac_d_2661L, FIXED_SEED_REASONS); }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void freshSeed() {
        long seed = System.nanoTime();
        System.out.println("DecoderFuzzTest fresh seed: " + seed);
        run(seed, java.util.Set.of());
    }

    static List<byte[]> corpus() {
        List<byte[]> c = new ArrayList<>(GoldenVectors.all().values());
        // a message with hidden AVPs, so mutations reach the unhiding code
        List<Avp> hidden = HiddenAvps.hide(ControlMessage.of(MessageType.ICCN, 1, 2, List.of(
                Avp.string(AvpType.PROXY_AUTHEN_NAME, "someone@example.net"), Avp.u16(AvpType.PROXY_AUTHEN_ID, 3),
                Avp.u32(AvpType.TX_CONNECT_SPEED, 1000))).avps(), SECRET, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, a -> true);
        c.add(L2tpCodec.encode(new ControlMessage(1, 2, 0, 0, hidden)));
        return c;
    }

    static void run(long seed, java.util.Set<MalformedPacketException.Reason> expectedReasons) {
        Random rnd = new Random(seed);
        List<byte[]> corpus = corpus();
        int ok = 0;
        int malformed = 0;
        java.util.Set<MalformedPacketException.Reason> reasons = new java.util.HashSet<>();
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] input = i % 10 == 0 ? randomBytes(rnd) : mutate(corpus.get(rnd.nextInt(corpus.size())), rnd);
            try {
                decodeEverything(input);
                ok++;
            } catch (MalformedPacketException e) {
                malformed++;
                reasons.add(e.reason());
                // the offset points into the datagram (its end at most: "needs 2 more bytes at offset <length>")
                if (e.offset() < 0 || e.offset() > input.length) {
                    fail("seed " + seed + " iteration " + i + ": offset " + e.offset() + " outside 0.." + input.length
                            + " in \"" + e.getMessage() + "\" on " + java.util.HexFormat.of().formatHex(input));
                }
                assertNotNull(e.reason(), "a reason");
                assertTrue(e.getMessage().contains("at offset " + e.offset()) && e.getMessage().contains(e.reason().name()),
                        "the message names the offset and the reason: " + e.getMessage());
            } catch (RuntimeException | Error e) {
                fail("seed " + seed + " iteration " + i + ": " + e + " on " + java.util.HexFormat.of().formatHex(input), e);
            }
        }
        assertTrue(ok > 0 && malformed > 0, "both outcomes exercised: ok=" + ok + " malformed=" + malformed);
        assertTrue(reasons.containsAll(expectedReasons), "reasons seen: " + reasons + ", expected at least " + expectedReasons);
    }

    static void decodeEverything(byte[] input) throws MalformedPacketException {
        L2tpPacket p = L2tpCodec.decode(input, 0, input.length);
        if (p instanceof ControlMessage m) {
            List<Avp> avps = HiddenAvps.reveal(m.avps(), SECRET);
            ControlMessage plain = new ControlMessage(m.tunnelId(), m.sessionId(), m.ns(), m.nr(), avps);
            plain.messageType();
            plain.unknownMandatory();
            Avp rc = plain.find(AvpType.RESULT_CODE);
            if (rc != null) {
                ResultCode.parse(rc);
            }
            Avp dc = plain.find(AvpType.PPP_DISCONNECT_CAUSE_CODE);
            if (dc != null) {
                PppDisconnectCause.parse(dc);
            }
            for (Avp a : avps) {
                AvpType k = a.known();
                if (k != null) {
                    switch (k.dataType()) {
                        case U16 -> a.asU16();
                        case U32 -> a.asU32();
                        case U64 -> a.asU64();
                        case STRING -> a.asString();
                        default -> { }
                    }
                }
            }
            // what was decoded re-encodes to something that decodes to the same message (reserved bits are
            // ignored on receive and cleared on send, so the bytes themselves may differ)
            byte[] again = L2tpCodec.encode(m);
            if (!m.equals(L2tpCodec.decode(again, 0, again.length))) {
                throw new AssertionError("decode/encode mismatch");
            }
        }
    }

    static byte[] randomBytes(Random rnd) {
        byte[] b = new byte[rnd.nextInt(64)];
        rnd.nextBytes(b);
        if (b.length > 1 && rnd.nextBoolean()) {
            b[1] = 2; // version 2, to get past the first check
            b[0] = (byte) (rnd.nextBoolean() ? 0xc8 : b[0]);
        }
        return b;
    }

    public static byte[] mutate(byte[] seedMsg, Random rnd) {
        byte[] b = seedMsg.clone();
        int n = 1 + rnd.nextInt(4);
        for (int k = 0; k < n; k++) {
            switch (rnd.nextInt(6)) {
                case 0 -> { // bit flip
                    int i = rnd.nextInt(b.length);
                    b[i] ^= (byte) (1 << rnd.nextInt(8));
                }
                case 1 -> b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                case 2 -> b = Arrays.copyOf(b, rnd.nextInt(b.length + 1)); // truncate
                case 3 -> { // extend with garbage
                    int old = b.length;
                    b = Arrays.copyOf(b, old + 1 + rnd.nextInt(40));
                    for (int i = old; i < b.length; i++) {
                        b[i] = (byte) rnd.nextInt(256);
                    }
                }
                case 4 -> { // AVP or message length fields: rewrite a 16-bit word with a small or huge value
                    if (b.length >= 2) {
                        int i = rnd.nextInt(b.length - 1) & ~1;
                        int v = rnd.nextBoolean() ? rnd.nextInt(16) : rnd.nextInt(65536);
                        b[i] = (byte) (v >>> 8);
                        b[i + 1] = (byte) v;
                    }
                }
                default -> { // duplicate a slice (AVP repetition)
                    if (b.length > 12) {
                        int from = 12 + rnd.nextInt(b.length - 12);
                        int len = Math.min(b.length - from, 1 + rnd.nextInt(20));
                        byte[] c = Arrays.copyOf(b, b.length + len);
                        System.arraycopy(b, from, c, b.length, len);
                        b = c;
                    }
                }
            }
            if (b.length == 0) {
                break;
            }
        }
        return b;
    }
}
