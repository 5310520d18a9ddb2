package org.lacd.pppoe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.lacd.pppoe.port.InMemoryPort;
import org.lacd.pppoe.wire.EthernetHeader;
import org.lacd.pppoe.wire.EtherType;
import org.lacd.pppoe.wire.LcpCode;
import org.lacd.pppoe.wire.LcpOption;
import org.lacd.pppoe.wire.LcpPacket;
import org.lacd.pppoe.wire.MacAddress;
import org.lacd.wire.MalformedPacketException;
import org.lacd.pppoe.wire.PppControlPacket;
import org.lacd.pppoe.wire.PppoeCode;
import org.lacd.pppoe.wire.PppoeDiscovery;
import org.lacd.pppoe.wire.PppoeSessionFrame;
import org.lacd.pppoe.wire.PppoeTag;
import org.lacd.pppoe.wire.TagType;

/** A small scripted PPPoE client on an in-memory port: builds frames, collects what the server sends. */
final class TestClient {
    final InMemoryPort port;
    final long mac;
    final int outerTpid;
    final int outerTci;
    final int innerTci;
    final ConcurrentLinkedDeque<byte[]> inbox = new ConcurrentLinkedDeque<>();
    long acMac;
    int sid;
    int magic = 0x0badcafe;
    int nextId = 1;
    /** Run after every send (e.g. the manual scheduler's runPending). */
    Runnable pump = () -> { };

    TestClient(InMemoryPort port, long mac, int outerTpid, int outerTci, int innerTci) {
        this.port = port;
        this.mac = mac;
        this.outerTpid = outerTpid;
        this.outerTci = outerTci;
        this.innerTci = innerTci;
        HUB.computeIfAbsent(port, p -> {
            List<TestClient> list = new java.util.concurrent.CopyOnWriteArrayList<>();
            p.start((b, off, len) -> {
                for (TestClient c : list) {
                    c.offer(b, off, len);
                }
            });
            return list;
        }).add(this);
    }

    /** Several clients share one in-memory port: frames go to the one(s) with matching MAC and VLANs. */
    private static final java.util.Map<InMemoryPort, List<TestClient>> HUB =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    private void offer(byte[] b, int off, int len) {
        try {
            EthernetHeader e = EthernetHeader.decode(new org.lacd.wire.WireReader(
                    org.lacd.wire.WireProtocol.ETHERNET, b, off, len));
            if (e.dst() != mac || e.outerTci() != outerTci || e.innerTci() != innerTci) {
                return;
            }
        } catch (MalformedPacketException ex) {
            return;
        }
        byte[] c = new byte[len];
        System.arraycopy(b, off, c, 0, len);
        inbox.add(c);
    }

    EthernetHeader eth(long dst, int type) {
        return new EthernetHeader(dst, mac, outerTpid, outerTci, innerTci, type);
    }

    void send(PppoeDiscovery p, long dst) {
        byte[] f = p.toFrame(eth(dst, EtherType.PPPOE_DISCOVERY));
        port.send(f, 0, f.length);
        pump.run();
    }

    void padi(PppoeTag... tags) {
        send(new PppoeDiscovery(PppoeCode.PADI, 0, List.of(tags)), MacAddress.BROADCAST.value());
    }

    void padr(PppoeTag... tags) {
        send(new PppoeDiscovery(PppoeCode.PADR, 0, List.of(tags)), acMac);
    }

    void padt() {
        send(new PppoeDiscovery(PppoeCode.PADT, sid, List.of()), acMac);
    }

    static PppoeTag service(String s) { return PppoeTag.utf8(TagType.SERVICE_NAME, s); }

    static PppoeTag hostUniq(String hex) { return PppoeTag.of(TagType.HOST_UNIQ, java.util.HexFormat.of().parseHex(hex)); }

    /** Removes and returns the next discovery frame of this code; fails when there is none. */
    PppoeDiscovery.Frame expectDiscovery(PppoeCode code) {
        PppoeDiscovery.Frame f = pollDiscovery(code);
        assertNotNull(f, "expected a " + code + " in " + inbox.size() + " frames");
        return f;
    }

