package org.lacd.lab.lns;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.List;
import java.util.Map;

/**
 * What an {@link LnsEmulator} saw: tunnels, sessions (current, total, by result), traffic, and every call it kept
 * with the proxy values it received.
 */
public record Report(String listen, String mode, long uptimeMillis, Tunnels tunnels, Sessions sessions, Traffic traffic,
                     List<CallReport> calls) {

    /**
     * @param current       tunnels alive now
     * @param established   tunnels that passed SCCCN (with tunnel authentication when a secret is set)
     * @param authFailures  tunnel authentication failures: SCCCNs with a wrong or missing challenge response, and
     *                      StopCCN "not authorized" from a LAC that found our response wrong
     * @param closed        tunnels gone (either side's StopCCN, or the LAC went silent)
     */
    public record Tunnels(int current, long established, long authFailures, long closed) {}

    /**
     * @param current   calls alive now (setting up or up)
     * @param up        calls with IPCP opened now
     * @param total     calls ever connected (ICCN) plus refused ICRQs
     * @param everUp    calls that reached IPCP opened
     * @param byResult  calls by {@link CallResult} (alive ones by their current state)
     * @param setupP50Millis median ICCN-to-IPCP time of the kept calls, -1 when none
     * @param setupP99Millis 99th percentile of the same, -1 when none
     */
    public record Sessions(int current, int up, long total, long everUp, Map<CallResult, Long> byResult, long setupP50Millis,
                           long setupP99Millis) {}

    /** PPP frames and IPv4 packets through the tunnels' data channels (all calls, not only the kept ones). */
    public record Traffic(long framesIn, long framesOut, long bytesIn, long bytesOut, long ipv4In, long ipv4Reflected,
                          long lcpEchoReplies, long lcpEchoRequestsSent, long lcpEchoRepliesReceived, long lcpRestarts, long dropped,
                          long malformedPpp, long l2tpDataFrames, long malformedL2tp, long loginsBeforeConnected) {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Report fromJson(String json) {
        try {
            return JSON.readValue(json, Report.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public String toText() {
        StringBuilder b = new StringBuilder();
        b.append(String.format("LNS emulator %s, mode %s, up %.1f s%n", listen, mode, uptimeMillis / 1000.0));
        b.append(String.format("tunnels:  %d now, %d established, %d auth failures, %d closed%n", tunnels.current(),
                tunnels.established(), tunnels.authFailures(), tunnels.closed()));
        b.append(String.format("sessions: %d now (%d up), %d total, %d reached IPCP; setup p50 %d ms, p99 %d ms%n", sessions.current(),
                sessions.up(), sessions.total(), sessions.everUp(), sessions.setupP50Millis(), sessions.setupP99Millis()));
        b.append("  by result:");
        sessions.byResult().forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
        b.append(System.lineSeparator());
        b.append(String.format("traffic:  PPP frames in %d / out %d (%d / %d bytes), IPv4 in %d reflected %d, LCP echo replies %d,"
                        + " dropped %d, malformed PPP %d, malformed L2TP %d%n", traffic.framesIn(), traffic.framesOut(), traffic.bytesIn(),
                traffic.bytesOut(), traffic.ipv4In(), traffic.ipv4Reflected(), traffic.lcpEchoReplies(), traffic.dropped(),
                traffic.malformedPpp(), traffic.malformedL2tp()));
        if (traffic.loginsBeforeConnected() > 0) {
            b.append(String.format("          logins (PAP/CHAP) before the call was connected, dropped: %d%n", traffic.loginsBeforeConnected()));
        }
        if (traffic.lcpEchoRequestsSent() > 0 || traffic.lcpRestarts() > 0) {
            b.append(String.format("          LCP echo requests sent %d, replies received %d; LCP restarts by subscribers %d%n",
                    traffic.lcpEchoRequestsSent(), traffic.lcpEchoRepliesReceived(), traffic.lcpRestarts()));
        }
        int shown = 0;
        for (CallReport c : calls) {
            if (shown++ == 20) {
                b.append(String.format("  ... %d more calls (see JSON)%n", calls.size() - 20));
                break;
            }
            b.append(String.format("  call %d/%d %-28s %-22s %-15s auth=%s in=%d out=%d%s%n", c.lnsTunnelId(), c.lnsSessionId(),
                    c.user(), c.result(), c.address() == null ? "-" : c.address(), c.proxyAuthCheck(), c.ipv4In(), c.ipv4Reflected(),
                    c.detail() == null ? "" : " (" + c.detail() + ")"));
        }
        return b.toString();
    }
}
