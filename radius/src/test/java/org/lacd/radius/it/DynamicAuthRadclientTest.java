package org.lacd.radius.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.testsupport.RealPeer;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lacd.radius.CountingRadiusStats;
import org.lacd.radius.RadiusSettings;
import org.lacd.radius.RadiusStats.DaeResult;
import org.lacd.radius.TerminateCause;
import org.lacd.radius.dae.DisconnectHandler;
import org.lacd.radius.dae.DynamicAuthServer;
import org.lacd.radius.dae.SessionCriteria;

/** RFC 5176 Disconnect/CoA requests sent by FreeRADIUS's radclient to lacd's DynamicAuthServer. */
@RealPeer
class DynamicAuthRadclientTest {
    static final String SECRET = "dae-secret";

    record Sess(String id, String user, byte[] mac, String portId) { }

    final List<Sess> sessions = new CopyOnWriteArrayList<>(List.of(
        new Sess("sess-1", "alice@resellera.example", new byte[] {2, 0, 0, 0, 0, 1}, "eth1:10.20"),
        new Sess("sess-2", "bob@resellerb.example", new byte[] {2, 0, 0, 0, 0, 2}, "eth1:10.21"),
        new Sess("sess-3", "bob@resellerb.example", new byte[] {2, 0, 0, 0, 0, 3}, "eth1:10.22"),
        new Sess("sess-4", "stuck@resellerb.example", new byte[] {2, 0, 0, 0, 0, 4}, "eth1:10.23")));
    final List<String> ended = new CopyOnWriteArrayList<>();
    CountingRadiusStats stats;
    DynamicAuthServer<Sess> das;

    final DisconnectHandler<Sess> handler = new DisconnectHandler<>() {
        @Override
        public List<Sess> find(SessionCriteria c) {
            List<Sess> out = new ArrayList<>();
            for (Sess s : sessions) {
                if (c.acctSessionId().map(s.id()::equals).orElse(true) && c.userName().map(s.user()::equals).orElse(true)
                    && c.nasPortId().map(s.portId()::equals).orElse(true)
                    && (c.callingStationId().isEmpty() || c.callingMac().map(m -> Arrays.equals(m, s.mac())).orElse(false))) {
                    out.add(s);
                }
            }
            return out;
        }

        @Override
        public boolean disconnect(Sess s, TerminateCause cause) {
            if (s.user().startsWith("stuck")) {
                return false;
            }
            ended.add(s.id() + ":" + cause);
            sessions.remove(s);
            return true;
        }
    };

    DynamicAuthServer<Sess> server(List<RadiusSettings.DaeClient> clients) throws Exception {
        RadiusSettings s = RadiusSettings.builder().nasIdentifier("lacd-1")
            .dae(new RadiusSettings.Dae(InetAddress.getLoopbackAddress(), OptionalInt.of(0), clients, false)).build();
        DynamicAuthServer<Sess> d = new DynamicAuthServer<>(s, handler, stats);
        d.start();
        return d;
    }

    @BeforeEach
    void up() throws Exception {
        FreeRadiusServer.assumeAvailable();
        stats = new CountingRadiusStats();
        das = server(List.of(new RadiusSettings.DaeClient(InetAddress.getByName("127.0.0.1"), SECRET)));
    }

    @AfterEach
    void down() {
        if (das != null) {
            das.stop();
        }
    }

    /** radclient waits 3 s for an answer: a test that expects none waits that long. */
    FreeRadiusServer.RadclientResult send(String command, String secret, String attrs) throws Exception {
        return FreeRadiusServer.radclient("127.0.0.1:" + das.port(), command, secret, attrs, 3);
    }

    @Test
    void disconnectByAcctSessionIdIsAcked() throws Exception {
        var r = send("disconnect", SECRET, "Acct-Session-Id = \"sess-1\"\n");
        assertTrue(r.output().contains("Received Disconnect-ACK"), r.output());
        assertEquals(List.of("sess-1:ADMIN_RESET"), ended);
        assertEquals(1, stats.daeCount(DaeResult.DISCONNECT_ACK));
    }

    @Test
    void disconnectByUserNameEndsEveryMatchingSessionWithTheGivenCause() throws Exception {
        var r = send("disconnect", SECRET, "User-Name = \"bob@resellerb.example\"\nAcct-Terminate-Cause = Idle-Timeout\n"
            + "NAS-Identifier = \"lacd-1\"\nMessage-Authenticator = 0x00\n");
        assertTrue(r.output().contains("Received Disconnect-ACK"), r.output());
        assertEquals(List.of("sess-2:IDLE_TIMEOUT", "sess-3:IDLE_TIMEOUT"), ended);
    }

