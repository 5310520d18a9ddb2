package org.lacd.l2tp.wire;

import org.lacd.wire.MalformedPacketException;
import org.lacd.wire.WireProtocol;
import java.nio.charset.StandardCharsets;
import org.lacd.daemon.log.WireText;

/**
 * RFC 3145 PPP Disconnect Cause Code AVP value: disconnect code, the PPP control protocol number it relates to
 * (0 for global codes), direction and an optional message. Codes are kept numeric (open set); the constants name the
 * global ones lacd uses.
 */
public record PppDisconnectCause(int code, int controlProtocol, Direction direction, String message) {
    public static final int NO_INFORMATION = 0;
    public static final int ADMINISTRATIVE = 1;
    public static final int LCP_RENEGOTIATION_DISABLED = 2;
    public static final int NORMAL_LCP_TERMINATE = 3;
    public static final int COMPULSORY_ENCRYPTION_REFUSED = 4;

    /** RFC 3145 3.1 direction field. */
    public enum Direction {
        GLOBAL(0), AT_PEER(1), AT_LOCAL(2);

        private final int code;

        Direction(int code) { this.code = code; }

        public int code() { return code; }

        public static Direction fromCode(int c) {
            for (Direction d : values()) {
                if (d.code == c) {
                    return d;
                }
            }
            return null;
        }
    }

    public Avp toAvp() {
        byte[] m = message == null ? new byte[0] : message.getBytes(StandardCharsets.UTF_8);
        byte[] v = new byte[5 + m.length];
        v[0] = (byte) (code >>> 8);
        v[1] = (byte) code;
        v[2] = (byte) (controlProtocol >>> 8);
        v[3] = (byte) controlProtocol;
        v[4] = (byte) direction.code();
        System.arraycopy(m, 0, v, 5, m.length);
        return Avp.of(AvpType.PPP_DISCONNECT_CAUSE_CODE, v);
    }

    public static PppDisconnectCause parse(Avp avp) throws MalformedPacketException {
        byte[] v = avp.value();
        if (v.length < 5) {
            throw new MalformedPacketException(WireProtocol.L2TP, L2tpReason.BAD_AVP_VALUE, 0, "PPP Disconnect Cause AVP of " + v.length + " bytes");
        }
        Direction d = Direction.fromCode(v[4] & 0xff);
        if (d == null) {
            throw new MalformedPacketException(WireProtocol.L2TP, L2tpReason.BAD_AVP_VALUE, 4, "PPP Disconnect Cause direction " + (v[4] & 0xff));
        }
        String msg = v.length > 5 ? new String(v, 5, v.length - 5, StandardCharsets.UTF_8) : null;
        return new PppDisconnectCause(((v[0] & 0xff) << 8) | (v[1] & 0xff), ((v[2] & 0xff) << 8) | (v[3] & 0xff), d, msg);
    }

    /** For logs: the message comes from the LNS's CDN, so it is escaped. */
    @Override
    public String toString() {
        return "PppDisconnectCause[code " + code + " protocol 0x" + Integer.toHexString(controlProtocol) + " " + direction
                + (message != null ? " \"" + WireText.escape(message) + "\"" : "") + "]";
    }
}
