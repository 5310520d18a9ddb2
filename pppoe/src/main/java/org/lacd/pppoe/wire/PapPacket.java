package org.lacd.pppoe.wire;

import org.lacd.wire.WireReader;
import org.lacd.wire.MalformedPacketException;
import org.lacd.wire.WireProtocol;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * PAP (RFC 1334 section 2.2). Authenticate-Request: Peer-ID-Length(1) Peer-ID Passwd-Length(1) Password.
 * Authenticate-Ack/Nak: Msg-Length(1) Message. Fields not used by a code are empty arrays.
 */
public record PapPacket(int code, int id, byte[] peerId, byte[] password, byte[] message) implements PppControlPacket {
    public static final int AUTH_REQUEST = 1;
    public static final int AUTH_ACK = 2;
    public static final int AUTH_NAK = 3;

    public PapPacket {
        if (code < AUTH_REQUEST || code > AUTH_NAK || id < 0 || id > 255 || peerId.length > 255
                || password.length > 255 || message.length > 255) {
            throw new IllegalArgumentException("PAP packet out of range");
        }
    }

    public static PapPacket request(int id, String peer, byte[] password) {
        return new PapPacket(AUTH_REQUEST, id, peer.getBytes(StandardCharsets.UTF_8), password, new byte[0]);
    }

    public static PapPacket nak(int id, String message) {
        return new PapPacket(AUTH_NAK, id, new byte[0], new byte[0], truncate(message));
    }

    public static PapPacket ack(int id, String message) {
        return new PapPacket(AUTH_ACK, id, new byte[0], new byte[0], truncate(message));
    }

    static byte[] truncate(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return b.length <= 255 ? b : Arrays.copyOf(b, 255);
    }

    public String peerIdString() { return new String(peerId, StandardCharsets.UTF_8); }

    @Override public int protocol() { return PppProtocol.PAP; }

    @Override
    public int encodedLength() {
        return HEADER + (code == AUTH_REQUEST ? 2 + peerId.length + password.length : 1 + message.length);
    }

    @Override
    public int encode(byte[] b, int off) {
        int p = off + PppControlPacket.header(b, off, code, id, encodedLength());
        if (code == AUTH_REQUEST) {
            b[p++] = (byte) peerId.length;
            System.arraycopy(peerId, 0, b, p, peerId.length);
            p += peerId.length;
            b[p++] = (byte) password.length;
            System.arraycopy(password, 0, b, p, password.length);
            p += password.length;
        } else {
            b[p++] = (byte) message.length;
            System.arraycopy(message, 0, b, p, message.length);
            p += message.length;
        }
        return p - off;
    }

    static PapPacket decode(WireReader r) throws MalformedPacketException {
        int code = r.u8("code");
        if (code < AUTH_REQUEST || code > AUTH_NAK) {
            throw new MalformedPacketException(WireProtocol.PAP, 0, "unknown PAP code " + code);
        }
        int id = r.u8("identifier");
        r.skip(2, "length");
        byte[] empty = new byte[0];
        if (code == AUTH_REQUEST) {
            byte[] peer = r.bytes(r.u8("Peer-ID-Length"), "Peer-ID");
            byte[] pw = r.bytes(r.u8("Passwd-Length"), "Password");
            return new PapPacket(code, id, peer, pw, empty);
        }
        // RFC 1334: Msg-Length may be absent in practice when the message is empty.
        byte[] msg = r.remaining() == 0 ? empty : r.bytes(r.u8("Msg-Length"), "Message");
        return new PapPacket(code, id, empty, empty, msg);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PapPacket p && p.code == code && p.id == id && Arrays.equals(p.peerId, peerId)
                && Arrays.equals(p.password, password) && Arrays.equals(p.message, message);
    }

    @Override
    public int hashCode() { return code * 31 + id + Arrays.hashCode(peerId); }

    @Override
    public String toString() {
        return "PAP code=" + code + " id=" + id + (code == AUTH_REQUEST ? " peer=" + peerIdString() + " password=<"
                + password.length + " bytes>" : " msg=" + new String(message, StandardCharsets.UTF_8));
    }
}
