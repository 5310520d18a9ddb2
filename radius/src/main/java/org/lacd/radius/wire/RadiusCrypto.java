package org.lacd.radius.wire;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * RADIUS authenticators and attribute hiding: RFC 2865 s3 and s5.2 (User-Password), RFC 2866 s3 (accounting
 * Request Authenticator, also used by RFC 5176 s2.3), RFC 2868 s3.5 (Tunnel-Password salt encryption),
 * RFC 3579 s3.2 (Message-Authenticator, HMAC-MD5). Stateless.
 */
public final class RadiusCrypto {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MA_LENGTH = 16;

    private RadiusCrypto() { }

    public static byte[] randomAuthenticator() {
        byte[] a = new byte[16];
        RANDOM.nextBytes(a);
        return a;
    }

    static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** RFC 2865 s5.2: c(i) = p(i) xor MD5(S + c(i-1)), c(0) = request authenticator; padded to a multiple of 16. */
    public static byte[] hideUserPassword(byte[] password, byte[] secret, byte[] requestAuthenticator) {
        if (password.length > 128) {
            throw new IllegalArgumentException("User-Password longer than 128 octets");
        }
        int n = Math.max(16, (password.length + 15) / 16 * 16);
        byte[] p = Arrays.copyOf(password, n);
        return xorChain(p, secret, requestAuthenticator, null);
    }

    /** Inverse of {@link #hideUserPassword}; trailing NULs removed. */
    public static byte[] revealUserPassword(byte[] hidden, byte[] secret, byte[] requestAuthenticator) {
        byte[] p = unxorChain(hidden, secret, requestAuthenticator, null);
        int end = p.length;
        while (end > 0 && p[end - 1] == 0) {
            end--;
        }
        return Arrays.copyOf(p, end);
    }

    /**
     * RFC 2868 s3.5: value = salt(2, high bit set) + encrypted(length octet + password + padding);
     * b(1) = MD5(S + R + A), b(i) = MD5(S + c(i-1)). The tag octet is not part of the returned value.
     */
    public static byte[] encryptTunnelPassword(byte[] password, byte[] secret, byte[] requestAuthenticator, byte[] salt) {
        if (password.length > 240) {
            throw new IllegalArgumentException("Tunnel-Password too long");
        }
        int n = (password.length + 1 + 15) / 16 * 16;
        byte[] p = new byte[n];
        p[0] = (byte) password.length;
        System.arraycopy(password, 0, p, 1, password.length);
        byte[] c = xorChain(p, secret, requestAuthenticator, salt);
        byte[] out = new byte[2 + c.length];
        out[0] = salt[0];
        out[1] = salt[1];
        System.arraycopy(c, 0, out, 2, c.length);
        return out;
    }

    public static byte[] randomSalt() {
        byte[] s = new byte[2];
        RANDOM.nextBytes(s);
        s[0] |= (byte) 0x80;
        return s;
    }

    /**
     * Decrypts a Tunnel-Password value (salt + ciphertext, tag already removed).
     * @throws MalformedPacketException when the length is wrong or the embedded length exceeds the data
     */
    public static byte[] decryptTunnelPassword(byte[] value, byte[] secret, byte[] requestAuthenticator) throws MalformedPacketException {
        if (value.length < 2 + 16 || (value.length - 2) % 16 != 0) {
            throw new MalformedPacketException(PROTOCOL_TP, 0, "Tunnel-Password value length " + value.length + " (expected: 2 + 16*n)");
        }
        byte[] salt = Arrays.copyOfRange(value, 0, 2);
        // RFC 2868 s3.5: the salt's high bit MUST be set by the sender; a receiver gains nothing by refusing a value without it.
        byte[] p = unxorChain(Arrays.copyOfRange(value, 2, value.length), secret, requestAuthenticator, salt);
        int len = p[0] & 0xFF;
        if (len > p.length - 1) {
            throw new MalformedPacketException(PROTOCOL_TP, 2, "Tunnel-Password embedded length " + len + " > " + (p.length - 1)
                + " (wrong secret?)");
        }
        return Arrays.copyOfRange(p, 1, 1 + len);
    }

    private static final String PROTOCOL_TP = "RADIUS Tunnel-Password";

