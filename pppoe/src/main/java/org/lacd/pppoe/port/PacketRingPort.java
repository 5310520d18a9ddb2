package org.lacd.pppoe.port;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.StampedLock;
import java.util.function.IntFunction;
import org.lacd.pppoe.wire.MacAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A raw Ethernet port on Linux AF_PACKET sockets with memory-mapped receive rings, read from Java, through JNA
 * (direct-mapped libc calls, no C code of our own). The data-plane port; {@link PcapPort} is the portable fallback
 * ({@link Ports#open} chooses).
 *
 * <h2>Receive</h2>
 * Each worker owns one AF_PACKET SOCK_RAW socket with a PACKET_RX_RING mapped into this process, and one thread
 * ({@code ring-rx-<if>-<i>}) that reads the ring's slots in place: status, lengths and VLAN metadata from the slot
 * header, the frame copied into one reused array and handed to the worker's {@link FrameReceiver}, the slot given
 * back. Only when the ring is empty does the thread cross into native code: the receiver hears
 * {@link FrameReceiver#endOfBatch()} (if a frame came since the last one) and the thread waits in {@code poll(2)},
 * 100 ms at most so that {@link #close()} is seen. A burst costs no system call per frame.
 *
 * <p><b>TPACKET_V2, not V3.</b> V3 hands over whole blocks that the kernel retires when full or when a block timeout
 * (at least 1 ms, in practice 8 ms by default) expires: at low rates every frame waits for the timer, which is added
 * latency for LCP and discovery and for single data frames, unless one also reads the partly filled block (which V3
 * does not let the reader do safely). V2 gives per-frame slots that are the reader's as soon as the kernel has filled
 * them, with the same one-poll-per-empty-ring cost. V3's advantage, variable-length slots that pack small frames
 * densely, is memory, not speed: with V2 the ring is sized in slots of the snaplen.
 *
 * <p><b>Memory ordering.</b> The kernel writes a slot's header and frame, then (smp_wmb) sets
 * {@code tp_status = TP_STATUS_USER}. The reader loads {@code tp_status} with acquire semantics
 * ({@link VarHandle#getAcquire} on a ByteBuffer view of the ring), so no later read of the slot can be done (by the
 * CPU or hoisted by the JIT) before it. It gives the slot back with a release store of {@code TP_STATUS_KERNEL}
 * ({@link VarHandle#setRelease}), so every read of the frame completes before the kernel can see the slot free and
 * overwrite it. A plain load would also let the JIT hoist the status read out of the wait loop.
 *
 * <p><b>Filter and fanout.</b> The socket filter ({@link ClassicBpf#pppoeFilter}) passes PPPoE discovery and
 * session frames, untagged, 802.1Q or QinQ, including frames whose outer tag the kernel moved into the metadata; it
 * truncates to the snaplen. With several workers the sockets form one PACKET_FANOUT group of mode
 * PACKET_FANOUT_CBPF whose program ({@link ClassicBpf#fanoutBySourceMac}) picks the worker from the source MAC:
 * every frame of one subscriber reaches one worker, in order. The group id is the kernel's
 * (PACKET_FANOUT_FLAG_UNIQUEID): an id of our own (process id and counter) could match another process's group in
 * the same namespace and join it. Until every socket is in the group they carry a filter that accepts nothing, so no
 * frame is seen by two workers while the group forms. Our own sends are not received (PACKET_IGNORE_OUTGOING; frames
 * marked PACKET_OUTGOING are skipped in the ring as well).
 *
 * <p><b>The PADI ring.</b> An access concentrator's port ({@link Ports#open}) has one more socket and ring, outside the
 * fanout group, whose filter passes PADIs only ({@link ClassicBpf.Select#PADI}), read by a thread of its own
 * ({@code ring-rx-<if>-padi}) that hands them to the receiver for {@link EthernetPort#PADI_WORKER}; the workers' filters
 * pass everything else. A reconnect storm is mostly PADIs (every subscriber sends one a second or more until it gets
 * an offer, and lacd offers to a few thousand at a time): in one ring they took the slots of the forwarding sessions'
 * frames, and a worker that stalled for half a second (a saturated machine, a GC pause) lost subscribers' traffic with
 * the PADIs. Now a PADI flood fills the PADI ring only, and what the kernel drops there is a PADI the subscriber sends
 * again ({@link #padiRingDrops()}). Nothing needs the PADI in order with the MAC's other frames: a PADI opens no state
 * (the PADR that follows the offer reaches the MAC's worker after the PADT of any earlier session of that MAC), and it
 * needs no worker: the PADR's worker is the session's. {@link #DEFAULT_PADI_RING_BYTES} of slots, as the workers'.
 *
 * <p><b>VLAN tags.</b> Frames in the ring lack the outer tag the kernel took off (skb_vlan_untag runs on veth as on
 * real NICs); when the slot says {@code TP_STATUS_VLAN_VALID} the tag is put back after the MAC addresses (TPID from
 * {@code tp_vlan_tpid} when {@code TP_STATUS_VLAN_TPID_VALID}, else 0x8100), as libpcap does, so receivers see the
 * frame as it was on the wire.
 *
 * <p><b>Ring size.</b> {@link #DEFAULT_RING_BYTES} (128 MiB) per worker, in blocks of
 * {@link #BLOCK_BYTES} holding slots of {@code TPACKET_ALIGN(80 + snaplen)} bytes (80: the slot header, the
 * sockaddr_ll and the alignment of the network header): with PPP-Max-Payload 1500 (snaplen 1536) 82,944 slots of
 * 1,616 bytes; {@code interfaces[].ring-mib} sets another size. How full a ring got is measured, so that an operator can
 * size it before it overflows: each receive thread counts the frames waiting (a binary search over the slots' status
 * words, {@link #waiting}) when it wakes up from poll(2) and every {@link #SAMPLE_EVERY} frames while it reads, and keeps
 * the most it saw ({@link #ringPeakWaiting}).
 *
 * <h2>Send</h2>
 * One more AF_PACKET socket per port, bound to the interface with protocol 0 (it receives nothing). {@link #send}
 * is one {@code send(2)} on it, from any thread (the control plane's frames). {@link #queue}/{@link #flush} are the
 * data path: each sending thread (an L2TP worker's event loop) collects up to {@link TxBatch#CAPACITY} frames and
 * sends them with one system call, non-blocking (a frame that cannot be sent is counted in
 * {@link #queuedSendFailures()}, never thrown), in one of two ways:
 * <ul>
 *   <li><b>A TX ring</b> ({@code tx-ring}, the default): the thread owns a socket of its own with a PACKET_TX_RING
 *       ({@link RingBatch#FRAMES} frames) mapped into this process. A queued frame is written into the next ring
 *       frame and marked {@code TP_STATUS_SEND_REQUEST} (release store); {@link #flush} is one {@code sendto(fd, NULL,
 *       0, MSG_DONTWAIT)}, after which the kernel sends every requested frame from the ring (tpacket_snd) and gives
 *       each frame back ({@code TP_STATUS_AVAILABLE}) when its packet has left. Against sendmmsg this saves the
 *       kernel's per-message work (copying each {@code struct msghdr} and importing its iovec). Each frame carries a
 *       {@code struct virtio_net_hdr} (PACKET_VNET_HDR) with no offloads and {@code hdr_len} = the frame's length,
 *       which makes the kernel copy the whole frame into the packet's linear part instead of hanging the ring's page
 *       on it as a fragment: a packet with such fragments that crosses a veth pair (containers, the lab) is copied into
 *       newly allocated pages (skb_copy_ubufs; perf: 9 % of downstream CPU), and a frame of a few hundred bytes copies
 *       faster than a page is allocated. Where the kernel refuses PACKET_VNET_HDR the frames go as fragments. One
 *       ring per thread: a TX ring has one
 *       producer, and sharing one would need a lock per frame. PACKET_LOSS is set, so a frame the kernel refuses (too
 *       long for the device) is skipped, not left blocking the ring. When the kernel sends nothing because the socket's
 *       send buffer is full, the requested frames stay in the ring and leave with the next flush; a frame that finds
 *       its ring frame still owned by the kernel (the whole ring waiting) is counted and dropped.</li>
 *   <li><b>sendmmsg</b> ({@code tx-ring: false}, or where the kernel refuses the TX ring; said in one log line):
 *       frames in native memory, one {@code sendmmsg(2)} on the shared send socket per batch.</li>
 * </ul>
 *
 * <h2>Life cycle</h2>
 * {@link #open} makes every socket and ring in the network namespace of the calling thread (and fails with a
 * {@link PortException} naming the step); {@link #start} starts the threads; {@link #close()} stops them, unmaps the
 * rings and closes the sockets, and is idempotent and safe while other threads send.
 */
public final class PacketRingPort implements EthernetPort {
    private static final Logger LOG = LoggerFactory.getLogger(PacketRingPort.class);

    /**
     * Ring memory per worker ({@code interfaces[].ring-mib}'s default): 82,944 frames with PPP-Max-Payload 1500. The 64,000
     * subscriber storm benchmark's mass hang-ups (2 frames per subscriber within a second or two, on a saturated
     * machine) overflowed 32 MiB (20,736 frames) in 4 of 6 hang-ups by 2,654-11,201 frames, and the established
     * sessions lost packets with them; 128 MiB lost none in 6, and the largest backlog its measurement saw was 18,165
     * frames (test-lab/benchmarks/lab.md, "Eleventh session").
     */
    public static final int DEFAULT_RING_BYTES = 128 << 20;
    /** Ring memory of the PADI ring: 2,592 PADIs of up to 1,536 bytes (a second of a storm's PADIs or more). */
    public static final int DEFAULT_PADI_RING_BYTES = 4 << 20;
    /** Ring block: a power of two the kernel allocates in one piece (or with vmalloc when memory is fragmented). */
    static final int BLOCK_BYTES = 128 << 10;
    /** Slot bytes before the frame: tpacket2_hdr (32) + sockaddr_ll (20), network header aligned at 16 (see tpacket_rcv). */
    static final int SLOT_OVERHEAD = 80;
    /** Most workers a port may have: the fanout group's limit is far higher; this is a guard against config typos. */
    public static final int MAX_WORKERS = 64;
    /**
     * The nice value of the workers' receive threads: forwarding before control work. On a saturated machine a worker
     * thread at nice 0 got its share among a dozen busy threads (the control plane's, the JVM's, other processes') and
     * its ring overflowed in bursts (a mass hang-up: 40,000-50,000 frames, established sessions' among them). At -10 the
     * kernel gives it about nine times the weight of a nice-0 thread when it has frames to read; it never spins (it
     * waits in poll(2) when the ring is empty), so an idle port costs nothing. The PADI ring's thread stays at 0: a
     * storm's PADIs must not take the forwarding's place. Needs CAP_SYS_NICE (the systemd unit grants it); without it
     * one log line says the threads run at 0.
     */
    static final int WORKER_NICE = -10;
    private static final AtomicBoolean NICE_REFUSAL_LOGGED = new AtomicBoolean();

    /** How often (in frames) a receive thread measures its backlog while it reads, besides each time it wakes up. */
    static final int SAMPLE_EVERY = 256;
    /** How long a receive thread waits in poll(2) before it looks at the close flag again. */
    static final int POLL_TIMEOUT_MS = 100;

    // <linux/socket.h>, <linux/if_packet.h>, <linux/if_ether.h>, <asm-generic/socket.h>, <errno.h> (x86_64/aarch64)
    static final int AF_PACKET = 17;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_ATTACH_FILTER = 26;
    static final int SOL_PACKET = 263;
    static final int PACKET_ADD_MEMBERSHIP = 1;
    static final int PACKET_MR_PROMISC = 1;
    static final int PACKET_RX_RING = 5;
    static final int PACKET_STATISTICS = 6;
    static final int PACKET_VERSION = 10;
    static final int PACKET_FANOUT = 18;
    static final int PACKET_FANOUT_DATA = 22;
    static final int PACKET_IGNORE_OUTGOING = 23;
    static final int PACKET_TX_RING = 13;
    static final int PACKET_LOSS = 14;
    static final int PACKET_VNET_HDR = 15;
    static final int TPACKET_V2 = 1;
    static final int PACKET_FANOUT_CBPF = 6;
    static final int PACKET_FANOUT_FLAG_UNIQUEID = 0x2000;
    static final int ETH_P_ALL = 0x0003;
    static final int ARPHRD_ETHER = 1;
    static final int PACKET_OUTGOING = 4;
    static final int TP_STATUS_KERNEL = 0;
    static final int TP_STATUS_USER = 1;
    /** TX ring frame states: free for the sender, to be sent (set by us), being sent (set by the kernel). */
    static final int TP_STATUS_AVAILABLE = 0;
    static final int TP_STATUS_SEND_REQUEST = 1;
    static final int TP_STATUS_VLAN_VALID = 0x10;
    static final int TP_STATUS_VLAN_TPID_VALID = 0x40;
    static final int PROT_READ_WRITE = 0x1 | 0x2;
    static final int MAP_SHARED = 0x01;
    static final short POLLIN = 0x1;
    static final short POLLERR = 0x8;
    static final int MSG_DONTWAIT = 0x40;
    static final int EPERM = 1;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EACCES = 13;
    static final int ENOBUFS = 105;

    // struct tpacket2_hdr
    private static final int TP_LEN = 4;
    private static final int TP_SNAPLEN = 8;
    private static final int TP_MAC = 12;
    private static final int TP_VLAN_TCI = 24;
    private static final int TP_VLAN_TPID = 26;
    /** struct sockaddr_ll follows the header at TPACKET_ALIGN(sizeof(struct tpacket2_hdr)); sll_pkttype at +10. */
    private static final int TP_SLL_PKTTYPE = 32 + 10;
    /** struct sockaddr_ll: family u16, protocol be16, ifindex s32, hatype u16, pkttype u8, halen u8, addr[8]. */
    private static final int SOCKADDR_LL = 20;

    /** tp_status as an acquire load / release store: see the class comment. */
    private static final VarHandle STATUS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    /** Set by tests: the named setup step fails as if the kernel had refused it with EINVAL. */
    static volatile String failStepForTest;

    private final String name;
    private final int ifindex;
    private final MacAddress mac;
    private final int snaplen;
    private final int slotBytes;
    private final Worker[] workers;
    /** The PADI ring's socket and thread, or null: see the class comment. */
    private final Worker padi;
    private final int txFd;
    /** Whether sending threads get a TX ring each (else sendmmsg batches); see the class comment. */
    private final boolean txRing;
    /** Set when the kernel refused a thread's TX ring after open had made one: later threads use sendmmsg. */
    private volatile boolean txRingRefused;
    /** The sending threads' TX rings, whose sockets {@link #close()} closes. */
    private final List<RingBatch> rings = new CopyOnWriteArrayList<>();
    private final String description;
    /** send/flush/stats hold it shared while they use a socket; close() takes it exclusively to close them. */
    private final StampedLock fds = new StampedLock();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean running;
    private final LongAdder queuedSendFailures = new LongAdder();
    private final ThreadLocal<TxBatch> batches;
    /**
     * Sending threads' batches by thread id (modulo the length), checked by owner before the ThreadLocal is asked. Each
     * worker's event loop queues on this port: one shared "last batch" field would be rewritten by turns when two
     * workers send at once, so each thread finds its own slot, written once (or again on a collision).
     */
    private final TxBatch[] batchByThread = new TxBatch[64];

    private PacketRingPort(String name, int ifindex, MacAddress mac, int snaplen, int slotBytes, int txFd,
            boolean txRing, Worker[] workers, Worker padi) {
        this.name = name;
        this.ifindex = ifindex;
        this.mac = mac;
        this.snaplen = snaplen;
        this.slotBytes = slotBytes;
        this.txFd = txFd;
        this.txRing = txRing;
        this.workers = workers;
        this.padi = padi;
        this.batches = ThreadLocal.withInitial(this::newBatch);
        this.description = "AF_PACKET ring, " + workers.length + (workers.length == 1 ? " worker" : " workers")
                + ", TPACKET_V2, " + workers[0].slots.length + " slots of " + slotBytes + " B, "
                + (txRing ? "TX ring" : "sendmmsg") + " send"
                + (padi == null ? "" : ", PADI ring of " + padi.slots.length + " slots");
    }

    /** Whether the libc calls could be bound (Linux, 64-bit, JNA loaded). */
    public static boolean available() { return Sys.AVAILABLE; }

    /**
     * Opens a port for frames carrying PPP payloads of up to {@code maxPayload} bytes (snaplen as
     * {@link PcapPort#snaplenFor}), with {@code workers} receive workers, in the calling thread's network namespace.
     */
    public static PacketRingPort open(String name, int maxPayload, int workers) {
        return open(name, maxPayload, workers, true);
    }

    /**
     * As {@link #open(String, int, int)}; {@code txRing} false sends queued frames with sendmmsg instead of a TX ring per
     * sending thread (true falls back to sendmmsg, with a log line, where the kernel refuses the ring).
     */
    public static PacketRingPort open(String name, int maxPayload, int workers, boolean txRing) {
        return open(name, PcapPort.snaplenFor(maxPayload), workers, DEFAULT_RING_BYTES, txRing);
    }

    /**
     * An access concentrator's port: as {@link #open(String, int, int, boolean)} with a PADI ring of its own (see the
     * class comment); its receiver is asked for with {@link EthernetPort#PADI_WORKER}.
     */
    public static PacketRingPort openWithPadiRing(String name, int maxPayload, int workers, boolean txRing) {
        return openWithPadiRing(name, maxPayload, workers, txRing, DEFAULT_RING_BYTES);
    }

    /** As {@link #openWithPadiRing(String, int, int, boolean)} with {@code ringBytes} of ring per worker. */
    public static PacketRingPort openWithPadiRing(String name, int maxPayload, int workers, boolean txRing, int ringBytes) {
        return open(name, PcapPort.snaplenFor(maxPayload), workers, ringBytes, txRing, DEFAULT_PADI_RING_BYTES);
    }

    /** As {@link #open(String, int, int)} with the snaplen and the ring bytes per worker given. */
    static PacketRingPort open(String name, int snaplen, int workers, int ringBytes) {
        return open(name, snaplen, workers, ringBytes, true);
    }

    static PacketRingPort open(String name, int snaplen, int workers, int ringBytes, boolean txRing) {
        return open(name, snaplen, workers, ringBytes, txRing, 0);
    }

    /** {@code padiRingBytes} 0: no PADI ring (the workers get every PPPoE frame). */
    static PacketRingPort open(String name, int snaplen, int workers, int ringBytes, boolean txRing, int padiRingBytes) {
        if (workers < 1 || workers > MAX_WORKERS) {
            throw new IllegalArgumentException("workers must be 1.." + MAX_WORKERS + ", not " + workers);
        }
        if (!Sys.AVAILABLE) {
            throw new PortException(PortException.Kind.OTHER, name,
                    "AF_PACKET rings need Linux on 64 bits with JNA: " + Sys.unavailableReason, null);
        }
        int ifindex = Sys.if_nametoindex(name);
        if (ifindex == 0) {
            throw new PortException(PortException.Kind.NO_SUCH_INTERFACE, name, "network interface " + name
                    + " does not exist (in this network namespace)", null);
        }
        int slotBytes = (SLOT_OVERHEAD + snaplen + 15) & ~15;
        int blockBytes = Math.max(BLOCK_BYTES, Integer.highestOneBit(slotBytes - 1) << 1);
        int blocks = Math.max(1, ringBytes / blockBytes);
        int txFd = -1;
        List<Worker> made = new ArrayList<>();
        Worker padi = null;
        try {
            txFd = socket(name, "socket (send)");
            bind(name, txFd, ifindex, 0, "bind (send)");
            MacAddress mac = ownMac(name, txFd);
            for (int i = 0; i < workers; i++) {
                made.add(Worker.make(name, i, ifindex, snaplen, slotBytes, blockBytes, blocks));
            }
            if (padiRingBytes > 0) {
                padi = Worker.make(name, EthernetPort.PADI_WORKER, ifindex, snaplen, slotBytes, blockBytes,
                        Math.max(1, padiRingBytes / blockBytes));
            }
            if (workers > 1) {
                joinFanoutGroup(name, made);
            }
            List<ClassicBpf.Insn> filter = ClassicBpf.pppoeFilter(snaplen,
                    padi == null ? ClassicBpf.Select.ALL : ClassicBpf.Select.ALL_BUT_PADI);
            for (Worker w : made) {
                setFilter(name, w.fd, filter, "SO_ATTACH_FILTER (PPPoE)");
            }
            if (padi != null) {
                setFilter(name, padi.fd, ClassicBpf.pppoeFilter(snaplen, ClassicBpf.Select.PADI), "SO_ATTACH_FILTER (PADI)");
            }
            boolean ring = txRing && txRingWorks(name, ifindex, txSlot(snaplen));
            return new PacketRingPort(name, ifindex, mac, snaplen, slotBytes, txFd, ring, made.toArray(new Worker[0]),
                    padi);
        } catch (RuntimeException e) {
            for (Worker w : made) {
                w.release();
            }
            if (padi != null) {
                padi.release();
            }
            if (txFd >= 0) {
                Sys.close(txFd);
            }
            throw e;
        }
    }

    private static int socket(String name, String step) {
        int fd = Sys.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
        if (fd < 0 || fault(step)) {
            int err = fd < 0 ? Native.getLastError() : 22;
            if (fd >= 0) {
                Sys.close(fd);
            }
            if (err == EPERM || err == EACCES) {
                throw new PortException(PortException.Kind.PERMISSION_DENIED, name, "no permission to open a packet"
                        + " socket on " + name + ": lacd needs CAP_NET_RAW (and CAP_NET_ADMIN for promiscuous mode),"
                        + " or root (errno " + err + ")", null);
            }
            throw failure(name, step, err);
        }
        return fd;
    }

    /** Bytes of the largest frame {@link #queue} sends in a batch (larger ones go alone through {@link #send}). */
    private static int txSlot(int snaplen) {
        return Math.max(snaplen, 1536);
    }

    /** Makes and drops one TX ring: whether sending threads can have theirs (said in a log line when not). */
    private static boolean txRingWorks(String name, int ifindex, int slot) {
        try {
            TxRingMapping.make(name, ifindex, RingBatch.frameBytesFor(slot)).release();
            return true;
        } catch (PortException e) {
            LOG.info("PPPoE port {}: no TX ring ({}): queued frames leave with sendmmsg", name, e.getMessage());
            return false;
        }
    }

    private static boolean fault(String step) {
        String f = failStepForTest;
        return f != null && step.startsWith(f);
    }

    private static PortException failure(String name, String step, int errno) {
        return new PortException(PortException.Kind.OTHER, name, step + " failed on " + name + ": errno " + errno, null);
    }

    private static void check(String name, int rc, String step) {
        if (rc < 0 || fault(step)) {
            throw failure(name, step, rc < 0 ? Native.getLastError() : 22);
        }
    }

    private static void bind(String name, int fd, int ifindex, int protocol, String step) {
        try (Memory sll = new Memory(SOCKADDR_LL)) {
            sll.clear();
            sll.setShort(0, (short) AF_PACKET);
            sll.setShort(2, ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
                    ? Short.reverseBytes((short) protocol) : (short) protocol); // sll_protocol: network order
            sll.setInt(4, ifindex);
            check(name, Sys.bind(fd, sll, SOCKADDR_LL), step);
        }
    }

    /** The interface's address, from the bound send socket (getsockname fills sll_addr from the device). */
    private static MacAddress ownMac(String name, int fd) {
        try (Memory sll = new Memory(SOCKADDR_LL); Memory len = new Memory(4)) {
            sll.clear();
            len.setInt(0, SOCKADDR_LL);
            check(name, Sys.getsockname(fd, sll, len), "getsockname (send)");
            int hatype = sll.getShort(8) & 0xffff;
            int halen = sll.getByte(11) & 0xff;
            if (hatype != ARPHRD_ETHER || halen != 6) {
                throw new PortException(PortException.Kind.OTHER, name, "interface " + name
                        + " is not an Ethernet interface (hardware type " + hatype + ")", null);
            }
            return MacAddress.of(sll.getByteArray(12, 6));
        }
    }

    private static void setInt(String name, int fd, int level, int option, int value, String step) {
        try (Memory v = new Memory(4)) {
            v.setInt(0, value);
            check(name, Sys.setsockopt(fd, level, option, v, 4), step);
        }
    }

    /** Attaches a classic BPF program: {@code struct sock_fprog { unsigned short len; struct sock_filter *filter; }}. */
    private static void setFilter(String name, int fd, List<ClassicBpf.Insn> prog, String step) {
        setProgram(name, fd, SOL_SOCKET, SO_ATTACH_FILTER, prog, step);
    }

    private static void setProgram(String name, int fd, int level, int option, List<ClassicBpf.Insn> prog, String step) {
        try (Memory insns = new Memory(8L * prog.size()); Memory fprog = new Memory(16)) {
            for (int i = 0; i < prog.size(); i++) {
                ClassicBpf.Insn in = prog.get(i);
                insns.setShort(8L * i, (short) in.code());
                insns.setByte(8L * i + 2, (byte) in.jt());
                insns.setByte(8L * i + 3, (byte) in.jf());
                insns.setInt(8L * i + 4, in.k());
            }
            fprog.clear();
            fprog.setShort(0, (short) prog.size());
            fprog.setPointer(8, insns);
            check(name, Sys.setsockopt(fd, level, option, fprog, 16), step);
        }
    }

    /**
     * The first socket makes the group with a kernel-chosen id (read back with getsockopt), the others join it; then
     * the fanout program is set (one program per group).
     */
    private static void joinFanoutGroup(String name, List<Worker> ws) {
        int typeFlags = PACKET_FANOUT_CBPF;
        setInt(name, ws.get(0).fd, SOL_PACKET, PACKET_FANOUT, (typeFlags | PACKET_FANOUT_FLAG_UNIQUEID) << 16,
                "PACKET_FANOUT (new group)");
        int id;
        try (Memory v = new Memory(4); Memory len = new Memory(4)) {
            len.setInt(0, 4);
            check(name, Sys.getsockopt(ws.get(0).fd, SOL_PACKET, PACKET_FANOUT, v, len), "PACKET_FANOUT (read id)");
            id = v.getInt(0) & 0xffff;
        }
        for (int i = 1; i < ws.size(); i++) {
            setInt(name, ws.get(i).fd, SOL_PACKET, PACKET_FANOUT, id | (typeFlags << 16), "PACKET_FANOUT (join)");
        }
        setProgram(name, ws.get(0).fd, SOL_PACKET, PACKET_FANOUT_DATA, ClassicBpf.fanoutBySourceMac(ws.size()),
                "PACKET_FANOUT_DATA");
        LOG.debug("{}: fanout group {} of {} sockets", name, id, ws.size());
    }

    @Override public String name() { return name; }

    @Override public MacAddress mac() { return mac; }

    @Override public int workers() { return workers.length; }

    /** Ring slots per worker. */
    public int slotsPerWorker() { return workers[0].slots.length; }

    @Override
    public int ringSlots() { return slotsPerWorker(); }

    /** The most frames found waiting at once in the worker's ring since the port opened (sampled; see the class comment). */
    @Override
    public int ringPeakWaiting(int worker) {
        return worker < 0 || worker >= workers.length ? 0 : workers[worker].peakWaiting;
    }

    /** Bytes per ring slot (header and frame). */
    public int slotBytes() { return slotBytes; }

    @Override public String description() { return description; }

    /**
     * Starts the only worker; a port with several workers, or with a PADI ring (a thread more), needs
     * {@link #start(IntFunction)}: a receiver is called by one thread.
     */
    @Override
    public void start(FrameReceiver receiver) {
        if (workers.length != 1 || padi != null) {
            throw new IllegalStateException("port " + name + " has " + workers.length
                    + (workers.length == 1 ? " worker" : " workers") + (padi != null ? " and a PADI ring" : "")
                    + ": start it with one receiver per worker");
        }
        start(i -> receiver);
    }

    @Override
    public void start(IntFunction<FrameReceiver> receivers) {
        if (closed.get()) {
            throw new PortException(PortException.Kind.OTHER, name, "port " + name + " is closed", null);
        }
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("port " + name + " already started");
        }
        running = true;
        for (Worker w : workers) {
            FrameReceiver r = receivers.apply(w.index);
            Thread t = new Thread(() -> receiveLoop(w, r), "ring-rx-" + name + "-" + w.index);
            t.setDaemon(true);
            w.thread = t;
            t.start();
        }
        if (padi != null) {
            FrameReceiver r = receivers.apply(EthernetPort.PADI_WORKER);
            Thread t = new Thread(() -> receiveLoop(padi, r), "ring-rx-" + name + "-padi");
            t.setDaemon(true);
            padi.thread = t;
            t.start();
        }
        LOG.info("PPPoE port {} open (mac {}, {}, snaplen {})", name, mac, description, snaplen);
    }

    /** Reads the worker's ring until {@link #close()}: see the class comment. */
    private void receiveLoop(Worker w, FrameReceiver receiver) {
        if (w.index != EthernetPort.PADI_WORKER && Sys.setpriority(0, 0, WORKER_NICE) != 0
                && NICE_REFUSAL_LOGGED.compareAndSet(false, true)) {
            LOG.info("PPPoE port {}: receive threads run at nice 0, not {}: setpriority refused (errno {}); lacd needs"
                    + " CAP_SYS_NICE to put forwarding before control work", name, WORKER_NICE, Native.getLastError());
        }
        ByteBuffer ring = w.view;
        int[] slots = w.slots;
        byte[] frame = new byte[snaplen + 4];
        int next = 0;
        boolean delivered = false;
        int untilSample = 0;
        while (running) {
            int at = slots[next];
            int status = (int) STATUS.getAcquire(ring, at);
            if ((status & TP_STATUS_USER) == 0) {
                if (delivered) {
                    delivered = false;
                    try {
                        receiver.endOfBatch();
                    } catch (RuntimeException e) {
                        LOG.warn("receiver failed at the end of a batch from {}: {}", name, e.toString(), e);
                    }
                }
                w.poll(); // returns at once when the kernel has filled a slot since
                untilSample = 0; // the backlog is largest when the thread comes back
                continue;
            }
            if (--untilSample <= 0) {
                untilSample = SAMPLE_EVERY;
                int waiting = waiting(ring, slots, next);
                if (waiting > w.peakWaiting) {
                    w.peakWaiting = waiting;
                }
            }
            if ((ring.get(at + TP_SLL_PKTTYPE) & 0xff) != PACKET_OUTGOING) {
                int len = copy(ring, at, status, frame);
                try {
                    receiver.frame(frame, 0, len);
                } catch (RuntimeException e) {
                    // A receiver bug must never kill the worker's receive thread.
                    LOG.warn("receiver failed on a frame from {}: {}", name, e.toString(), e);
                }
                delivered = true;
            }
            STATUS.setRelease(ring, at, TP_STATUS_KERNEL);
            next = next + 1 == slots.length ? 0 : next + 1;
        }
    }

    /**
     * Frames waiting in the ring from slot {@code next} on: the kernel fills slots in ring order and the reader gives them
     * back in the same order, so the waiting ones are one run from {@code next}, and a binary search finds its end in
     * about 15 reads. The kernel may fill more meanwhile: the answer lies between the run's length at the start and at
     * the end of the search.
     */
    static int waiting(ByteBuffer ring, int[] slots, int next) {
        int lo = 0;
        int hi = slots.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            int k = next + mid;
            int at = slots[k >= slots.length ? k - slots.length : k];
            if (((int) STATUS.getAcquire(ring, at) & TP_STATUS_USER) != 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Copies a slot's frame into {@code frame}, the outer VLAN tag put back when the kernel had taken it off. */
    private int copy(ByteBuffer ring, int at, int status, byte[] frame) {
        int caplen = Math.min(ring.getInt(at + TP_SNAPLEN), Math.min(ring.getInt(at + TP_LEN), snaplen));
        int mac = at + (ring.getShort(at + TP_MAC) & 0xffff);
        if ((status & TP_STATUS_VLAN_VALID) == 0 || caplen < 12) {
            ring.get(mac, frame, 0, caplen);
            return caplen;
        }
        int tpid = (status & TP_STATUS_VLAN_TPID_VALID) != 0 ? ring.getShort(at + TP_VLAN_TPID) & 0xffff
                : ClassicBpf.TPID_8021Q;
        int tci = ring.getShort(at + TP_VLAN_TCI) & 0xffff;
        ring.get(mac, frame, 0, 12);
        frame[12] = (byte) (tpid >>> 8);
        frame[13] = (byte) tpid;
        frame[14] = (byte) (tci >>> 8);
        frame[15] = (byte) tci;
        ring.get(mac + 12, frame, 16, caplen - 12);
        return caplen + 4;
    }

    @Override
    public void send(byte[] frame, int off, int len) {
        long stamp = fds.tryReadLock();
        if (stamp == 0) {
            throw new PortException(PortException.Kind.SEND, name, "port " + name + " is closed", null);
        }
        try {
            byte[] b = frame;
            if (off != 0) {
                b = new byte[len];
                System.arraycopy(frame, off, b, 0, len);
            }
            while (true) {
                long r = Sys.send(txFd, b, len, 0);
                if (r >= 0) {
                    return;
                }
                int err = Native.getLastError();
                if (err != EINTR) {
                    throw new PortException(PortException.Kind.SEND, name, "send on " + name + " failed: errno " + err,
                            null);
                }
            }
        } finally {
            fds.unlockRead(stamp);
        }
    }

    @Override
    public void queue(byte[] frame, int off, int len) {
        TxBatch b = batch();
        if (len > b.slot) { // larger than a batch slot (jumbo): in order, on its own
            b.flush();
            try {
                send(frame, off, len);
            } catch (PortException e) {
                queuedSendFailures.increment();
            }
            return;
        }
        b.add(frame, off, len);
    }

    @Override
    public void queue(byte[] head, int headLen, byte[] body, int off, int len) {
        TxBatch b = batch();
        if (headLen + len > b.slot) {
            EthernetPort.super.queue(head, headLen, body, off, len); // jumbo: put together, then sent on its own
            return;
        }
        b.add(head, headLen, body, off, len);
    }

    @Override
    public void flush() {
        batch().flush();
    }

    /** A new sending thread's batch: a TX ring of its own where the port has them, else sendmmsg. */
    private TxBatch newBatch() {
        int slot = txSlot(snaplen);
        if (txRing && !txRingRefused && !closed.get()) {
            try {
                RingBatch b = new RingBatch(TxRingMapping.make(name, ifindex, RingBatch.frameBytesFor(slot)), slot);
                rings.add(b);
                if (closed.get()) { // close() may have run between the check and the add
                    b.closeSocket();
                }
                return b;
            } catch (PortException e) {
                txRingRefused = true;
                LOG.warn("PPPoE port {}: a sending thread's TX ring was refused ({}): sendmmsg from now on", name,
                        e.getMessage());
            }
        }
        return new MmsgBatch(slot);
    }

    private TxBatch batch() {
        Thread t = Thread.currentThread();
        int i = (int) t.getId() & (batchByThread.length - 1);
        TxBatch b = batchByThread[i]; // a stale or foreign slot is harmless: the owner is checked
        if (b == null || b.owner != t) {
            b = batches.get();
            batchByThread[i] = b;
        }
        return b;
    }

    @Override public long queuedSendFailures() { return queuedSendFailures.sum(); }

    @Override
    public long captureDrops() {
        long sum = 0;
        for (int i = 0; i < workers.length; i++) {
            sum += captureDrops(i);
        }
        return sum;
    }

    /** PACKET_STATISTICS resets the kernel's counters when read: each read is added to the worker's totals. */
    @Override
    public long captureDrops(int worker) {
        return worker < 0 || worker >= workers.length ? 0 : drops(workers[worker]);
    }

    /** PADIs the kernel dropped because the PADI ring was full, since the port opened; 0 without a PADI ring. */
    @Override
    public long padiRingDrops() {
        return padi == null ? 0 : drops(padi);
    }

    /** The ring's drops so far, its kernel counters read first unless the port is closing. */
    private long drops(Worker w) {
        long stamp = fds.tryReadLock();
        if (stamp != 0) {
            try {
                w.readStats();
            } finally {
                fds.unlockRead(stamp);
            }
        }
        return w.drops.get();
    }

    /** PADIs the kernel put into the PADI ring (and dropped), since the port opened; 0 without a PADI ring. */
    long padiRingPackets() {
        padiRingDrops();
        return padi == null ? 0 : padi.packets.get();
    }

    /** Frames the kernel put into the worker's ring (and dropped), since the port opened. */
    public long ringPackets(int worker) {
        captureDrops(worker);
        return workers[worker].packets.get();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        running = false;
        boolean stopped = true;
        for (Worker w : receiving()) {
            Thread t = w.thread;
            if (t != null && t != Thread.currentThread()) {
                try {
                    t.join(TimeUnit.SECONDS.toMillis(2));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (t.isAlive()) {
                    stopped = false;
                    LOG.warn("receive thread {} did not stop (its receiver blocks); its ring stays mapped", t.getName());
                }
            }
        }
        captureDrops(); // the last counts, kept after close
        padiRingDrops();
        long stamp = fds.writeLock(); // waits for senders and scrapes that use the sockets now
        try {
            for (Worker w : receiving()) {
                if (stopped) {
                    w.release();
                } else {
                    Sys.close(w.fd); // the ring stays mapped: a stuck thread may still read it
                }
            }
            Sys.close(txFd);
            for (RingBatch b : rings) {
                b.closeSocket(); // the mapping stays until its owner thread next uses it: it may be writing into it now
            }
        } finally {
            fds.unlockWrite(stamp);
        }
        java.util.Arrays.fill(batchByThread, null);
        LOG.info("PPPoE port {} closed", name);
    }

    /** Whether every receive thread has ended (after {@link #close()}). */
    boolean threadsStopped() {
        for (Worker w : receiving()) {
            Thread t = w.thread;
            if (t != null && t.isAlive()) {
                return false;
            }
        }
        return true;
    }

    /** The workers and the PADI ring's worker, if any. */
    private List<Worker> receiving() {
        List<Worker> all = new ArrayList<>(List.of(workers));
        if (padi != null) {
            all.add(padi);
        }
        return all;
    }

    /** One worker (or the PADI ring, index {@link EthernetPort#PADI_WORKER}): its socket, its mapped ring and its thread. */
    private static final class Worker {
        final int index;
        final int fd;
        final Pointer ring;
        final long ringBytes;
        final ByteBuffer view;
        /** Byte offset of each slot in the ring (slots do not straddle blocks). */
        final int[] slots;
        final Memory pollfd = new Memory(8);
        final AtomicLong drops = new AtomicLong();
        final AtomicLong packets = new AtomicLong();
        /** The most frames found waiting in the ring at once since the port opened ({@link #waiting}); receive thread writes. */
        volatile int peakWaiting;
        final Memory stats = new Memory(8);
        final Memory statsLen = new Memory(4);
        volatile Thread thread;
        private boolean released;

        private Worker(int index, int fd, Pointer ring, long ringBytes, int[] slots) {
            this.index = index;
            this.fd = fd;
            this.ring = ring;
            this.ringBytes = ringBytes;
            this.view = ring.getByteBuffer(0, ringBytes).order(ByteOrder.nativeOrder());
            this.slots = slots;
            pollfd.setInt(0, fd);
            pollfd.setShort(4, (short) (POLLIN | POLLERR));
            pollfd.setShort(6, (short) 0);
        }

        /** Socket, version, a filter that accepts nothing yet, ring, mapping, bind: not yet in a fanout group. */
        static Worker make(String name, int index, int ifindex, int snaplen, int slotBytes, int blockBytes, int blocks) {
            String which = index == EthernetPort.PADI_WORKER ? "PADI ring" : "worker " + index;
            int fd = socket(name, "socket (" + which + ")");
            Pointer mapped = null;
            long bytes = (long) blockBytes * blocks;
            try {
                setInt(name, fd, SOL_PACKET, PACKET_VERSION, TPACKET_V2, "PACKET_VERSION (TPACKET_V2)");
                setFilter(name, fd, ClassicBpf.dropAll(), "SO_ATTACH_FILTER (none yet)");
                try (Memory one = new Memory(4)) {
                    one.setInt(0, 1);
                    if (Sys.setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, one, 4) < 0) { // Linux 4.20+
                        LOG.debug("{}: PACKET_IGNORE_OUTGOING refused (errno {}): outgoing frames skipped in the ring",
                                name, Native.getLastError());
                    }
                }
                int perBlock = blockBytes / slotBytes;
                try (Memory req = new Memory(16)) { // struct tpacket_req
                    req.setInt(0, blockBytes);
                    req.setInt(4, blocks);
                    req.setInt(8, slotBytes);
                    req.setInt(12, perBlock * blocks);
                    check(name, Sys.setsockopt(fd, SOL_PACKET, PACKET_RX_RING, req, 16), "PACKET_RX_RING");
                }
                mapped = Sys.mmap(null, bytes, PROT_READ_WRITE, MAP_SHARED, fd, 0);
                if (mapped == null || Pointer.nativeValue(mapped) == -1L || fault("mmap")) {
                    int err = Native.getLastError();
                    mapped = null;
                    throw failure(name, "mmap (" + bytes + " bytes)", err);
                }
                try (Memory mreq = new Memory(16)) { // struct packet_mreq: promiscuous, as PcapPort
                    mreq.clear();
                    mreq.setInt(0, ifindex);
                    mreq.setShort(4, (short) PACKET_MR_PROMISC);
                    check(name, Sys.setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq, 16),
                            "PACKET_ADD_MEMBERSHIP (promiscuous)");
                }
                bind(name, fd, ifindex, ETH_P_ALL, "bind (" + which + ")");
                int[] slots = new int[perBlock * blocks];
                for (int b = 0, i = 0; b < blocks; b++) {
                    for (int s = 0; s < perBlock; s++) {
                        slots[i++] = b * blockBytes + s * slotBytes;
                    }
                }
                return new Worker(index, fd, mapped, bytes, slots);
            } catch (RuntimeException e) {
                if (mapped != null) {
                    Sys.munmap(mapped, bytes);
                }
                Sys.close(fd);
                throw e;
            }
        }

        void poll() {
            int r = Sys.poll(pollfd, 1, POLL_TIMEOUT_MS);
            if (r < 0 && Native.getLastError() != EINTR) {
                LOG.debug("poll on a ring failed: errno {}", Native.getLastError());
            }
        }

        /** struct tpacket_stats { unsigned int tp_packets; unsigned int tp_drops; }: read and reset by the kernel. */
        void readStats() {
            synchronized (stats) {
                if (released) {
                    return;
                }
                statsLen.setInt(0, 8);
                if (Sys.getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, stats, statsLen) == 0) {
                    packets.addAndGet(stats.getInt(0) & 0xffffffffL);
                    drops.addAndGet(stats.getInt(4) & 0xffffffffL);
                }
            }
        }

        void release() {
            synchronized (stats) {
                if (released) {
                    return;
                }
                released = true;
            }
            Sys.munmap(ring, ringBytes);
            Sys.close(fd);
        }
    }

    /** One sending thread's queued frames: {@link MmsgBatch} or {@link RingBatch}. Owned by one thread. */
    private abstract static class TxBatch {
        /** Frames per system call. */
        static final int CAPACITY = 64;

        final Thread owner = Thread.currentThread();
        /** The largest frame this batch takes. */
        final int slot;

        TxBatch(int slot) {
            this.slot = slot;
        }

        abstract void add(byte[] frame, int off, int len);

        /** Adds the frame {@code head[0, headLen)} + {@code body[off, off + len)}, written straight into its slot. */
        abstract void add(byte[] head, int headLen, byte[] body, int off, int len);

        abstract void flush();
    }

    /**
     * One sending thread's frames, sent with one sendmmsg: {@link #CAPACITY} slots of {@link #slot} bytes with their
     * iovecs and {@code struct mmsghdr}s, all in native memory, prepared once (as {@code DatagramBatch} in the daemon).
     * Owned by one thread.
     */
    private final class MmsgBatch extends TxBatch {
        /** struct mmsghdr on LP64 Linux: struct msghdr (56 bytes), unsigned int msg_len, padding. */
        private static final int MMSGHDR = 64;
        private static final int MSG_IOV = 16;
        private static final int MSG_IOVLEN = 24;
        private static final int IOVEC = 16;

        private final Memory slots;
        private final Memory iovecs;
        private final Memory headers;
        private final ByteBuffer slotView;
        private final ByteBuffer iovecView;
        private final Pointer[] headerAt = new Pointer[CAPACITY];
        private int count;

        MmsgBatch(int slot) {
            super(slot);
            slots = new Memory((long) CAPACITY * slot);
            iovecs = new Memory((long) CAPACITY * IOVEC);
            headers = new Memory((long) CAPACITY * MMSGHDR);
            iovecs.clear();
            headers.clear(); // msg_name NULL: the socket is bound to the interface
            slotView = slots.getByteBuffer(0, slots.size());
            iovecView = iovecs.getByteBuffer(0, iovecs.size()).order(ByteOrder.nativeOrder());
            for (int i = 0; i < CAPACITY; i++) {
                iovecs.setPointer((long) i * IOVEC, slots.share((long) i * slot));
                long h = (long) i * MMSGHDR;
                headers.setPointer(h + MSG_IOV, iovecs.share((long) i * IOVEC));
                headers.setLong(h + MSG_IOVLEN, 1);
                headerAt[i] = headers.share(h);
            }
        }

        @Override
        void add(byte[] frame, int off, int len) {
            int i = count;
            slotView.put(i * slot, frame, off, len);
            commit(i, len);
        }

        /** Adds the frame {@code head[0, headLen)} + {@code body[off, off + len)}, written straight into its slot. */
        @Override
        void add(byte[] head, int headLen, byte[] body, int off, int len) {
            int i = count;
            slotView.put(i * slot, head, 0, headLen);
            slotView.put(i * slot + headLen, body, off, len);
            commit(i, headLen + len);
        }

        private void commit(int i, int len) {
            iovecView.putLong(i * IOVEC + 8, len);
            count = i + 1;
            if (count == CAPACITY) {
                flush();
            }
        }

        @Override
        void flush() {
            int n = count;
            if (n == 0) {
                return;
            }
            count = 0;
            long stamp = fds.tryReadLock();
            if (stamp == 0) {
                queuedSendFailures.add(n);
                return;
            }
            try {
                int done = 0;
                while (done < n) {
                    int r = Sys.sendmmsg(txFd, headerAt[done], n - done, MSG_DONTWAIT);
                    if (r > 0) {
                        done += r;
                        continue;
                    }
                    int err = Native.getLastError();
                    if (err == EINTR) {
                        continue;
                    }
                    if (err == EAGAIN || err == ENOBUFS) { // the send buffer is full: the rest is lost
                        queuedSendFailures.add(n - done);
                        return;
                    }
                    // the frame at done was refused (interface down, too long): count it, send the rest
                    queuedSendFailures.increment();
                    LOG.debug("frame not sent on {}: errno {}", name, err);
                    done++;
                }
            } finally {
                fds.unlockRead(stamp);
            }
        }
    }


    /** A sending thread's PACKET_TX_RING: its own socket, bound to the interface, and the mapped ring. */
    private record TxRingMapping(int fd, Pointer ring, long bytes, int frameBytes, int frames, boolean vnetHeader) {
        static TxRingMapping make(String name, int ifindex, int frameBytes) {
            int fd = socket(name, "socket (TX ring)");
            Pointer mapped = null;
            boolean vnet = false;
            int blockBytes = Math.max(4096, frameBytes);
            int frames = RingBatch.FRAMES;
            long bytes = (long) frames * frameBytes;
            try {
                setInt(name, fd, SOL_PACKET, PACKET_VERSION, TPACKET_V2, "PACKET_VERSION (TX ring)");
                setInt(name, fd, SOL_PACKET, PACKET_LOSS, 1, "PACKET_LOSS (TX ring)");
                try (Memory one = new Memory(4)) { // before the ring: the kernel refuses it once a ring exists
                    one.setInt(0, 1);
                    vnet = !fault("PACKET_VNET_HDR") && Sys.setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, one, 4) == 0;
                    if (!vnet) {
                        LOG.debug("{}: PACKET_VNET_HDR refused (errno {}): TX ring frames go as page fragments", name,
                                Native.getLastError());
                    }
                }
                try (Memory req = new Memory(16)) { // struct tpacket_req
                    req.setInt(0, blockBytes);
                    req.setInt(4, (int) (bytes / blockBytes));
                    req.setInt(8, frameBytes);
                    req.setInt(12, frames);
                    check(name, Sys.setsockopt(fd, SOL_PACKET, PACKET_TX_RING, req, 16), "PACKET_TX_RING");
                }
                mapped = Sys.mmap(null, bytes, PROT_READ_WRITE, MAP_SHARED, fd, 0);
                if (mapped == null || Pointer.nativeValue(mapped) == -1L || fault("mmap (TX ring)")) {
                    int err = Native.getLastError();
                    mapped = null;
                    throw failure(name, "mmap (TX ring, " + bytes + " bytes)", err);
                }
                bind(name, fd, ifindex, 0, "bind (TX ring)");
                return new TxRingMapping(fd, mapped, bytes, frameBytes, frames, vnet);
            } catch (RuntimeException e) {
                if (mapped != null) {
                    Sys.munmap(mapped, bytes);
                }
                Sys.close(fd);
                throw e;
            }
        }

        void release() {
            Sys.munmap(ring, bytes);
            Sys.close(fd);
        }
    }

    /**
     * One sending thread's frames through its own TX ring (see the class comment): written into the next ring frame,
     * marked for sending, and sent with one {@code sendto(fd, NULL, 0, MSG_DONTWAIT)} per {@link #CAPACITY} frames or
     * per {@link #flush()}. The kernel takes requested frames in ring order from its own head, which starts where
     * ours does and moves as ours does, frame by frame.
     */
    private final class RingBatch extends TxBatch {
        /** Ring frames per sending thread: the frames the kernel may hold (requested, or sent and not yet freed). */
        static final int FRAMES = 1024;
        /** Where a frame's data starts in its ring frame: TPACKET2_HDRLEN - sizeof(struct sockaddr_ll) (tpacket_snd). */
        static final int DATA = 32;
        /** struct virtio_net_hdr: before the frame when the socket has PACKET_VNET_HDR. */
        static final int VNET_HDR = 10;
        /** virtio_net_hdr.hdr_len: the bytes the kernel copies into the packet's linear part. */
        static final int VNET_HDR_LEN = 2;

        private final TxRingMapping m;
        private final ByteBuffer view;
        /** Where the Ethernet frame starts in a ring frame: after the virtio_net_hdr when there is one. */
        private final int frameAt;
        private int next;
        private int requested;
        /** Set by {@link PacketRingPort#close()} (socket closed); the owner unmaps the ring at its next use. */
        private volatile boolean socketClosed;
        private boolean unmapped;

        /** The smallest power of two that holds the header and a frame of {@code slot} bytes. */
        static int frameBytesFor(int slot) {
            return Integer.highestOneBit(DATA + VNET_HDR + slot - 1) << 1;
        }

        RingBatch(TxRingMapping m, int slot) {
            super(slot);
            this.m = m;
            this.view = m.ring().getByteBuffer(0, m.bytes()).order(ByteOrder.nativeOrder());
            this.frameAt = DATA + (m.vnetHeader() ? VNET_HDR : 0);
        }

        @Override
        void add(byte[] frame, int off, int len) {
            int at = claim();
            if (at >= 0) {
                view.put(at + frameAt, frame, off, len);
                request(at, len);
            }
        }

        @Override
        void add(byte[] head, int headLen, byte[] body, int off, int len) {
            int at = claim();
            if (at >= 0) {
                view.put(at + frameAt, head, 0, headLen);
                view.put(at + frameAt + headLen, body, off, len);
                request(at, headLen + len);
            }
        }

        /** The offset of the next ring frame if it is ours to fill; else -1, the frame counted as not sent. */
        private int claim() {
            if (socketClosed) {
                unmap();
                queuedSendFailures.increment();
                return -1;
            }
            int at = next * m.frameBytes();
            if ((int) STATUS.getAcquire(view, at) != TP_STATUS_AVAILABLE) {
                flush(); // the kernel may only be waiting for a send call
                if ((int) STATUS.getAcquire(view, at) != TP_STATUS_AVAILABLE) { // the whole ring is the kernel's
                    queuedSendFailures.increment();
                    return -1;
                }
            }
            return at;
        }

        private void request(int at, int len) {
            if (m.vnetHeader()) { // no offloads; hdr_len = the whole frame (legacy virtio: native byte order)
                for (int i = 0; i < VNET_HDR; i += 2) {
                    view.putShort(at + DATA + i, (short) 0);
                }
                view.putShort(at + DATA + VNET_HDR_LEN, (short) len);
                len += VNET_HDR;
            }
            view.putInt(at + TP_LEN, len);
            STATUS.setRelease(view, at, TP_STATUS_SEND_REQUEST); // the frame's bytes are written before the kernel sees it
            next = next + 1 == m.frames() ? 0 : next + 1;
            if (++requested == CAPACITY) {
                flush();
            }
        }

        @Override
        void flush() {
            int n = requested;
            if (n == 0) {
                return;
            }
            requested = 0;
            long stamp = fds.tryReadLock();
            if (stamp == 0 || socketClosed) { // closing: nobody will send these
                if (stamp != 0) {
                    fds.unlockRead(stamp);
                }
                queuedSendFailures.add(n);
                return;
            }
            try {
                while (true) {
                    long r = Sys.sendto(m.fd(), null, 0, MSG_DONTWAIT, null, 0);
                    if (r >= 0) {
                        return;
                    }
                    int err = Native.getLastError();
                    if (err == EINTR) {
                        continue;
                    }
                    // EAGAIN/ENOBUFS (send buffer full) or the device refusing now: the requested frames stay in the
                    // ring and leave with the next flush; if it never drains, claim() counts what cannot get in
                    LOG.debug("TX ring on {}: send deferred, errno {}", name, err);
                    return;
                }
            } finally {
                fds.unlockRead(stamp);
            }
        }

        /** Called by close() with the sockets locked: no flush is running on this socket. */
        void closeSocket() {
            if (!socketClosed) {
                socketClosed = true;
                Sys.close(m.fd());
            }
        }

        private void unmap() {
            if (!unmapped) {
                unmapped = true;
                Sys.munmap(m.ring(), m.bytes());
            }
        }
    }

    /** The libc calls, direct-mapped. */
    static final class Sys {
        static String unavailableReason = "";
        static final boolean AVAILABLE = register();

        private Sys() {}

        static native int socket(int domain, int type, int protocol);

        static native int setsockopt(int fd, int level, int optname, Pointer optval, int optlen);

        static native int getsockopt(int fd, int level, int optname, Pointer optval, Pointer optlen);

        static native int bind(int fd, Pointer addr, int addrlen);

        static native int getsockname(int fd, Pointer addr, Pointer addrlen);

        static native Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset);

        static native int munmap(Pointer addr, long length);

        static native int poll(Pointer fds, long nfds, int timeout);

        static native int close(int fd);

        static native long send(int fd, byte[] buf, long len, int flags);

        static native int sendmmsg(int fd, Pointer msgvec, int vlen, int flags);

        static native long sendto(int fd, Pointer buf, long len, int flags, Pointer addr, int addrlen);

        static native int if_nametoindex(String name);

        /** {@code which} PRIO_PROCESS (0) with {@code who} 0: the calling thread (Linux keeps nice per thread). */
        static native int setpriority(int which, int who, int prio);

        private static boolean register() {
            if (!Platform.isLinux() || Native.POINTER_SIZE != 8 || Native.LONG_SIZE != 8) {
                unavailableReason = "not Linux on a 64-bit platform";
                return false;
            }
            try {
                Native.register(Sys.class, Platform.C_LIBRARY_NAME);
                return true;
            } catch (LinkageError | RuntimeException e) {
                unavailableReason = e.toString();
                return false;
            }
        }
    }
}
