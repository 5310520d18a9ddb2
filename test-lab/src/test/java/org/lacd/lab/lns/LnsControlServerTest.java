package org.lacd.lab.lns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.lacd.l2tp.CallDownCause;
import org.lacd.l2tp.L2tpEngine;
import org.lacd.l2tp.L2tpSettings;
import org.lacd.l2tp.TunnelProfile;
import org.lacd.l2tp.transport.ReliableChannel;
import org.lacd.l2tp.wire.CdnResult;

/** Clearing calls and tunnels and refusing calls through the HTTP control port, seen by lacd's engine. */
class LnsControlServerTest {
    final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> post(LnsControlServer c, String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + c.address().getPort() + pathAndQuery))
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void clearCallStopTunnelRefuse() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        L2tpEngine engine = new L2tpEngine(L2tpSettings.defaults().withSourcePort(0).withBindAddress(lo)
                .withRetransmit(Duration.ofMillis(250), Duration.ofMillis(500), 4), null);
        try (LnsEmulator lns = LnsEmulator.start(LnsEmulatorConfig.builder().loopback()
                .channel(new ReliableChannel.Config(250, 500, 4, 20, 16)).build());
             LnsControlServer ctl = LnsControlServer.start(lns, new InetSocketAddress(lo, 0))) {
            engine.start();
            TunnelProfile p = TunnelProfile.of("c", lns.address(), "lac", null);
            TestSubscriber a = TestSubscriber.chap("user1@isp", "pass1");
            TestSubscriber b = TestSubscriber.chap("user2@isp", "pass2");
            a.call = engine.placeCall(p, a.params(), a);
            b.call = engine.placeCall(p, b.params(), b);
            assertTrue(a.await(a.ipcpUp) && b.await(b.ipcpUp));

            HttpResponse<String> r = post(ctl, "/calls/clear?user=user1%40isp");
            assertEquals(200, r.statusCode());
            assertEquals("{\"cleared\":1}", r.body());
            assertTrue(a.await(a.down));
            assertEquals(CallDownCause.Kind.CLEARED_BY_PEER, a.cause.kind());
            assertEquals(CdnResult.ADMINISTRATIVE.code(), a.cause.resultCode());
            assertEquals(1, b.down.getCount(), "the other call stays");

            assertEquals("{\"stopped\":1}", post(ctl, "/tunnels/stop").body());
            assertTrue(b.await(b.down));
            assertEquals(CallDownCause.Kind.TUNNEL_FAILED, b.cause.kind());

            assertEquals("{\"refuse\":true}", post(ctl, "/refuse?on=true").body());
            TestSubscriber c = TestSubscriber.chap("user3@isp", "pass3");
            c.call = engine.placeCall(p, c.params(), c);
            assertTrue(c.await(c.down));
            assertEquals(CallDownCause.Kind.REFUSED, c.cause.kind());

            assertEquals(400, post(ctl, "/silent").statusCode());
            assertEquals(404, post(ctl, "/nope").statusCode());
            assertEquals(404, post(ctl, "/calls/clear?tunnel=1&session=1").statusCode());
            Report rep = Report.fromJson(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ctl.address().getPort() + "/summary"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body());
            assertEquals(2L, rep.sessions().byResult().get(CallResult.CLEARED_BY_LNS));
            assertEquals(1L, rep.sessions().byResult().get(CallResult.REFUSED));
            assertEquals(0, rep.calls().size(), "summary carries no calls");
        } finally {
            engine.shutdown(Duration.ofSeconds(1));
        }
    }
}
