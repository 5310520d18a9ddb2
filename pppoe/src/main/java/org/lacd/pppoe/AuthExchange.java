package org.lacd.pppoe;

import java.util.Arrays;

/**
 * What the subscriber sent to authenticate, byte for byte (for RFC 2661 proxy authentication AVPs).
 *
 * @param chapId the CHAP Identifier (CHAP) or the PAP Identifier (PAP)
 * @param chapChallenge the challenge we sent (CHAP only, else empty)
 * @param chapResponse the Response value (CHAP only, else empty)
 * @param papPassword the clear-text password (PAP only, else empty)
 * @param rawPacket the PPP frame of the last authentication packet received (protocol field onward)
 */
public record AuthExchange(AuthType type, String username, int chapId, byte[] chapChallenge, byte[] chapResponse,
                           byte[] papPassword, byte[] rawPacket) {

    @Override public byte[] chapChallenge() { return chapChallenge.clone(); }
    @Override public byte[] chapResponse() { return chapResponse.clone(); }
    @Override public byte[] papPassword() { return papPassword.clone(); }
    @Override public byte[] rawPacket() { return rawPacket.clone(); }

    @Override
    public String toString() {
        return "AuthExchange[" + type + " user=" + username + " id=" + chapId + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuthExchange a && a.type == type && a.username.equals(username) && a.chapId == chapId
                && Arrays.equals(a.chapChallenge, chapChallenge) && Arrays.equals(a.chapResponse, chapResponse)
                && Arrays.equals(a.papPassword, papPassword) && Arrays.equals(a.rawPacket, rawPacket);
    }

    @Override
    public int hashCode() { return username.hashCode() * 31 + chapId; }
}
