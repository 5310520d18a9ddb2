package org.lacd.radius.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

public class RadiusCryptoTest {
    static final HexFormat HEX = HexFormat.of();

    /**
     * Annotated hex: per line, the hex octets come first (spaces and '|' allowed), then two or more spaces and a comment.
     * A line whose first part is not hex is a comment line.
     */
    public static byte[] hex(String s) {
        StringBuilder sb = new StringBuilder();
        for (String line : s.strip().split("\n")) {
            String part = line.strip().split("\\s{2,}", 2)[0];
            if (part.matches("[0-9a-fA-F |]+")) {
                sb.append(part.replaceAll("[ |]", ""));
            }
        }
        return HEX.parseHex(sb.toString());
    }

    /** RFC 2865 s7.1: PAP user "nemo", password "arctangent", secret "xyzzy5461". */
    static final byte[] RFC2865_REQUEST_AUTH = hex("0f403f9473978057bd83d5cb98f4227a");
    static final byte[] RFC2865_SECRET = "xyzzy5461".getBytes(StandardCharsets.US_ASCII);
    static final byte[] RFC2865_ACCESS_REQUEST = hex("""
        01 | 00 | 0038                                   code Access-Request, id 0, length 56
        0f403f9473978057bd83d5cb98f4227a                 Request Authenticator
        01 06 6e656d6f                                   User-Name "nemo"
        02 12 0dbe708d93d413ce3196e43f782a0aee           User-Password (hidden "arctangent")
        04 06 c0a80110                                   NAS-IP-Address 192.168.1.16
        05 06 00000003                                   NAS-Port 3
        """);
    static final byte[] RFC2865_ACCESS_ACCEPT = hex("""
        02 | 00 | 0026                                   code Access-Accept, id 0, length 38
        86fe220e7624ba2a1005f6bf9b55e0b2                 Response Authenticator
        06 06 00000001                                   Service-Type Login
        0f 06 00000000                                   Login-Service Telnet
        0e 06 c0a80103                                   Login-IP-Host 192.168.1.3
        """);

    @Test
    void userPasswordMatchesRfc2865Example() {
        byte[] hidden = RadiusCrypto.hideUserPassword("arctangent".getBytes(StandardCharsets.US_ASCII), RFC2865_SECRET, RFC2865_REQUEST_AUTH);
        assertArrayEquals(hex("0dbe708d93d413ce3196e43f782a0aee"), hidden);
        assertEquals("arctangent", new String(RadiusCrypto.revealUserPassword(hidden, RFC2865_SECRET, RFC2865_REQUEST_AUTH),
            StandardCharsets.US_ASCII));
    }

    @Test
    void longUserPasswordChainsBlocks() {
        byte[] pw = "a-password-of-more-than-thirty-two-octets-long".getBytes(StandardCharsets.US_ASCII);
        byte[] hidden = RadiusCrypto.hideUserPassword(pw, RFC2865_SECRET, RFC2865_REQUEST_AUTH);
        assertEquals(48, hidden.length);
        assertArrayEquals(pw, RadiusCrypto.revealUserPassword(hidden, RFC2865_SECRET, RFC2865_REQUEST_AUTH));
        // Block 2 depends on ciphertext block 1 (RFC 2865 s5.2): changing it changes the plaintext of block 2.
        hidden[0] ^= 1;
        byte[] garbled = RadiusCrypto.revealUserPassword(hidden, RFC2865_SECRET, RFC2865_REQUEST_AUTH);
        assertTrue(garbled[16] != pw[16] || garbled[17] != pw[17]);
    }

    @Test
    void rfc2865ExamplePacketsRoundTripAndVerify() throws Exception {
        RadiusPacket req = RadiusPacket.decode(RFC2865_ACCESS_REQUEST);
        assertEquals(RadiusCode.ACCESS_REQUEST, req.code());
        assertEquals("nemo", req.first(Attr.USER_NAME).orElseThrow().asString());
        assertEquals(3, req.first(Attr.NAS_PORT).orElseThrow().asInt());
        assertArrayEquals(RFC2865_ACCESS_REQUEST, req.encode());
        assertTrue(RadiusCrypto.verifyResponseAuthenticator(RFC2865_ACCESS_ACCEPT, RFC2865_ACCESS_ACCEPT.length, RFC2865_REQUEST_AUTH,
            RFC2865_SECRET));
        RadiusPacket acc = RadiusPacket.decode(RFC2865_ACCESS_ACCEPT);
        byte[] reencoded = RadiusCrypto.encodeResponse(RadiusCode.ACCESS_ACCEPT, 0, RFC2865_REQUEST_AUTH, acc.attributes(), RFC2865_SECRET, false);
        assertArrayEquals(RFC2865_ACCESS_ACCEPT, reencoded);
        byte[] tampered = RFC2865_ACCESS_ACCEPT.clone();
        tampered[tampered.length - 1] ^= 1;
        assertEquals(false, RadiusCrypto.verifyResponseAuthenticator(tampered, tampered.length, RFC2865_REQUEST_AUTH, RFC2865_SECRET));
        assertEquals(RadiusCrypto.MaCheck.ABSENT, RadiusCrypto.verifyMessageAuthenticator(RFC2865_ACCESS_ACCEPT,
            RFC2865_ACCESS_ACCEPT.length, RFC2865_REQUEST_AUTH, RFC2865_SECRET));
    }

