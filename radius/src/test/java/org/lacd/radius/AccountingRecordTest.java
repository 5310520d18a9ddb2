package org.lacd.radius;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.lacd.radius.AcctSession.Counters;
import org.lacd.radius.wire.RadiusAttribute;

/** The exact attributes of accounting records, with a fixed clock (no sockets). */
class AccountingRecordTest {
    static final Instant START = Instant.parse("2026-11-21T00:00:00Z");
    static final Instant NOW = START.plusSeconds(3725);

    static String render(List<RadiusAttribute> attrs) {
        return attrs.stream().map(a -> a.type() + "=" + HexFormat.of().formatHex(a.value())).collect(Collectors.joining("\n"));
    }

    @Test
    void stopRecordAttributes() throws Exception {
        RadiusSettings s = RadiusSettings.builder().nasIdentifier("lac1").nasIpAddress(InetAddress.getByName("192.0.2.1"))
            .accounting(new RadiusSettings.Accounting(Duration.ZERO, Path.of("/nonexistent"), 1, Duration.ofSeconds(1), false)).build();
        AccountingService acct = new AccountingService(s, RadiusStats.NOOP, Clock.fixed(NOW, ZoneOffset.UTC));
        AcctSession session = new AcctSession("sid1", "u@r", new byte[] {0, 0x11, 0x22, 0x33, 0x44, 0x55}, "eth1", OptionalInt.of(7),
            OptionalInt.empty(), 3, "", START, () -> new Counters((5L << 32) + 10, 20, 30, 40),
            Optional.of(AcctSession.TunnelInfo.l2tp("192.0.2.9", null, "1/2/3")), List.of(), OptionalInt.empty(), AcctSession.AUTHENTIC_LOCAL,
            Optional.empty());
        List<RadiusAttribute> a = acct.sessionRecord(session, AccountingService.StatusType.STOP, TerminateCause.HOST_REQUEST, NOW);
        assertEquals(String.join("\n",
            "40=00000002",                 // Acct-Status-Type Stop
            "44=" + hex("sid1"),           // Acct-Session-Id
            "1=" + hex("u@r"),             // User-Name
            "4=c0000201",                  // NAS-IP-Address 192.0.2.1
            "32=" + hex("lac1"),           // NAS-Identifier
            "5=00000003",                  // NAS-Port 3
            "87=" + hex("eth1:7"),         // NAS-Port-Id, no inner VLAN: "{interface}:{outer}.{inner}" trimmed
            "61=00000005",                 // NAS-Port-Type Virtual
            "6=00000002",                  // Service-Type Framed-User
            "7=00000001",                  // Framed-Protocol PPP
            "31=" + hex("00:11:22:33:44:55"), // Calling-Station-Id
            "45=00000002",                 // Acct-Authentic Local
            "64=00000003",                 // Tunnel-Type tag 0, L2TP
            "65=00000001",                 // Tunnel-Medium-Type tag 0, IPv4
            "67=" + hex("192.0.2.9"),      // Tunnel-Server-Endpoint
            "68=" + hex("1/2/3"),          // Acct-Tunnel-Connection
            "46=00000e8d",                 // Acct-Session-Time 3725
            "42=0000000a",                 // Acct-Input-Octets 10 (low 32 bits)
            "43=00000014",                 // Acct-Output-Octets 20
            "52=00000005",                 // Acct-Input-Gigawords 5
            "53=00000000",                 // Acct-Output-Gigawords 0
            "47=0000001e",                 // Acct-Input-Packets 30
            "48=00000028",                 // Acct-Output-Packets 40
            "49=00000012",                 // Acct-Terminate-Cause Host-Request (18)
            "55=" + String.format("%08x", NOW.getEpochSecond())), // Event-Timestamp
            render(a));
    }

