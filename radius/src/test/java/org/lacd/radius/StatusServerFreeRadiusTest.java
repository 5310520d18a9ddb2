package org.lacd.radius;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.lacd.testsupport.RealPeer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lacd.radius.RadiusSettings.MessageAuthenticatorMode;
import org.lacd.radius.RadiusSettings.Server;
import org.lacd.radius.it.FreeRadiusServer;
import org.lacd.radius.wire.RadiusCode;

/** RFC 5997 Status-Server probes as FreeRADIUS answers them, on the authentication and the accounting port. */
@RealPeer
class StatusServerFreeRadiusTest {
    @TempDir
    Path tmp;

    @Test
    void freeRadiusAnswersOurStatusServerOnBothPorts() throws Exception {
        try (FreeRadiusServer fr = FreeRadiusServer.start(tmp)) {
            RadiusSettings s = RadiusSettings.builder().timeout(Duration.ofSeconds(1)).retries(0)
                .authServers(List.of(new Server("127.0.0.1", fr.authPort(), FreeRadiusServer.SECRET, MessageAuthenticatorMode.AUTO)))
                .acctServers(List.of(new Server("127.0.0.1", fr.acctPort(), FreeRadiusServer.SECRET, MessageAuthenticatorMode.AUTO))).build();
            try (RadiusClient auth = new RadiusClient(RadiusStats.RequestType.ACCESS, s.authServers(), s, RadiusStats.NOOP);
                 RadiusClient acct = new RadiusClient(RadiusStats.RequestType.ACCOUNTING, s.acctServers(), s, RadiusStats.NOOP)) {
                auth.start();
                acct.start();
                assertEquals(RadiusCode.ACCESS_ACCEPT, auth.statusServer(0).get(5, TimeUnit.SECONDS).packet().code());
                assertEquals(RadiusCode.ACCOUNTING_RESPONSE, acct.statusServer(0).get(5, TimeUnit.SECONDS).packet().code());
            }
        }
    }
}
