package org.lacd.radius.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One RADIUS packet (RFC 2865 s3): code, identifier, 16-octet authenticator, attributes in order.
 * Pure codec: no sockets, no secrets (see {@link RadiusCrypto} for authenticators).
 */
public record RadiusPacket(RadiusCode code, int identifier, byte[] authenticator, List<RadiusAttribute> attributes) {
    public static final String PROTOCOL = "RADIUS";
    public static final int HEADER_LENGTH = 20;
    /** RFC 2865 s3: maximum packet length. */
    public static final int MAX_LENGTH = 4096;
    /** DoS guard: attributes accepted in one packet (4096 / 2 would be the wire maximum). */
    public static final int MAX_ATTRIBUTES = 512;

    public RadiusPacket {
        if (identifier < 0 || identifier > 255) {
            throw new IllegalArgumentException("identifier " + identifier);
        }
        if (authenticator.length != 16) {
            throw new IllegalArgumentException("authenticator length " + authenticator.length);
        }
        authenticator = authenticator.clone();
        attributes = List.copyOf(attributes);
    }

    @Override
    public byte[] authenticator() { return authenticator.clone(); }

    public Optional<RadiusAttribute> first(int type) {
        for (RadiusAttribute a : attributes) {
            if (a.type() == type) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    public List<RadiusAttribute> all(int type) {
        List<RadiusAttribute> out = new ArrayList<>();
        for (RadiusAttribute a : attributes) {
            if (a.type() == type) {
                out.add(a);
            }
        }
        return out;
    }

    /** The first attribute of this row (a vendor row's Vendor-Specific attribute included). */
    public Optional<RadiusAttribute> first(Attr type) {
        for (RadiusAttribute a : attributes) {
            if (type.is(a)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    public List<RadiusAttribute> all(Attr type) {
        List<RadiusAttribute> out = new ArrayList<>();
        for (RadiusAttribute a : attributes) {
            if (type.is(a)) {
                out.add(a);
            }
        }
        return out;
    }

    public int encodedLength() {
        int len = HEADER_LENGTH;
        for (RadiusAttribute a : attributes) {
            len += 2 + a.length();
        }
        return len;
    }

    /** Encodes with the authenticator as stored. */
    public byte[] encode() {
        int len = encodedLength();
        if (len > MAX_LENGTH) {
            throw new IllegalArgumentException("packet length " + len + " > " + MAX_LENGTH);
        }
        byte[] out = new byte[len];
        out[0] = (byte) code.code();
        out[1] = (byte) identifier;
        out[2] = (byte) (len >> 8);
        out[3] = (byte) len;
        System.arraycopy(authenticator, 0, out, 4, 16);
        int p = HEADER_LENGTH;
        for (RadiusAttribute a : attributes) {
            byte[] v = a.value();
            out[p] = (byte) a.type();
            out[p + 1] = (byte) (v.length + 2);
            System.arraycopy(v, 0, out, p + 2, v.length);
            p += 2 + v.length;
        }
        return out;
    }

    /** Decodes one datagram. Octets beyond the Length field are ignored as RFC 2865 s3 says. */
    public static RadiusPacket decode(byte[] buf, int off, int avail) throws MalformedPacketException {
        if (avail < HEADER_LENGTH) {
            throw new MalformedPacketException(PROTOCOL, 0, "datagram length " + avail + " (expected: 20+)");
        }
        int codeNum = buf[off] & 0xFF;
        RadiusCode code = RadiusCode.fromCode(codeNum);
        if (code == null) {
            throw new MalformedPacketException(PROTOCOL, 0, "unknown code " + codeNum);
        }
        int id = buf[off + 1] & 0xFF;
        int len = ((buf[off + 2] & 0xFF) << 8) | (buf[off + 3] & 0xFF);
        if (len < HEADER_LENGTH || len > MAX_LENGTH) {
            throw new MalformedPacketException(PROTOCOL, 2, "length " + len + " (expected: 20..4096)");
        }
        if (len > avail) {
            throw new MalformedPacketException(PROTOCOL, 2, "length " + len + " > datagram " + avail);
        }
        byte[] auth = new byte[16];
        System.arraycopy(buf, off + 4, auth, 0, 16);
        List<RadiusAttribute> attrs = new ArrayList<>();
        int p = HEADER_LENGTH;
        while (p < len) {
            if (len - p < 2) {
                throw new MalformedPacketException(PROTOCOL, p, "truncated attribute header");
            }
            int type = buf[off + p] & 0xFF;
            int alen = buf[off + p + 1] & 0xFF;
            if (alen < 2) {
                throw new MalformedPacketException(PROTOCOL, p + 1, "attribute length " + alen + " (expected: 2+)");
            }
            if (p + alen > len) {
                throw new MalformedPacketException(PROTOCOL, p + 1, "attribute length " + alen + " runs past packet end " + len);
            }
            if (type == 0) {
                throw new MalformedPacketException(PROTOCOL, p, "attribute type 0");
            }
            if (attrs.size() >= MAX_ATTRIBUTES) {
                throw new MalformedPacketException(PROTOCOL, p, "more than " + MAX_ATTRIBUTES + " attributes");
            }
            byte[] v = new byte[alen - 2];
            System.arraycopy(buf, off + p + 2, v, 0, v.length);
            attrs.add(new RadiusAttribute(type, v));
            p += alen;
        }
        return new RadiusPacket(code, id, auth, attrs);
    }

    public static RadiusPacket decode(byte[] buf) throws MalformedPacketException {
        return decode(buf, 0, buf.length);
    }
}
