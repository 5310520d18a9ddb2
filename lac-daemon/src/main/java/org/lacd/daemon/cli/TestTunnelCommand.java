package org.lacd.daemon.cli;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.lacd.l2tp.CallDownCause;
import org.lacd.l2tp.CallListener;
import org.lacd.l2tp.CallParameters;
import org.lacd.l2tp.DisconnectCause;
import org.lacd.l2tp.L2tpBindException;
import org.lacd.l2tp.L2tpCall;
import org.lacd.l2tp.L2tpEngine;
import org.lacd.l2tp.L2tpSettings;
import org.lacd.l2tp.L2tpStats;
import org.lacd.l2tp.TunnelFailedException;
import org.lacd.l2tp.TunnelProfile;
import org.lacd.l2tp.TunnelSnapshot;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lacd test-tunnel}: brings up one tunnel to an LNS, optionally places and clears a test call, prints each step
 * with its timing and the peer's result codes, and tears down. Exit codes: 0 ok, 1 usage, 2 tunnel failed,
 * 3 cannot bind, 4 call failed (refused by the LNS or no answer), 5 internal error.
 */
@Command(name = "test-tunnel", mixinStandardHelpOptions = true,
        description = "Bring up an L2TP tunnel to an LNS (and optionally a test call), report each step, tear down.")
public final class TestTunnelCommand implements Callable<Integer> {
    public static final int EXIT_OK = 0;
    public static final int EXIT_USAGE = 1;
    public static final int EXIT_TUNNEL_FAILED = 2;
    public static final int EXIT_BIND = 3;
    public static final int EXIT_CALL_FAILED = 4;
    public static final int EXIT_INTERNAL = 5;

    @Spec
    CommandSpec spec;

    @Option(names = "--lns", required = true, paramLabel = "HOST[:PORT]", description = "LNS address, port 1701 by default")
    String lns;

    @Option(names = "--secret", description = "tunnel secret (challenge/response)")
    String secret;

    @Option(names = "--hostname", defaultValue = "lacd", description = "our Host Name AVP (default: ${DEFAULT-VALUE})")
    String hostname;

    @Option(names = "--call", description = "also place and clear a test incoming call")
    boolean call;

    @Option(names = "--calling-number", defaultValue = "lacd-test-tunnel", description = "Calling Number of the test call")
    String callingNumber;

    @Option(names = "--hide-avps", description = "hide sensitive AVPs (needs --secret)")
    boolean hide;

