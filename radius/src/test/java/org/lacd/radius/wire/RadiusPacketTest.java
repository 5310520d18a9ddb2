package org.lacd.radius.wire;

import org.lacd.wire.MalformedPacketException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

public class RadiusPacketTest {
    /** Access-Accept from FreeRADIUS 3.2.1 for alice (see RadiusCryptoTest for secret and request authenticator). */
    public static final byte[] FR_ACCEPT = RadiusCryptoTest.hex("""
        02 2a 013b                                                code Accept, id 42, length 315
        dccda1fb300dd8ba9a20d93b64a053a3                          Response Authenticator
        06 06 00000002                                            Service-Type Framed-User
        12 0f 77656c636f6d6520616c696365                          Reply-Message "welcome alice"
        1b 06 00001c20                                            Session-Timeout 7200
        19 0c 726573412d636c617373                                Class "resA-class"
        40 06 01 000003                                           Tunnel-Type:1 L2TP
        41 06 01 000001                                           Tunnel-Medium-Type:1 IPv4
        43 0d 01 3139322e302e322e3230                             Tunnel-Server-Endpoint:1 "192.0.2.20"
        45 15 01 838a 761e556a6cf26b2b7c9c0cf7e2b95d5f            Tunnel-Password:1 salt 838a, 1 block
        53 06 01 000014                                           Tunnel-Preference:1 20
        5a 0c 01 6c61632d666f722d61                               Tunnel-Client-Auth-Id:1 "lac-for-a"
        52 0e 01 726573412d6261636b7570                           Tunnel-Assignment-Id:1 "resA-backup"
        40 06 02 000003                                           Tunnel-Type:2 L2TP
        41 06 02 000001                                           Tunnel-Medium-Type:2 IPv4
        43 12 02 3139322e302e322e31303a31373032                   Tunnel-Server-Endpoint:2 "192.0.2.10:1702"
        45 35 02 8ce8 0b4fd0a91071aa3aec65d8b1e830ebf81215577990172b2c6f2fa55fb79a6f7f724636e492cce934bc00f069c830e505
                                                                  Tunnel-Password:2 salt 8ce8, 3 blocks
        53 06 02 00000a                                           Tunnel-Preference:2 10
        5a 0c 02 6c61632d666f722d61                               Tunnel-Client-Auth-Id:2 "lac-for-a"
        5b 09 02 6c6e732d6131                                     Tunnel-Server-Auth-Id:2 "lns-a1"
        52 0f 02 726573412d7072696d617279                         Tunnel-Assignment-Id:2 "resA-primary"
        51 07 02 67727041                                         Tunnel-Private-Group-Id:2 "grpA"
        42 0f 02 3139382e35312e3130302e31                         Tunnel-Client-Endpoint:2 "198.51.100.1"
        40 06 03 000001                                           Tunnel-Type:3 PPTP
        41 06 03 000001                                           Tunnel-Medium-Type:3 IPv4
        43 0d 03 3139322e302e322e3939                             Tunnel-Server-Endpoint:3 "192.0.2.99"
        53 06 03 000001                                           Tunnel-Preference:3 1
        """);

    @Test
    void decodesFreeRadiusAcceptAndRoundTrips() throws Exception {
        RadiusPacket p = RadiusPacket.decode(FR_ACCEPT);
        assertEquals(RadiusCode.ACCESS_ACCEPT, p.code());
        assertEquals(42, p.identifier());
        assertEquals(25, p.attributes().size());
        assertEquals("welcome alice", p.first(Attr.REPLY_MESSAGE).orElseThrow().asString());
        assertArrayEquals(FR_ACCEPT, p.encode());
        assertTrue(RadiusCrypto.verifyResponseAuthenticator(FR_ACCEPT, FR_ACCEPT.length, RadiusCryptoTest.FR_REQUEST_AUTH,
            RadiusCryptoTest.FR_SECRET));
    }

    @Test
    void bytesAfterLengthAreIgnored() throws Exception {
        byte[] padded = Arrays.copyOf(FR_ACCEPT, FR_ACCEPT.length + 7);
        assertEquals(25, RadiusPacket.decode(padded).attributes().size());
    }

    @Test
    void truncatedAndMalformedRaiseTypedException() {
        MalformedPacketException e = assertThrows(MalformedPacketException.class, () -> RadiusPacket.decode(Arrays.copyOf(FR_ACCEPT, 19)));
        assertEquals(org.lacd.wire.WireProtocol.RADIUS, e.protocol());
        // Length field larger than the datagram.
        e = assertThrows(MalformedPacketException.class, () -> RadiusPacket.decode(Arrays.copyOf(FR_ACCEPT, 100)));
        assertEquals(2, e.offset());
        // Attribute length 1 at offset 20.
        byte[] bad = FR_ACCEPT.clone();
        bad[21] = 1;
        e = assertThrows(MalformedPacketException.class, () -> RadiusPacket.decode(bad));
        assertEquals(21, e.offset());
        assertTrue(e.detail().contains("attribute length 1"), e.detail());
        // Last attribute runs past the end.
        byte[] over = FR_ACCEPT.clone();
        over[FR_ACCEPT.length - 5] = 7;
        e = assertThrows(MalformedPacketException.class, () -> RadiusPacket.decode(over));
        assertEquals(FR_ACCEPT.length - 5, e.offset());
        // Unknown code.
        byte[] code = FR_ACCEPT.clone();
        code[0] = (byte) 200;
        assertThrows(MalformedPacketException.class, () -> RadiusPacket.decode(code));
        // Length field below 20 and above 4096.
        byte[] small = FR_ACCEPT.clone();
        small[2] = 0;
        small[3] = 19;
        assertThrows(MalformedPacketException.class, () -> RadiusPacket.decode(small));
        byte[] big = new byte[5000];
        big[0] = 2;
        big[2] = 0x10;
        big[3] = 0x01;
        assertThrows(MalformedPacketException.class, () -> RadiusPacket.decode(big));
    }
}
