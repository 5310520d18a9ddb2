package org.lacd.lab.subscriber;

import org.lacd.pppoe.wire.EtherType;
import org.lacd.pppoe.wire.EthernetHeader;

/**
 * How subscribers are tagged: untagged, one 802.1Q tag per subscriber, or QinQ (802.1ad S-tag + 802.1Q C-tag).
 * VLAN IDs are derived from the 1-based subscriber number: {@code base + n - 1}, wrapping within 1..4094. With QinQ
 * the wrap carries into the outer VLAN, so every (outer, inner) pair is distinct.
 *
 * @param kind the tagging
 * @param outer the (first) outer VLAN for QinQ; unused otherwise
 * @param base the VLAN of subscriber 1 (802.1Q) or its inner VLAN (QinQ)
 */
public record VlanPlan(Kind kind, int outer, int base) {
    /** Tagging kinds. */
    public enum Kind { NONE, DOT1Q, QINQ }

    public static final int MAX_VID = 4094;
    public static final VlanPlan NONE = new VlanPlan(Kind.NONE, 0, 0);

    public VlanPlan {
        if (kind != Kind.NONE && (base < 1 || base > MAX_VID)) {
            throw new IllegalArgumentException("VLAN base " + base + " (expected: 1..4094)");
        }
        if (kind == Kind.QINQ && (outer < 1 || outer > MAX_VID)) {
            throw new IllegalArgumentException("outer VLAN " + outer + " (expected: 1..4094)");
        }
    }

    public static VlanPlan dot1q(int base) { return new VlanPlan(Kind.DOT1Q, 0, base); }

    public static VlanPlan qinq(int outer, int base) { return new VlanPlan(Kind.QINQ, outer, base); }

    /** Parses {@code none}, {@code dot1q:BASE} or {@code qinq:OUTER:BASE}. */
    public static VlanPlan parse(String s) {
        String[] p = s.trim().toLowerCase(java.util.Locale.ROOT).split(":");
        try {
            return switch (p[0]) {
                case "none", "untagged" -> {
                    if (p.length != 1) {
                        throw new IllegalArgumentException("'none' takes no VLAN numbers: " + s);
                    }
                    yield NONE;
                }
                case "dot1q" -> {
                    if (p.length != 2) {
                        throw new IllegalArgumentException("expected dot1q:BASE, got " + s);
                    }
                    yield dot1q(Integer.parseInt(p[1]));
                }
                case "qinq" -> {
                    if (p.length != 3) {
                        throw new IllegalArgumentException("expected qinq:OUTER:BASE, got " + s);
                    }
                    yield qinq(Integer.parseInt(p[1]), Integer.parseInt(p[2]));
                }
                default -> throw new IllegalArgumentException("VLAN mode " + s + " (expected: none, dot1q:BASE, qinq:OUTER:BASE)");
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("VLAN number in " + s + " is not a number", e);
        }
    }

    /** Outer TCI for subscriber n (VLAN ID only, PCP 0), or -1 when untagged. */
    public int outerTci(int n) {
        return switch (kind) {
            case NONE -> -1;
            case DOT1Q -> wrap(base + n - 1);
            case QINQ -> {
                int carry = (base - 1 + n - 1) / MAX_VID;
                yield wrap(outer + carry);
            }
        };
    }

    /** Inner TCI for subscriber n, or -1 without QinQ. */
    public int innerTci(int n) { return kind == Kind.QINQ ? wrap(base + n - 1) : -1; }

    /** The outer TPID: 0x88a8 (802.1ad S-tag) for QinQ, 0x8100 for a single tag, 0 untagged. */
    public int outerTpid() {
        return switch (kind) {
            case NONE -> 0;
            case DOT1Q -> EtherType.VLAN_8021Q;
            case QINQ -> EtherType.VLAN_8021AD;
        };
    }

    /** The Ethernet header subscriber n sends with. */
    public EthernetHeader header(int n, long dst, long src, int etherType) {
        return new EthernetHeader(dst, src, outerTpid(), outerTci(n), innerTci(n), etherType);
    }

    private static int wrap(int vid) { return 1 + (vid - 1) % MAX_VID; }

    @Override
    public String toString() {
        return switch (kind) {
            case NONE -> "none";
            case DOT1Q -> "dot1q:" + base;
            case QINQ -> "qinq:" + outer + ":" + base;
        };
    }
}
