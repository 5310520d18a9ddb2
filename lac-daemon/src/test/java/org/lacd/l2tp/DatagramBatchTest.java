package org.lacd.l2tp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.testsupport.Peers;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.SocketProtocolFamily;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** sendmmsg batches from real sockets (IPv4 and dual-stack) to a receiver on loopback. */
class DatagramBatchTest {
    final CountingL2tpStats stats = new CountingL2tpStats();
    EventLoopGroup group;
    DatagramSocket receiver;

    @BeforeEach
    void setUp() throws Exception {
        Peers.require(Epoll.isAvailable() && DatagramBatch.available(), "epoll and sendmmsg (Linux)");
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        receiver = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        receiver.setSoTimeout(300);
    }

    @AfterEach
    void tearDown() {
        if (receiver != null) {
            receiver.close();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    Channel socket(SocketProtocolFamily family) throws InterruptedException {
        return new Bootstrap().group(group).channelFactory(() -> new EpollDatagramChannel(family))
                .handler(new ChannelInboundHandlerAdapter()).bind(0).sync().channel();
    }

    static int fd(Channel ch) {
        return ((EpollDatagramChannel) ch).fd().intValue();
    }

    /** An L2TP data header's first field (version 2) written with putShort, then the payload. */
    void queue(DatagramBatch b, int fd, byte[] payload) {
        ByteBuffer slot = b.next(fd, stats);
        slot.putShort((short) 0x0002).put(payload);
        b.commit(InetAddress.getLoopbackAddress(), receiver.getLocalPort(), payload.length);
    }

    /** The payload of the next datagram, after checking that its first field arrived in network order. */
    byte[] receive() throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
        receiver.receive(p);
        assertEquals(0x0002, ((p.getData()[0] & 0xff) << 8) | (p.getData()[1] & 0xff), "network byte order");
        return Arrays.copyOfRange(p.getData(), 2, p.getLength());
    }

    void nothingArrives() throws Exception {
        try {
            byte[] got = receive();
            throw new AssertionError("a datagram arrived before the batch was sent: " + Arrays.toString(got));
        } catch (SocketTimeoutException expected) {
            // held in the batch
        }
    }

    @Test
    void ipv4AndDualStackSocketsSendTheBatchInOrderOnlyWhenAsked() throws Exception {
        for (SocketProtocolFamily family : new SocketProtocolFamily[] {SocketProtocolFamily.INET, SocketProtocolFamily.INET6}) {
            Channel ch = socket(family);
            DatagramBatch b = new DatagramBatch();
            long before = stats.packetsOut.sum();
            for (int i = 0; i < 5; i++) {
                queue(b, fd(ch), new byte[] {(byte) i, 1, 2, (byte) (100 + i)});
            }
            assertEquals(5, b.queued());
            nothingArrives();
            b.send();
            for (int i = 0; i < 5; i++) {
                assertArrayEquals(new byte[] {(byte) i, 1, 2, (byte) (100 + i)}, receive(), family + " datagram " + i);
            }
            assertEquals(0, b.queued());
            assertEquals(5, stats.packetsOut.sum() - before, family + ": counted once sent");
            ch.close().sync();
        }
    }

    @Test
    void aFullBatchIsSentWithoutWaitingAndASecondSocketSendsTheFirstSocketsBatch() throws Exception {
        Channel a = socket(SocketProtocolFamily.INET);
        Channel c = socket(SocketProtocolFamily.INET6);
        DatagramBatch b = new DatagramBatch();
        for (int i = 0; i < DatagramBatch.CAPACITY; i++) {
            queue(b, fd(a), new byte[] {(byte) i});
        }
        for (int i = 0; i < DatagramBatch.CAPACITY; i++) {
            assertArrayEquals(new byte[] {(byte) i}, receive());
        }
        queue(b, fd(a), new byte[] {42});
        queue(b, fd(c), new byte[] {43}); // another socket: the first socket's datagram leaves now
        assertArrayEquals(new byte[] {42}, receive());
        nothingArrives();
        b.send();
        DatagramPacket p = new DatagramPacket(new byte[16], 16);
        receiver.receive(p);
        assertEquals(43, p.getData()[2]);
        assertEquals(((InetSocketAddress) c.localAddress()).getPort(), p.getPort(), "sent from the second socket");
    }

    /** libc's setsockopt, to make the kernel refuse GSO on a socket (SO_NO_CHECK: no UDP checksum, no GSO). */
    interface LibC extends com.sun.jna.Library {
        LibC C = com.sun.jna.Native.load("c", LibC.class);

        int setsockopt(int fd, int level, int name, com.sun.jna.ptr.IntByReference value, int len);
    }

    void queueSized(DatagramBatch b, int fd, int index, int size, boolean gso) {
        ByteBuffer slot = b.next(fd, stats, gso);
        slot.putShort((short) 0x0002);
        for (int k = 0; k < size; k++) {
            slot.put((byte) (index + k));
        }
        b.commit(InetAddress.getLoopbackAddress(), receiver.getLocalPort(), size);
    }

    void receiveSized(int index, int size) throws Exception {
        byte[] got = receive();
        assertEquals(size, got.length, "datagram " + index + " length");
        for (int k = 0; k < size; k++) {
            assertEquals((byte) (index + k), got[k], "datagram " + index + " byte " + k);
        }
    }

    @Test
    void runsOfEqualSizedDatagramsToOnePeerLeaveAsOneGsoMessageAndArriveAsTheSameDatagramsInOrder() throws Exception {
        for (SocketProtocolFamily family : new SocketProtocolFamily[] {SocketProtocolFamily.INET, SocketProtocolFamily.INET6}) {
            Channel ch = socket(family);
            DatagramBatch b = new DatagramBatch();
            // sizes: a run of 20 (the 20th shorter, which ends it), then a run of 3, then one larger datagram alone
            int[] sizes = new int[24];
            Arrays.fill(sizes, 0, 19, 300);
            sizes[19] = 120;
            Arrays.fill(sizes, 20, 23, 300);
            sizes[23] = 700;
            long before = stats.packetsOut.sum();
            for (int i = 0; i < sizes.length; i++) {
                queueSized(b, fd(ch), i, sizes[i], true);
            }
            b.send();
            for (int i = 0; i < sizes.length; i++) {
                receiveSized(i, sizes[i]);
            }
            nothingArrives();
            assertEquals(3, b.messagesSent(), family + ": three runs, three messages");
            assertEquals(sizes.length, b.datagramsSent());
            assertEquals(sizes.length, stats.packetsOut.sum() - before, family + ": every datagram counted");
            ch.close().sync();
        }
    }

    @Test
    void withGsoOffEveryDatagramIsItsOwnMessage() throws Exception {
        Channel ch = socket(SocketProtocolFamily.INET);
        DatagramBatch b = new DatagramBatch();
        for (int i = 0; i < 10; i++) {
            queueSized(b, fd(ch), i, 200, false);
        }
        b.send();
        for (int i = 0; i < 10; i++) {
            receiveSized(i, 200);
        }
        assertEquals(10, b.messagesSent());
    }

    @Test
    void aPeerTheKernelRefusesGsoForGetsItsRunDatagramByDatagramAndIsNeverGroupedAgain() throws Exception {
        Channel ch = socket(SocketProtocolFamily.INET);
        int fd = fd(ch);
        // SO_NO_CHECK (SOL_SOCKET 1, option 11): the kernel refuses UDP_SEGMENT on this socket with EINVAL
        assertEquals(0, LibC.C.setsockopt(fd, 1, 11, new com.sun.jna.ptr.IntByReference(1), 4));
        DatagramBatch b = new DatagramBatch();
        for (int i = 0; i < 8; i++) {
            queueSized(b, fd, i, 100, true);
        }
        b.send();
        for (int i = 0; i < 8; i++) {
            receiveSized(i, 100);
        }
        assertEquals(8, b.messagesSent(), "refused run resent datagram by datagram");
        assertEquals(0, stats.drops(L2tpStats.DropReason.SEND_FAILED));
        assertEquals(8, stats.packetsOut.sum());
        for (int i = 0; i < 4; i++) {
            queueSized(b, fd, i, 100, true);
        }
        b.send();
        for (int i = 0; i < 4; i++) {
            receiveSized(i, 100);
        }
        assertEquals(12, b.messagesSent(), "the peer is not grouped again");
    }

    @Test
    void aClosedSocketCountsEveryDatagramAsSendFailedAndThrowsNothing() throws Exception {
        Channel ch = socket(SocketProtocolFamily.INET);
        int fd = fd(ch);
        DatagramBatch b = new DatagramBatch();
        queue(b, fd, new byte[] {1});
        ch.close().sync();
        queue(b, fd, new byte[] {2});
        queue(b, fd, new byte[] {3});
        b.send();
        assertEquals(3, stats.drops(L2tpStats.DropReason.SEND_FAILED));
        assertEquals(0, stats.packetsOut.sum());
        nothingArrives();
    }

    @Test
    void theEngineKeepsLnssBehindIpsecOutOfGsoRuns() throws Exception {
        L2tpEngine e = new L2tpEngine(L2tpSettings.defaults(), null);
        InetAddress ipsec = InetAddress.getByName("192.0.2.11");
        InetAddress clear = InetAddress.getByName("192.0.2.12");
        assertTrue(e.gsoTo(ipsec) && e.gsoTo(clear), "l2tp.udp-gso defaults to on");
        e.udpGsoOff(java.util.Set.of(ipsec));
        assertFalse(e.gsoTo(ipsec), "an LNS behind IPsec: datagram by datagram");
        assertTrue(e.gsoTo(clear));
        e.udpGso(false);
        assertFalse(e.gsoTo(clear), "udp-gso: false turns it off for every LNS");
        e.udpGso(true);
        e.udpGsoOff(java.util.Set.of());
        assertTrue(e.gsoTo(ipsec), "a reload that drops the IPsec requirement groups again");
    }
}
