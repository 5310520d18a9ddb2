package org.lacd.pppoe.wire;

/** PPP protocol field values used here (RFC 1661 section 2, IANA PPP DLL protocol numbers). */
public final class PppProtocol {
    private PppProtocol() {}
    public static final int IPV4 = 0x0021;
    public static final int IPV6 = 0x0057;
    public static final int IPCP = 0x8021;
    public static final int IPV6CP = 0x8057;
    public static final int LCP = 0xc021;
    public static final int PAP = 0xc023;
    public static final int CHAP = 0xc223;
    /** CHAP algorithm byte for MD5 (RFC 1994 section 3). */
    public static final int CHAP_MD5 = 5;
}
