package org.lacd.pppoe.port;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the raw Ethernet port for a subscriber-facing interface: the {@link PacketRingPort} (with its PADI ring) where
 * it can be set up, else {@link PcapPort}, with one INFO line saying which port runs and why (also the port's
 * {@link EthernetPort#description()}).
 */
public final class Ports {
    private static final Logger LOG = LoggerFactory.getLogger(Ports.class);

    private Ports() {}

    /**
     * Opens the port for interface {@code name}, for PPP payloads of up to {@code maxPayload} bytes, with
     * {@code workers} receive workers (the pcap port has one, whatever is asked).
     *
     * <p>{@link PortKind#AUTO}: the ring; when it cannot be set up (an old kernel, a refused socket option, no JNA),
     * pcap. A missing interface or missing permission is thrown, not a reason to fall back: pcap would fail the
     * same way. {@link PortKind#RING}: the ring or the {@link PortException}. {@link PortKind#PCAP}: pcap.
     *
     * <p>The ring port's sockets are made here, in the calling thread's network namespace; the pcap port opens its
     * handle at {@link EthernetPort#start}, in the namespace of the thread calling that.
     */
    public static EthernetPort open(String name, int maxPayload, int workers, PortKind preference) {
        return open(name, maxPayload, workers, preference, true);
    }

    /**
     * As {@link #open(String, int, int, PortKind)}; {@code txRing} false makes the ring port send its queued frames with
     * sendmmsg instead of a TX ring per sending thread.
     */
    public static EthernetPort open(String name, int maxPayload, int workers, PortKind preference, boolean txRing) {
        return open(name, maxPayload, workers, preference, txRing, PacketRingPort.DEFAULT_RING_BYTES);
    }

    /**
     * As {@link #open(String, int, int, PortKind, boolean)} with {@code ringBytes} of receive buffer per worker: the ring
     * port's ring per worker, the pcap port's kernel buffer.
     */
    public static EthernetPort open(String name, int maxPayload, int workers, PortKind preference, boolean txRing,
                                    int ringBytes) {
        if (ringBytes < 1 << 20) {
            throw new IllegalArgumentException("ring bytes must be 1 MiB or more, not " + ringBytes);
        }
        if (workers < 1 || workers > PacketRingPort.MAX_WORKERS) {
            throw new IllegalArgumentException("workers must be 1.." + PacketRingPort.MAX_WORKERS + ", not " + workers);
        }
        switch (preference) {
            case PCAP:
                return pcap(name, maxPayload, workers, ringBytes, "pcap (as configured)");
            case RING:
                return ring(name, maxPayload, workers, txRing, ringBytes);
            case AUTO:
            default:
                try {
                    return ring(name, maxPayload, workers, txRing, ringBytes);
                } catch (PortException e) {
                    if (e.kind() == PortException.Kind.NO_SUCH_INTERFACE
                            || e.kind() == PortException.Kind.PERMISSION_DENIED) {
                        throw e;
                    }
                    return pcap(name, maxPayload, workers, ringBytes, "pcap (fallback: AF_PACKET ring unavailable: "
                            + e.getMessage() + ")");
                }
        }
    }

    private static EthernetPort ring(String name, int maxPayload, int workers, boolean txRing, int ringBytes) {
        PacketRingPort p = PacketRingPort.openWithPadiRing(name, maxPayload, workers, txRing, ringBytes);
        LOG.info("PPPoE port {}: {}", name, p.description());
        return p;
    }

    private static EthernetPort pcap(String name, int maxPayload, int workers, int bufferBytes, String why) {
        String text = why + "; 1 worker" + (workers > 1 ? " (" + workers + " asked: pcap has one receive thread)" : "");
        PcapPort p = PcapPort.forMaxPayload(name, maxPayload, bufferBytes);
        p.describeAs(text);
        LOG.info("PPPoE port {}: {}", name, text);
        return p;
    }
}
