package org.lacd.daemon.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lacd.daemon.session.SetupFailure;
import org.lacd.daemon.session.TeardownCause;

/** Issue 16 part 4: what {@code lacd stats} shows besides sessions and the data plane, read from the meters. */
class StatsSummaryTest {
    enum Why { MALFORMED, UNKNOWN_SESSION }

    @Test
    void dropsSetupsFailuresRadiusAndL2tpHealth() {
        LacdMetrics m = new LacdMetrics(new SimpleMeterRegistry());
        m.drop(LacdMetrics.Protocol.PPPOE, Why.MALFORMED);
        m.drop(LacdMetrics.Protocol.PPPOE, Why.MALFORMED);
        m.drop(LacdMetrics.Protocol.L2TP, Why.UNKNOWN_SESSION);
        m.setupSucceeded(Duration.ofMillis(40));
        m.setupFailed(SetupFailure.values()[0]);
        m.teardown(TeardownCause.ADMIN);
        m.radiusRequest("radius-1", "access", "accept");
        m.radiusRequest("radius-1", "access", "accept");
        m.radiusTimeout("radius-1");
        m.radiusServerUp("radius-1", false);
        m.controlRetransmit();
        m.helloTimeout();
        m.tunnelTransition(null, LacdMetrics.TunnelState.ESTABLISHED);
        m.lnsLockout("lns-a");

        Map<String, Object> s = m.summary();
        assertEquals(Map.of("total", 3L, "pppoe", Map.of("malformed", 2L), "l2tp", Map.of("unknown_session", 1L)), s.get("drops"));
        Map<?, ?> setups = (Map<?, ?>) s.get("setups");
        assertEquals(1L, setups.get("success"));
        assertEquals(1L, setups.get("failure"));
        assertEquals(Map.of(SetupFailure.values()[0].name().toLowerCase(java.util.Locale.ROOT), 1L), setups.get("failuresByReason"));
        assertEquals(1L, ((Map<?, ?>) setups.get("latencySeconds")).get("count"));
        assertEquals(Map.of("admin", 1L), s.get("teardownsByCause"));
        Map<?, ?> radius = (Map<?, ?>) ((Map<?, ?>) s.get("radius")).get("radius-1");
        assertEquals("held-down", radius.get("state"));
        assertEquals(Map.of("access/accept", 2L), radius.get("requests"));
        assertEquals(1L, radius.get("timeouts"));
        Map<?, ?> l2tp = (Map<?, ?>) s.get("l2tp");
        assertEquals(1L, ((Map<?, ?>) l2tp.get("tunnelsByState")).get("established"));
        assertEquals(1L, l2tp.get("controlRetransmits"));
        assertEquals(1L, l2tp.get("helloTimeouts"));
        assertEquals(Map.of("lns-a", 1L), l2tp.get("lnsLockouts"));
    }
}
