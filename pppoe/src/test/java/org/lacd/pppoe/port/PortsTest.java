package org.lacd.pppoe.port;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.testsupport.RealPeer;
import org.lacd.testsupport.Peers;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lacd.pppoe.testutil.Netns;
import org.slf4j.LoggerFactory;

/** {@link Ports#open}: which port runs, and the one line that says so. */
@RealPeer
class PortsTest {
    private static Netns ns;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final List<EthernetPort> opened = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        Peers.require(Netns.isRoot() && Netns.hasIp(), "needs root and iproute2");
        ns = Netns.create("ports");
        ns.exec("ip", "link", "add", "pa", "type", "veth", "peer", "name", "pb");
        ns.exec("ip", "link", "set", "pa", "up");
        ns.exec("ip", "link", "set", "pb", "up");
    }

    @AfterAll
    static void tearDown() {
        if (ns != null) {
            ns.close();
        }
    }

    @BeforeEach
    void captureLog() {
        log.start();
        ((Logger) LoggerFactory.getLogger(Ports.class)).addAppender(log);
    }

    @AfterEach
    void cleanUp() {
        ((Logger) LoggerFactory.getLogger(Ports.class)).detachAppender(log);
        PacketRingPort.failStepForTest = null;
        opened.forEach(EthernetPort::close);
    }

    private EthernetPort open(String name, int workers, PortKind kind) throws Exception {
        EthernetPort p = ns.call(() -> Ports.open(name, 1500, workers, kind));
        opened.add(p);
        return p;
    }

    private List<String> infoLines() {
        return log.list.stream().filter(e -> e.getLevel() == Level.INFO).map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void autoRunsTheRingWhereItCanAndSaysSo() throws Exception {
        EthernetPort p = open("pb", 2, PortKind.AUTO);
        PacketRingPort ring = assertInstanceOf(PacketRingPort.class, p);
        assertEquals(2, p.workers());
        String expected = "AF_PACKET ring, 2 workers, TPACKET_V2, " + ring.slotsPerWorker() + " slots of 1616 B, TX ring send"
                + ", PADI ring of 2592 slots"; // an access concentrator's port: 4 MiB in 128 KiB blocks of 81 slots
        assertEquals(expected, p.description());
        assertEquals(List.of("PPPoE port pb: " + expected), infoLines());
        assertEquals(82_944, ring.slotsPerWorker(), "128 MiB in 128 KiB blocks of 81 slots");
    }

    @Test
    void ringSizeIsPerWorkerAsAsked() throws Exception {
        EthernetPort p = ns.call(() -> Ports.open("pb", 1500, 2, PortKind.RING, true, 64 << 20));
        opened.add(p);
        PacketRingPort ring = assertInstanceOf(PacketRingPort.class, p);
        assertEquals(41_472, ring.slotsPerWorker(), "64 MiB in 128 KiB blocks of 81 slots, for each of the 2 workers");
        assertTrue(p.description().contains("41472 slots of 1616 B"), p.description());
        assertThrows(IllegalArgumentException.class, () -> Ports.open("pb", 1500, 1, PortKind.RING, true, 1000));
    }

    @Test
    void autoFallsBackToPcapWithOneWorkerWhenTheRingCannotBeMadeAndSaysWhy() throws Exception {
        PacketRingPort.failStepForTest = "PACKET_RX_RING";
        EthernetPort p = open("pb", 2, PortKind.AUTO);
        assertInstanceOf(PcapPort.class, p);
        assertEquals(1, p.workers());
        String expected = "pcap (fallback: AF_PACKET ring unavailable: PACKET_RX_RING failed on pb: errno 22); 1 worker"
                + " (2 asked: pcap has one receive thread)";
        assertEquals(expected, p.description());
        assertEquals(List.of("PPPoE port pb: " + expected), infoLines());
        ns.call(() -> { // and it works
            p.start((buf, off, len) -> { });
            return null;
        });
    }

    @Test
    void ringPreferenceFailsInsteadOfFallingBack() {
        PacketRingPort.failStepForTest = "mmap";
        ExecutionException e = assertThrows(ExecutionException.class, () -> open("pb", 1, PortKind.RING));
        PortException pe = assertInstanceOf(PortException.class, e.getCause());
        assertEquals(PortException.Kind.OTHER, pe.kind());
        assertEquals(List.of(), infoLines());
    }

    @Test
    void pcapPreferenceIsPcapAndSaysSo() throws Exception {
        EthernetPort p = open("pb", 1, PortKind.PCAP);
        assertInstanceOf(PcapPort.class, p);
        assertEquals("pcap (as configured); 1 worker", p.description());
        assertEquals(List.of("PPPoE port pb: pcap (as configured); 1 worker"), infoLines());
    }

    @Test
    void aMissingInterfaceIsThrownNotAReasonToFallBack() {
        ExecutionException e = assertThrows(ExecutionException.class, () -> open("nosuch0", 1, PortKind.AUTO));
        assertEquals(PortException.Kind.NO_SUCH_INTERFACE, assertInstanceOf(PortException.class, e.getCause()).kind());
    }
}