    private static byte[] xorChain(byte[] p, byte[] secret, byte[] auth, byte[] salt) {
        byte[] c = new byte[p.length];
        byte[] prev = null;
        for (int i = 0; i < p.length; i += 16) {
            MessageDigest md = md5();
            md.update(secret);
            if (i == 0) {
                md.update(auth);
                if (salt != null) {
                    md.update(salt);
                }
            } else {
                md.update(prev);
            }
            byte[] b = md.digest();
            for (int j = 0; j < 16; j++) {
                c[i + j] = (byte) (p[i + j] ^ b[j]);
            }
            prev = Arrays.copyOfRange(c, i, i + 16);
        }
        return c;
    }

    private static byte[] unxorChain(byte[] c, byte[] secret, byte[] auth, byte[] salt) {
        byte[] p = new byte[c.length];
        for (int i = 0; i < c.length; i += 16) {
            MessageDigest md = md5();
            md.update(secret);
            if (i == 0) {
                md.update(auth);
                if (salt != null) {
                    md.update(salt);
                }
            } else {
                md.update(c, i - 16, 16);
            }
            byte[] b = md.digest();
            for (int j = 0; j < 16 && i + j < c.length; j++) {
                p[i + j] = (byte) (c[i + j] ^ b[j]);
            }
        }
        return p;
    }

    /** RFC 1994 / RFC 2865 s5.3 CHAP-Password value: identifier + 16-octet response. */
    public static byte[] chapPassword(int chapId, byte[] response) {
        byte[] v = new byte[1 + response.length];
        v[0] = (byte) chapId;
        System.arraycopy(response, 0, v, 1, response.length);
        return v;
    }

    /** MD5(id + password + challenge): the CHAP-MD5 response (RFC 1994 s4.1), for tests and the operator tool. */
    public static byte[] chapResponse(int chapId, byte[] password, byte[] challenge) {
        MessageDigest md = md5();
        md.update((byte) chapId);
        md.update(password);
        md.update(challenge);
        return md.digest();
    }

    // ---- packets with authenticators ----

    /**
     * Encodes an Access-Request (random authenticator given) with a Message-Authenticator appended
     * (RFC 3579 s3.2: HMAC-MD5 over the packet with the M-A value zeroed).
     */
    public static byte[] encodeAccessRequest(int id, byte[] requestAuthenticator, List<RadiusAttribute> attrs, byte[] secret) {
        List<RadiusAttribute> withMa = withZeroMa(attrs);
        byte[] pkt = new RadiusPacket(RadiusCode.ACCESS_REQUEST, id, requestAuthenticator, withMa).encode();
        fillMa(pkt, secret);
        return pkt;
    }

    /**
     * Encodes a request whose authenticator is computed (Accounting-Request RFC 2866 s3, Disconnect/CoA RFC 5176 s2.3):
     * MD5(Code + Id + Length + 16 zero octets + attributes + secret). With {@code messageAuthenticator}, the
     * Message-Authenticator is computed first over the packet with a zero authenticator (RFC 5176 s3.1).
     */
    public static byte[] encodeComputedRequest(RadiusCode code, int id, List<RadiusAttribute> attrs, byte[] secret, boolean messageAuthenticator) {
        List<RadiusAttribute> a = messageAuthenticator ? withZeroMa(attrs) : attrs;
        byte[] pkt = new RadiusPacket(code, id, new byte[16], a).encode();
        if (messageAuthenticator) {
            fillMa(pkt, secret);
        }
        MessageDigest md = md5();
        md.update(pkt);
        md.update(secret);
        System.arraycopy(md.digest(), 0, pkt, 4, 16);
        return pkt;
    }

    /**
     * Encodes a response: M-A (optional) computed with the request authenticator in place (RFC 3579 s3.2), then
     * Response Authenticator = MD5(Code + Id + Length + RequestAuth + Attributes + Secret) (RFC 2865 s3).
     */
    public static byte[] encodeResponse(RadiusCode code, int id, byte[] requestAuthenticator, List<RadiusAttribute> attrs, byte[] secret,
                                        boolean messageAuthenticator) {
        List<RadiusAttribute> a = messageAuthenticator ? withZeroMa(attrs) : attrs;
        byte[] pkt = new RadiusPacket(code, id, requestAuthenticator, a).encode();
        if (messageAuthenticator) {
            fillMa(pkt, secret);
        }
        MessageDigest md = md5();
        md.update(pkt);
        md.update(secret);
        System.arraycopy(md.digest(), 0, pkt, 4, 16);
        return pkt;
    }

