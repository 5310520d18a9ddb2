package org.lacd.daemon.session;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.lacd.l2tp.CallDownCause;
import org.lacd.l2tp.CallListener;
import org.lacd.l2tp.CallParameters;
import org.lacd.l2tp.DisconnectCause;
import org.lacd.l2tp.IncomingCall;
import org.lacd.l2tp.L2tpCall;
import org.lacd.l2tp.wire.Avp;
import org.lacd.l2tp.wire.AvpType;
import org.lacd.l2tp.wire.CdnResult;
import org.lacd.l2tp.wire.ControlMessage;
import org.lacd.l2tp.wire.ErrorCode;
import org.lacd.l2tp.wire.PppDisconnectCause;
import org.lacd.pppoe.AuthExchange;
import org.lacd.pppoe.AuthType;
import org.lacd.pppoe.CloseReason;
import org.lacd.pppoe.PppSink;
import org.lacd.pppoe.wire.LineInfo;
import org.lacd.pppoe.wire.MacAddress;

/**
 * Tunnel switching: a call a downstream LAC placed on lacd, as a session's access side. The user is the ICCN's Proxy
 * Authen Name; its proxy LCP and proxy authentication AVPs (ICCN), and Calling Number, Called Number and RFC 5515
 * access-line AVPs (ICRQ), go onward in the outgoing call unchanged ({@link #onward}). Frames are switched between the
 * two calls on the engine's read paths: from the downstream LAC straight into the outgoing call, and back.
 * It is also the incoming call's {@link CallListener}: a CDN or StopCCN from the downstream LAC ends the session
 * ({@code closed}), carrying its cause onward ({@link #hangupCause}).
 */
final class SwitchedAccess implements Access, CallListener {
    /** ICRQ AVPs a switched call carries onward as received (RFC 2661 4.4.4 call information, RFC 5515 access line). */
    static final List<AvpType> ONWARD_ICRQ = List.of(AvpType.BEARER_TYPE, AvpType.PHYSICAL_CHANNEL_ID, AvpType.CALLING_NUMBER,
            AvpType.CALLED_NUMBER, AvpType.SUB_ADDRESS, AvpType.AGENT_CIRCUIT_ID, AvpType.AGENT_REMOTE_ID,
            AvpType.ACTUAL_DATA_RATE_UPSTREAM, AvpType.ACTUAL_DATA_RATE_DOWNSTREAM, AvpType.MINIMUM_DATA_RATE_UPSTREAM,
            AvpType.MINIMUM_DATA_RATE_DOWNSTREAM);
    /** The RFC 5515 ones among them: left out toward an LNS whose profile says {@code access-line-avps: false}. */
    static final List<AvpType> ACCESS_LINE = ONWARD_ICRQ.subList(5, ONWARD_ICRQ.size());
    /** ICCN AVPs carried onward as received (RFC 2661 4.4.4 speeds and framing, 4.4.5 proxy LCP and authentication). */
    static final List<AvpType> ONWARD_ICCN = List.of(AvpType.TX_CONNECT_SPEED, AvpType.FRAMING_TYPE, AvpType.RX_CONNECT_SPEED,
            AvpType.INITIAL_RECEIVED_LCP_CONFREQ, AvpType.LAST_SENT_LCP_CONFREQ, AvpType.LAST_RECEIVED_LCP_CONFREQ,
            AvpType.PROXY_AUTHEN_TYPE, AvpType.PROXY_AUTHEN_NAME, AvpType.PROXY_AUTHEN_CHALLENGE, AvpType.PROXY_AUTHEN_ID,
            AvpType.PROXY_AUTHEN_RESPONSE, AvpType.SEQUENCING_REQUIRED);

    private final IncomingCall call;
    private final Instant createdAt;
    private final AuthExchange auth;
    private final MacAddress mac;
    private final LineInfo line;
    private final String calledNumber;
    /** The ICRQ's Calling Number octets, for Calling-Station-Id; null when absent, empty or too long for RADIUS (253). */
    private final byte[] callingNumber;
    /** Told once when the downstream side is gone, with what it means for the session. */
    private volatile Consumer<CloseReason> closed;
    private volatile PppSink upstream;
    private volatile DisconnectCause hangup;

    SwitchedAccess(IncomingCall call, Instant createdAt) {
        this.call = call;
        this.createdAt = createdAt;
        this.auth = auth(call.iccn());
        String calling = call.icrq().string(AvpType.CALLING_NUMBER);
        this.mac = macOrNull(calling);
        byte[] cn = call.icrq().bytes(AvpType.CALLING_NUMBER);
        this.callingNumber = cn == null || cn.length == 0 || cn.length > org.lacd.radius.wire.RadiusAttribute.MAX_VALUE_LENGTH ? null : cn;
        this.line = lineInfo(call.icrq());
        String called = call.icrq().string(AvpType.CALLED_NUMBER);
        this.calledNumber = called == null ? "" : called;
    }