    PppoeDiscovery.Frame pollDiscovery(PppoeCode code) {
        for (Iterator<byte[]> it = inbox.iterator(); it.hasNext(); ) {
            byte[] b = it.next();
            try {
                PppoeDiscovery.Frame f = PppoeDiscovery.decodeFrame(b, 0, b.length);
                if (f.packet().code() == code) {
                    it.remove();
                    return f;
                }
            } catch (MalformedPacketException e) {
                // not a discovery frame
            }
        }
        return null;
    }

    /** Full discovery: PADI, PADO, PADR, PADS. Returns the PADS. */
    PppoeDiscovery.Frame discover(PppoeTag... extra) {
        List<PppoeTag> tags = new ArrayList<>(List.of(service(""), hostUniq("c0ffee")));
        tags.addAll(List.of(extra));
        padi(tags.toArray(new PppoeTag[0]));
        PppoeDiscovery.Frame pado = expectDiscovery(PppoeCode.PADO);
        acMac = pado.eth().src();
        List<PppoeTag> r = new ArrayList<>(tags);
        r.add(pado.packet().first(TagType.AC_COOKIE).orElseThrow());
        padr(r.toArray(new PppoeTag[0]));
        PppoeDiscovery.Frame pads = expectDiscovery(PppoeCode.PADS);
        sid = pads.packet().sessionId();
        return pads;
    }

    void sendPpp(PppControlPacket p) {
        sendPppRaw(p.toPppFrame());
    }

    void sendPppRaw(byte[] ppp) {
        byte[] f = PppoeSessionFrame.encode(eth(acMac, EtherType.PPPOE_SESSION), sid, ppp);
        port.send(f, 0, f.length);
        pump.run();
    }

    /** Next session frame's PPP bytes, or null. */
    byte[] pollPppRaw() {
        for (Iterator<byte[]> it = inbox.iterator(); it.hasNext(); ) {
            byte[] b = it.next();
            try {
                PppoeSessionFrame.Decoded d = PppoeSessionFrame.decode(b, 0, b.length);
                it.remove();
                assertEquals(sid, d.sessionId());
                return d.ppp();
            } catch (MalformedPacketException e) {
                // a discovery frame
            }
        }
        return null;
    }

    PppControlPacket expectPpp() {
        byte[] raw = pollPppRaw();
        assertNotNull(raw, "expected a PPP frame");
        try {
            return PppControlPacket.decodePpp(raw, 0, raw.length);
        } catch (MalformedPacketException e) {
            return fail(e);
        }
    }

    LcpPacket expectLcp(LcpCode code) {
        PppControlPacket p = expectPpp();
        if (!(p instanceof LcpPacket l) || l.kind() != code) {
            return fail("expected LCP " + code + ", got " + p);
        }
        return l;
    }

    /** Our own Configure-Request: MRU 1492 and a magic number. */
    LcpPacket configureRequest() {
        return LcpPacket.configure(LcpCode.CONFIGURE_REQUEST, nextId++, List.of(LcpOption.mru(1492), LcpOption.magic(magic)));
    }

    /** Sends our CR, acks the server's CR; expects the server's Ack of ours. Returns the server's CR. */
    LcpPacket openLcp() throws MalformedPacketException {
        LcpPacket serverCr = expectLcp(LcpCode.CONFIGURE_REQUEST);
        LcpPacket ours = configureRequest();
        sendPpp(ours);
        sendPpp(LcpPacket.of(LcpCode.CONFIGURE_ACK, serverCr.id(), serverCr.data()));
        LcpPacket ack = expectLcp(LcpCode.CONFIGURE_ACK);
        assertEquals(ours.id(), ack.id());
        return serverCr;
    }

    static byte[] chapMd5(int id, String secret, byte[] challenge) {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            md.update((byte) id);
            md.update(secret.getBytes());
            md.update(challenge);
            return md.digest();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    void clear() { inbox.clear(); }
}
