package org.lacd.pppoe.discovery;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.random.RandomGenerator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AC-Cookie (RFC 2516 Appendix A: "used by the AC to aid in protecting against denial of service attacks").
 * Cookie = generation(4) || HMAC-SHA256(secret[generation], interface || MAC || outer VLAN || inner VLAN ||
 * generation) truncated to 16 bytes. The secret rotates every period ({@link #rotate}); cookies of the current and
 * the previous generation verify. A cookie is STALE only when it verifies under one of the {@value #STALE_GENERATIONS}
 * secrets before those (a genuine cookie that came too late); anything else, whatever its generation number, is
 * FORGED. Each verification computes at most one HMAC. Server thread only.
 */
public final class CookieSigner {
    public static final int LENGTH = 20;
    private static final int MAC_BYTES = 16;
    /** Secrets kept, beyond current and previous, only to tell a late genuine cookie (stale) from a forged one. */
    static final int STALE_GENERATIONS = 8;

    /** Verification outcome. */
    public enum Verdict { VALID, FORGED, STALE }

    private final RandomGenerator random;
    private Mac current;
    private Mac previous;
    /** older[0] is the secret before previous, older[1] the one before that, ...; null where none yet. */
    private final Mac[] older = new Mac[STALE_GENERATIONS];
    private int generation;

    public CookieSigner(RandomGenerator random) {
        this.random = random;
        this.generation = random.nextInt() & 0x7fff_ffff;
        this.current = newMac();
    }

    private Mac newMac() {
        byte[] key = new byte[32];
        random.nextBytes(key);
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            return m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** New secret; the current one becomes the previous one, the previous one is forgotten. */
    public void rotate() {
        System.arraycopy(older, 0, older, 1, STALE_GENERATIONS - 1);
        older[0] = previous;
        previous = current;
        current = newMac();
        generation++;
    }

    public byte[] issue(int port, long mac, int outerVlan, int innerVlan) {
        byte[] c = new byte[LENGTH];
        put32(c, 0, generation);
        byte[] h = sign(current, port, mac, outerVlan, innerVlan, generation);
        System.arraycopy(h, 0, c, 4, MAC_BYTES);
        return c;
    }

    public Verdict verify(byte[] cookie, int port, long mac, int outerVlan, int innerVlan) {
        if (cookie == null || cookie.length != LENGTH) {
            return Verdict.FORGED;
        }
        int gen = ((cookie[0] & 0xff) << 24) | ((cookie[1] & 0xff) << 16) | ((cookie[2] & 0xff) << 8) | (cookie[3] & 0xff);
        int age = generation - gen; // wraps like the generation counter
        Mac m;
        if (age == 0) {
            m = current;
        } else if (age == 1) {
            m = previous;
        } else if (age >= 2 && age < 2 + STALE_GENERATIONS) {
            m = older[age - 2];
        } else {
            return Verdict.FORGED; // a generation we never issued, or so old its secret is gone: cannot verify
        }
        if (m == null) {
            return Verdict.FORGED; // before that many rotations: never issued
        }
        byte[] h = sign(m, port, mac, outerVlan, innerVlan, gen);
        if (!MessageDigest.isEqual(Arrays.copyOfRange(cookie, 4, LENGTH), Arrays.copyOf(h, MAC_BYTES))) {
            return Verdict.FORGED;
        }
        return age <= 1 ? Verdict.VALID : Verdict.STALE;
    }

    private static byte[] sign(Mac m, int port, long mac, int outerVlan, int innerVlan, int gen) {
        byte[] in = new byte[16];
        in[0] = (byte) (port >>> 8);
        in[1] = (byte) port;
        for (int i = 0; i < 6; i++) {
            in[2 + i] = (byte) (mac >>> (40 - 8 * i));
        }
        in[8] = (byte) (outerVlan >>> 8);
        in[9] = (byte) outerVlan;
        in[10] = (byte) (innerVlan >>> 8);
        in[11] = (byte) innerVlan;
        put32(in, 12, gen);
        return m.doFinal(in);
    }

    private static void put32(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 24);
        b[o + 1] = (byte) (v >>> 16);
        b[o + 2] = (byte) (v >>> 8);
        b[o + 3] = (byte) v;
    }
}
