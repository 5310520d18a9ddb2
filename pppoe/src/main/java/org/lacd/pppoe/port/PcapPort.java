package org.lacd.pppoe.port;

import com.sun.jna.Callback;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.lang.ref.Reference;
import java.lang.reflect.Field;
import java.util.concurrent.TimeUnit;
import org.lacd.pppoe.wire.MacAddress;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.Pcaps;
import org.pcap4j.util.LinkLayerAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A raw Ethernet port through pcap4j (libpcap). One handle; one dedicated receive thread; stopped with
 * {@code breakLoop()} then {@code close()}. Captures inbound frames only (our own sends are not seen).
 *
 * <p>The receive thread calls libpcap's {@code pcap_dispatch} in a loop through its own JNA mapping ({@link Dispatch}):
 * each call hands over every frame in the ring, copied into one reused array, and then the receiver hears
 * {@link FrameReceiver#endOfBatch()}. pcap4j's {@code loop()} never says where a run of frames ends, and its
 * {@code dispatch()} makes a new native callback and logs at INFO on every call, and allocates a byte[] and a
 * timestamp per frame. Where the mapping cannot be made (another libpcap binding or pcap4j version) the port falls
 * back to pcap4j's {@code loop()} with a {@link org.pcap4j.core.RawPacketListener}, one byte[] per frame, and no
 * batch ends.
 *
 * <p>The handle opens in the network namespace of the thread calling {@link #start}.
 */
public final class PcapPort implements EthernetPort {
    private static final Logger LOG = LoggerFactory.getLogger(PcapPort.class);

    /**
     * PPPoE discovery and session frames, untagged, single-tagged or QinQ. Each {@code vlan} keyword moves the
     * decoding offset by 4 for the rest of the expression, so the tagged cases are nested, not alternated.
     */
    public static final String FILTER = "ether proto 0x8863 or ether proto 0x8864 or (vlan and (ether proto 0x8863"
            + " or ether proto 0x8864 or (vlan and (ether proto 0x8863 or ether proto 0x8864))))";

    /** pcap_activate() error codes (pcap/pcap.h). */
    private static final int PCAP_ERROR_NO_SUCH_DEVICE = -5;
    private static final int PCAP_ERROR_PERM_DENIED = -8;

    /** libpcap's find-all-devices and filter compilation are not thread-safe in pcap4j. */
    private static final Object PCAP_GLOBAL = new Object();

    private final String name;
    private final int bufferBytes;
    private final boolean immediate;
    /**
     * Bytes captured per frame. It sizes the ring's slots: in immediate mode libpcap uses TPACKET_V2, whose slots are
     * snaplen-sized, so 65,535 would leave a 16 MiB ring room for about 250 frames and a burst (thousands of PADTs or
     * LCP Echo-Replies at once) would overflow it silently. Frames longer than the largest PPP-Max-Payload we accept
     * plus headers are not ours anyway.
     */
    private final int snaplen;
    /** The BPF filter: {@link #FILTER} for lacd; the lab's bare forwarder passes its own. */
    private final String filter;
    /** Ring size: with 1,600-byte slots (PPP-Max-Payload 1500) about 20,000 frames, room for a burst of hang-ups. */
    static final int DEFAULT_BUFFER = 32 << 20;
    private final Object sendLock = new Object();
    /** Held by the receive thread during each pcap_dispatch and by {@link #close()} around pcap_close. */
    private final Object dispatchLock = new Object();
    private volatile MacAddress mac;
    private volatile PcapHandle handle;
    private volatile Thread receiveThread;
    /** The drop count last read, kept so the counter does not fall back to 0 after {@link #close()}. */
    private volatile long drops;
    /** What {@link Ports} said about this port (why pcap runs). */
    private volatile String description = "pcap";

    /** Immediate mode on (low latency for control traffic) and a 16 MiB kernel buffer. */
    public PcapPort(String name) {
        this(name, DEFAULT_BUFFER, true, null);
    }

    /** A port for frames carrying PPP payloads of up to {@code maxPayload} bytes (RFC 4638 PPP-Max-Payload). */
    public static PcapPort forMaxPayload(String name, int maxPayload) {
        return forMaxPayload(name, maxPayload, DEFAULT_BUFFER);
    }

    /** As {@link #forMaxPayload(String, int)} with a kernel buffer of {@code bufferBytes}. */
    public static PcapPort forMaxPayload(String name, int maxPayload, int bufferBytes) {
        return new PcapPort(name, bufferBytes, true, null, snaplenFor(maxPayload));
    }

    /** Ethernet + two VLAN tags + PPPoE header + payload, rounded up to 64. */
    static int snaplenFor(int maxPayload) {
        int frame = 14 + 8 + 6 + maxPayload;
        return (frame + 63) & ~63;
    }

    /**
     * @param mac the source MAC to use, or null to read it from the interface
     * @param immediate libpcap immediate mode: per-packet wake-ups (latency) vs batching (throughput)
     */
    public PcapPort(String name, int bufferBytes, boolean immediate, MacAddress mac) {
        this(name, bufferBytes, immediate, mac, snaplenFor(9000));
    }

    public PcapPort(String name, int bufferBytes, boolean immediate, MacAddress mac, int snaplen) {
        this(name, bufferBytes, immediate, mac, snaplen, FILTER);
    }

    /**
     * A port with lacd's buffer, immediate mode and the snaplen for {@code maxPayload}, but another capture filter: the
     * same receive and send path with no PPPoE behind it (the lab's bare forwarder, which measures this machine's
     * ceiling for pcap receive-and-send).
     */
    public static PcapPort withFilter(String name, int maxPayload, String filter) {
        return new PcapPort(name, DEFAULT_BUFFER, true, null, snaplenFor(maxPayload), filter);
    }

    /** A port with all its settings: {@code filter} in libpcap's syntax, where {@link #FILTER} is lacd's. */
    public PcapPort(String name, int bufferBytes, boolean immediate, MacAddress mac, int snaplen, String filter) {
        this.filter = filter;
        this.name = name;
        this.bufferBytes = bufferBytes;
        this.immediate = immediate;
        this.mac = mac;
        this.snaplen = snaplen;
    }

    @Override public String name() { return name; }

    @Override public String description() { return description; }

    /** Set by {@link Ports}: which port this is and why it was chosen. */
    void describeAs(String text) { this.description = text; }

    @Override
    public MacAddress mac() {
        MacAddress m = mac;
        if (m == null) {
            m = readMac();
            mac = m;
        }
        return m;
    }

    private MacAddress readMac() {
        PcapNetworkInterface nif = findInterface();
        for (LinkLayerAddress a : nif.getLinkLayerAddresses()) {
            byte[] b = a.getAddress();
            if (b != null && b.length == 6) {
                return MacAddress.of(b);
            }
        }
        throw new PortException(PortException.Kind.OTHER, name, "interface " + name + " has no Ethernet address", null);
    }

    private PcapNetworkInterface findInterface() {
        PcapNetworkInterface nif;
        try {
            synchronized (PCAP_GLOBAL) {
                nif = Pcaps.getDevByName(name);
            }
        } catch (PcapNativeException e) {
            throw new PortException(PortException.Kind.OTHER, name,
                    "cannot list interfaces while looking for " + name + ": " + e.getMessage(), e);
        }
        if (nif == null) {
            throw new PortException(PortException.Kind.NO_SUCH_INTERFACE, name, "network interface " + name
                    + " does not exist (in this network namespace)", null);
        }
        return nif;
    }

    @Override
    public void start(FrameReceiver receiver) {
        if (handle != null) {
            throw new IllegalStateException("port " + name + " already started");
        }
        findInterface();
        mac();
        PcapHandle h;
        try {
            h = new PcapHandle.Builder(name)
                    .snaplen(snaplen)
                    .promiscuousMode(PcapNetworkInterface.PromiscuousMode.PROMISCUOUS)
                    .timeoutMillis(100)
                    .bufferSize(bufferBytes)
                    .immediateMode(immediate)
                    .direction(PcapHandle.PcapDirection.IN)
                    .build();
        } catch (PcapNativeException e) {
            Integer rc = e.getReturnCode();
            if (rc != null && rc == PCAP_ERROR_PERM_DENIED) {
                throw new PortException(PortException.Kind.PERMISSION_DENIED, name, "no permission to capture on "
                        + name + ": lacd needs CAP_NET_RAW (and CAP_NET_ADMIN for promiscuous mode), or root", e);
            }
            if (rc != null && rc == PCAP_ERROR_NO_SUCH_DEVICE) {
                throw new PortException(PortException.Kind.NO_SUCH_INTERFACE, name,
                        "network interface " + name + " does not exist", e);
            }
            throw new PortException(PortException.Kind.OTHER, name, "cannot open " + name + " for capture: "
                    + e.getMessage() + " (raw capture needs CAP_NET_RAW)", e);
        }
        try {
            synchronized (PCAP_GLOBAL) {
                h.setFilter(filter, BpfProgram.BpfCompileMode.OPTIMIZE);
            }
        } catch (PcapNativeException | NotOpenException e) {
            h.close();
            throw new PortException(PortException.Kind.FILTER, name, "cannot set the capture filter on " + name
                    + ": " + e.getMessage(), e);
        }
        handle = h;
        Thread t = new Thread(() -> receiveLoop(h, receiver), "pcap-rx-" + name);
        t.setDaemon(true);
        receiveThread = t;
        t.start();
        LOG.info("PPPoE port {} open (mac {}, immediate={}, buffer={} bytes, snaplen {})", name, mac, immediate, bufferBytes, snaplen);
    }

    private void receiveLoop(PcapHandle h, FrameReceiver receiver) {
        Pointer pcap = Dispatch.pcapT(h);
        if (pcap != null) {
            dispatchLoop(h, pcap, receiver);
            return;
        }
        try {
            h.loop(-1, (byte[] packet) -> {
                try {
                    receiver.frame(packet, 0, packet.length);
                } catch (RuntimeException e) {
                    // A receiver bug must never kill the port's only receive thread.
                    LOG.warn("receiver failed on a frame from {}: {}", name, e.toString(), e);
                }
            });
        } catch (InterruptedException e) {
            LOG.debug("receive loop on {} broken", name);
        } catch (PcapNativeException | NotOpenException e) {
            if (handle != null) {
                LOG.error("receive loop on {} ended: {}", name, e.getMessage());
            }
        }
    }

    /** pcap_dispatch until {@link #close()}: every frame to the receiver from one reused array, then a batch end. */
    private void dispatchLoop(PcapHandle h, Pointer pcap, FrameReceiver receiver) {
        byte[] frame = new byte[snaplen];
        Dispatch.Handler each = (user, header, bytes) -> {
            int caplen = Math.min(header.getInt(Dispatch.CAPLEN_OFFSET), frame.length);
            bytes.read(0, frame, 0, caplen);
            try {
                receiver.frame(frame, 0, caplen);
            } catch (RuntimeException e) {
                // A receiver bug must never kill the port's only receive thread.
                LOG.warn("receiver failed on a frame from {}: {}", name, e.toString(), e);
            }
        };
        while (handle == h) {
            int n;
            synchronized (dispatchLock) { // close() takes it before pcap_close: never free the handle under a dispatch
                if (handle != h) {
                    break;
                }
                n = Dispatch.pcap_dispatch(pcap, -1, each, null);
            }
            if (n > 0) {
                try {
                    receiver.endOfBatch();
                } catch (RuntimeException e) {
                    LOG.warn("receiver failed at the end of a batch from {}: {}", name, e.toString(), e);
                }
            } else if (n == Dispatch.PCAP_ERROR_BREAK) {
                break;
            } else if (n < 0) {
                if (handle == h) {
                    LOG.error("receive loop on {} ended: {}", name, errorText(h));
                }
                break;
            }
        }
        LOG.debug("receive loop on {} broken", name);
        Reference.reachabilityFence(each); // libpcap holds only the native trampoline
    }

    private static String errorText(PcapHandle h) {
        try {
            return h.getError();
        } catch (NotOpenException | RuntimeException e) {
            return "pcap_dispatch failed";
        }
    }

    @Override
    public void send(byte[] frame, int off, int len) {
        PcapHandle h = handle;
        if (h == null) {
            throw new PortException(PortException.Kind.SEND, name, "port " + name + " is not open", null);
        }
        byte[] b = frame;
        if (off != 0) {
            b = new byte[len];
            System.arraycopy(frame, off, b, 0, len);
        }
        try {
            // pcap_sendpacket on one handle from several threads: serialised here (the receive thread is separate).
            synchronized (sendLock) {
                h.sendPacket(b, len);
            }
        } catch (PcapNativeException | NotOpenException e) {
            throw new PortException(PortException.Kind.SEND, name, "send on " + name + " failed: " + e.getMessage(), e);
        }
    }

    /** libpcap's ps_drop: on Linux the socket's tp_drops, accumulated by libpcap across reads. */
    @Override
    public long captureDrops() {
        PcapHandle h = handle;
        if (h != null) {
            try {
                drops = h.getStats().getNumPacketsDropped();
            } catch (PcapNativeException | NotOpenException e) {
                // closing concurrently: keep the last value
            }
        }
        return drops;
    }

    @Override
    public void close() {
        PcapHandle h = handle;
        if (h == null) {
            return;
        }
        captureDrops();
        handle = null;
        try {
            h.breakLoop();
        } catch (NotOpenException e) {
            // already closed
        }
        Thread t = receiveThread;
        if (t != null) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                LOG.warn("receive thread of {} did not stop after breakLoop(); closing anyway", name);
            }
        }
        synchronized (dispatchLock) {
            synchronized (sendLock) {
                h.close();
            }
        }
        LOG.info("PPPoE port {} closed", name);
    }

    /**
     * libpcap's {@code pcap_dispatch}, mapped directly so that one callback object (one native trampoline) serves
     * every call, and the {@code pcap_t} pointer of a pcap4j handle (its private field {@code handle}, pcap4j 1.8.2).
     * {@link #pcapT} answers null when either cannot be had, and the port then uses pcap4j's {@code loop()}.
     */
    static final class Dispatch {
        /** pcap_dispatch's answer after pcap_breakloop. */
        static final int PCAP_ERROR_BREAK = -2;
        /** struct pcap_pkthdr { struct timeval ts; bpf_u_int32 caplen; bpf_u_int32 len; } on LP64 Linux. */
        static final int CAPLEN_OFFSET = 16;
        private static final Field HANDLE = mapping();

        private Dispatch() {}

        /** pcap_handler. */
        interface Handler extends Callback {
            void invoke(Pointer user, Pointer header, Pointer bytes);
        }

        static native int pcap_dispatch(Pointer pcap, int count, Handler callback, Pointer user);

        private static Field mapping() {
            if (!Platform.isLinux() || Native.POINTER_SIZE != 8) {
                return null;
            }
            try {
                // the library pcap4j loaded, under the name it uses (and lets the operator override)
                String lib = System.getProperty("org.pcap4j.core.pcapLibName", "pcap");
                Native.register(Dispatch.class, NativeLibrary.getInstance(lib));
                Field f = PcapHandle.class.getDeclaredField("handle");
                f.setAccessible(true);
                return f.getType() == Pointer.class ? f : null;
            } catch (LinkageError | ReflectiveOperationException | RuntimeException e) {
                LoggerFactory.getLogger(PcapPort.class).info("pcap_dispatch mapping unavailable ({}): receiving with pcap4j's loop()",
                        e.toString());
                return null;
            }
        }

        static Pointer pcapT(PcapHandle h) {
            if (HANDLE == null) {
                return null;
            }
            try {
                return (Pointer) HANDLE.get(h);
            } catch (IllegalAccessException e) {
                return null;
            }
        }

        static boolean available() { return HANDLE != null; }
    }
}
