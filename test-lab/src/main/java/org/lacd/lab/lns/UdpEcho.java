package org.lacd.lab.lns;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;

/**
 * A UDP echo server (RFC 862) for the namespace of a real LNS: the reflector behind its tun interface. The subscriber
 * emulator's probes go to the LNS's IPCP address, port 7 ({@link org.lacd.lab.subscriber.Probe#DESTINATION_PORT}); an
 * LNS such as l2tpns writes them to its tun interface, the namespace's kernel delivers them here (the address is local),
 * and the answer, with the payload unchanged, is routed back out of the tun interface to the subscriber. So the probe
 * crosses lacd and the real LNS in both directions and only the kernel turns it around.
 *
 * <p>Usage: {@code UdpEcho [PORT]} (default 7). Prints {@code udp-echo listening on ...} once bound, then runs until
 * killed.
 */
public final class UdpEcho {
    private UdpEcho() {}

    public static final String READY = "udp-echo listening on";

    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(port))) {
            System.out.println(READY + " " + s.getLocalSocketAddress());
            System.out.flush();
            byte[] buf = new byte[65535];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            while (true) {
                p.setLength(buf.length);
                s.receive(p);
                s.send(new DatagramPacket(buf, p.getLength(), p.getSocketAddress()));
            }
        }
    }
}
