package org.lacd.radius;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.lacd.radius.wire.Attr;
import org.lacd.radius.wire.MalformedPacketException;
import org.lacd.radius.wire.RadiusAttribute;
import org.lacd.radius.wire.RadiusCrypto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Groups RFC 2868 tunnel attributes by tag into {@link TunnelCandidate}s.
 *
 * <p>Rules (RFC 2868 s3):
 * <ul>
 * <li>Integer attributes (Tunnel-Type, Tunnel-Medium-Type, Tunnel-Preference) always carry a tag octet and a 3-octet value;
 *     a tag above 0x1F is invalid: the attribute is ignored and logged.</li>
 * <li>String attributes carry a tag octet only when the first octet is 0x01..0x1F; otherwise the first octet is data
 *     and the tag is 0. Tunnel-Password always has the tag octet (s3.5).</li>
 * <li>Tag 0 (untagged) attributes form their own candidate, as a server describing a single tunnel sends them; they are
 *     not merged into tagged groups (the RFC gives them no such meaning).</li>
 * <li>If an attribute occurs twice in one group, the first one counts (logged).</li>
 * <li>A group is usable only with Tunnel-Type = L2TP (3), Tunnel-Medium-Type IPv4 (1) or IPv6 (2) (IPv4 when absent),
 *     and a parseable Tunnel-Server-Endpoint; a Tunnel-Password that fails to decrypt drops the group too.
 *     Unusable groups are dropped with an INFO log line naming the reason.</li>
 * <li>Candidates are ranked by Tunnel-Preference, lower first; groups without one come last; ties keep tag order
 *     (the caller spreads load across equal preferences).</li>
 * </ul>
 */
public final class TunnelAttributes {
    private static final Logger LOG = LoggerFactory.getLogger(TunnelAttributes.class);
    /** RFC 2868: tags 0x01..0x1F. */
    public static final int MAX_TAG = 0x1F;

    private TunnelAttributes() { }

    /** Why a tunnel group was not usable. */
    public enum DropReason { NOT_L2TP, MISSING_TUNNEL_TYPE, BAD_MEDIUM_TYPE, MISSING_SERVER_ENDPOINT, BAD_SERVER_ENDPOINT, BAD_PASSWORD }

    public record Dropped(int tag, DropReason reason, String detail) { }

    public record Result(List<TunnelCandidate> candidates, List<Dropped> dropped, boolean anyTunnelAttribute) { }

    private static final class Group {
        Integer type;
        Integer medium;
        Long preference;
        String server;
        String client;
        byte[] password;
        String assignment;
        String clientAuth;
        String serverAuth;
        String privateGroup;
    }

    public static boolean hasTunnelAttributes(List<RadiusAttribute> attrs) {
        return attrs.stream().anyMatch(a -> { Attr t = Attr.of(a); return t != null && t.tagged(); });
    }

