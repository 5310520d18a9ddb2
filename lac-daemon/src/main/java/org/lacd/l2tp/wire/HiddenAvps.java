package org.lacd.l2tp.wire;

import static org.lacd.l2tp.wire.L2tpReason.BAD_HIDDEN_LENGTH;
import static org.lacd.l2tp.wire.L2tpReason.HIDDEN_WITHOUT_RANDOM_VECTOR;
import static org.lacd.l2tp.wire.L2tpReason.HIDDEN_WITHOUT_SECRET;

import org.lacd.wire.MalformedPacketException;
import org.lacd.wire.WireProtocol;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * AVP hiding, RFC 2661 4.3. The hidden value is the subformat (original length, 2 bytes; value; padding) XORed with
 * b1 = MD5(attribute type + secret + random vector), bi = MD5(secret + c(i-1)). The random vector is the value of the
 * most recent Random Vector AVP before the hidden AVP in the same message.
 */
public final class HiddenAvps {
    private HiddenAvps() {}

    static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 missing from the JDK", e);
        }
    }

    /**
     * Hides every AVP in {@code avps} for which {@code toHide} says so, inserting one Random Vector AVP (value
     * {@code randomVector}) after the Message Type AVP. AVPs that must not be hidden are left in clear.
     */
    public static List<Avp> hide(List<Avp> avps, byte[] secret, byte[] randomVector, java.util.function.Predicate<Avp> toHide) {
        List<Avp> out = new ArrayList<>(avps.size() + 1);
        boolean rvAdded = false;
        for (int i = 0; i < avps.size(); i++) {
            Avp a = avps.get(i);
            AvpType k = a.known();
            boolean hide = i > 0 && !a.hidden() && (k == null || k.hideable()) && toHide.test(a);
            if (hide && !rvAdded) {
                out.add(Avp.of(AvpType.RANDOM_VECTOR, randomVector.clone()));
                rvAdded = true;
            }
            out.add(hide ? new Avp(a.mandatory(), true, a.vendor(), a.type(), crypt(a.type(), secret, randomVector, subformat(a.value()), true))
                    : a);
        }
        return out;
    }

    private static byte[] subformat(byte[] value) {
        byte[] s = new byte[2 + value.length];
        s[0] = (byte) (value.length >>> 8);
        s[1] = (byte) value.length;
        System.arraycopy(value, 0, s, 2, value.length);
        return s;
    }

    /** Returns the message's AVPs with every hidden AVP revealed and its length checked. */
    public static List<Avp> reveal(List<Avp> avps, byte[] secret) throws MalformedPacketException {
        List<Avp> out = null;
        byte[] rv = null;
        for (int i = 0; i < avps.size(); i++) {
            Avp a = avps.get(i);
            if (a.is(AvpType.RANDOM_VECTOR)) {
                rv = a.value();
            }
            if (!a.hidden()) {
                if (out != null) {
                    out.add(a);
                }
                continue;
            }
            if (rv == null) {
                throw new MalformedPacketException(WireProtocol.L2TP, HIDDEN_WITHOUT_RANDOM_VECTOR, i, "hidden AVP " + a.type() + " before any Random Vector");
            }
            if (secret == null || secret.length == 0) {
                throw new MalformedPacketException(WireProtocol.L2TP, HIDDEN_WITHOUT_SECRET, i, "hidden AVP " + a.type() + " but no tunnel secret");
            }
            byte[] plain = crypt(a.type(), secret, rv, a.value(), false);
            if (plain.length < 2) {
                throw new MalformedPacketException(WireProtocol.L2TP, BAD_HIDDEN_LENGTH, i, "hidden AVP " + a.type() + " of " + plain.length + " bytes");
            }
            int len = ((plain[0] & 0xff) << 8) | (plain[1] & 0xff);
            if (len > plain.length - 2) {
                throw new MalformedPacketException(WireProtocol.L2TP, BAD_HIDDEN_LENGTH, i, "hidden AVP " + a.type() + " original length " + len + " exceeds " + (plain.length - 2));
            }
            byte[] value = java.util.Arrays.copyOfRange(plain, 2, 2 + len);
            AvpType k = a.known();
            if (k != null) {
                L2tpCodec.checkLength(k, value.length, i);
            }
            if (out == null) {
                out = new ArrayList<>(avps.subList(0, i));
            }
            out.add(new Avp(a.mandatory(), false, a.vendor(), a.type(), value));
        }
        return out == null ? avps : out;
    }

    private static byte[] crypt(int type, byte[] secret, byte[] rv, byte[] in, boolean encrypt) {
        MessageDigest md = md5();
        byte[] out = new byte[in.length];
        md.update((byte) (type >>> 8));
        md.update((byte) type);
        md.update(secret);
        md.update(rv);
        byte[] b = md.digest();
        for (int off = 0; off < in.length; off += 16) {
            int n = Math.min(16, in.length - off);
            for (int j = 0; j < n; j++) {
                out[off + j] = (byte) (in[off + j] ^ b[j]);
            }
            if (off + 16 < in.length) {
                md.update(secret);
                // chain on the ciphertext block: the output when encrypting, the input when decrypting
                md.update(encrypt ? out : in, off, 16);
                b = md.digest();
            }
        }
        return out;
    }

    /** Challenge response, RFC 2661 4.2/5.1.1: MD5(message type of the carrying message + secret + challenge). */
    public static byte[] challengeResponse(MessageType carriedIn, byte[] secret, byte[] challenge) {
        MessageDigest md = md5();
        md.update((byte) carriedIn.code());
        md.update(secret);
        md.update(challenge);
        return md.digest();
    }
}