    static String hex(String s) {
        return HexFormat.of().formatHex(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void terminateCauseCodesFollowRfc2866() {
        assertEquals(1, TerminateCause.USER_REQUEST.code());
        assertEquals(2, TerminateCause.LOST_CARRIER.code());
        assertEquals(3, TerminateCause.LOST_SERVICE.code());
        assertEquals(6, TerminateCause.ADMIN_RESET.code());
        assertEquals(15, TerminateCause.SERVICE_UNAVAILABLE.code());
        assertEquals(18, TerminateCause.HOST_REQUEST.code());
        for (TerminateCause c : TerminateCause.values()) {
            assertEquals(c, TerminateCause.fromCode(c.code()));
        }
    }

    /** A switched call's Calling Number (here not a MAC, with a non-ASCII octet) as Calling-Station-Id, octet for octet. */
    static final byte[] CALLING_NUMBER = {'+', '4', '9', ' ', '3', '0', '/', 'o', 'l', 't', (byte) 0xe9, ':', '7'};

    @Test
    void aSwitchedCallRecordCarriesTheCallingNumberAsIsAndNasPortTypeVirtual() throws Exception {
        RadiusSettings s = RadiusSettings.builder().nasIdentifier("lts").nasPortType(RadiusSettings.NasPortType.ETHERNET)
            .accounting(new RadiusSettings.Accounting(Duration.ZERO, Path.of("/nonexistent"), 1, Duration.ofSeconds(1), false)).build();
        AccountingService acct = new AccountingService(s, RadiusStats.NOOP, Clock.fixed(NOW, ZoneOffset.UTC));
        AcctSession session = new AcctSession("sid2", "u@r", new byte[] {2, 0, 0, 0, 0, 1}, "partner-a", OptionalInt.empty(),
            OptionalInt.empty(), 9, "", START, () -> Counters.ZERO, Optional.empty(), List.of(), OptionalInt.empty(),
            AcctSession.AUTHENTIC_LOCAL, Optional.empty(), CALLING_NUMBER, Optional.of(RadiusSettings.NasPortType.VIRTUAL));
        List<RadiusAttribute> a = acct.sessionRecord(session, AccountingService.StatusType.START, null, NOW);
        assertEquals(String.join("\n",
            "40=00000001",                 // Acct-Status-Type Start
            "44=" + hex("sid2"),           // Acct-Session-Id
            "1=" + hex("u@r"),             // User-Name
            "32=" + hex("lts"),            // NAS-Identifier
            "5=00000009",                  // NAS-Port: the call's session id at the LTS
            "87=" + hex("partner-a"),      // NAS-Port-Id: the downstream LAC peer
            "61=00000005",                 // NAS-Port-Type Virtual, not the configured Ethernet (15)
            "6=00000002",                  // Service-Type Framed-User
            "7=00000001",                  // Framed-Protocol PPP
            "31=2b34392033302f6f6c74e93a37", // Calling-Station-Id: the Calling Number as is ("+49 30/olt" e9 ":7"), not the MAC
            "45=00000002",                 // Acct-Authentic Local
            "55=" + String.format("%08x", NOW.getEpochSecond())), // Event-Timestamp
            render(a));
    }

    @Test
    void aSwitchedCallAccessRequestCarriesTheCallingNumberAsIsAndNasPortTypeVirtual() {
        RadiusSettings s = RadiusSettings.builder().nasIdentifier("lts").nasPortType(RadiusSettings.NasPortType.ETHERNET).build();
        AccessQuery q = AccessQuery.pap("u@r", "pw", "sid3")
            .withPort("partner-a", OptionalInt.empty(), OptionalInt.empty(), new byte[] {2, 0, 0, 0, 0, 1}, "", 9, Optional.empty())
            .withCallingStation(CALLING_NUMBER, RadiusSettings.NasPortType.VIRTUAL);
        String r = render(new AaaService(s, RadiusStats.NOOP).requestAttributes(q));
        assertTrue(r.contains("\n61=00000005\n"), r);                  // NAS-Port-Type Virtual
        assertTrue(r.contains("\n31=2b34392033302f6f6c74e93a37\n"), r); // Calling-Station-Id, octet for octet
        assertEquals(1, r.split("\n31=", -1).length - 1, "one Calling-Station-Id, not the MAC besides: " + r);
        // a PPPoE subscriber's query (no Calling Number given) keeps the configured type and its MAC
        String pppoe = render(new AaaService(s, RadiusStats.NOOP).requestAttributes(AccessQuery.pap("u@r", "pw", "sid4")
            .withPort("eth1", OptionalInt.empty(), OptionalInt.empty(), new byte[] {2, 0, 0, 0, 0, 1}, "", 9, Optional.empty())));
        assertTrue(pppoe.contains("\n61=0000000f\n") && pppoe.contains("\n31=" + hex("02:00:00:00:00:01") + "\n"), pppoe);
    }
}
