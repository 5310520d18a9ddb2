package org.lacd.l2tp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.SocketProtocolFamily;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lacd.testsupport.Peers;

/** recvmmsg batches from real sockets (IPv4 and dual-stack) on loopback: bytes, lengths, senders, truncation. */
class DatagramReaderTest {
    EventLoopGroup group;
    final List<AutoCloseable> closers = new ArrayList<>();
    final DatagramReader reader = new DatagramReader();

    @BeforeEach
    void setUp() {
        Peers.require(Epoll.isAvailable() && DatagramReader.available(), "epoll and recvmmsg (Linux)");
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closers) {
            c.close();
        }
        reader.close();
        if (group != null) {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** A socket nobody else reads (auto-read off), on loopback of the family's choice, and its port. */
    Channel socket(SocketProtocolFamily family, InetAddress at) throws InterruptedException {
        Channel ch = new Bootstrap().group(group).channelFactory(() -> new EpollDatagramChannel(family))
                .option(ChannelOption.AUTO_READ, false).handler(new ChannelInboundHandlerAdapter())
                .bind(at, 0).sync().channel();
        closers.add(() -> ch.close().sync());
        return ch;
    }

    static int fd(Channel ch) {
        return ((EpollDatagramChannel) ch).fd().intValue();
    }

    static int port(Channel ch) {
        return ((InetSocketAddress) ch.localAddress()).getPort();
    }

    DatagramSocket sender(InetAddress at) throws Exception {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(at, 0));
        closers.add(s);
        return s;
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + i);
        }
        return b;
    }

    /** Reads until {@code n} datagrams have come (they are on loopback already, but the kernel may lag a little). */
    int receiveAtLeast(int fd, int n) throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        int got;
        do {
            got = reader.receive(fd);
            if (got >= n) {
                return got;
            }
            assertEquals(0, got, "a partial batch");
            Thread.sleep(1);
        } while (System.nanoTime() < end);
        throw new AssertionError("no datagrams");
    }

    @Test
    void ipv4DatagramsComeWithTheirBytesLengthsAndSender() throws Exception {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        Channel ch = socket(SocketProtocolFamily.INET, lo);
        assertEquals(0, reader.receive(fd(ch)), "nothing waiting: 0, not an error");
        DatagramSocket a = sender(lo);
        DatagramSocket b = sender(lo);
        InetSocketAddress to = new InetSocketAddress(lo, port(ch));
        a.send(new DatagramPacket(bytes(10, 1), 10, to));
        b.send(new DatagramPacket(bytes(1400, 2), 1400, to));
        a.send(new DatagramPacket(bytes(0, 3), 0, to));
        long end = System.nanoTime() + 5_000_000_000L;
        int n = 0;
        List<Integer> lengths = new ArrayList<>();
        List<byte[]> data = new ArrayList<>();
        List<InetSocketAddress> from = new ArrayList<>();
        byte[] buf = new byte[L2tpEngine.MAX_DATAGRAM];
        while (n < 3 && System.nanoTime() < end) {
            int got = reader.receive(fd(ch));
            for (int i = 0; i < got; i++) {
                assertFalse(reader.truncated(i));
                lengths.add(reader.length(i));
                reader.copy(i, buf);
                data.add(Arrays.copyOf(buf, reader.length(i)));
                from.add(reader.sender(i));
            }
            n += got;
        }
        assertEquals(List.of(10, 1400, 0), lengths);
        assertArrayEquals(bytes(10, 1), data.get(0));
        assertArrayEquals(bytes(1400, 2), data.get(1));
        assertEquals(a.getLocalSocketAddress(), from.get(0));
        assertEquals(b.getLocalSocketAddress(), from.get(1));
        assertInstanceOf(Inet4Address.class, from.get(0).getAddress());
        assertSame(from.get(0), from.get(2), "a sender seen before: the same address object");
        assertNotSame(from.get(0), from.get(1));
    }

    @Test
    void aFullBatchLeavesTheRestForTheNextCall() throws Exception {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        Channel ch = socket(SocketProtocolFamily.INET, lo);
        DatagramSocket a = sender(lo);
        int total = DatagramReader.CAPACITY + 5;
        for (int i = 0; i < total; i++) {
            a.send(new DatagramPacket(new byte[] {(byte) i}, 1, new InetSocketAddress(lo, port(ch))));
        }
        byte[] buf = new byte[16];
        int seen = 0;
        long end = System.nanoTime() + 5_000_000_000L;
        while (seen < total && System.nanoTime() < end) {
            int got = reader.receive(fd(ch));
            assertTrue(got <= DatagramReader.CAPACITY);
            for (int i = 0; i < got; i++) {
                reader.copy(i, buf);
                assertEquals((byte) seen, buf[0], "in order");
                seen++;
            }
        }
        assertEquals(total, seen);
        assertEquals(0, reader.receive(fd(ch)));
    }

    @Test
    void dualStackSocketGivesIpv4SendersAsIpv4AndIpv6AsIpv6() throws Exception {
        Channel ch = socket(SocketProtocolFamily.INET6, InetAddress.getByName("::"));
        DatagramSocket v4 = sender(InetAddress.getByName("127.0.0.1"));
        DatagramSocket v6 = sender(InetAddress.getByName("::1"));
        v4.send(new DatagramPacket(bytes(5, 4), 5, new InetSocketAddress("127.0.0.1", port(ch))));
        v6.send(new DatagramPacket(bytes(6, 5), 6, new InetSocketAddress("::1", port(ch))));
        List<InetSocketAddress> from = new ArrayList<>();
        long end = System.nanoTime() + 5_000_000_000L;
        while (from.size() < 2 && System.nanoTime() < end) {
            int got = reader.receive(fd(ch));
            for (int i = 0; i < got; i++) {
                from.add(reader.sender(i));
            }
        }
        assertEquals(2, from.size());
        assertEquals(v4.getLocalSocketAddress(), from.get(0), "::ffff:127.0.0.1 as 127.0.0.1, as Netty gives it");
        assertInstanceOf(Inet4Address.class, from.get(0).getAddress());
        assertInstanceOf(Inet6Address.class, from.get(1).getAddress());
        assertEquals(InetAddress.getByName("::1"), from.get(1).getAddress());
        assertEquals(v6.getLocalPort(), from.get(1).getPort());
    }

    @Test
    void aDatagramLongerThanASlotIsFlaggedTruncated() throws Exception {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        Channel ch = socket(SocketProtocolFamily.INET, lo);
        DatagramSocket a = sender(lo);
        InetSocketAddress to = new InetSocketAddress(lo, port(ch));
        a.send(new DatagramPacket(new byte[DatagramReader.SLOT + 100], DatagramReader.SLOT + 100, to));
        a.send(new DatagramPacket(new byte[DatagramReader.SLOT], DatagramReader.SLOT, to));
        int got = receiveAtLeast(fd(ch), 1);
        assertTrue(reader.truncated(0));
        assertEquals(DatagramReader.SLOT, reader.length(0), "cut at the slot");
        if (got == 1) {
            got = receiveAtLeast(fd(ch), 1);
            assertFalse(reader.truncated(0), "a datagram that fits exactly");
            assertEquals(DatagramReader.SLOT, reader.length(0));
        } else {
            assertFalse(reader.truncated(1), "a datagram that fits exactly");
            assertEquals(DatagramReader.SLOT, reader.length(1));
        }
    }

    /**
     * With UDP GRO a merged run (here a UDP GSO send on loopback, which the kernel delivers unsegmented to a socket that
     * took UDP_GRO, as it does a NIC's GRO run) comes as one message whose segment length cuts it back into the same
     * datagrams, the last one shorter; a lone datagram's segment is its length.
     */
    @Test
    void withUdpGroAMergedRunIsOneMessageCutAtItsSegmentLength() throws Exception {
        Channel ch = new Bootstrap().group(group).channel(EpollDatagramChannel.class)
                .option(ChannelOption.AUTO_READ, false).option(io.netty.channel.epoll.EpollChannelOption.UDP_GRO, true)
                .handler(new ChannelInboundHandlerAdapter()).bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
        closers.add(() -> ch.close().sync());
        Channel out = socket(SocketProtocolFamily.INET, InetAddress.getLoopbackAddress());
        CountingL2tpStats stats = new CountingL2tpStats();
        DatagramBatch batch = new DatagramBatch();
        int n = 40;
        int size = 1000;
        for (int i = 0; i < n; i++) {
            java.nio.ByteBuffer slot = batch.next(fd(out), stats, true);
            slot.put(bytes(i == n - 1 ? 300 : size, i * 7));
            batch.commit(InetAddress.getLoopbackAddress(), port(ch), size);
        }
        batch.send();
        assertEquals(1, batch.messagesSent(), "one GSO message");
        DatagramReader gro = new DatagramReader(true);
        closers.add(gro);
        assertEquals(DatagramReader.GRO_CAPACITY, gro.capacity());
        long end = System.nanoTime() + 5_000_000_000L;
        int got = 0;
        while (got == 0 && System.nanoTime() < end) {
            got = gro.receive(fd(ch));
        }
        assertEquals(1, got, "the run as one message");
        assertEquals((n - 1) * size + 300, gro.length(0));
        assertEquals(size, gro.segment(0));
        byte[] buf = new byte[size];
        for (int i = 0; i < n; i++) {
            int len = i == n - 1 ? 300 : size;
            gro.copy(0, i * size, len, buf);
            assertArrayEquals(bytes(len, i * 7), Arrays.copyOf(buf, len), "datagram " + i);
        }
        assertEquals(out.localAddress(), gro.sender(0));
        // a datagram sent alone is not merged: its segment is its own length
        DatagramSocket lone = sender(InetAddress.getLoopbackAddress());
        lone.send(new DatagramPacket(bytes(77, 1), 77, new InetSocketAddress(InetAddress.getLoopbackAddress(), port(ch))));
        got = 0;
        while (got == 0 && System.nanoTime() < end) {
            got = gro.receive(fd(ch));
        }
        assertEquals(1, got);
        assertEquals(77, gro.length(0));
        assertEquals(77, gro.segment(0));
    }

    @Test
    void aClosedDescriptorIsAnErrorNotAnException() {
        assertEquals(-1, reader.receive(-1));
        assertEquals(9, reader.lastError(), "EBADF");
    }
}