    void onClosed(Consumer<CloseReason> c) {
        closed = c;
    }

    IncomingCall call() { return call; }

    /** The user and the proxy authentication of the ICCN (RFC 2661 4.4.5): CHAP (type 2) or PAP (3); others as PAP. */
    static AuthExchange auth(ControlMessage iccn) {
        String name = iccn.string(AvpType.PROXY_AUTHEN_NAME);
        int type = iccn.u16(AvpType.PROXY_AUTHEN_TYPE);
        int id = Math.max(iccn.u16(AvpType.PROXY_AUTHEN_ID), 0);
        byte[] challenge = orEmpty(iccn.bytes(AvpType.PROXY_AUTHEN_CHALLENGE));
        byte[] response = orEmpty(iccn.bytes(AvpType.PROXY_AUTHEN_RESPONSE));
        if (type == CallParameters.AUTHEN_CHAP) {
            return new AuthExchange(AuthType.CHAP_MD5, name == null ? "" : name, id, challenge, response, new byte[0], new byte[0]);
        }
        return new AuthExchange(AuthType.PAP, name == null ? "" : name, id, new byte[0], new byte[0], response, new byte[0]);
    }

    private static byte[] orEmpty(byte[] b) { return b == null ? new byte[0] : b; }

    private static MacAddress macOrNull(String s) {
        if (s == null || !s.matches("(?i)[0-9a-f]{2}([:-][0-9a-f]{2}){5}")) {
            return null;
        }
        try {
            return MacAddress.parse(s.replace('-', ':'));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The ICRQ's RFC 5515 AVPs as TR-101 sub-options (rates: bps on the wire there, kbps in TR-101). */
    static LineInfo lineInfo(ControlMessage icrq) {
        List<LineInfo.SubOption> o = new ArrayList<>();
        String circuit = icrq.string(AvpType.AGENT_CIRCUIT_ID);
        if (circuit != null) {
            o.add(new LineInfo.SubOption(LineInfo.AGENT_CIRCUIT_ID, circuit.getBytes(StandardCharsets.UTF_8)));
        }
        String remote = icrq.string(AvpType.AGENT_REMOTE_ID);
        if (remote != null) {
            o.add(new LineInfo.SubOption(LineInfo.AGENT_REMOTE_ID, remote.getBytes(StandardCharsets.UTF_8)));
        }
        rate(o, icrq, AvpType.ACTUAL_DATA_RATE_UPSTREAM, LineInfo.ACTUAL_DATA_RATE_UP);
        rate(o, icrq, AvpType.ACTUAL_DATA_RATE_DOWNSTREAM, LineInfo.ACTUAL_DATA_RATE_DOWN);
        rate(o, icrq, AvpType.MINIMUM_DATA_RATE_UPSTREAM, LineInfo.MIN_DATA_RATE_UP);
        rate(o, icrq, AvpType.MINIMUM_DATA_RATE_DOWNSTREAM, LineInfo.MIN_DATA_RATE_DOWN);
        return o.isEmpty() ? LineInfo.EMPTY : new LineInfo(o);
    }

    private static void rate(List<LineInfo.SubOption> o, ControlMessage m, AvpType t, int subOption) {
        byte[] v = m.bytes(t);
        if (v == null || v.length != 8) {
            return;
        }
        long kbps = Math.min(java.nio.ByteBuffer.wrap(v).getLong() / 1000, 0xffff_ffffL);
        o.add(new LineInfo.SubOption(subOption, new byte[] {(byte) (kbps >>> 24), (byte) (kbps >>> 16), (byte) (kbps >>> 8), (byte) kbps}));
    }

    /**
     * What the outgoing call to the LNS carries: the onward AVPs of the incoming ICRQ and ICCN exactly as received
     * (values byte for byte; the M and H bits are the registry's, hiding is the outgoing profile's).
     */
    CallParameters onward(boolean accessLineAvps) {
        List<Avp> icrq = new ArrayList<>();
        for (AvpType t : ONWARD_ICRQ) {
            Avp a = call.icrq().find(t);
            if (a != null && (accessLineAvps || !ACCESS_LINE.contains(t))) {
                icrq.add(Avp.of(t, a.value()));
            }
        }
        List<Avp> iccn = new ArrayList<>();
        for (AvpType t : ONWARD_ICCN) {
            Avp a = call.iccn().find(t);
            if (a != null) {
                iccn.add(Avp.of(t, a.value()));
            }
        }
        return CallParameters.builder().sequencingRequired(call.iccn().has(AvpType.SEQUENCING_REQUIRED))
                .passthrough(icrq, iccn).build();
    }

    /** The CDN cause toward the LNS when the downstream LAC ended the call: its own, carried onward. */
    @Override
    public DisconnectCause hangupCause() {
        DisconnectCause d = hangup;
        return d != null ? d : DisconnectCause.subscriberHangup();
    }

    // ---- Access ----

    @Override public AuthExchange auth() { return auth; }
    @Override public String interfaceName() { return call.lacPeer().name(); }
    @Override public int worker() { return 0; }
    @Override public MacAddress mac() { return mac; }
    @Override public byte[] callingStationId() { return callingNumber == null ? null : callingNumber.clone(); }
    /** RFC 2865 5.41: a call switched from another LAC comes in on no physical port of lacd's. */
    @Override public java.util.Optional<org.lacd.radius.RadiusSettings.NasPortType> nasPortType() {
        return java.util.Optional.of(org.lacd.radius.RadiusSettings.NasPortType.VIRTUAL);
    }
    @Override public int outerVlan() { return -1; }
    @Override public int innerVlan() { return -1; }
    @Override public int pppoeSessionId() { return call.localSessionId(); }
    @Override public String serviceName() { return calledNumber; }
    @Override public LineInfo lineInfo() { return line; }
    @Override public Instant createdAt() { return createdAt; }
    @Override public byte[] initialReceivedConfReq() { return orEmpty(call.iccn().bytes(AvpType.INITIAL_RECEIVED_LCP_CONFREQ)); }
    @Override public byte[] lastSentConfReq() { return orEmpty(call.iccn().bytes(AvpType.LAST_SENT_LCP_CONFREQ)); }
    @Override public byte[] lastReceivedConfReq() { return orEmpty(call.iccn().bytes(AvpType.LAST_RECEIVED_LCP_CONFREQ)); }

    @Override
    public void reject(String message) {
        call.disconnect(new DisconnectCause(CdnResult.ADMINISTRATIVE, null, message, null));
    }

    @Override
    public void startForwarding(PppSink upstream) {
        this.upstream = upstream;
    }

    @Override
    public void queuePpp(byte[] buf, int off, int len) {
        call.sendPpp(buf, off, len);
    }

    @Override
    public void terminate(CloseReason reason) {
        terminate(reason, null);
    }

    /** Ends the downstream call with a CDN; with the LNS's cause when the LNS ended the outgoing call. */
    @Override
    public void terminate(CloseReason reason, CallDownCause lns) {
        DisconnectCause d;
        if (lns != null && lns.resultCode() > 0) {
            CdnResult r = lns.tunnelFailure() ? CdnResult.LOSS_OF_CARRIER : cdn(lns.resultCode());
            d = new DisconnectCause(r, lns.errorCode() > 0 ? ErrorCode.fromCode(lns.errorCode()) : null, lns.message(), lns.pppCause());
        } else {
            d = switch (reason) {
                case SHUTDOWN, ADMIN -> DisconnectCause.administrative(reason.name().toLowerCase(java.util.Locale.ROOT));
                default -> new DisconnectCause(CdnResult.LOSS_OF_CARRIER, null, "LNS side gone", null);
            };
        }
        call.disconnect(d);
    }

    private static CdnResult cdn(int code) {
        CdnResult r = CdnResult.fromCode(code);
        return r != null ? r : CdnResult.ERROR;
    }

    // ---- CallListener of the incoming call (its tunnel's event loop) ----

    @Override
    public void callUp(L2tpCall c) {
        // never: the handler is asked once the incoming call is connected
    }

    @Override
    public void callDown(L2tpCall c, CallDownCause cause) {
        if (cause.kind() == CallDownCause.Kind.CLEARED_BY_PEER || cause.kind() == CallDownCause.Kind.TUNNEL_FAILED) {
            PppDisconnectCause ppp = cause.pppCause();
            CdnResult r = cause.kind() == CallDownCause.Kind.TUNNEL_FAILED ? CdnResult.LOSS_OF_CARRIER
                    : cause.resultCode() > 0 ? cdn(cause.resultCode()) : CdnResult.LOSS_OF_CARRIER;
            hangup = new DisconnectCause(r, cause.errorCode() > 0 ? ErrorCode.fromCode(cause.errorCode()) : null, cause.message(), ppp);
        }
        Consumer<CloseReason> c2 = closed;
        if (c2 != null) {
            c2.accept(cause.kind() == CallDownCause.Kind.CLEARED_LOCALLY ? CloseReason.UPSTREAM_DOWN : CloseReason.PADT_FROM_SUBSCRIBER);
        }
    }

    @Override
    public void pppFromLns(L2tpCall c, byte[] buf, int off, int len) {
        PppSink s = upstream;
        if (s != null) {
            s.ppp(buf, off, len); // the downstream LAC's frame, straight into the outgoing call
        }
    }
}