    @Test
    void disconnectByCallingStationIdAndNasPortId() throws Exception {
        var r = send("disconnect", SECRET, "Calling-Station-Id = \"02-00-00-00-00-02\"\nNAS-Port-Id = \"eth1:10.21\"\n");
        assertTrue(r.output().contains("Received Disconnect-ACK"), r.output());
        assertEquals(List.of("sess-2:ADMIN_RESET"), ended);
        r = send("disconnect", SECRET, "Calling-Station-Id = \"02:00:00:00:00:03\"\nNAS-Port-Id = \"eth1:10.21\"\n");
        assertTrue(r.output().contains("Error-Cause = Session-Context-Not-Found"), r.output());
    }

    @Test
    void nakReasons() throws Exception {
        var r = send("disconnect", SECRET, "Acct-Session-Id = \"no-such\"\n");
        assertTrue(r.output().contains("Received Disconnect-NAK") && r.output().contains("Error-Cause = Session-Context-Not-Found"), r.output());
        r = send("disconnect", SECRET, "Acct-Session-Id = \"sess-1\"\nFramed-IP-Address = 10.0.0.1\n");
        assertTrue(r.output().contains("Error-Cause = Unsupported-Attribute"), r.output());
        r = send("disconnect", SECRET, "NAS-Identifier = \"lacd-1\"\nEvent-Timestamp = " + System.currentTimeMillis() / 1000 + "\n");
        assertTrue(r.output().contains("Error-Cause = Missing-Attribute"), r.output());
        r = send("disconnect", SECRET, "Acct-Session-Id = \"sess-1\"\nNAS-Identifier = \"other-nas\"\n");
        assertTrue(r.output().contains("Error-Cause = NAS-Identification-Mismatch"), r.output());
        r = send("disconnect", SECRET, "User-Name = \"stuck@resellerb.example\"\n");
        assertTrue(r.output().contains("Error-Cause = Session-Context-Not-Removable"), r.output());
        assertEquals(List.of(), ended, "nothing was ended by a NAKed request");
        assertEquals(5, stats.daeCount(DaeResult.DISCONNECT_NAK));
    }

    @Test
    void coaIsNakedWithTheRightErrorCause() throws Exception {
        var r = send("coa", SECRET, "Acct-Session-Id = \"sess-1\"\nSession-Timeout = 60\n");
        assertTrue(r.output().contains("Received CoA-NAK") && r.output().contains("Error-Cause = Unsupported-Attribute"), r.output());
        r = send("coa", SECRET, "Acct-Session-Id = \"sess-1\"\nService-Type = Authorize-Only\n");
        assertTrue(r.output().contains("Error-Cause = Unsupported-Service"), r.output());
        r = send("coa", SECRET, "Acct-Session-Id = \"nope\"\nSession-Timeout = 60\n");
        assertTrue(r.output().contains("Error-Cause = Session-Context-Not-Found"), r.output());
        assertEquals(3, stats.daeCount(DaeResult.COA_NAK));
        assertEquals(List.of(), ended);
    }

    @Test
    void wrongSecretIsDroppedAndCounted() throws Exception {
        var r = send("disconnect", "not-the-secret", "Acct-Session-Id = \"sess-1\"\n");
        assertTrue(!r.output().contains("Received"), r.output());
        assertEquals(1, stats.daeCount(DaeResult.DROPPED_BAD_AUTHENTICATOR));
        assertEquals(List.of(), ended);
    }

    @Test
    void staleEventTimestampIsDroppedAsReplay() throws Exception {
        var r = send("disconnect", SECRET, "Acct-Session-Id = \"sess-1\"\nEvent-Timestamp = " + (System.currentTimeMillis() / 1000 - 3600) + "\n");
        assertTrue(!r.output().contains("Received"), r.output());
        assertEquals(1, stats.daeCount(DaeResult.DROPPED_STALE));
        assertEquals(List.of(), ended);
    }

    @Test
    void unknownClientIsDroppedAndCounted() throws Exception {
        das.stop();
        das = server(List.of(new RadiusSettings.DaeClient(InetAddress.getByName("192.0.2.1"), SECRET)));
        var r = send("disconnect", SECRET, "Acct-Session-Id = \"sess-1\"\n");
        assertTrue(!r.output().contains("Received"), r.output());
        assertEquals(1, stats.daeCount(DaeResult.DROPPED_UNKNOWN_CLIENT));
        assertEquals(List.of(), ended);
    }
}