    @Option(names = "--timeout", defaultValue = "10", paramLabel = "SECONDS", description = "per-step timeout (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Option(names = "--source-port", defaultValue = "1701", description = "UDP source port (default: ${DEFAULT-VALUE}; 0 = any)")
    int sourcePort;

    @Option(names = "--bind", description = "local address to send from")
    String bind;

    @Option(names = "--verbose", description = "show engine logs")
    boolean verbose;

    private long t0;
    private PrintWriter out;

    private void step(String fmt, Object... args) {
        out.printf("[%6.1f ms] %s%n", (System.nanoTime() - t0) / 1e6, String.format(fmt, args));
        out.flush();
    }

    @Override
    public Integer call() {
        out = spec.commandLine().getOut();
        t0 = System.nanoTime();
        if (!verbose) {
            quietLogs();
        }
        InetSocketAddress peer;
        InetAddress local = null;
        try {
            peer = parse(lns);
            if (bind != null) {
                local = InetAddress.getByName(bind);
            }
        } catch (IllegalArgumentException | UnknownHostException e) {
            spec.commandLine().getErr().println("test-tunnel: " + e.getMessage());
            return EXIT_USAGE;
        }
        if (hide && (secret == null || secret.isEmpty())) {
            spec.commandLine().getErr().println("test-tunnel: --hide-avps needs --secret");
            return EXIT_USAGE;
        }
        L2tpSettings settings = L2tpSettings.defaults().withSourcePort(sourcePort).withBindAddress(local)
                .withTunnelLinger(Duration.ofSeconds(Math.max(timeoutSeconds, 1)));
        L2tpEngine engine = new L2tpEngine(settings, L2tpStats.NOOP);
        try {
            engine.start();
        } catch (L2tpBindException e) {
            step("FAILED: %s", e.getMessage());
            return EXIT_BIND;
        }
        try {
            return run(engine, peer);
        } catch (RuntimeException e) {
            step("FAILED: internal error: %s", e);
            return EXIT_INTERNAL;
        } finally {
            engine.shutdown(Duration.ofSeconds(2));
        }
    }

    private int run(L2tpEngine engine, InetSocketAddress peer) {
        step("sending SCCRQ to %s from port %d as \"%s\"%s", peer, engine.localPort(), hostname,
                secret != null ? " with challenge" : "");
        TunnelProfile profile = new TunnelProfile("test-tunnel", peer, null, hostname, secret, null, hide, 0, 0, true);
        TunnelSnapshot t;
        try {
            t = engine.openTunnel(profile).get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            String why = e.getCause() instanceof TunnelFailedException f ? describe(f.downCause()) : String.valueOf(e.getCause().getMessage());
            step("FAILED: tunnel not established: %s", why);
            return EXIT_TUNNEL_FAILED;
        } catch (TimeoutException e) {
            step("FAILED: tunnel not established within %d s", timeoutSeconds);
            return EXIT_TUNNEL_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return EXIT_TUNNEL_FAILED;
        }
        step("tunnel up: SCCRP from \"%s\"%s, SCCCN sent; local tunnel %d, LNS tunnel %d", t.peerHostName(),
                secret != null ? " (challenge response verified)" : "", t.localTunnelId(), t.remoteTunnelId());
        int rc = EXIT_OK;
        if (call) {
            rc = testCall(engine, profile);
        }
        step("sending StopCCN (result 1)");
        try {
            engine.clearTunnel(t.localTunnelId()).get(timeoutSeconds, TimeUnit.SECONDS);
            step("tunnel closed");
        } catch (ExecutionException | TimeoutException e) {
            step("tunnel close not confirmed: %s", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (rc == EXIT_OK) {
            step("OK");
        }
        return rc;
    }

    private int testCall(L2tpEngine engine, TunnelProfile profile) {
        CountDownLatch up = new CountDownLatch(1);
        CountDownLatch down = new CountDownLatch(1);
        CallDownCause[] cause = new CallDownCause[1];
        CallListener l = new CallListener() {
            @Override
            public void callUp(L2tpCall c) { up.countDown(); }

            @Override
            public void callDown(L2tpCall c, CallDownCause why) {
                cause[0] = why;
                up.countDown();
                down.countDown();
            }

            @Override
            public void pppFromLns(L2tpCall c, byte[] buf, int off, int len) {}
        };
        step("sending ICRQ (Calling Number \"%s\")", callingNumber);
        L2tpCall c = engine.placeCall(profile, CallParameters.builder().callingNumber(callingNumber).build(), l);
        try {
            if (!up.await(timeoutSeconds, TimeUnit.SECONDS)) {
                step("FAILED: no ICRP within %d s", timeoutSeconds);
                return EXIT_CALL_FAILED;
            }
            if (cause[0] != null) {
                step("FAILED: call not established: %s", describe(cause[0]));
                return cause[0].tunnelFailure() ? EXIT_TUNNEL_FAILED : EXIT_CALL_FAILED;
            }
            step("call up: ICRP received (LNS session %d, local session %d), ICCN sent", c.remoteSessionId(), c.localSessionId());
            if (down.await(500, TimeUnit.MILLISECONDS)) {
                step("LNS cleared the call after ICCN: %s", describe(cause[0]));
                return EXIT_OK;
            }
            step("sending CDN (result 3, administrative)");
            c.disconnect(DisconnectCause.administrative("lacd test-tunnel"));
            if (down.await(timeoutSeconds, TimeUnit.SECONDS)) {
                step("call cleared");
            }
            return EXIT_OK;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return EXIT_CALL_FAILED;
        }
    }

    static String describe(CallDownCause c) {
        StringBuilder sb = new StringBuilder();
        sb.append(c.kind().name().toLowerCase().replace('_', ' '));
        if (c.resultCode() >= 0) {
            sb.append(", result ").append(c.resultCode());
        }
        if (c.errorCode() >= 0) {
            sb.append(", error ").append(c.errorCode());
        }
        if (c.message() != null) {
            sb.append(": ").append(c.message());
        }
        if (c.pppCause() != null) {
            sb.append(" (PPP disconnect cause ").append(c.pppCause().code()).append(')');
        }
        return sb.toString();
    }

    static InetSocketAddress parse(String hostPort) throws UnknownHostException {
        String host = hostPort;
        int port = 1701;
        if (hostPort.startsWith("[")) {
            int end = hostPort.indexOf(']');
            if (end < 0) {
                throw new IllegalArgumentException("bad --lns " + hostPort);
            }
            host = hostPort.substring(1, end);
            if (hostPort.length() > end + 1) {
                port = Integer.parseInt(hostPort.substring(end + 2));
            }
        } else if (hostPort.indexOf(':') >= 0 && hostPort.indexOf(':') == hostPort.lastIndexOf(':')) {
            host = hostPort.substring(0, hostPort.indexOf(':'));
            try {
                port = Integer.parseInt(hostPort.substring(hostPort.indexOf(':') + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad port in --lns " + hostPort);
            }
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("bad port in --lns " + hostPort);
        }
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    private static void quietLogs() {
        if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }
}
