package org.lacd.pppoe.port;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.testsupport.RealPeer;
import org.lacd.testsupport.Peers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.lacd.pppoe.testutil.Netns;

/** Without CAP_NET_RAW, opening a port is a clear error that names the interface and the capability. */
@RealPeer
class PcapPermissionTest {

    @Test
    void missingCapabilityIsAClearPortException() throws Exception {
        Peers.require(Netns.isRoot() && Files.isExecutable(Path.of("/usr/sbin/capsh")), "needs root and capsh");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        Process p = new ProcessBuilder("/usr/sbin/capsh", "--drop=cap_net_raw,cap_net_admin", "--", "-c",
                "exec \"$0\" -cp \"$1\" -Dlogback.configurationFile=none org.lacd.pppoe.port.PortProbe lo", java, cp)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertTrue(out.contains("KIND=PERMISSION_DENIED"), out);
        assertTrue(out.contains("CAP_NET_RAW"), out);
        assertTrue(out.contains("capture on lo"), out);
        assertTrue(out.contains("FRAMES=0"), out);
    }
}