    /** Checks a response's authenticator against the request authenticator it answers. */
    public static boolean verifyResponseAuthenticator(byte[] pkt, int len, byte[] requestAuthenticator, byte[] secret) {
        MessageDigest md = md5();
        md.update(pkt, 0, 4);
        md.update(requestAuthenticator);
        md.update(pkt, 20, len - 20);
        md.update(secret);
        return MessageDigest.isEqual(md.digest(), Arrays.copyOfRange(pkt, 4, 20));
    }

    /** Checks a computed request authenticator (accounting, Disconnect, CoA). */
    public static boolean verifyComputedRequestAuthenticator(byte[] pkt, int len, byte[] secret) {
        MessageDigest md = md5();
        md.update(pkt, 0, 4);
        md.update(new byte[16]);
        md.update(pkt, 20, len - 20);
        md.update(secret);
        return MessageDigest.isEqual(md.digest(), Arrays.copyOfRange(pkt, 4, 20));
    }

    public enum MaCheck { ABSENT, VALID, INVALID }

    /**
     * Verifies the Message-Authenticator of a packet (RFC 3579 s3.2): HMAC-MD5 over the packet with the M-A zeroed and
     * {@code authenticatorForCalc} in the authenticator field (the request authenticator for responses, zeros for
     * computed requests, the packet's own for Access-Request).
     */
    public static MaCheck verifyMessageAuthenticator(byte[] pkt, int len, byte[] authenticatorForCalc, byte[] secret) {
        int maOffset = -1;
        int p = 20;
        while (p + 2 <= len) {
            int t = pkt[p] & 0xFF;
            int l = pkt[p + 1] & 0xFF;
            if (l < 2 || p + l > len) {
                return MaCheck.INVALID;
            }
            if (t == Attr.MESSAGE_AUTHENTICATOR.code()) {
                if (l != 18 || maOffset >= 0) {
                    return MaCheck.INVALID;
                }
                maOffset = p + 2;
            }
            p += l;
        }
        if (maOffset < 0) {
            return MaCheck.ABSENT;
        }
        byte[] copy = Arrays.copyOf(pkt, len);
        byte[] received = Arrays.copyOfRange(copy, maOffset, maOffset + MA_LENGTH);
        Arrays.fill(copy, maOffset, maOffset + MA_LENGTH, (byte) 0);
        System.arraycopy(authenticatorForCalc, 0, copy, 4, 16);
        return MessageDigest.isEqual(hmacMd5(secret, copy), received) ? MaCheck.VALID : MaCheck.INVALID;
    }

    private static List<RadiusAttribute> withZeroMa(List<RadiusAttribute> attrs) {
        List<RadiusAttribute> a = new ArrayList<>(attrs.size() + 1);
        for (RadiusAttribute x : attrs) {
            if (!Attr.MESSAGE_AUTHENTICATOR.is(x)) {
                a.add(x);
            }
        }
        // RFC 3579 / BlastRADIUS advice (draft-ietf-radext-deprecating-radius): put it first.
        a.add(0, new RadiusAttribute(Attr.MESSAGE_AUTHENTICATOR, new byte[MA_LENGTH]));
        return a;
    }

    /**
     * Recomputes the Message-Authenticator (first attribute) of a request whose header changed, e.g. the code.
     * @return a new array
     */
    public static byte[] resign(byte[] pkt, byte[] requestAuthenticator, byte[] secret) {
        byte[] out = pkt.clone();
        if ((out[20] & 0xFF) != Attr.MESSAGE_AUTHENTICATOR.code()) {
            throw new IllegalArgumentException("Message-Authenticator is not the first attribute");
        }
        System.arraycopy(requestAuthenticator, 0, out, 4, 16);
        Arrays.fill(out, 22, 22 + MA_LENGTH, (byte) 0);
        fillMa(out, secret);
        return out;
    }

    /** The M-A is the first attribute (see withZeroMa): HMAC over the packet as it is now, written at offset 22. */
    private static void fillMa(byte[] pkt, byte[] secret) {
        byte[] mac = hmacMd5(secret, pkt);
        System.arraycopy(mac, 0, pkt, 22, MA_LENGTH);
    }

    static byte[] hmacMd5(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacMD5");
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, "HmacMD5"));
            return mac.doFinal(data);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] secret(String s) { return s.getBytes(StandardCharsets.UTF_8); }
}
