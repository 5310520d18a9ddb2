package org.lacd.l2tp.wire;

import org.lacd.wire.MalformedPacketException;
import org.lacd.wire.WireProtocol;
import java.nio.charset.StandardCharsets;
import org.lacd.daemon.log.WireText;

/**
 * The Result Code AVP value (RFC 2661 4.4.2): result code, optional error code, optional message.
 * The code numbers are kept as ints because their meaning depends on the message (StopCCN or CDN); use
 * {@link StopCcnResult}, {@link CdnResult} and {@link ErrorCode} to build and name them.
 */
public record ResultCode(int result, int error, String message) {
    /** Error code value when the AVP carries none. */
    public static final int NO_ERROR_FIELD = -1;

    public static ResultCode of(StopCcnResult r) { return new ResultCode(r.code(), NO_ERROR_FIELD, null); }

    public static ResultCode of(StopCcnResult r, ErrorCode e, String msg) { return new ResultCode(r.code(), e.code(), msg); }

    public static ResultCode of(CdnResult r) { return new ResultCode(r.code(), NO_ERROR_FIELD, null); }

    public static ResultCode of(CdnResult r, ErrorCode e, String msg) { return new ResultCode(r.code(), e.code(), msg); }

    public Avp toAvp() {
        byte[] m = message == null ? new byte[0] : message.getBytes(StandardCharsets.UTF_8);
        int n = error < 0 ? 2 : 4 + m.length;
        byte[] v = new byte[n];
        v[0] = (byte) (result >>> 8);
        v[1] = (byte) result;
        if (error >= 0) {
            v[2] = (byte) (error >>> 8);
            v[3] = (byte) error;
            System.arraycopy(m, 0, v, 4, m.length);
        }
        return Avp.of(AvpType.RESULT_CODE, v);
    }

    /** Parses an (unhidden) Result Code AVP value; length 3 is malformed (RFC 2661 4.4.2: 2, or 4 and more). */
    public static ResultCode parse(Avp avp) throws MalformedPacketException {
        byte[] v = avp.value();
        if (v.length < 2 || v.length == 3) {
            throw new MalformedPacketException(WireProtocol.L2TP, L2tpReason.BAD_AVP_VALUE, 0, "Result Code AVP of " + v.length + " bytes");
        }
        int r = ((v[0] & 0xff) << 8) | (v[1] & 0xff);
        if (v.length == 2) {
            return new ResultCode(r, NO_ERROR_FIELD, null);
        }
        int e = ((v[2] & 0xff) << 8) | (v[3] & 0xff);
        String msg = v.length > 4 ? new String(v, 4, v.length - 4, StandardCharsets.UTF_8) : null;
        return new ResultCode(r, e, msg);
    }

    @Override
    public String toString() {
        return "result " + result + (error >= 0 ? " error " + error : "") + (message != null ? " \"" + WireText.escape(message) + "\"" : "");
    }
}
