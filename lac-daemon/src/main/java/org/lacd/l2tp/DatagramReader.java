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
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UDP datagrams read with one {@code recvmmsg(2)} per batch (Linux, through JNA) into slots of native memory: the
 * receive side of {@link DatagramBatch}, and the L2TP sockets' read path where it is available. Netty's epoll channel
 * reads with recvmmsg too, but builds a {@code DatagramPacket}, a buffer slice and a sender address per datagram in
 * its JNI code and passes each through the pipeline; the lab's profile of the downstream worker put that marshalling
 * at most of the JVM's share of its CPU (lab.md, "Twelfth session"). Here a batch costs one native call, a datagram a
 * copy of its bytes into the caller's array, and a sender its address object only the first time it is seen (a worker
 * hears from few LNSs: {@link #SENDERS} are remembered).
 *
 * <p><b>UDP GRO.</b> A reader made for a socket with {@code UDP_GRO} on ({@code l2tp.udp-gro}) has
 * {@link #GRO_CAPACITY} slots of {@link #GRO_SLOT} bytes: a message may be a run of datagrams the kernel's GRO merged
 * (one flow, all of one length but the last), and {@link #segment} says the length to cut it at ({@code udp(7)}).
 *
 * <p>Memory: {@link #CAPACITY} slots of {@link #SLOT} bytes (with GRO {@link #GRO_CAPACITY} of {@link #GRO_SLOT}) and
 * their headers in native memory (about 600 KiB, with GRO 1 MiB, per socket). Not thread-safe: an instance belongs to
 * the event loop that reads its socket.
 */
final class DatagramReader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DatagramReader.class);
    /** Datagrams per recvmmsg. */
    static final int CAPACITY = 64;
    /** Largest datagram: the engine's {@code MAX_SLOT}; a longer one arrives cut and is flagged {@link #truncated}. */
    static final int SLOT = L2tpEngine.MAX_SLOT;
    /** Messages per recvmmsg with GRO: each may carry up to 64 KiB of merged datagrams. */
    static final int GRO_CAPACITY = 16;
    /** A slot with GRO: the largest UDP payload, which a merged run never exceeds. */
    static final int GRO_SLOT = 65_536;
    private static final int UDP_GRO = 104;
    /** Offsets of msg_flags in struct msghdr and of msg_len in struct mmsghdr (the rest: {@link LibC}). */
    private static final int MSG_FLAGS = 48;
    private static final int MSG_LEN = 56;
    private static final int MSG_TRUNC = 0x20;
    private static final int MSG_DONTWAIT = 0x40;
    /** Senders remembered with their address objects. */
    static final int SENDERS = 8;
    private static final boolean AVAILABLE = register();

    private final boolean gro;
    private final int capacity;
    private final int slot;
    private final Memory slots;
    private final Memory names;
    private final Memory iovecs;
    private final Memory headers;
    /** With GRO: one control message buffer per slot, where the kernel says a merged run's segment length. */
    private final Memory controls;
    private final ByteBuffer controlView;
    private final ByteBuffer slotView;
    /** Names in network order (ports and IPv4 addresses are read as big-endian numbers). */
    private final ByteBuffer nameView;
    private final ByteBuffer nameHostOrder;
    private final ByteBuffer headerView;
    /** Remembered senders: the address in IPv6 form (IPv4 as ::ffff:a.b.c.d) in two longs, port and scope id. */
    private final long[] senderHi = new long[SENDERS];
    private final long[] senderLo = new long[SENDERS];
    private final int[] senderPort = new int[SENDERS];
    private final int[] senderScope = new int[SENDERS];
    private final InetSocketAddress[] sender = new InetSocketAddress[SENDERS];
    private int nextSender;
    /** The errno of the last failed {@link #receive}. */
    private int lastError;

    /** A reader for a socket without UDP GRO. */
    DatagramReader() {
        this(false);
    }

    /** A reader; {@code gro}: the socket has UDP_GRO on, and messages may be merged runs. */
    DatagramReader(boolean gro) {
        this.gro = gro;
        capacity = gro ? GRO_CAPACITY : CAPACITY;
        slot = gro ? GRO_SLOT : SLOT;
        slots = new Memory((long) capacity * slot);
        names = new Memory((long) capacity * NAME);
        iovecs = new Memory((long) capacity * IOVEC);
        headers = new Memory((long) capacity * MMSGHDR);
        controls = new Memory((long) capacity * CMSG);
        slots.clear();
        names.clear();
        iovecs.clear();
        headers.clear();
        controls.clear();
        slotView = slots.getByteBuffer(0, slots.size());
        nameView = names.getByteBuffer(0, names.size()).order(ByteOrder.BIG_ENDIAN);
        nameHostOrder = names.getByteBuffer(0, names.size()).order(ByteOrder.nativeOrder());
        headerView = headers.getByteBuffer(0, headers.size()).order(ByteOrder.nativeOrder());
        controlView = controls.getByteBuffer(0, controls.size()).order(ByteOrder.nativeOrder());
        for (int i = 0; i < capacity; i++) {
            iovecs.setPointer((long) i * IOVEC, slots.share((long) i * slot));
            iovecs.setLong((long) i * IOVEC + 8, slot);
            long h = (long) i * MMSGHDR;
            headers.setPointer(h, names.share((long) i * NAME));
            headers.setPointer(h + MSG_IOV, iovecs.share((long) i * IOVEC));
            headers.setLong(h + MSG_IOVLEN, 1);
            if (gro) {
                headers.setPointer(h + MSG_CONTROL, controls.share((long) i * CMSG));
            }
        }
    }

    /** Messages per {@link #receive}, at most. */
    int capacity() { return capacity; }

    /** recvmmsg could be bound (Linux, 64-bit, JNA loaded). */
    static boolean available() { return AVAILABLE; }

    /**
     * Reads up to {@link #capacity} messages (datagrams, or with GRO merged runs of them) from {@code fd} without waiting.
     *
     * @return how many (0 when none is waiting), or -1 on another error ({@link #lastError})
     */
    int receive(int fd) {
        for (int i = 0; i < capacity; i++) {
            // the kernel writes each name's and control buffer's length back
            headerView.putInt(i * MMSGHDR + MSG_NAMELEN, NAME);
            if (gro) {
                headerView.putLong(i * MMSGHDR + MSG_CONTROLLEN, CMSG);
            }
        }
        for (;;) {
            int n = recvmmsg(fd, headers, capacity, MSG_DONTWAIT, Pointer.NULL);
            if (n >= 0) {
                return n;
            }
            int err = Native.getLastError();
            if (err == EINTR) {
                continue;
            }
            if (err == EAGAIN) {
                return 0;
            }
            lastError = err;
            return -1;
        }
    }

    /** The errno of the last {@link #receive} that returned -1. */
    int lastError() { return lastError; }

    /** Message {@code i}'s length as read (at most a slot). */
    int length(int i) {
        return Math.min(headerView.getInt(i * MMSGHDR + MSG_LEN), slot);
    }

    /**
     * The length of each datagram in message {@code i}: with GRO, where the kernel merged a run, the length it was cut
     * at (the last may be shorter); otherwise the message's own length.
     */
    int segment(int i) {
        int len = length(i);
        if (!gro || headerView.getLong(i * MMSGHDR + MSG_CONTROLLEN) < 20) {
            return len;
        }
        int c = i * CMSG;
        if (controlView.getInt(c + 8) != SOL_UDP || controlView.getInt(c + 12) != UDP_GRO) {
            return len;
        }
        int seg = controlView.getInt(c + 16);
        return seg > 0 && seg < len ? seg : len;
    }

    /** Whether datagram {@code i} was longer than its slot and arrived cut. */
    boolean truncated(int i) {
        return (headerView.getInt(i * MMSGHDR + MSG_FLAGS) & MSG_TRUNC) != 0;
    }

    /** Copies message {@code i}'s bytes to {@code dst} from index 0 ({@link #length} of them). */
    void copy(int i, byte[] dst) {
        copy(i, 0, length(i), dst);
    }

    /** Copies {@code len} bytes of message {@code i} from {@code from} on to {@code dst} from index 0. */
    void copy(int i, int from, int len, byte[] dst) {
        slotView.get(i * slot + from, dst, 0, len);
    }

    /** Datagram {@code i}'s sender, or null where its address is neither IPv4 nor IPv6. */
    InetSocketAddress sender(int i) {
        int at = i * NAME;
        int family = nameHostOrder.getShort(at); // sa_family and sin6_scope_id are in host order, the rest not
        int port = nameView.getShort(at + 2) & 0xffff;
        long hi;
        long lo;
        int scope = 0;
        if (family == AF_INET) {
            hi = 0;
            lo = 0xffff_0000_0000L | (nameView.getInt(at + 4) & 0xffff_ffffL);
        } else if (family == AF_INET6) {
            hi = nameView.getLong(at + 8);
            lo = nameView.getLong(at + 16);
            scope = nameHostOrder.getInt(at + 24);
        } else {
            return null;
        }
        for (int k = 0; k < SENDERS; k++) {
            if (senderLo[k] == lo && senderHi[k] == hi && senderPort[k] == port && senderScope[k] == scope && sender[k] != null) {
                return sender[k];
            }
        }
        InetSocketAddress a = new InetSocketAddress(address(hi, lo, scope), port);
        int k = nextSender;
        nextSender = (k + 1) % SENDERS;
        senderHi[k] = hi;
        senderLo[k] = lo;
        senderPort[k] = port;
        senderScope[k] = scope;
        sender[k] = a;
        return a;
    }

    /** An IPv4 address for ::ffff:a.b.c.d (as Netty and the JDK give for a dual-stack socket), else IPv6. */
    private static InetAddress address(long hi, long lo, int scope) {
        byte[] b = ByteBuffer.allocate(16).putLong(hi).putLong(lo).array();
        try {
            if (hi == 0 && (lo >>> 32) == 0xffff) {
                return InetAddress.getByAddress(b); // the JDK makes a mapped address an Inet4Address
            }
            return Inet6Address.getByAddress(null, b, scope);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 address bytes refused", e); // cannot happen: the length is right
        }
    }

    @Override
    public void close() {
        slots.close();
        names.close();
        iovecs.close();
        headers.close();
        controls.close();
    }

    private static native int recvmmsg(int fd, Pointer msgvec, int vlen, int flags, Pointer timeout);

    /** dup(2): the engine registers a second descriptor of a channel's socket with its event loop for reading. */
    static native int dup(int fd);

    private static boolean register() {
        if (!Platform.isLinux() || Native.POINTER_SIZE != 8 || Native.LONG_SIZE != 8) {
            return false;
        }
        String why = LibC.register(DatagramReader.class);
        if (why != null) {
            LOG.info("recvmmsg unavailable ({}): L2TP sockets are read through Netty", why);
        }
        return why == null;
    }
}
