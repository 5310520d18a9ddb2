package org.lacd.l2tp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.lacd.daemon.Cli;
import org.lacd.daemon.cli.TestTunnelCommand;
import org.lacd.l2tp.lns.LnsPeer;
import org.lacd.l2tp.wire.CdnResult;
import picocli.CommandLine;

/** {@code lacd test-tunnel} against the in-process LNS (the xl2tpd run is in {@link Xl2tpdInteropTest}). */
class TestTunnelCommandTest {

    static int run(StringWriter out, String... args) {
        CommandLine cl = new CommandLine(new Cli());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(out, true));
        String[] all = new String[args.length + 1];
        all[0] = "test-tunnel";
        System.arraycopy(args, 0, all, 1, args.length);
        return cl.execute(all);
    }

    @Test
    void tunnelAndCallUpAndDown() throws Exception {
        try (LnsPeer lns = LnsPeer.start(LnsPeer.Config.loopback("pw"))) {
            StringWriter out = new StringWriter();
            int rc = run(out, "--lns", "127.0.0.1:" + lns.address().getPort(), "--secret", "pw", "--hostname", "lac-cli",
                    "--call", "--source-port", "0", "--timeout", "5");
            String text = out.toString();
            assertEquals(TestTunnelCommand.EXIT_OK, rc, text);
            assertTrue(text.contains("tunnel up: SCCRP from \"lns-test\" (challenge response verified)"), text);
            assertTrue(text.contains("call up: ICRP received"), text);
            assertTrue(text.contains("call cleared"), text);
            assertTrue(text.contains("tunnel closed"), text);
            assertTrue(text.matches("(?s).*\\[\\s*\\d+\\.\\d ms\\] OK.*"), text);
            assertFalse(text.contains("Exception"), text);
            assertEquals("lac-cli", lns.calls().get(0).tunnel.sccrq.string(org.lacd.l2tp.wire.AvpType.HOST_NAME));
        }
    }

    @Test
    void wrongSecretExitsWithTheResultCode() throws Exception {
        try (LnsPeer lns = LnsPeer.start(LnsPeer.Config.loopback("right"))) {
            StringWriter out = new StringWriter();
            int rc = run(out, "--lns", "127.0.0.1:" + lns.address().getPort(), "--secret", "wrong", "--source-port", "0", "--timeout", "5");
            assertEquals(TestTunnelCommand.EXIT_TUNNEL_FAILED, rc, out.toString());
            assertTrue(out.toString().contains("result 4"), out.toString());
            assertTrue(out.toString().contains("secret mismatch"), out.toString());
        }
    }

    @Test
    void refusedCallExitsNonZeroWithTheCdnResult() throws Exception {
        try (LnsPeer lns = LnsPeer.start(LnsPeer.Config.loopback(null))) {
            lns.refuseCalls(CdnResult.BUSY);
            StringWriter out = new StringWriter();
            int rc = run(out, "--lns", "127.0.0.1:" + lns.address().getPort(), "--call", "--source-port", "0", "--timeout", "5");
            assertEquals(TestTunnelCommand.EXIT_CALL_FAILED, rc, out.toString());
            assertTrue(out.toString().contains("refused, result 8"), out.toString());
        }
    }

    @Test
    void silentLnsTimesOutWithoutAStackTrace() {
        StringWriter out = new StringWriter();
        int rc = run(out, "--lns", "127.0.0.1:9", "--source-port", "0", "--timeout", "1");
        assertEquals(TestTunnelCommand.EXIT_TUNNEL_FAILED, rc, out.toString());
        assertTrue(out.toString().contains("not established within 1 s"), out.toString());
        assertFalse(out.toString().contains("\tat "), out.toString());
    }

    @Test
    void badArgumentsAreUsageErrors() {
        StringWriter out = new StringWriter();
        assertEquals(TestTunnelCommand.EXIT_USAGE, run(out, "--lns", "127.0.0.1:99999"));
        assertEquals(TestTunnelCommand.EXIT_USAGE, run(new StringWriter(), "--lns", "127.0.0.1", "--hide-avps"));
    }
}
