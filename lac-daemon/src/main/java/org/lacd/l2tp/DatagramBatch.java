package org.lacd.l2tp;

import static org.lacd.l2tp.LibC.MMSGHDR;
import static org.lacd.l2tp.LibC.MSG_NAMELEN;
import static org.lacd.l2tp.LibC.MSG_IOV;
import static org.lacd.l2tp.LibC.MSG_IOVLEN;
import static org.lacd.l2tp.LibC.MSG_CONTROL;
import static org.lacd.l2tp.LibC.MSG_CONTROLLEN;
import static org.lacd.l2tp.LibC.IOVEC;
import static org.lacd.l2tp.LibC.NAME;
import static org.lacd.l2tp.LibC.AF_INET;
import static org.lacd.l2tp.LibC.AF_INET6;
import static org.lacd.l2tp.LibC.CMSG;
import static org.lacd.l2tp.LibC.SOL_UDP;
import static org.lacd.l2tp.LibC.EINTR;
import static org.lacd.l2tp.LibC.EAGAIN;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
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
 *
 * <p><b>UDP GSO.</b> With {@link #gso} on, a run of consecutive datagrams to one peer of the same length (the last of
 * the run may be shorter) leaves as one message with a {@code UDP_SEGMENT} control message (Linux 4.18+,
 * {@code udp(7)}): the kernel walks the UDP/IP output path, the routing lookup and netfilter once for the run instead
 * of once per datagram, and the run is cut into datagrams at the device (in the NIC where it offloads UDP
 * segmentation, in software just before the driver otherwise). On the wire and at the LNS they are the same datagrams,
 * in the same order. A peer the kernel refuses GSO for ({@code EIO} through an XFRM/IPsec route, {@code EINVAL} when
 * a run exceeds the path MTU or the kernel lacks it) gets its run sent datagram by datagram at once and is remembered,
 * with one log line; its later datagrams are never grouped.
 */
final class DatagramBatch {
    private static final Logger LOG = LoggerFactory.getLogger(DatagramBatch.class);
    /** Datagrams per sendmmsg. */
    static final int CAPACITY = 64;
    /** Largest datagram: the engine's {@code MAX_SLOT} (jumbo-frame LNS links). */
    static final int SLOT = L2tpEngine.MAX_SLOT;
    private static final int UDP_SEGMENT = 103;
    /** Largest sum of a run's datagrams: an IPv6 payload is at most 65,535 bytes, less the UDP header; some margin. */
    private static final int GSO_MAX_BYTES = 65_000;
    private static final int EIO = 5;
    private static final int EINVAL = 22;
    private static final int ENOPROTOOPT = 92;
    private static final int EOPNOTSUPP = 95;
    private static final boolean AVAILABLE = register();

    private final Memory slots = new Memory((long) CAPACITY * SLOT);
    private final Memory iovecs = new Memory((long) CAPACITY * IOVEC);
    private final Memory names = new Memory((long) CAPACITY * NAME);
    private final Memory headers = new Memory((long) CAPACITY * MMSGHDR);
    /** One UDP_SEGMENT control message per possible message of a send. */
    private final Memory controls = new Memory((long) CAPACITY * CMSG);
    private final ByteBuffer[] slotViews = new ByteBuffer[CAPACITY];
    private final ByteBuffer iovecView;
    private final ByteBuffer nameView;
    private final ByteBuffer headerView;
    private final ByteBuffer controlView;
    /** Native addresses of the names, iovecs and control messages, written into the headers of each send. */
    private final long namesAt;
    private final long iovecsAt;
    private final long controlsAt;
    private final Pointer[] headerAt = new Pointer[CAPACITY];
    private final int[] payload = new int[CAPACITY];
    /** Per slot: its datagram's length, its address length, its peer, whether the peer may be grouped. */
    private final int[] length = new int[CAPACITY];
    private final int[] nameLength = new int[CAPACITY];
    private final InetAddress[] peerOf = new InetAddress[CAPACITY];
    private final int[] portOf = new int[CAPACITY];
    private final boolean[] groupable = new boolean[CAPACITY];
    /** Per message of the send in progress: its first slot and how many datagrams it carries. */
    private final int[] firstSlot = new int[CAPACITY];
    private final int[] slotCount = new int[CAPACITY];
    /** Whether the datagrams being queued may be grouped with UDP_SEGMENT (the engine's {@code l2tp.udp-gso}). */
    private boolean gso = true;
    /** Peers the kernel refused GSO for: their datagrams go one by one from then on. */
    private final Set<InetAddress> noGso = new HashSet<>();
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
    private boolean lastPeerGroupable;
    /** Messages sent, and datagrams in them: {@code datagrams / messages} is the mean run length (tests, stats). */
    private long messages;
    private long datagrams;

    DatagramBatch() {
        slots.clear();
        iovecs.clear();
        names.clear();
        headers.clear();
        controls.clear();
        for (int i = 0; i < CAPACITY; i++) {
            long c = (long) i * CMSG;
            controls.setLong(c, 18); // cmsg_len = CMSG_LEN(sizeof(uint16_t))
            controls.setInt(c + 8, SOL_UDP);
            controls.setInt(c + 12, UDP_SEGMENT);
        }
        iovecView = iovecs.getByteBuffer(0, iovecs.size()).order(ByteOrder.nativeOrder());
        nameView = names.getByteBuffer(0, names.size()).order(ByteOrder.nativeOrder());
        headerView = headers.getByteBuffer(0, headers.size()).order(ByteOrder.nativeOrder());
        controlView = controls.getByteBuffer(0, controls.size()).order(ByteOrder.nativeOrder());
        namesAt = Pointer.nativeValue(names);
        iovecsAt = Pointer.nativeValue(iovecs);
        controlsAt = Pointer.nativeValue(controls);
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
        return next(fd, stats, true);
    }

