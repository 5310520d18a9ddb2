package org.lacd.pppoe;

import org.lacd.pppoe.wire.LcpOption;
import org.lacd.pppoe.wire.PppProtocol;

/** Authentication protocols lacd asks subscribers for, in LCP Authentication-Protocol terms (RFC 1661 6.2). */
public enum AuthType {
    CHAP_MD5(PppProtocol.CHAP),
    PAP(PppProtocol.PAP);

    private final int protocol;

    AuthType(int protocol) { this.protocol = protocol; }

    public int protocol() { return protocol; }

    /** The Authentication-Protocol option requesting this type. */
    public LcpOption option() { return this == CHAP_MD5 ? LcpOption.authChapMd5() : LcpOption.authPap(); }

    /** Maps an Authentication-Protocol option's data (as in a Nak) to a type we support, or null. */
    public static AuthType fromOptionData(byte[] d) {
        if (d.length >= 2) {
            int proto = ((d[0] & 0xff) << 8) | (d[1] & 0xff);
            if (proto == PppProtocol.PAP && d.length == 2) {
                return PAP;
            }
            if (proto == PppProtocol.CHAP && d.length == 3 && (d[2] & 0xff) == PppProtocol.CHAP_MD5) {
                return CHAP_MD5;
            }
        }
        return null;
    }
}
