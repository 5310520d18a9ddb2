package org.lacd.lab.subscriber;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.Locale;
import java.util.Map;

/**
 * The outcome of one emulator run.
 *
 * @param subscribers configured number of subscribers
 * @param started subscribers that sent their first PADI
 * @param established subscribers whose IPCP opened at least once
 * @param completed established subscribers that ended as planned (lifetime over or run over: LCP Terminate + PADT)
 * @param elapsedSeconds from the start of the run to its end
 * @param setupRate established sessions per second, from the first PADI to the last first IPCP-opened
 * @param setupLatency PADI sent to IPCP opened, per established subscriber
 * @param phaseLatency time spent in each setup phase on the way up (first pass): {@code padiToPado},
 *     {@code padrToPads}, {@code lcp} (PADS to LCP opened), {@code auth} (LCP opened to CHAP Success / PAP Ack: this
 *     includes lacd's RADIUS and tunnel work and the LNS), {@code ipcp}
 * @param failures failed subscribers by reason (one reason per subscriber; absent reasons are left out)
 * @param renegotiations LCP Configure-Requests from the peer after LCP had opened (answered)
 * @param rechallenges CHAP Challenges after the first one of a session (answered)
 * @param echoReplies LCP Echo-Requests answered
 * @param packetsSent IPv4 probe packets sent
 * @param packetsReceived probe packets that came back to the subscriber that sent them
 * @param packetsLost sent minus received (never negative)
 * @param packetsReordered probes that came back with a lower sequence number than one of the same subscriber before
 *     them: reordered somewhere on the way up or down (lacd must keep each session's frames in order)
 * @param bytesSent IPv4 bytes sent (probe packet sizes)
 * @param bytesReceived IPv4 bytes of the reflected probes
 * @param roundTrip probe round-trip time
 * @param malformedFrames frames for our subscribers that did not decode
 * @param unexpectedFrames well-formed frames that did not fit the subscriber's state (stale session, ...)
 * @param sendErrors frames the port failed to send
 * @param authRetransmits PAP Requests and CHAP Responses sent again because neither success nor failure came within
 *     the step timeout (each one a login the network lost or ignored: issue 14)
 * @param echoRequests LCP Echo-Requests sent (only with an echo interval)
 * @param echoFailures sessions dropped because their Echo-Requests went unanswered (pppd's lcp-echo-failure)
 * @param redials new PADIs after such a drop (redial on), same MAC
 * @param reestablished redials whose IPCP opened again (issue 19: the other box took the subscriber)
 */
public record Report(int subscribers, int started, int established, int completed, double elapsedSeconds,
                     double setupRate, Percentiles setupLatency, Map<String, Percentiles> phaseLatency,
                     Map<FailureReason, Long> failures,
                     long renegotiations, long rechallenges, long echoReplies, long packetsSent, long packetsReceived,
                     long packetsLost, long packetsReordered, long bytesSent, long bytesReceived, Percentiles roundTrip,
                     long malformedFrames, long unexpectedFrames, long sendErrors, long authRetransmits,
                     long echoRequests, long echoFailures, long redials, long reestablished) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public Report {
        failures = Map.copyOf(failures);
        phaseLatency = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(phaseLatency));
    }

    /** Subscribers that failed, all reasons together. */
    @JsonProperty("failed")
    public long failed() {
        return failures.values().stream().mapToLong(Long::longValue).sum();
    }

    public long failures(FailureReason r) { return failures.getOrDefault(r, 0L); }

    /** Every subscriber was established and none failed: the program's exit code 0. */
    @JsonProperty("success")
    public boolean success() { return established == subscribers && failed() == 0; }

    public String toText() {
        StringBuilder b = new StringBuilder(512);
        b.append(String.format(Locale.ROOT, "subscribers      %d (started %d, established %d, completed %d, failed %d)%n",
                subscribers, started, established, completed, failed()));
        b.append(String.format(Locale.ROOT, "elapsed          %.3f s%n", elapsedSeconds));
        b.append(String.format(Locale.ROOT, "setup rate       %.1f sessions/s%n", setupRate));
        b.append("setup latency    ").append(setupLatency.text()).append(System.lineSeparator());
        phaseLatency.forEach((k, v) -> b.append(String.format(Locale.ROOT, "  %-14s ", k)).append(v.text())
                .append(System.lineSeparator()));
        if (!failures.isEmpty()) {
            b.append("failures").append(System.lineSeparator());
            failures.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> b.append(
                    String.format(Locale.ROOT, "  %-28s %d%n", e.getKey(), e.getValue())));
        }
        b.append(String.format(Locale.ROOT, "ppp              renegotiations %d, re-challenges %d, echo replies %d%n",
                renegotiations, rechallenges, echoReplies));
        b.append(String.format(Locale.ROOT, "auth             retransmissions %d%n", authRetransmits));
        b.append(String.format(Locale.ROOT, "keepalive        echo requests %d, echo failures %d, redials %d, re-established %d%n",
                echoRequests, echoFailures, redials, reestablished));
        b.append(String.format(Locale.ROOT, "traffic          sent %d pkts / %d B, received %d pkts / %d B, lost %d, reordered %d%n",
                packetsSent, bytesSent, packetsReceived, bytesReceived, packetsLost, packetsReordered));
        b.append("round trip       ").append(roundTrip.text()).append(System.lineSeparator());
        b.append(String.format(Locale.ROOT, "frames           malformed %d, unexpected %d, send errors %d%n",
                malformedFrames, unexpectedFrames, sendErrors));
        b.append("result           ").append(success() ? "OK" : "FAILED").append(System.lineSeparator());
        return b.toString();
    }

    /** JSON with every component plus {@code failed} and {@code success}. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise report", e);
        }
    }
}
