package org.lacd.lab.bench;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.lacd.l2tp.wire.Avp;
import org.lacd.l2tp.wire.AvpType;
import org.lacd.l2tp.wire.ControlMessage;
import org.lacd.l2tp.wire.HiddenAvps;
import org.lacd.l2tp.wire.L2tpCodec;
import org.lacd.l2tp.wire.L2tpHeader;
import org.lacd.wire.WireReader;
import org.lacd.wire.WireProtocol;
import org.lacd.wire.MalformedPacketException;
import org.lacd.l2tp.wire.MessageType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** L2TP codec throughput: a full ICCN (proxy LCP + proxy auth), a hidden-AVP ICCN, and the data header fast path. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class L2tpCodecBench {
    static final byte[] SECRET = "bench-secret".getBytes(StandardCharsets.US_ASCII);
    ControlMessage iccn;
    byte[] iccnBytes;
    byte[] hiddenIccnBytes;
    byte[] dataBytes;

    @Setup
    public void setup() {
        List<Avp> body = List.of(Avp.u32(AvpType.TX_CONNECT_SPEED, 100_000_000L), Avp.u32(AvpType.FRAMING_TYPE, 1),
                Avp.u32(AvpType.RX_CONNECT_SPEED, 40_000_000L),
                Avp.of(AvpType.INITIAL_RECEIVED_LCP_CONFREQ, new byte[] {1, 4, 5, (byte) 0xd4, 5, 6, 1, 2, 3, 4}),
                Avp.of(AvpType.LAST_SENT_LCP_CONFREQ, new byte[] {1, 4, 5, (byte) 0xd4, 3, 5, (byte) 0xc2, 0x23, 5, 5, 6, 9, 8, 7, 6}),
                Avp.of(AvpType.LAST_RECEIVED_LCP_CONFREQ, new byte[] {1, 4, 5, (byte) 0xd4, 5, 6, 1, 2, 3, 4}),
                Avp.u16(AvpType.PROXY_AUTHEN_TYPE, 2), Avp.string(AvpType.PROXY_AUTHEN_NAME, "subscriber0001@reseller.example"),
                Avp.of(AvpType.PROXY_AUTHEN_CHALLENGE, new byte[16]), Avp.u16(AvpType.PROXY_AUTHEN_ID, 1),
                Avp.of(AvpType.PROXY_AUTHEN_RESPONSE, new byte[16]));
        iccn = ControlMessage.of(MessageType.ICCN, 0x1234, 0x5678, body).withSequence(5, 7);
        iccnBytes = L2tpCodec.encode(iccn);
        List<Avp> hidden = HiddenAvps.hide(iccn.avps(), SECRET, new byte[16], a -> a.type() >= 29 && a.type() <= 33);
        hiddenIccnBytes = L2tpCodec.encode(new ControlMessage(0x1234, 0x5678, 5, 7, hidden));
        dataBytes = new byte[6 + 2 + 1400];
        L2tpHeader.writeData(dataBytes, 0, 0x1234, 0x5678, false, 0, 0);
        dataBytes[6] = (byte) 0xff;
        dataBytes[7] = 3;
    }

    @Benchmark
    public byte[] encodeIccn() { return L2tpCodec.encode(iccn); }

    @Benchmark
    public Object decodeIccn() throws MalformedPacketException { return L2tpCodec.decode(iccnBytes, 0, iccnBytes.length); }

    @Benchmark
    public Object decodeAndRevealHiddenIccn() throws MalformedPacketException {
        ControlMessage m = (ControlMessage) L2tpCodec.decode(hiddenIccnBytes, 0, hiddenIccnBytes.length);
        return HiddenAvps.reveal(m.avps(), SECRET);
    }

    /** What the engine does per received data message before the session lookup. */
    @Benchmark
    public int decodeDataHeader() throws MalformedPacketException {
        L2tpHeader h = L2tpHeader.decode(new WireReader(WireProtocol.L2TP, dataBytes, 0, dataBytes.length));
        return (h.tunnelId() << 16 | h.sessionId()) + h.payloadOffset();
    }

    /** What the engine writes in front of every PPP frame. */
    @Benchmark
    public int encodeDataHeader() { return L2tpHeader.writeData(dataBytes, 0, 0x1234, 0x5678, false, 0, 0); }
}
