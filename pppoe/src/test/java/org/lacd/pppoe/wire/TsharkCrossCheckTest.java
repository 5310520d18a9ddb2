package org.lacd.pppoe.wire;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.testsupport.RealPeer;
import org.lacd.testsupport.Peers;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lacd.pppoe.testutil.Tshark;

/** tshark must dissect our golden frames (and frames our encoders build) without malformed fields. */
@RealPeer
class TsharkCrossCheckTest {

    @Test
    void tsharkDissectsEveryGoldenFrameCleanly() throws Exception {
        Peers.require(Tshark.available(), "tshark not installed");
        List<byte[]> frames = new ArrayList<>(List.of(GoldenVectors.PADI, GoldenVectors.PADO_QINQ,
                GoldenVectors.PADR_DOT1Q, GoldenVectors.PADS, GoldenVectors.PADT));
        for (String p : GoldenVectors.PPP) {
            frames.add(GoldenVectors.sessionFrame(p));
        }
        String out = Tshark.dissect(frames);
        assertFalse(out.contains("Malformed"), out);
        assertFalse(out.contains("Expert Info (Error"), out);
        assertTrue(out.contains("AC-Name: lacd"), out);
        assertTrue(out.contains("Host-Uniq: deadbeef"), out);
        assertTrue(out.contains("c1/2"), "circuit id dissected");
        assertTrue(out.contains("Configuration Request"), out);
        assertTrue(out.contains("Peer-ID: alice"), out);
        assertTrue(out.contains("Name: alice"), out);
        assertTrue(out.contains("Frame " + frames.size() + ":"), "all frames read");
    }
}
