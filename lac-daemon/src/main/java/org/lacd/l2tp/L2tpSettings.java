package org.lacd.l2tp;

import java.net.InetAddress;
import java.time.Duration;

/**
 * Engine-wide settings. Start from {@link #defaults()} and adjust with the {@code with...} methods.
 *
 * @param sourcePort          UDP source port of every tunnel (LNSs expect 1701); 0 picks an ephemeral port (tests)
 * @param bindAddress         address the default socket binds to; null for the wildcard
 * @param localHostName       Host Name AVP when a profile has none
 * @param helloInterval       silence after which a HELLO is sent on an established tunnel (RFC 2661 6.5)
 * @param retransmitInitial   first retransmission timeout of control messages
 * @param retransmitCap       upper bound of the exponential backoff (RFC 2661 5.8 recommends at least 8 s)
 * @param maxRetries          retransmissions before the tunnel is declared dead
 * @param ackDelay            how long a received control message waits for a piggyback before a ZLB acknowledges it
 * @param receiveWindow       our Receive Window Size AVP (and out-of-order queue bound) unless the profile overrides it
 * @param tunnelLinger        how long a tunnel with no sessions stays up before StopCCN
 * @param stopCcnWait         how long a StopCCN waits for the peer's acknowledgement (and a received StopCCN's state is kept)
 * @param callSetupTimeout    how long a call waits for ICRP after ICRQ before it is cleared (CDN result 10)
 * @param sessionsPerTunnel   default per-tunnel session limit; a further call opens another tunnel
 * @param callsInSetupPerTunnel calls waiting for their ICRP (ICRQ queued or sent) at which a tunnel takes no new call,
 *                            so that a further call opens another tunnel to the same LNS; 0 for no such bound
 * @param connectSpeedDefault Tx Connect Speed sent when a call gives none (the AVP is mandatory in ICCN)
 * @param eventLoopThreads    Netty event loop threads (each socket and its tunnels live on one loop)
 * @param preferEpoll         use the epoll transport when available, NIO otherwise
 */
public record L2tpSettings(int sourcePort, InetAddress bindAddress, String localHostName, Duration helloInterval, Duration retransmitInitial, Duration retransmitCap, int maxRetries, Duration ackDelay, int receiveWindow, Duration tunnelLinger, Duration stopCcnWait, Duration callSetupTimeout, int sessionsPerTunnel, int callsInSetupPerTunnel, long connectSpeedDefault, int eventLoopThreads, boolean preferEpoll) {

    public L2tpSettings {
        if (sourcePort < 0 || sourcePort > 65535) {
            throw new IllegalArgumentException("sourcePort " + sourcePort);
        }
        if (receiveWindow < 1 || receiveWindow > 65535 || sessionsPerTunnel < 1 || sessionsPerTunnel > 65535 || callsInSetupPerTunnel < 0 || maxRetries < 1
                || retransmitCap.compareTo(retransmitInitial) < 0 || eventLoopThreads < 1 || callSetupTimeout.isNegative()
                || callSetupTimeout.isZero()) {
            throw new IllegalArgumentException("invalid L2TP settings " + this);
        }
    }

    public static L2tpSettings defaults() {
        return new L2tpSettings(1701, null, "lacd", Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofSeconds(8), 5,
                Duration.ofMillis(100), 16, Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(30), 65535, 0,
                10_000_000L, 1, true);
    }

    public L2tpSettings withSourcePort(int p) {
        return new L2tpSettings(p, bindAddress, localHostName, helloInterval, retransmitInitial, retransmitCap, maxRetries, ackDelay, receiveWindow, tunnelLinger, stopCcnWait, callSetupTimeout, sessionsPerTunnel, callsInSetupPerTunnel, connectSpeedDefault, eventLoopThreads, preferEpoll);
    }

    public L2tpSettings withBindAddress(InetAddress a) {
        return new L2tpSettings(sourcePort, a, localHostName, helloInterval, retransmitInitial, retransmitCap, maxRetries, ackDelay, receiveWindow, tunnelLinger, stopCcnWait, callSetupTimeout, sessionsPerTunnel, callsInSetupPerTunnel, connectSpeedDefault, eventLoopThreads, preferEpoll);
    }

    public L2tpSettings withLocalHostName(String h) {
        return new L2tpSettings(sourcePort, bindAddress, h, helloInterval, retransmitInitial, retransmitCap, maxRetries, ackDelay, receiveWindow, tunnelLinger, stopCcnWait, callSetupTimeout, sessionsPerTunnel, callsInSetupPerTunnel, connectSpeedDefault, eventLoopThreads, preferEpoll);
    }

