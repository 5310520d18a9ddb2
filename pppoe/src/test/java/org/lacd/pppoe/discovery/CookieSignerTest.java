package org.lacd.pppoe.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.lacd.pppoe.discovery.CookieSigner.Verdict;

/** Issue 14, defect 8: STALE only for a cookie that verifies under an earlier secret, FORGED for anything else. */
class CookieSignerTest {
    static final long MAC = 0x02_00_00_00_00_07L;
    final SplittableRandom random = new SplittableRandom(14);
    final CookieSigner signer = new CookieSigner(random);

    static int generation(byte[] c) {
        return ((c[0] & 0xff) << 24) | ((c[1] & 0xff) << 16) | ((c[2] & 0xff) << 8) | (c[3] & 0xff);
    }

    static byte[] withGeneration(byte[] c, int gen) {
        byte[] out = c.clone();
        out[0] = (byte) (gen >>> 24);
        out[1] = (byte) (gen >>> 16);
        out[2] = (byte) (gen >>> 8);
        out[3] = (byte) gen;
        return out;
    }

    @Test
    void genuineCookieAgesFromValidToStaleToForgotten() {
        byte[] c = signer.issue(0, MAC, 100, 7);
        assertEquals(Verdict.VALID, signer.verify(c, 0, MAC, 100, 7));
        signer.rotate();
        assertEquals(Verdict.VALID, signer.verify(c, 0, MAC, 100, 7), "previous generation still verifies");
        signer.rotate();
        assertEquals(Verdict.STALE, signer.verify(c, 0, MAC, 100, 7), "genuine, too late");
        assertEquals(Verdict.FORGED, signer.verify(c, 0, MAC + 1, 100, 7), "an old generation but not this line's cookie");
        for (int i = 0; i < CookieSigner.STALE_GENERATIONS - 1; i++) {
            signer.rotate();
        }
        assertEquals(Verdict.STALE, signer.verify(c, 0, MAC, 100, 7), "the oldest secret kept");
        signer.rotate();
        assertEquals(Verdict.FORGED, signer.verify(c, 0, MAC, 100, 7), "its secret is gone: cannot be verified");
    }

    @Test
    void randomCookiesWithAnOldGenerationNumberAreForgedNotStale() {
        byte[] genuine = signer.issue(0, MAC, -1, -1);
        int now = generation(genuine);
        for (int i = 0; i < 4; i++) {
            signer.rotate();
        }
        now += 4;
        for (int back : new int[] {2, 3, 4, 5, 20, 1_000_000}) {
            byte[] forged = new byte[CookieSigner.LENGTH];
            random.nextBytes(forged);
            assertEquals(Verdict.FORGED, signer.verify(withGeneration(forged, now - back), 0, MAC, -1, -1), "generation now-" + back);
        }
        // a generation before the first one issued: no secret was ever used for it
        CookieSigner fresh = new CookieSigner(new SplittableRandom(15));
        byte[] c = fresh.issue(0, MAC, -1, -1);
        assertEquals(Verdict.FORGED, fresh.verify(withGeneration(c, generation(c) - 2), 0, MAC, -1, -1));
        assertEquals(Verdict.FORGED, fresh.verify(withGeneration(c, generation(c) + 1), 0, MAC, -1, -1), "a future generation");
    }
}