    public static Result parse(List<RadiusAttribute> attrs, byte[] secret, byte[] requestAuthenticator) {
        TreeMap<Integer, Group> groups = new TreeMap<>();
        boolean any = false;
        for (RadiusAttribute a : attrs) {
            int type = a.type();
            Attr row = Attr.of(a);
            if (row == null || !row.tagged()) {
                continue;
            }
            any = true;
            byte[] v = a.value();
            switch (row) {
                case TUNNEL_TYPE, TUNNEL_MEDIUM_TYPE, TUNNEL_PREFERENCE -> {
                    if (v.length != 4) {
                        LOG.info("RADIUS: ignoring tunnel attribute {} with length {} (expected: 4)", type, v.length);
                        continue;
                    }
                    int tag = v[0] & 0xFF;
                    if (tag > MAX_TAG) {
                        LOG.info("RADIUS: ignoring tunnel attribute {} with tag {} (valid: 0..31)", type, tag);
                        continue;
                    }
                    int value = ((v[1] & 0xFF) << 16) | ((v[2] & 0xFF) << 8) | (v[3] & 0xFF);
                    Group g = groups.computeIfAbsent(tag, t -> new Group());
                    if (row == Attr.TUNNEL_TYPE) {
                        g.type = first(g.type, value, tag, "Tunnel-Type");
                    } else if (row == Attr.TUNNEL_MEDIUM_TYPE) {
                        g.medium = first(g.medium, value, tag, "Tunnel-Medium-Type");
                    } else {
                        g.preference = first(g.preference, (long) value, tag, "Tunnel-Preference");
                    }
                }
                case TUNNEL_PASSWORD -> {
                    if (v.length < 1) {
                        continue;
                    }
                    int tag = v[0] & 0xFF;
                    if (tag > MAX_TAG) {
                        LOG.info("RADIUS: ignoring Tunnel-Password with tag {} (valid: 0..31)", tag);
                        continue;
                    }
                    Group g = groups.computeIfAbsent(tag, t -> new Group());
                    g.password = first(g.password, Arrays.copyOfRange(v, 1, v.length), tag, "Tunnel-Password");
                }
                default -> {
                    int tag = 0;
                    int from = 0;
                    if (v.length > 0 && (v[0] & 0xFF) >= 0x01 && (v[0] & 0xFF) <= MAX_TAG) {
                        tag = v[0] & 0xFF;
                        from = 1;
                    } else if (v.length > 0 && v[0] == 0) {
                        // A zero tag octet on a string attribute: "If the Tag field is unused, it MUST be zero" (s3.3 ff).
                        from = 1;
                    }
                    String s = new String(v, from, v.length - from, StandardCharsets.UTF_8);
                    Group g = groups.computeIfAbsent(tag, t -> new Group());
                    switch (row) {
                        case TUNNEL_SERVER_ENDPOINT -> g.server = first(g.server, s, tag, "Tunnel-Server-Endpoint");
                        case TUNNEL_CLIENT_ENDPOINT -> g.client = first(g.client, s, tag, "Tunnel-Client-Endpoint");
                        case TUNNEL_ASSIGNMENT_ID -> g.assignment = first(g.assignment, s, tag, "Tunnel-Assignment-Id");
                        case TUNNEL_CLIENT_AUTH_ID -> g.clientAuth = first(g.clientAuth, s, tag, "Tunnel-Client-Auth-Id");
                        case TUNNEL_SERVER_AUTH_ID -> g.serverAuth = first(g.serverAuth, s, tag, "Tunnel-Server-Auth-Id");
                        case TUNNEL_PRIVATE_GROUP_ID -> g.privateGroup = first(g.privateGroup, s, tag, "Tunnel-Private-Group-Id");
                        default -> { }
                    }
                }
            }
        }
        List<TunnelCandidate> out = new ArrayList<>();
        List<Dropped> dropped = new ArrayList<>();
        for (var e : groups.entrySet()) {
            int tag = e.getKey();
            Group g = e.getValue();
            Dropped d = null;
            int medium = g.medium == null ? TunnelCandidate.MEDIUM_IPV4 : g.medium;
            Endpoint ep = null;
            String password = null;
            if (g.type == null) {
                d = new Dropped(tag, DropReason.MISSING_TUNNEL_TYPE, "no Tunnel-Type");
            } else if (g.type != TunnelCandidate.TUNNEL_TYPE_L2TP) {
                d = new Dropped(tag, DropReason.NOT_L2TP, "Tunnel-Type " + g.type);
            } else if (medium != TunnelCandidate.MEDIUM_IPV4 && medium != TunnelCandidate.MEDIUM_IPV6) {
                d = new Dropped(tag, DropReason.BAD_MEDIUM_TYPE, "Tunnel-Medium-Type " + medium);
            } else if (g.server == null || g.server.isBlank()) {
                d = new Dropped(tag, DropReason.MISSING_SERVER_ENDPOINT, "no Tunnel-Server-Endpoint");
            } else {
                ep = Endpoint.parse(g.server.trim(), medium);
                if (ep == null) {
                    d = new Dropped(tag, DropReason.BAD_SERVER_ENDPOINT, "Tunnel-Server-Endpoint '" + g.server + "'");
                } else if (g.password != null) {
                    try {
                        password = new String(RadiusCrypto.decryptTunnelPassword(g.password, secret, requestAuthenticator),
                            StandardCharsets.UTF_8);
                    } catch (MalformedPacketException ex) {
                        d = new Dropped(tag, DropReason.BAD_PASSWORD, ex.reason());
                    }
                }
            }
            if (d != null) {
                LOG.info("RADIUS: dropping tunnel candidate tag {}: {}", tag, d.detail());
                dropped.add(d);
                continue;
            }
            out.add(new TunnelCandidate(tag, g.preference == null ? TunnelCandidate.NO_PREFERENCE : g.preference,
                g.type, medium, ep.host(), ep.port(), Optional.ofNullable(g.client), Optional.ofNullable(password),
                Optional.ofNullable(g.assignment), Optional.ofNullable(g.clientAuth), Optional.ofNullable(g.serverAuth),
                Optional.ofNullable(g.privateGroup)));
        }
        out.sort(Comparator.comparingLong(TunnelCandidate::preference).thenComparingInt(TunnelCandidate::tag));
        return new Result(List.copyOf(out), List.copyOf(dropped), any);
    }

    private static <T> T first(T existing, T value, int tag, String name) {
        if (existing != null) {
            LOG.info("RADIUS: duplicate {} in tunnel group tag {}: keeping the first", name, tag);
            return existing;
        }
        return value;
    }

    /** Tunnel-Server-Endpoint: "host", "host:port", "[v6]", "[v6]:port", or a bare IPv6 address (medium 2). */
    record Endpoint(String host, OptionalInt port) {
        static Endpoint parse(String s, int medium) {
            String host = s;
            OptionalInt port = OptionalInt.empty();
            if (s.startsWith("[")) {
                int close = s.indexOf(']');
                if (close < 0) {
                    return null;
                }
                host = s.substring(1, close);
                String rest = s.substring(close + 1);
                if (!rest.isEmpty()) {
                    if (!rest.startsWith(":")) {
                        return null;
                    }
                    port = parsePort(rest.substring(1));
                    if (port == null) {
                        return null;
                    }
                }
            } else if (s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':')) {
                int c = s.indexOf(':');
                host = s.substring(0, c);
                port = parsePort(s.substring(c + 1));
                if (port == null) {
                    return null;
                }
            } else if (s.indexOf(':') >= 0 && medium != TunnelCandidate.MEDIUM_IPV6) {
                return null;
            }
            if (host.isEmpty() || !host.chars().allMatch(ch -> Character.isLetterOrDigit(ch) || ch == '.' || ch == '-' || ch == ':'
                || ch == '_')) {
                return null;
            }
            return new Endpoint(host, port);
        }

        private static OptionalInt parsePort(String p) {
            try {
                int v = Integer.parseInt(p);
                return v >= 1 && v <= 65535 ? OptionalInt.of(v) : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }
}