    /** As {@link #next(int, L2tpStats)}; {@code gso} says whether this datagram may join a UDP_SEGMENT run. */
    ByteBuffer next(int fd, L2tpStats stats, boolean gso) {
        this.gso = gso;
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
            lastPeerGroupable = !noGso.contains(peer);
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
        nameLength[i] = len;
        int size = slotViews[i].position();
        iovecView.putLong(i * IOVEC + 8, size);
        length[i] = size;
        peerOf[i] = peer;
        portOf[i] = port;
        groupable[i] = gso && lastPeerGroupable;
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

    /** Messages and datagrams sent so far by this batch (their ratio is the mean GSO run). */
    long messagesSent() { return messages; }

    long datagramsSent() { return datagrams; }

    private void flush() {
        int n = count;
        count = 0;
        int m = build(0, n);
        int done = 0; // messages
        while (done < m) {
            int r = sendmmsg(fd, headerAt[done], m - done, 0);
            if (r > 0) {
                for (int k = done; k < done + r; k++) {
                    sent(k);
                }
                done += r;
                continue;
            }
            int err = Native.getLastError();
            if (err == EINTR) {
                continue;
            }
            int first = firstSlot[done];
            if (err == EAGAIN) { // the socket's send buffer is full: the rest of the batch is lost, as with sendto
                for (int i = first; i < n; i++) {
                    stats.drop(L2tpStats.DropReason.SEND_QUEUE_FULL);
                }
                release(n);
                return;
            }
            if (slotCount[done] > 1 && refusesGso(err)) {
                // the kernel will not segment for this peer: never group it again, and send the rest ungrouped
                InetAddress peer = peerOf[first];
                if (noGso.add(peer)) {
                    LOG.info("UDP GSO refused for L2TP data to {} (errno {}): its datagrams go one by one", peer.getHostAddress(), err);
                }
                lastPeer = null;
                for (int i = first; i < n; i++) {
                    if (peerOf[i].equals(peer)) {
                        groupable[i] = false;
                    }
                }
                m = build(first, n);
                done = 0;
                continue;
            }
            // the message at done was refused (a firewall's EPERM, an unroutable peer): count it, send the rest
            for (int i = 0; i < slotCount[done]; i++) {
                stats.drop(L2tpStats.DropReason.SEND_FAILED);
            }
            LOG.debug("L2TP data datagram not sent: errno {}", err);
            done++;
        }
        release(n);
    }

    private static boolean refusesGso(int err) {
        return err == EIO || err == EINVAL || err == ENOPROTOOPT || err == EOPNOTSUPP;
    }

    private void sent(int message) {
        int first = firstSlot[message];
        int k = slotCount[message];
        for (int i = first; i < first + k; i++) {
            stats.dataOut(payload[i]);
        }
        messages++;
        datagrams += k;
    }

    /** Drops the references to peers so that a batch does not pin them. */
    private void release(int n) {
        Arrays.fill(peerOf, 0, n, null);
    }

    /**
     * Writes the messages for slots {@code from..n-1} into the headers from index 0: each a run of datagrams to one
     * peer and port, all of the first one's length but the last, which may be shorter, at most {@link #CAPACITY} and
     * {@link #GSO_MAX_BYTES}; a run of more than one carries a UDP_SEGMENT control message. Returns the message count.
     */
    private int build(int from, int n) {
        int m = 0;
        int i = from;
        while (i < n) {
            int size = length[i];
            int j = i + 1;
            if (groupable[i]) {
                int bytes = size;
                while (j < n && groupable[j] && portOf[j] == portOf[i] && peerOf[j].equals(peerOf[i])
                        && length[j] <= size && bytes + length[j] <= GSO_MAX_BYTES) {
                    bytes += length[j];
                    j++;
                    if (length[j - 1] < size) {
                        break; // a shorter datagram ends the run
                    }
                }
            }
            int h = m * MMSGHDR;
            headerView.putLong(h, namesAt + (long) i * NAME).putInt(h + MSG_NAMELEN, nameLength[i]);
            headerView.putLong(h + MSG_IOV, iovecsAt + (long) i * IOVEC).putLong(h + MSG_IOVLEN, j - i);
            if (j - i > 1) {
                int c = m * CMSG;
                controlView.putShort(c + 16, (short) size);
                headerView.putLong(h + MSG_CONTROL, controlsAt + c).putLong(h + MSG_CONTROLLEN, CMSG);
            } else {
                headerView.putLong(h + MSG_CONTROL, 0).putLong(h + MSG_CONTROLLEN, 0);
            }
            firstSlot[m] = i;
            slotCount[m] = j - i;
            m++;
            i = j;
        }
        return m;
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
        String why = LibC.register(DatagramBatch.class);
        if (why != null) {
            LOG.info("sendmmsg unavailable ({}): L2TP data goes out with one sendto per frame", why);
        }
        return why == null;
    }
}
