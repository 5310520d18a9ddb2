package org.lacd.lab.bench;

import java.util.ArrayDeque;
import java.util.List;
import org.lacd.pppoe.AuthExchange;
import org.lacd.pppoe.CloseReason;
import org.lacd.pppoe.ManualScheduler;
import org.lacd.pppoe.PppoeServer;
import org.lacd.pppoe.PppoeSettings;
import org.lacd.pppoe.PppoeStats;
import org.lacd.pppoe.SubscriberListener;
import org.lacd.pppoe.SubscriberSession;
import org.lacd.pppoe.port.InMemoryPort;
import org.lacd.pppoe.wire.ChapPacket;
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

/**
 * A PPPoE server on an in-memory port pair with a manual scheduler, and a minimal scripted client, for benchmarks.
 * Everything runs on the calling thread: the numbers are the protocol work per handshake, not thread hand-offs.
 */
public final class PppoeBenchRig {
    public static final long AC_MAC = 0x02ac_0000_0001L;

    public final ManualScheduler sched = new ManualScheduler();
    public final InMemoryPort[] wire = InMemoryPort.pair("ac", new MacAddress(AC_MAC), "sub",
            new MacAddress(0x0200_0000_0000L));
    public final PppoeServer server;
    public final ArrayDeque<byte[]> inbox = new ArrayDeque<>();
    public SubscriberSession lastAuthenticated;
    public long authenticatedCount;

    public PppoeBenchRig(int maxSessions) {
        PppoeSettings.Rate fast = new PppoeSettings.Rate(1e9, Integer.MAX_VALUE); // the manual clock does not move: never run dry
        PppoeSettings settings = PppoeSettings.builder().acName("lacd-bench").padiPerMac(fast).padiTotal(fast)
                .padrPerMac(fast).padrTotal(fast).maxSessionsPerInterface(maxSessions).maxSessionsPerMac(4).build();
        server = new PppoeServer(settings, List.of(wire[0]), new SubscriberListener() {
            @Override
            public void authenticated(SubscriberSession s, AuthExchange a) {
                lastAuthenticated = s;
                authenticatedCount++;
            }

            @Override
            public void sessionClosed(SubscriberSession s, CloseReason r) { }
        }, PppoeStats.NOOP, sched);
        wire[1].start((b, off, len) -> {
            byte[] c = new byte[len];
            System.arraycopy(b, off, c, 0, len);
            inbox.add(c);
        });
        server.start();
        sched.runPending();
    }

    private void send(byte[] f) {
        wire[1].send(f, 0, f.length);
        sched.runPending();
    }

    private static EthernetHeader eth(long src, long dst, int type) {
        return new EthernetHeader(dst, src, 0, -1, -1, type);
    }

    private PppoeDiscovery.Frame nextDiscovery() throws MalformedPacketException {
        byte[] f = inbox.poll();
        if (f == null) {
            throw new IllegalStateException("no frame from the server");
        }
        return PppoeDiscovery.decodeFrame(f, 0, f.length);
    }

    private PppControlPacket nextPpp() throws MalformedPacketException {
        byte[] f = inbox.poll();
        if (f == null) {
            throw new IllegalStateException("no frame from the server");
        }
        PppoeSessionFrame.Decoded d = PppoeSessionFrame.decode(f, 0, f.length);
        return PppControlPacket.decodePpp(d.ppp(), 0, d.ppp().length);
    }

    /** PADI, PADO, PADR, PADS; returns the session id. */
    public int discover(long mac) throws MalformedPacketException {
        PppoeTag service = PppoeTag.utf8(TagType.SERVICE_NAME, "");
        PppoeTag hu = PppoeTag.of(TagType.HOST_UNIQ, new byte[] {1, 2, 3, 4});
        send(new PppoeDiscovery(PppoeCode.PADI, 0, List.of(service, hu))
                .toFrame(eth(mac, MacAddress.BROADCAST.value(), EtherType.PPPOE_DISCOVERY)));
        PppoeDiscovery pado = nextDiscovery().packet();
        PppoeTag cookie = pado.first(TagType.AC_COOKIE).orElseThrow();
        send(new PppoeDiscovery(PppoeCode.PADR, 0, List.of(service, hu, cookie))
                .toFrame(eth(mac, AC_MAC, EtherType.PPPOE_DISCOVERY)));
        PppoeDiscovery pads = nextDiscovery().packet();
        if (pads.code() != PppoeCode.PADS || pads.sessionId() == 0) {
            throw new IllegalStateException("no session: " + pads);
        }
        return pads.sessionId();
    }

    private void sendPpp(long mac, int sid, PppControlPacket p) {
        send(PppoeSessionFrame.encode(eth(mac, AC_MAC, EtherType.PPPOE_SESSION), sid, p.toPppFrame()));
    }

    /** Discovery, LCP both ways, CHAP up to authenticated(). Returns the session id. */
    public int negotiate(long mac) throws MalformedPacketException {
        int sid = discover(mac);
        LcpPacket serverCr = (LcpPacket) nextPpp();
        sendPpp(mac, sid, LcpPacket.configure(LcpCode.CONFIGURE_REQUEST, 1,
                List.of(LcpOption.mru(1492), LcpOption.magic(0x1234567))));
        nextPpp(); // our Ack
        sendPpp(mac, sid, LcpPacket.of(LcpCode.CONFIGURE_ACK, serverCr.id(), serverCr.data()));
        ChapPacket ch = (ChapPacket) nextPpp();
        long before = authenticatedCount;
        sendPpp(mac, sid, ChapPacket.response(ch.id(), new byte[16], "user@bench"));
        if (authenticatedCount != before + 1) {
            throw new IllegalStateException("not authenticated");
        }
        return sid;
    }

    /** PADT from the subscriber. */
    public void padt(long mac, int sid) {
        send(new PppoeDiscovery(PppoeCode.PADT, sid, List.of()).toFrame(eth(mac, AC_MAC, EtherType.PPPOE_DISCOVERY)));
    }
}