    public L2tpSettings withHelloInterval(Duration d) {
        return new L2tpSettings(sourcePort, bindAddress, localHostName, d, retransmitInitial, retransmitCap, maxRetries, ackDelay, receiveWindow, tunnelLinger, stopCcnWait, callSetupTimeout, sessionsPerTunnel, callsInSetupPerTunnel, connectSpeedDefault, eventLoopThreads, preferEpoll);
    }

    public L2tpSettings withRetransmit(Duration initial, Duration cap, int retries) {
        return new L2tpSettings(sourcePort, bindAddress, localHostName, helloInterval, initial, cap, retries, ackDelay, receiveWindow, tunnelLinger, stopCcnWait, callSetupTimeout, sessionsPerTunnel, callsInSetupPerTunnel, connectSpeedDefault, eventLoopThreads, preferEpoll);
    }

    public L2tpSettings withAckDelay(Duration d) {
        return new L2tpSettings(sourcePort, bindAddress, localHostName, helloInterval, retransmitInitial, retransmitCap, maxRetries, d, receiveWindow, tunnelLinger, stopCcnWait, callSetupTimeout, sessionsPerTunnel, callsInSetupPerTunnel, connectSpeedDefault, eventLoopThreads, preferEpoll);
    }

    public L2tpSettings withReceiveWindow(int w) {
        return new L2tpSettings(sourcePort, bindAddress, localHostName, helloInterval, retransmitInitial, retransmitCap, maxRetries, ackDelay, w, tunnelLinger, stopCcnWait, callSetupTimeout, sessionsPerTunnel, callsInSetupPerTunnel, connectSpeedDefault, eventLoopThreads, preferEpoll);
    }

    public L2tpSettings withTunnelLinger(Duration d) {
        return new L2tpSettings(sourcePort, bindAddress, localHostName, helloInterval, retransmitInitial, retransmitCap, maxRetries, ackDelay, receiveWindow, d, stopCcnWait, callSetupTimeout, sessionsPerTunnel, callsInSetupPerTunnel, connectSpeedDefault, eventLoopThreads, preferEpoll);
    }

    public L2tpSettings withStopCcnWait(Duration d) {
        return new L2tpSettings(sourcePort, bindAddress, localHostName, helloInterval, retransmitInitial, retransmitCap, maxRetries, ackDelay, receiveWindow, tunnelLinger, d, callSetupTimeout, sessionsPerTunnel, callsInSetupPerTunnel, connectSpeedDefault, eventLoopThreads, preferEpoll);
    }

    public L2tpSettings withCallSetupTimeout(Duration d) {
        return new L2tpSettings(sourcePort, bindAddress, localHostName, helloInterval, retransmitInitial, retransmitCap, maxRetries, ackDelay, receiveWindow, tunnelLinger, stopCcnWait, d, sessionsPerTunnel, callsInSetupPerTunnel, connectSpeedDefault, eventLoopThreads, preferEpoll);
    }

    public L2tpSettings withSessionsPerTunnel(int n) {
        return new L2tpSettings(sourcePort, bindAddress, localHostName, helloInterval, retransmitInitial, retransmitCap, maxRetries, ackDelay, receiveWindow, tunnelLinger, stopCcnWait, callSetupTimeout, n, callsInSetupPerTunnel, connectSpeedDefault, eventLoopThreads, preferEpoll);
    }

    public L2tpSettings withCallsInSetupPerTunnel(int n) {
        return new L2tpSettings(sourcePort, bindAddress, localHostName, helloInterval, retransmitInitial, retransmitCap, maxRetries, ackDelay, receiveWindow, tunnelLinger, stopCcnWait, callSetupTimeout, sessionsPerTunnel, n, connectSpeedDefault, eventLoopThreads, preferEpoll);
    }

    public L2tpSettings withConnectSpeedDefault(long bps) {
        return new L2tpSettings(sourcePort, bindAddress, localHostName, helloInterval, retransmitInitial, retransmitCap, maxRetries, ackDelay, receiveWindow, tunnelLinger, stopCcnWait, callSetupTimeout, sessionsPerTunnel, callsInSetupPerTunnel, bps, eventLoopThreads, preferEpoll);
    }

    public L2tpSettings withEventLoopThreads(int n) {
        return new L2tpSettings(sourcePort, bindAddress, localHostName, helloInterval, retransmitInitial, retransmitCap, maxRetries, ackDelay, receiveWindow, tunnelLinger, stopCcnWait, callSetupTimeout, sessionsPerTunnel, callsInSetupPerTunnel, connectSpeedDefault, n, preferEpoll);
    }

    public L2tpSettings withPreferEpoll(boolean epoll) {
        return new L2tpSettings(sourcePort, bindAddress, localHostName, helloInterval, retransmitInitial, retransmitCap, maxRetries, ackDelay, receiveWindow, tunnelLinger, stopCcnWait, callSetupTimeout, sessionsPerTunnel, callsInSetupPerTunnel, connectSpeedDefault, eventLoopThreads, epoll);
    }
}
