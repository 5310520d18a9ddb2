package org.lacd.pppoe.port;

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
 * A raw Ethernet port through pcap4j (libpcap). One handle; one dedicated receive thread running
 * {@code loop()} with a {@link org.pcap4j.core.RawPacketListener} (the fast path measured in DEPENDENCIES.md);
 * stopped with {@code breakLoop()} then {@code close()}. Captures inbound frames only (our own sends are not seen).
 *
 * <p>The handle opens in the network namespace of the thread calling {@link #start}. pcap4j hands each received
 * frame over as a fresh byte[] (its RawPacketListener copies out of libpcap's ring); beyond that the receive path
 * does not allocate.
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
    private volatile MacAddress mac;
    private volatile PcapHandle handle;
    private volatile Thread receiveThread;
    /** The drop count last read, kept so the counter does not fall back to 0 after {@link #close()}. */
    private volatile long drops;

    /** Immediate mode on (low latency for control traffic) and a 16 MiB kernel buffer. */
    public PcapPort(String name) {
        this(name, DEFAULT_BUFFER, true, null);
    }

    /** A port for frames carrying PPP payloads of up to {@code maxPayload} bytes (RFC 4638 PPP-Max-Payload). */
    public static PcapPort forMaxPayload(String name, int maxPayload) {
        return new PcapPort(name, DEFAULT_BUFFER, true, null, snaplenFor(maxPayload));
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

    private PcapPort(String name, int bufferBytes, boolean immediate, MacAddress mac, int snaplen, String filter) {
        this.filter = filter;
        this.name = name;
        this.bufferBytes = bufferBytes;
        this.immediate = immediate;
        this.mac = mac;
        this.snaplen = snaplen;
    }

    @Override public String name() { return name; }

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
        synchronized (sendLock) {
            h.close();
        }
        LOG.info("PPPoE port {} closed", name);
    }
}
