package org.lacd.l2tp;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UDP datagrams queued by one thread and sent with one {@code sendmmsg(2)} (Linux, through JNA): the upstream data
 * path. The PPPoE receive thread queues each L2TP data frame here and sends the batch when libpcap has handed over
 * every frame that had arrived, so a burst costs one system call instead of one per frame, and a lone frame waits for
 * nothing. The lab measured a sendto per frame as the upstream limit.
 *
 * <p>All datagrams of a batch go out on one socket ({@link #fd}); queueing for another socket sends the batch first.
 * Memory: {@link #CAPACITY} slots of {@link #SLOT} bytes, their iovecs, names and headers, in native memory (about
 * 600 KiB per sending thread). Not thread-safe: an instance belongs to one thread.
 */
final class DatagramBatch {
    private static final Logger LOG = LoggerFactory.getLogger(DatagramBatch.class);
    /** Datagrams per sendmmsg. */
    static final int CAPACITY = 64;
    /** Largest datagram: the engine's {@code MAX_SLOT} (jumbo-frame LNS links). */
    static final int SLOT = L2tpEngine.MAX_SLOT;
    /** struct mmsghdr on LP64 Linux: struct msghdr (56 bytes) then unsigned int msg_len, padded to 64. */
    private static final int MMSGHDR = 64;
    private static final int MSG_NAMELEN = 8;
    private static final int MSG_IOV = 16;
    private static final int MSG_IOVLEN = 24;
    /** struct iovec: iov_base, iov_len. */
    private static final int IOVEC = 16;
    /** Room for a struct sockaddr_in6 (28 bytes); a sockaddr_in (16) fits. */
    private static final int NAME = 32;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final boolean AVAILABLE = register();

    private final Memory slots = new Memory((long) CAPACITY * SLOT);
    private final Memory iovecs = new Memory((long) CAPACITY * IOVEC);
    private final Memory names = new Memory((long) CAPACITY * NAME);
    private final Memory headers = new Memory((long) CAPACITY * MMSGHDR);
    private final ByteBuffer[] slotViews = new ByteBuffer[CAPACITY];
    private final ByteBuffer iovecView;
    private final ByteBuffer nameView;
    private final ByteBuffer headerView;
    private final Pointer[] headerAt = new Pointer[CAPACITY];
    private final int[] payload = new int[CAPACITY];
    private int count;
    /** The socket of the queued datagrams, with its family and the stats its outcome is counted in. */
    private int fd = -1;
    private boolean ipv6;
    private L2tpStats stats;
    /** Set by the first {@link #send()}: this thread promises to call it after every run of frames. */
    private boolean batching;
    /** The last peer's address bytes: InetAddress.getAddress() copies them, and a thread sends to few LNSs. */
    private InetAddress lastPeer;
    private byte[] lastPeerBytes;

    DatagramBatch() {
        slots.clear();
        iovecs.clear();
        names.clear();
        headers.clear();
        iovecView = iovecs.getByteBuffer(0, iovecs.size()).order(ByteOrder.nativeOrder());
        nameView = names.getByteBuffer(0, names.size()).order(ByteOrder.nativeOrder());
        headerView = headers.getByteBuffer(0, headers.size()).order(ByteOrder.nativeOrder());
        for (int i = 0; i < CAPACITY; i++) {
            // JNA's views come in native order; datagrams are written in network order
            slotViews[i] = slots.getByteBuffer((long) i * SLOT, SLOT).order(ByteOrder.BIG_ENDIAN);
            iovecs.setPointer((long) i * IOVEC, slots.share((long) i * SLOT));
            long h = (long) i * MMSGHDR;
            headers.setPointer(h, names.share((long) i * NAME));
            headers.setPointer(h + MSG_IOV, iovecs.share((long) i * IOVEC));
            headers.setLong(h + MSG_IOVLEN, 1);
            headerAt[i] = headers.share(h);
        }
    }

    /** sendmmsg and getsockname could be bound (Linux, 64-bit, JNA loaded). */
    static boolean available() { return AVAILABLE; }

    /** Whether this thread has called {@link #send()}: only then are its datagrams held for a batch. */
    boolean batching() { return batching; }

    /**
     * The slot the next datagram is written into (position 0, limit {@link #SLOT}), for socket {@code fd}. A batch
     * for another socket, or a full one, is sent first.
     */
    ByteBuffer next(int fd, L2tpStats stats) {
        if (count > 0 && (fd != this.fd || stats != this.stats)) {
            flush();
        }
        if (fd != this.fd) {
            this.ipv6 = family(fd) == AF_INET6;
        }
        this.fd = fd;
        this.stats = stats;
        ByteBuffer b = slotViews[count];
        b.clear();
        return b;
    }

    /**
     * Queues the datagram written into {@link #next}'s slot (up to its position) to {@code peer:port}, counted as
     * {@code payloadBytes} of data out once sent. A full batch is sent at once.
     */
    void commit(InetAddress peer, int port, int payloadBytes) {
        int i = count;
        int name = i * NAME;
        if (peer != lastPeer) {
            lastPeer = peer;
            lastPeerBytes = peer.getAddress();
        }
        byte[] a = lastPeerBytes;
        int len;
        if (peer instanceof Inet4Address && !ipv6) {
            nameView.putShort(name, (short) AF_INET);
            nameView.put(name + 2, (byte) (port >>> 8)).put(name + 3, (byte) port);
            nameView.put(name + 4, a);
            len = 16;
        } else if (ipv6) {
            nameView.putShort(name, (short) AF_INET6);
            nameView.put(name + 2, (byte) (port >>> 8)).put(name + 3, (byte) port);
            nameView.putInt(name + 4, 0); // flowinfo
            if (a.length == 4) { // IPv4 on a dual-stack socket: ::ffff:a.b.c.d
                nameView.putLong(name + 8, 0).putShort(name + 16, (short) 0).putShort(name + 18, (short) 0xffff);
                nameView.put(name + 20, a);
            } else {
                nameView.put(name + 8, a);
            }
            nameView.putInt(name + 24, peer instanceof Inet6Address v6 ? v6.getScopeId() : 0);
            len = 28;
        } else { // an IPv6 peer on an IPv4 socket: sendto would refuse it too
            stats.drop(L2tpStats.DropReason.SEND_FAILED);
            return;
        }
        headerView.putInt(i * MMSGHDR + MSG_NAMELEN, len);
        iovecView.putLong(i * IOVEC + 8, slotViews[i].position());
        payload[i] = payloadBytes;
        count = i + 1;
        if (count == CAPACITY) {
            flush();
        }
    }

    /** Sends the queued datagrams, and marks this thread as one that calls this after every run of frames. */
    void send() {
        batching = true;
        flush();
    }

    /** Datagrams queued and not yet sent. */
    int queued() { return count; }

    private void flush() {
        int n = count;
        count = 0;
        int done = 0;
        while (done < n) {
            int r = sendmmsg(fd, headerAt[done], n - done, 0);
            if (r > 0) {
                for (int i = done; i < done + r; i++) {
                    stats.dataOut(payload[i]);
                }
                done += r;
                continue;
            }
            int err = Native.getLastError();
            if (err == EINTR) {
                continue;
            }
            if (err == EAGAIN) { // the socket's send buffer is full: the rest of the batch is lost, as with sendto
                for (; done < n; done++) {
                    stats.drop(L2tpStats.DropReason.SEND_QUEUE_FULL);
                }
                return;
            }
            // the datagram at done was refused (a firewall's EPERM, an unroutable peer): count it, send the rest
            stats.drop(L2tpStats.DropReason.SEND_FAILED);
            LOG.debug("L2TP data datagram not sent: errno {}", err);
            done++;
        }
    }

    /** The socket's address family, from getsockname; AF_INET when it cannot be read. */
    private static int family(int fd) {
        try (Memory addr = new Memory(128); Memory len = new Memory(4)) {
            len.setInt(0, 128);
            if (getsockname(fd, addr, len) == 0) {
                return addr.getShort(0);
            }
        }
        return AF_INET;
    }

    private static native int sendmmsg(int fd, Pointer msgvec, int vlen, int flags);

    private static native int getsockname(int fd, Pointer addr, Pointer addrlen);

    private static boolean register() {
        if (!Platform.isLinux() || Native.POINTER_SIZE != 8 || Native.LONG_SIZE != 8) {
            return false;
        }
        try {
            Native.register(DatagramBatch.class, Platform.C_LIBRARY_NAME);
            return true;
        } catch (LinkageError | RuntimeException e) {
            LOG.info("sendmmsg unavailable ({}): L2TP data goes out with one sendto per frame", e.toString());
            return false;
        }
    }
}
