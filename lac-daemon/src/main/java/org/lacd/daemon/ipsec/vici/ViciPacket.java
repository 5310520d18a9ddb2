package org.lacd.daemon.ipsec.vici;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One VICI packet (strongSwan {@code src/libcharon/plugins/vici/README.md}, "Transport protocol" and "Packet layer"):
 * on the stream a 32-bit big-endian length, then one byte of packet type; the named types carry a one-byte name
 * length and the name; command requests, responses and events carry a message body. The length prefix is framed by
 * {@link ViciClient}; this codec sees the packet after it.
 */
public sealed interface ViciPacket {
    /** Largest packet lacd accepts from charon (its own limit is 512 KiB, VICI_MESSAGE_SIZE_MAX). */
    int MAX_LENGTH = 512 * 1024;

    /** The packet types (README "Packet layer"). */
    enum Type {
        CMD_REQUEST(0, true), CMD_RESPONSE(1, false), CMD_UNKNOWN(2, false), EVENT_REGISTER(3, true),
        EVENT_UNREGISTER(4, true), EVENT_CONFIRM(5, false), EVENT_UNKNOWN(6, false), EVENT(7, true);

        private final int code;
        private final boolean named;

        Type(int code, boolean named) {
            this.code = code;
            this.named = named;
        }

        public int code() { return code; }

        public boolean named() { return named; }

        public static Type fromCode(int code) throws MalformedViciException {
            for (Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            throw new MalformedViciException(MalformedViciException.Reason.UNKNOWN_PACKET_TYPE, 0, "packet type " + code);
        }
    }

    record CommandRequest(String command, ViciMessage body) implements ViciPacket {
        @Override public Type type() { return Type.CMD_REQUEST; }
    }

    record CommandResponse(ViciMessage body) implements ViciPacket {
        @Override public Type type() { return Type.CMD_RESPONSE; }
    }

    /** charon knows no such command. */
    record CommandUnknown() implements ViciPacket {
        @Override public Type type() { return Type.CMD_UNKNOWN; }
    }

    record EventRegister(String event) implements ViciPacket {
        @Override public Type type() { return Type.EVENT_REGISTER; }
    }

    record EventUnregister(String event) implements ViciPacket {
        @Override public Type type() { return Type.EVENT_UNREGISTER; }
    }

    record EventConfirm() implements ViciPacket {
        @Override public Type type() { return Type.EVENT_CONFIRM; }
    }

    /** charon knows no such event. */
    record EventUnknown() implements ViciPacket {
        @Override public Type type() { return Type.EVENT_UNKNOWN; }
    }

    record Event(String event, ViciMessage body) implements ViciPacket {
        @Override public Type type() { return Type.EVENT; }
    }

    Type type();

    /** The packet without its length prefix. */
    default byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(type().code());
        if (this instanceof CommandRequest c) {
            ViciMessage.name(out, c.command());
            c.body().encode(out);
        } else if (this instanceof CommandResponse c) {
            c.body().encode(out);
        } else if (this instanceof EventRegister e) {
            ViciMessage.name(out, e.event());
        } else if (this instanceof EventUnregister e) {
            ViciMessage.name(out, e.event());
        } else if (this instanceof Event e) {
            ViciMessage.name(out, e.event());
            e.body().encode(out);
        }
        return out.toByteArray();
    }

    /** Decodes one packet (without its length prefix). */
    static ViciPacket decode(byte[] buf, int off, int len) throws MalformedViciException {
        if (len < 1) {
            throw new MalformedViciException(MalformedViciException.Reason.TRUNCATED, 0, "packet type missing");
        }
        if (len > MAX_LENGTH) {
            throw new MalformedViciException(MalformedViciException.Reason.OVERSIZE, 0, "packet of " + len + " bytes (max " + MAX_LENGTH + ")");
        }
        Type t = Type.fromCode(buf[off] & 0xff);
        int pos = off + 1;
        String name = null;
        if (t.named()) {
            if (len < 2) {
                throw new MalformedViciException(MalformedViciException.Reason.TRUNCATED, 1, "name length missing");
            }
            int n = buf[pos++] & 0xff;
            if (off + len - pos < n) {
                throw new MalformedViciException(MalformedViciException.Reason.TRUNCATED, 2, "name of " + n + " bytes, "
                        + (off + len - pos) + " left");
            }
            name = new String(buf, pos, n, StandardCharsets.UTF_8);
            pos += n;
        }
        int rest = off + len - pos;
        return switch (t) {
            case CMD_REQUEST -> new CommandRequest(name, ViciMessage.decode(buf, pos, rest));
            case CMD_RESPONSE -> new CommandResponse(ViciMessage.decode(buf, pos, rest));
            case CMD_UNKNOWN -> new CommandUnknown();
            case EVENT_REGISTER -> new EventRegister(name);
            case EVENT_UNREGISTER -> new EventUnregister(name);
            case EVENT_CONFIRM -> new EventConfirm();
            case EVENT_UNKNOWN -> new EventUnknown();
            case EVENT -> new Event(name, ViciMessage.decode(buf, pos, rest));
        };
    }
}
