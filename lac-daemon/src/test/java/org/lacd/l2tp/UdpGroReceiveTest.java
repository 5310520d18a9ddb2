package org.lacd.l2tp;

import org.lacd.testsupport.Peers;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's socket options with UDP GRO: a run the kernel hands up merged (here a UDP GSO send on loopback, which
 * the kernel delivers unsegmented to a socket that took UDP_GRO, as it does a NIC's GRO run) comes out of the channel
 * as the same datagrams, whole and in order. A merged run larger than the plain receive slot (9,216 B) would be
 * truncated if the slots did not grow with GRO.
 */
class UdpGroReceiveTest {
    final CountingL2tpStats stats = new CountingL2tpStats();
    EventLoopGroup group;

    @BeforeEach
    void setUp() {
        Peers.require(Epoll.isAvailable() && DatagramBatch.available(), "epoll and sendmmsg (Linux)");
        group = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
    }

    @AfterEach
    void tearDown() {
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    @Test
    void aMergedRunOfFortyKilobytesArrivesAsFortyWholeDatagramsInOrder() throws Exception {
        List<byte[]> got = new CopyOnWriteArrayList<>();
        Bootstrap rb = new Bootstrap().group(group).channel(EpollDatagramChannel.class)
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                        byte[] b = new byte[p.content().readableBytes()];
                        p.content().getBytes(p.content().readerIndex(), b);
                        got.add(b);
                    }
                });
        L2tpEngine.socketOptions(rb, true, true, false);
        Channel receiver = rb.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        Channel sender = new Bootstrap().group(group).channel(EpollDatagramChannel.class)
                .handler(new io.netty.channel.ChannelInboundHandlerAdapter()).bind(0).sync().channel();
        int port = ((InetSocketAddress) receiver.localAddress()).getPort();
        DatagramBatch b = new DatagramBatch();
        int n = 40;
        int size = 1000;
        for (int i = 0; i < n; i++) {
            ByteBuffer slot = b.next(((EpollDatagramChannel) sender).fd().intValue(), stats, true);
            for (int k = 0; k < size; k++) {
                slot.put((byte) (i * 7 + k));
            }
            b.commit(InetAddress.getLoopbackAddress(), port, size);
        }
        b.send();
        assertEquals(1, b.messagesSent(), "one GSO message");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (got.size() < n && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(n, got.size(), "datagrams received");
        for (int i = 0; i < n; i++) {
            byte[] d = got.get(i);
            assertEquals(size, d.length, "datagram " + i + " length");
            for (int k = 0; k < size; k++) {
                assertEquals((byte) (i * 7 + k), d[k], "datagram " + i + " byte " + k);
            }
        }
        sender.close().sync();
        receiver.close().sync();
    }
}
