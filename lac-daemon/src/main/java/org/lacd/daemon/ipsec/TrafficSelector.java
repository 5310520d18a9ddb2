package org.lacd.daemon.ipsec;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One traffic selector as charon lists it ({@code remote-ts} of a CHILD_SA in {@code list-sas}): {@code addr/prefix},
 * optionally followed by {@code [proto]} or {@code [proto/port]} ({@code 192.0.2.11/32[udp/1701]}, {@code 0.0.0.0/0},
 * {@code 10.0.0.0/8[17]}). charon names well-known ports as {@code getservbyport} does ({@code [udp/l2f]} for 1701):
 * such names are looked up in {@code /etc/services}. Ranges ({@code a-b}) and unknown names are not taken as covering.
 */
record TrafficSelector(byte[] network, int prefix, Optional<String> protocol, int port) {
    static final int ANY_PORT = -1;

    /** UDP service names of {@code /etc/services} (name and aliases to port), read once. */
    static final Map<String, Integer> UDP_SERVICES = udpServices(Path.of("/etc/services"));

    static Map<String, Integer> udpServices(Path file) {
        Map<String, Integer> out = new HashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                String l = line.replaceAll("#.*", "").trim();
                String[] f = l.split("\\s+");
                if (f.length >= 2 && f[1].endsWith("/udp") && f[1].matches("[0-9]{1,5}/udp")) {
                    int port = Integer.parseInt(f[1].substring(0, f[1].indexOf('/')));
                    out.putIfAbsent(f[0], port);
                    for (int i = 2; i < f.length; i++) {
                        out.putIfAbsent(f[i], port);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /etc/services: only numeric ports are understood
        }
        return Map.copyOf(out);
    }

    static Optional<TrafficSelector> parse(String ts) {
        return parse(ts, UDP_SERVICES);
    }

    static Optional<TrafficSelector> parse(String ts, Map<String, Integer> services) {
        String net = ts;
        Optional<String> proto = Optional.empty();
        int port = ANY_PORT;
        int bracket = ts.indexOf('[');
        if (bracket >= 0) {
            if (!ts.endsWith("]")) {
                return Optional.empty();
            }
            net = ts.substring(0, bracket);
            String inner = ts.substring(bracket + 1, ts.length() - 1);
            int slash = inner.indexOf('/');
            String p = slash < 0 ? inner : inner.substring(0, slash);
            proto = p.isEmpty() ? Optional.empty() : Optional.of(p);
            if (slash >= 0) {
                String portText = inner.substring(slash + 1);
                if (!portText.equals("%any") && !portText.isEmpty()) {
                    if (portText.matches("[0-9]{1,5}")) {
                        port = Integer.parseInt(portText);
                    } else if (services.containsKey(portText)) {
                        port = services.get(portText);
                    } else {
                        return Optional.empty();
                    }
                }
            }
        }
        int slash = net.indexOf('/');
        if (slash < 0 || !net.substring(slash + 1).matches("[0-9]{1,3}")) {
            return Optional.empty();
        }
        String addr = net.substring(0, slash);
        if (!addr.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
            return Optional.empty(); // a literal only: never a name lookup
        }
        try {
            byte[] a = InetAddress.getByName(addr).getAddress();
            int prefix = Integer.parseInt(net.substring(slash + 1));
            return prefix > a.length * 8 ? Optional.empty() : Optional.of(new TrafficSelector(a, prefix, proto, port));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** Whether UDP datagrams to {@code address}, port {@code udpPort}, fall under this selector. */
    boolean covers(InetAddress address, int udpPort) {
        byte[] a = address.getAddress();
        if (a.length != network.length) {
            return false;
        }
        for (int bit = 0; bit < prefix; bit++) {
            int mask = 0x80 >> (bit & 7);
            if ((a[bit >> 3] & mask) != (network[bit >> 3] & mask)) {
                return false;
            }
        }
        if (protocol.isPresent() && !protocol.get().equals("udp") && !protocol.get().equals("17")) {
            return false;
        }
        return port == ANY_PORT || port == udpPort;
    }
}
