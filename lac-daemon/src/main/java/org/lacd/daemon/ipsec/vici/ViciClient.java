package org.lacd.daemon.ipsec.vici;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A blocking client of charon's VICI socket (strongSwan {@code src/libcharon/plugins/vici/README.md}) over a Java 16+
 * AF_UNIX {@link SocketChannel}: no native code. One request at a time per connection; the caller runs it on a
 * thread of its own (never an event loop). {@link #close()} from another thread ends a blocked call or
 * {@link #listen} with an {@link IOException}.
 *
 * <p>Why our own: Maven Central has no maintained Java VICI client (checked 2026-12: nothing under "vici" or
 * "strongswan"), and the protocol is a length-prefixed tree of key/values that fits in two small classes.
 */
public final class ViciClient implements AutoCloseable {
    private final SocketChannel channel;
    private final ByteBuffer header = ByteBuffer.allocate(4);

    private ViciClient(SocketChannel channel) {
        this.channel = channel;
    }

    /** Connects to charon's socket, for example {@code /var/run/charon.vici}. */
    public static ViciClient connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new ViciClient(ch);
    }

    /** A command without streamed events. */
    public synchronized ViciMessage call(String command, ViciMessage body) throws IOException, MalformedViciException, ViciException {
        return call(command, body, null, m -> { });
    }

    /**
     * A command whose results arrive as events before the response (for example {@code list-sas} streams
     * {@code list-sa}): registers {@code streamEvent} first, hands each such event to {@code onEvent}, then unregisters.
     */
    public synchronized ViciMessage call(String command, ViciMessage body, String streamEvent, Consumer<ViciMessage> onEvent)
            throws IOException, MalformedViciException, ViciException {
        if (streamEvent != null) {
            register(streamEvent);
        }
        write(new ViciPacket.CommandRequest(command, body));
        ViciMessage response;
        while (true) {
            ViciPacket p = read();
            if (p instanceof ViciPacket.Event e && e.event().equals(streamEvent)) {
                onEvent.accept(e.body());
            } else if (p instanceof ViciPacket.CommandResponse r) {
                response = r.body();
                break;
            } else if (p instanceof ViciPacket.CommandUnknown) {
                throw new ViciException(ViciException.Kind.UNKNOWN_COMMAND, "charon knows no command '" + command + "'");
            } else if (!(p instanceof ViciPacket.Event)) {
                throw new ViciException(ViciException.Kind.UNEXPECTED_PACKET, p.type() + " while waiting for the answer to " + command);
            }
        }
        if (streamEvent != null) {
            write(new ViciPacket.EventUnregister(streamEvent));
            expectConfirm(streamEvent);
        }
        return response;
    }

    /**
     * Registers the events, runs {@code registered}, then hands every event to {@code handler} until the connection
     * closes (blocks).
     */
    public void listen(List<String> events, Runnable registered, BiConsumer<String, ViciMessage> handler)
            throws IOException, MalformedViciException, ViciException {
        synchronized (this) {
            for (String e : events) {
                register(e);
            }
        }
        registered.run();
        while (true) {
            ViciPacket p = read();
            if (p instanceof ViciPacket.Event e) {
                handler.accept(e.event(), e.body());
            } else {
                throw new ViciException(ViciException.Kind.UNEXPECTED_PACKET, p.type() + " on an event connection");
            }
        }
    }

    private void register(String event) throws IOException, MalformedViciException, ViciException {
        write(new ViciPacket.EventRegister(event));
        expectConfirm(event);
    }

    private void expectConfirm(String event) throws IOException, MalformedViciException, ViciException {
        while (true) {
            ViciPacket p = read();
            if (p instanceof ViciPacket.EventConfirm) {
                return;
            }
            if (p instanceof ViciPacket.EventUnknown) {
                throw new ViciException(ViciException.Kind.UNKNOWN_EVENT, "charon knows no event '" + event + "'");
            }
            if (!(p instanceof ViciPacket.Event)) { // an event already registered may arrive in between
                throw new ViciException(ViciException.Kind.UNEXPECTED_PACKET, p.type() + " while (un)registering " + event);
            }
        }
    }

    private void write(ViciPacket p) throws IOException {
        byte[] body = p.encode();
        ByteBuffer b = ByteBuffer.allocate(4 + body.length);
        b.putInt(body.length).put(body).flip();
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    private ViciPacket read() throws IOException, MalformedViciException, ViciException {
        header.clear();
        fill(header);
        int len = header.flip().getInt();
        if (len < 1 || len > ViciPacket.MAX_LENGTH) {
            throw new MalformedViciException(len < 1 ? MalformedViciException.Reason.TRUNCATED : MalformedViciException.Reason.OVERSIZE,
                    0, "packet length " + Integer.toUnsignedString(len));
        }
        ByteBuffer body = ByteBuffer.allocate(len);
        fill(body);
        return ViciPacket.decode(body.array(), 0, len);
    }

    private void fill(ByteBuffer b) throws IOException, ViciException {
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) {
                throw new ViciException(ViciException.Kind.CLOSED, "charon closed the VICI connection");
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
