package org.lacd.pppoe.wire;

import org.lacd.wire.WireReader;
import org.lacd.wire.MalformedPacketException;
import org.lacd.wire.WireProtocol;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * CHAP (RFC 1994 section 4). Challenge/Response: Value-Size(1) Value Name(rest). Success/Failure: Message(rest).
 */
public record ChapPacket(int code, int id, byte[] value, byte[] name, byte[] message) implements PppControlPacket {
    public static final int CHALLENGE = 1;
    public static final int RESPONSE = 2;
    public static final int SUCCESS = 3;
    public static final int FAILURE = 4;

    public ChapPacket {
        if (code < CHALLENGE || code > FAILURE || id < 0 || id > 255 || value.length > 255) {
            throw new IllegalArgumentException("CHAP packet out of range");
        }
    }

    public static ChapPacket challenge(int id, byte[] value, String name) {
        return new ChapPacket(CHALLENGE, id, value, name.getBytes(StandardCharsets.UTF_8), new byte[0]);
    }

    public static ChapPacket response(int id, byte[] value, String name) {
        return new ChapPacket(RESPONSE, id, value, name.getBytes(StandardCharsets.UTF_8), new byte[0]);
    }

    public static ChapPacket failure(int id, String message) {
        return new ChapPacket(FAILURE, id, new byte[0], new byte[0], message.getBytes(StandardCharsets.UTF_8));
    }

    public String nameString() { return new String(name, StandardCharsets.UTF_8); }

    private boolean hasValue() { return code == CHALLENGE || code == RESPONSE; }

    @Override public int protocol() { return PppProtocol.CHAP; }

    @Override
    public int encodedLength() { return HEADER + (hasValue() ? 1 + value.length + name.length : message.length); }

    @Override
    public int encode(byte[] b, int off) {
        int p = off + PppControlPacket.header(b, off, code, id, encodedLength());
        if (hasValue()) {
            b[p++] = (byte) value.length;
            System.arraycopy(value, 0, b, p, value.length);
            p += value.length;
            System.arraycopy(name, 0, b, p, name.length);
            p += name.length;
        } else {
            System.arraycopy(message, 0, b, p, message.length);
            p += message.length;
        }
        return p - off;
    }

    static ChapPacket decode(WireReader r) throws MalformedPacketException {
        int code = r.u8("code");
        if (code < CHALLENGE || code > FAILURE) {
            throw new MalformedPacketException(WireProtocol.CHAP, 0, "unknown CHAP code " + code);
        }
        int id = r.u8("identifier");
        r.skip(2, "length");
        byte[] empty = new byte[0];
        if (code == CHALLENGE || code == RESPONSE) {
            int vs = r.u8("Value-Size");
            if (vs == 0) {
                throw new MalformedPacketException(WireProtocol.CHAP, 4, "Value-Size 0 (expected: 1+)");
            }
            byte[] value = r.bytes(vs, "Value");
            byte[] name = r.bytes(r.remaining(), "Name");
            return new ChapPacket(code, id, value, name, empty);
        }
        return new ChapPacket(code, id, empty, empty, r.bytes(r.remaining(), "Message"));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChapPacket p && p.code == code && p.id == id && Arrays.equals(p.value, value)
                && Arrays.equals(p.name, name) && Arrays.equals(p.message, message);
    }

    @Override
    public int hashCode() { return code * 31 + id + Arrays.hashCode(value); }

    @Override
    public String toString() {
        return "CHAP code=" + code + " id=" + id + (hasValue() ? " value=" + HexFormat.of().formatHex(value)
                + " name=" + nameString() : " msg=" + new String(message, StandardCharsets.UTF_8));
    }
}
