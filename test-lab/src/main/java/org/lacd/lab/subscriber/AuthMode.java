package org.lacd.lab.subscriber;

import org.lacd.pppoe.AuthType;

/** Which authentication protocol the emulated subscribers do: all CHAP-MD5, all PAP, or alternating by index. */
public enum AuthMode {
    CHAP, PAP, MIX;

    /** Subscriber {@code n} (1-based) does this protocol; MIX gives odd numbers CHAP and even numbers PAP. */
    public AuthType forSubscriber(int n) {
        return switch (this) {
            case CHAP -> AuthType.CHAP_MD5;
            case PAP -> AuthType.PAP;
            case MIX -> (n & 1) == 1 ? AuthType.CHAP_MD5 : AuthType.PAP;
        };
    }
}