    /**
     * Tunnel-Password (RFC 2868 s3.5) as FreeRADIUS 3.2.1 encrypted it in an Access-Accept (captured from the test
     * server: secret "testing123-lacd", Request Authenticator 10 11 .. 1f).
     */
    public static final byte[] FR_SECRET = "testing123-lacd".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] FR_REQUEST_AUTH = hex("101112131415161718191a1b1c1d1e1f");
    public static final byte[] FR_TUNNEL_PASSWORD_TAG2 = hex("""
        02                                               tag 2
        8ce8                                             salt (high bit set)
        0b4fd0a91071aa3aec65d8b1e830ebf8 1215577990172b2c6f2fa55fb79a6f7f 724636e492cce934bc00f069c830e505  3 blocks
        """);

    @Test
    void tunnelPasswordDecryptsFreeRadiusValueAndEncryptsIdentically() throws Exception {
        byte[] value = java.util.Arrays.copyOfRange(FR_TUNNEL_PASSWORD_TAG2, 1, FR_TUNNEL_PASSWORD_TAG2.length);
        byte[] pw = RadiusCrypto.decryptTunnelPassword(value, FR_SECRET, FR_REQUEST_AUTH);
        assertEquals("resA-first-a-rather-long-tunnel-secret-over-16", new String(pw, StandardCharsets.US_ASCII));
        byte[] again = RadiusCrypto.encryptTunnelPassword(pw, FR_SECRET, FR_REQUEST_AUTH, hex("8ce8"));
        assertArrayEquals(value, again);
    }

    @Test
    void tunnelPasswordRejectsBadLengths() {
        assertThrows(MalformedPacketException.class, () -> RadiusCrypto.decryptTunnelPassword(hex("8ce80102"), FR_SECRET, FR_REQUEST_AUTH));
        // 2 + 17 octets: not a multiple of 16
        assertThrows(MalformedPacketException.class,
            () -> RadiusCrypto.decryptTunnelPassword(new byte[19], FR_SECRET, FR_REQUEST_AUTH));
        // A one-block value whose embedded length (after decryption) says 200: built by encrypting p(1) = 200 + zeros.
        byte[] fake = RadiusCrypto.encryptTunnelPassword(new byte[0], FR_SECRET, FR_REQUEST_AUTH, hex("8001"));
        fake[2] ^= (byte) 200; // flips the decrypted length octet from 0 to 200
        MalformedPacketException e = assertThrows(MalformedPacketException.class,
            () -> RadiusCrypto.decryptTunnelPassword(fake, FR_SECRET, FR_REQUEST_AUTH));
        assertTrue(e.reason().contains("embedded length 200"), e.reason());
    }

    @Test
    void messageAuthenticatorRoundTripAndTamper() throws Exception {
        byte[] auth = hex("00112233445566778899aabbccddeeff");
        byte[] pkt = RadiusCrypto.encodeAccessRequest(7, auth, List.of(RadiusAttribute.string(Attr.USER_NAME, "u")), RFC2865_SECRET);
        RadiusPacket p = RadiusPacket.decode(pkt);
        assertEquals(Attr.MESSAGE_AUTHENTICATOR.code(), p.attributes().get(0).type(), "M-A comes first");
        assertEquals(RadiusCrypto.MaCheck.VALID, RadiusCrypto.verifyMessageAuthenticator(pkt, pkt.length, auth, RFC2865_SECRET));
        assertEquals(RadiusCrypto.MaCheck.INVALID, RadiusCrypto.verifyMessageAuthenticator(pkt, pkt.length, auth, FR_SECRET));
        byte[] t = pkt.clone();
        t[t.length - 1] ^= 1;
        assertEquals(RadiusCrypto.MaCheck.INVALID, RadiusCrypto.verifyMessageAuthenticator(t, t.length, auth, RFC2865_SECRET));

        byte[] resp = RadiusCrypto.encodeResponse(RadiusCode.ACCESS_ACCEPT, 7, auth, List.of(), RFC2865_SECRET, true);
        assertTrue(RadiusCrypto.verifyResponseAuthenticator(resp, resp.length, auth, RFC2865_SECRET));
        assertEquals(RadiusCrypto.MaCheck.VALID, RadiusCrypto.verifyMessageAuthenticator(resp, resp.length, auth, RFC2865_SECRET));

        byte[] acct = RadiusCrypto.encodeComputedRequest(RadiusCode.DISCONNECT_REQUEST, 9, List.of(RadiusAttribute.string(Attr.USER_NAME, "u")),
            RFC2865_SECRET, true);
        assertTrue(RadiusCrypto.verifyComputedRequestAuthenticator(acct, acct.length, RFC2865_SECRET));
        assertEquals(RadiusCrypto.MaCheck.VALID, RadiusCrypto.verifyMessageAuthenticator(acct, acct.length, new byte[16], RFC2865_SECRET));
    }

    @Test
    void chapResponseIsMd5OfIdPasswordChallenge() {
        // RFC 1994 s4.1: MD5(identifier || secret || challenge); checked against python hashlib for these inputs.
        byte[] r = RadiusCrypto.chapResponse(1, "secret".getBytes(StandardCharsets.US_ASCII), hex("000102030405060708090a0b0c0d0e0f"));
        assertArrayEquals(hex("740e86463bda3a4d7017d6e0fba0699d"), r);
    }
}
