package org.lacd.daemon.ipsec;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.lacd.daemon.ipsec.vici.ViciMessage;
import org.lacd.daemon.ipsec.vici.ViciPacket;

/**
 * An in-process stand-in for charon's VICI socket, speaking the real packet format through lacd's own codec: it answers
 * {@code list-sas} (streaming {@code list-sa} events) and {@code initiate} from a scripted state, records the commands,
 * and pushes {@code child-updown} events to registered listeners. The real charon is exercised in the lab
 * (IpsecLabTest); this one makes the manager's decisions testable without root or strongSwan.
 */
final class FakeCharon implements AutoCloseable {
    final Path socket;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    final List<String> commands = new CopyOnWriteArrayList<>();
    private final List<SocketChannel> eventConnections = new CopyOnWriteArrayList<>();
    /** connection -> child -> remote-ts of an installed CHILD_SA. */
    final Map<String, Map<String, List<String>>> installed = new ConcurrentHashMap<>();
    /** What "initiate" does: given the child name, true to install it (with {@link #initiateTs}), false to fail. */
    volatile Function<String, Boolean> initiate = child -> true;
    volatile List<String> initiateTs = List.of("198.18.1.2/32[udp/1701]");

    FakeCharon(Path dir) throws IOException {
        socket = dir.resolve("charon.vici");
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        acceptor = new Thread(this::accept, "fake-charon");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel c = server.accept();
                Thread t = new Thread(() -> serve(c), "fake-charon-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(SocketChannel c) {
        Set<String> registered = ConcurrentHashMap.newKeySet();
        try (c) {
            while (true) {
                ViciPacket p = read(c);
                if (p instanceof ViciPacket.EventRegister r) {
                    registered.add(r.event());
                    if (r.event().equals("child-updown")) {
                        eventConnections.add(c);
                    }
                    write(c, new ViciPacket.EventConfirm());
                } else if (p instanceof ViciPacket.EventUnregister u) {
                    registered.remove(u.event());
                    write(c, new ViciPacket.EventConfirm());
                } else if (p instanceof ViciPacket.CommandRequest q) {
                    commands.add(q.command());
                    switch (q.command()) {
                        case "list-sas" -> {
                            String ike = q.body().text("ike").orElse("");
                            if (registered.contains("list-sa") && installed.containsKey(ike)) {
                                write(c, new ViciPacket.Event("list-sa", ikeSa(ike, installed.get(ike))));
                            }
                            write(c, new ViciPacket.CommandResponse(ViciMessage.EMPTY));
                        }
                        case "initiate" -> {
                            String ike = q.body().text("ike").orElse("");
                            String child = q.body().text("child").orElse("");
                            if (initiate.apply(child)) {
                                installed.computeIfAbsent(ike, k -> new ConcurrentHashMap<>()).put(child, initiateTs);
                                write(c, new ViciPacket.CommandResponse(ViciMessage.builder().put("success", "yes").build()));
                            } else {
                                write(c, new ViciPacket.CommandResponse(ViciMessage.builder().put("success", "no")
                                        .put("errmsg", "establishing CHILD_SA '" + child + "' failed").build()));
                            }
                        }
                        default -> write(c, new ViciPacket.CommandUnknown());
                    }
                }
            }
        } catch (IOException e) {
            // connection closed
        }
    }

    static ViciMessage ikeSa(String ike, Map<String, List<String>> children) {
        ViciMessage.Builder cs = ViciMessage.builder();
        int n = 0;
        for (Map.Entry<String, List<String>> e : children.entrySet()) {
            cs.section(e.getKey() + "-" + (++n), ViciMessage.builder().put("name", e.getKey()).put("state", "INSTALLED")
                    .list("remote-ts", e.getValue()).build());
        }
        return ViciMessage.builder().section(ike, ViciMessage.builder().put("state", "ESTABLISHED")
                .section("child-sas", cs.build()).build()).build();
    }

    /** charon's child-updown for a CHILD_SA that went down (no "up" key), to every event listener. */
    void childDown(String ike, String child) throws IOException {
        Map<String, List<String>> gone = Map.of(child, installed.getOrDefault(ike, Map.of()).getOrDefault(child, List.of()));
        installed.getOrDefault(ike, new ConcurrentHashMap<>()).remove(child);
        for (SocketChannel c : eventConnections) {
            write(c, new ViciPacket.Event("child-updown", ikeSa(ike, gone)));
        }
    }

    int eventListeners() {
        return eventConnections.size();
    }

    private static ViciPacket read(SocketChannel c) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(4);
        fill(c, h);
        ByteBuffer b = ByteBuffer.allocate(h.flip().getInt());
        fill(c, b);
        try {
            return ViciPacket.decode(b.array(), 0, b.capacity());
        } catch (org.lacd.daemon.ipsec.vici.MalformedViciException e) {
            throw new IOException(e);
        }
    }

    private static void fill(SocketChannel c, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (c.read(b) < 0) {
                throw new IOException("closed");
            }
        }
    }

    private static synchronized void write(SocketChannel c, ViciPacket p) throws IOException {
        byte[] body = p.encode();
        ByteBuffer b = ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).flip();
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (SocketChannel c : eventConnections) {
            c.close();
        }
    }
}
