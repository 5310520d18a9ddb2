package org.lacd.pppoe.wire;

/** DoS guards: upper bounds on what a single packet may carry. Exceeding one is a malformed packet. */
public final class WireLimits {
    private WireLimits() {}

    /** Tags per PPPoE discovery packet (a normal PADR carries under 10). */
    public static final int MAX_TAGS = 64;
    /** Options per LCP Configure-* packet (RFC 1661 defines under 30 option types). */
    public static final int MAX_LCP_OPTIONS = 32;
    /** Sub-options inside one TR-101 vendor tag. */
    public static final int MAX_VENDOR_SUBOPTIONS = 32;
    /** VLAN tags we accept on one frame (QinQ). A third tag is malformed. */
    public static final int MAX_VLAN_TAGS = 2;
    /** Longest Ethernet frame (without FCS) we build or accept: jumbo enough for RFC 4638 payloads plus QinQ. */
    public static final int MAX_FRAME = 9216;
}
