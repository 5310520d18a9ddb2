package org.lacd.lab.lns;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.HexFormat;
import org.lacd.l2tp.wire.AvpType;
import org.lacd.l2tp.wire.ControlMessage;

/**
 * The proxy LCP and proxy authentication AVPs of one ICCN (RFC 2661 4.4.5) exactly as received (revealed when
 * hidden). Byte values are lower-case hex so a report can be compared byte for byte with what the subscriber sent;
 * absent AVPs are null (numbers -1).
 */
public record ProxyValues(String initialReceivedLcpConfReq, String lastSentLcpConfReq, String lastReceivedLcpConfReq,
                          int authenType, String authenName, String authenChallenge, int authenId, String authenResponse) {
    private static final HexFormat HEX = HexFormat.of();

    public static ProxyValues of(ControlMessage iccn) {
        return new ProxyValues(hex(iccn, AvpType.INITIAL_RECEIVED_LCP_CONFREQ), hex(iccn, AvpType.LAST_SENT_LCP_CONFREQ),
                hex(iccn, AvpType.LAST_RECEIVED_LCP_CONFREQ), iccn.u16(AvpType.PROXY_AUTHEN_TYPE),
                iccn.string(AvpType.PROXY_AUTHEN_NAME), hex(iccn, AvpType.PROXY_AUTHEN_CHALLENGE), iccn.u16(AvpType.PROXY_AUTHEN_ID),
                hex(iccn, AvpType.PROXY_AUTHEN_RESPONSE));
    }

    private static String hex(ControlMessage m, AvpType t) {
        byte[] v = m.bytes(t);
        return v == null ? null : HEX.formatHex(v);
    }

    /** Bytes of one of the hex fields (null stays null). */
    public static byte[] bytes(String hex) { return hex == null ? null : HEX.parseHex(hex); }

    @JsonIgnore
    public byte[] challengeBytes() { return bytes(authenChallenge); }

    @JsonIgnore
    public byte[] responseBytes() { return bytes(authenResponse); }

    @JsonIgnore
    public byte[] lastSentLcpBytes() { return bytes(lastSentLcpConfReq); }
}
