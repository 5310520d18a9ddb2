package org.lacd.pppoe.wire;

/** EtherType values this module deals with. */
public final class EtherType {
    private EtherType() {}
    public static final int PPPOE_DISCOVERY = 0x8863;
    public static final int PPPOE_SESSION = 0x8864;
    /** IEEE 802.1Q customer tag (also seen as a QinQ outer tag on older gear). */
    public static final int VLAN_8021Q = 0x8100;
    /** IEEE 802.1ad service tag (QinQ outer). */
    public static final int VLAN_8021AD = 0x88a8;

    public static boolean isVlanTpid(int t) { return t == VLAN_8021Q || t == VLAN_8021AD; }
}
