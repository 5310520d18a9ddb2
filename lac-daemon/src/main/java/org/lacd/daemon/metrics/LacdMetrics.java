package org.lacd.daemon.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.lacd.daemon.session.SessionState;

/**
 * Every lacd meter, declared in one place. Prometheus names (as scraped) are given per meter. Labels take
 * values from closed sets (enums, configured LNS and server names, interface names): none grows with
 * subscribers. Hot-path users fetch a {@link Traffic} holder once and keep it, so counting a packet is an
 * increment, not a lookup.
 */
public final class LacdMetrics {
    /** L2TP tunnel states as exported by {@code lacd_tunnels{state}}. */
    public enum TunnelState { IDLE, WAIT_CTL_REPLY, WAIT_CTL_CONN, ESTABLISHED, CLOSING }

    public enum Protocol { PPPOE, L2TP, RADIUS }

    public enum Direction { RX, TX }

    /** Histogram buckets of the latency meters: a fixed, short set (Prometheus series cost per bucket). */
    private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

    private final MeterRegistry registry;
    private final Map<SessionState, AtomicLong> sessions = new EnumMap<>(SessionState.class);
    private final Map<TunnelState, AtomicLong> tunnels = new EnumMap<>(TunnelState.class);
    private final Map<String, AtomicLong> sessionsByLns = new ConcurrentHashMap<>();
    private final Map<String, java.util.concurrent.atomic.LongAdder> refusalsByLacPeer = new ConcurrentHashMap<>();
    /** Gauges read from a supplier at scrape time, registered once each (by name and tags). */
    private final java.util.Set<String> scrapedGauges = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicLong> serverUp = new ConcurrentHashMap<>();
    private final Map<CounterKey, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, Traffic> traffic = new ConcurrentHashMap<>();
    /** Sources of the counters read at scrape time (ring and send drops), by name and tags. */
    private final Map<String, java.util.concurrent.atomic.AtomicReference<java.util.function.LongSupplier>> scraped =
            new ConcurrentHashMap<>();
    private final AtomicLong spoolRecords = new AtomicLong();
    private final Timer setupLatency;
    /** lacd_session_setup_phase_seconds{phase}: one timer per setup phase (a closed set of labels). */
    private final Map<SessionState, Timer> setupPhases = new EnumMap<>(SessionState.class);
    private final Counter retransmits;
    private final Counter helloTimeouts;

    public LacdMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (SessionState s : SessionState.values()) {
            AtomicLong v = new AtomicLong();
            sessions.put(s, v);
            // lacd_sessions{state}
            Gauge.builder("lacd.sessions", v, AtomicLong::get).description("Subscriber sessions by state")
                    .tag("state", label(s)).register(registry);
        }
        for (TunnelState s : TunnelState.values()) {
            AtomicLong v = new AtomicLong();
            tunnels.put(s, v);
            // lacd_tunnels{state}
            Gauge.builder("lacd.tunnels", v, AtomicLong::get).description("L2TP tunnels by state")
                    .tag("state", label(s)).register(registry);
        }
        // lacd_accounting_spool_records
        Gauge.builder("lacd.accounting.spool.records", spoolRecords, AtomicLong::get)
                .description("Accounting records waiting in the on-disk spool").register(registry);
        // lacd_session_setup_seconds (histogram)
        setupLatency = Timer.builder("lacd.session.setup").description("Time from PADS to call up")
                .serviceLevelObjectives(BUCKETS).register(registry);
        // lacd_session_setup_phase_seconds{phase} (histograms): where a setup's time goes, phase by phase
        for (SessionState s : java.util.List.of(SessionState.PPPOE, SessionState.DECIDING, SessionState.TUNNEL_SETUP, SessionState.CALL_SETUP)) {
            setupPhases.put(s, Timer.builder("lacd.session.setup.phase")
                    .description("Time a session spent in one setup phase: pppoe (PADS to username), deciding (RADIUS or rules),"
                            + " tunnel_setup (tunnel and window until the ICRQ is queued), call_setup (ICRQ queued to ICRP)")
                    .tag("phase", label(s)).serviceLevelObjectives(BUCKETS).register(registry));
        }
        // lacd_l2tp_control_retransmits_total
        retransmits = Counter.builder("lacd.l2tp.control.retransmits").description("L2TP control messages retransmitted")
                .register(registry);
        // lacd_l2tp_hello_timeouts_total
        helloTimeouts = Counter.builder("lacd.l2tp.hello.timeouts").description("Tunnels declared dead: HELLO or retransmit give-up")
                .register(registry);
        // setups by result start at zero so rate() works from the first scrape
        counter("lacd.session.setups", "Session setups by result", "result", "success");
        counter("lacd.session.setups", "Session setups by result", "result", "failure");
    }

    /** Micrometer binder meters whose Prometheus names promtool's linter rejects. */
    static final Set<String> UNLINTED_JVM_METERS = Set.of("process.cpu.time", "system.cpu.count");

    /** Turns on the JVM and process meters. */
    public LacdMetrics withJvmMeters() {
        // Two of Micrometer's process meters fail `promtool check metrics` (the lab runs it on a live scrape):
        // process_cpu_time_ns_total ("abbreviated unit"; process_cpu_usage stays) and system_cpu_count ("_count"
        // suffix on a gauge). Neither is on the dashboard nor in an alert: leave them out.
        registry.config().meterFilter(MeterFilter.deny(id -> UNLINTED_JVM_METERS.contains(id.getName())));
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        return this;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Label values of enum constants, made once each: the same String every time, so its hash is computed once. */
    private static final ClassValue<String[]> LABELS = new ClassValue<>() {
        @Override
        protected String[] computeValue(Class<?> type) {
            Object[] constants = type.getEnumConstants();
            String[] l = new String[constants.length];
            for (int i = 0; i < l.length; i++) {
                l[i] = ((Enum<?>) constants[i]).name().toLowerCase(Locale.ROOT);
            }
            return l;
        }
    };

    static String label(Enum<?> e) {
        return LABELS.get(e.getDeclaringClass())[e.ordinal()];
    }

    /** A counter's name and tags as a map key: no string built per event (issue 20: counted per drop in a storm). */
    private record CounterKey(String name, String[] tags) {
        @Override
        public boolean equals(Object o) {
            return o instanceof CounterKey k && name.equals(k.name) && java.util.Arrays.equals(tags, k.tags);
        }

        @Override
        public int hashCode() {
            return 31 * name.hashCode() + java.util.Arrays.hashCode(tags);
        }
    }

    private Counter counter(String name, String description, String... tags) {
        return counters.computeIfAbsent(new CounterKey(name, tags),
                k -> Counter.builder(name).description(description).tags(tags).register(registry));
    }

    // ---- sessions ----

    /** A session moved from {@code from} (null when new) to {@code to} (null when gone). */
    public void sessionTransition(SessionState from, SessionState to) {
        if (from != null) {
            sessions.get(from).decrementAndGet();
        }
        if (to != null) {
            sessions.get(to).incrementAndGet();
        }
    }

    public long sessions(SessionState state) {
        return sessions.get(state).get();
    }

    /** lacd_sessions_by_lns{lns}: +1 when a call comes up on the LNS, -1 when it goes. */
    public void sessionsOnLns(String lns, int delta) {
        sessionsByLns.computeIfAbsent(lns, n -> {
            AtomicLong v = new AtomicLong();
            Gauge.builder("lacd.sessions.by.lns", v, AtomicLong::get).description("Forwarding sessions per LNS")
                    .tag("lns", n).register(registry);
            return v;
        }).addAndGet(delta);
    }

    /** lacd_session_setups_total{result="success"} and lacd_session_setup_seconds. */
    public void setupSucceeded(Duration took) {
        counter("lacd.session.setups", "Session setups by result", "result", "success").increment();
        setupLatency.record(took);
    }

    /**
     * lacd_session_setup_phase_seconds{phase}: a session left setup phase {@code phase} after {@code took} (phases other
     * than pppoe, deciding, tunnel_setup and call_setup are not setup phases and are ignored).
     */
    public void setupPhase(SessionState phase, Duration took) {
        Timer t = setupPhases.get(phase);
        if (t != null) {
            t.record(took);
        }
    }

    /** lacd_session_setups_total{result="failure"} and lacd_session_failures_total{reason}. */
    public void setupFailed(Enum<?> reason) {
        counter("lacd.session.setups", "Session setups by result", "result", "failure").increment();
        counter("lacd.session.failures", "Session setups that failed, by reason", "reason", label(reason)).increment();
    }

    /** lacd_session_setup_timeouts_total{kind}: a subscriber gave up or stalled before the username was known. */
    public void setupTimeout(Enum<?> kind) {
        counter("lacd.session.setup.timeouts", "Subscribers timed out before their username was known (LCP, auth)", "kind",
                label(kind)).increment();
    }

    /**
     * lacd_pppoe_session_closes_total{reason}: every PPPoE session that ended, by why (the PPPoE server's close
     * reasons: timeouts before the username was known, LCP that did not converge, subscriber PADT, ...).
     */
    public void pppoeSessionClosed(Enum<?> reason) {
        counter("lacd.pppoe.session.closes", "PPPoE sessions ended, by reason", "reason", label(reason)).increment();
    }

    /**
     * lacd_session_events_dropped_total{state,event}: an event the subscriber session's transition table has no row
     * for in its state (a late or out-of-order callback); dropped, never thrown. Both labels are closed enum sets.
     */
    public void sessionEventDropped(SessionState state, String event) {
        counter("lacd.session.events.dropped", "Subscriber session events with no transition in the session's state",
                "state", label(state), "event", event.toLowerCase(java.util.Locale.ROOT)).increment();
    }

    /** lacd_session_teardowns_total{cause}. */
    public void teardown(Enum<?> cause) {
        counter("lacd.session.teardowns", "Established sessions ended, by cause", "cause", label(cause)).increment();
    }

    // ---- L2TP ----

    public void tunnelTransition(TunnelState from, TunnelState to) {
        if (from != null) {
            tunnels.get(from).decrementAndGet();
        }
        if (to != null) {
            tunnels.get(to).incrementAndGet();
        }
    }

    public long tunnels(TunnelState state) {
        return tunnels.get(state).get();
    }

    public void controlRetransmit() {
        retransmits.increment();
    }

    public void helloTimeout() {
        helloTimeouts.increment();
    }

    /**
     * lacd_lns_up{lns}: 1 when the LNS takes new sessions, 0 when locked out or draining; read from {@code up} at
     * scrape time, so it cannot disagree with the LNS selector. Registered once per LNS.
     */
    public void lns(String lns, java.util.function.DoubleSupplier up) {
        gauge("lacd.lns.up", "1 when the LNS takes new sessions, 0 when locked out or draining", up, "lns", lns);
    }

    /** A gauge read from {@code value} at scrape time, registered by the first call for its name and tags. */
    private void gauge(String name, String description, java.util.function.DoubleSupplier value, String... tags) {
        if (scrapedGauges.add(name + "\u0000" + String.join("\u0000", tags))) {
            Gauge.builder(name, value, java.util.function.DoubleSupplier::getAsDouble).description(description).tags(tags)
                    .strongReference(true).register(registry); // the supplier is a lambda: without this it is collected (NaN)
        }
    }

    /**
     * lacd_lns_ipsec_up{lns}: for an LNS whose profile requires IPsec, 1 while the CHILD_SA that protects it is known up
     * (charon's event stream), else 0. Read at scrape time; registered once per such LNS.
     */
    public void lnsIpsecUp(String lns, java.util.function.DoubleSupplier up) {
        gauge("lacd.lns.ipsec.up", "1 while the IPsec SA protecting the LNS is up (LNSs that require IPsec)", up, "lns", lns);
    }

    /** lacd_lns_ipsec_setups_total{lns}: SAs lacd had charon bring up for a call (on demand). */
    public void lnsIpsecSetup(String lns) {
        counter("lacd.lns.ipsec.setups", "IPsec SAs brought up on demand for calls to the LNS", "lns", lns).increment();
    }

    /**
     * lacd_lns_ipsec_failures_total{lns,reason}: an LNS attempt refused for IPsec (control_unreachable, initiate_failed,
     * not_covered) or sessions lost with their SA (sa_lost). Each is also an LNS failure (lockout, failover).
     */
    public void lnsIpsecFailure(String lns, String reason) {
        counter("lacd.lns.ipsec.failures", "LNS attempts refused for IPsec, and SAs lost under sessions", "lns", lns,
                "reason", reason).increment();
    }

    /** Creates the IPsec counters of an LNS at 0, so rate() and increase() see their first failure. */
    public void lnsIpsecDeclare(String lns, java.util.List<String> reasons) {
        counter("lacd.lns.ipsec.setups", "IPsec SAs brought up on demand for calls to the LNS", "lns", lns);
        for (String r : reasons) {
            counter("lacd.lns.ipsec.failures", "LNS attempts refused for IPsec, and SAs lost under sessions", "lns", lns,
                    "reason", r);
        }
    }

    /** lacd_lns_lockouts_total{lns}. */
    public void lnsLockout(String lns) {
        counter("lacd.lns.lockouts", "LNS lockouts after a failed tunnel or call", "lns", lns).increment();
    }

    // ---- RADIUS ----

    /** lacd_radius_requests_total{server,type,result}. */
    public void radiusRequest(String server, String type, String result) {
        counter("lacd.radius.requests", "RADIUS requests by server, type and result", "server", server, "type", type,
                "result", result).increment();
    }

    /** lacd_radius_timeouts_total{server}. */
    public void radiusTimeout(String server) {
        counter("lacd.radius.timeouts", "RADIUS attempts that got no answer", "server", server).increment();
    }

    /** lacd_radius_request_seconds{server}. */
    public void radiusLatency(String server, Duration took) {
        timers.computeIfAbsent(server, s -> Timer.builder("lacd.radius.request").description("RADIUS answer latency")
                .tag("server", s).serviceLevelObjectives(BUCKETS).register(registry)).record(took);
    }

    /** lacd_radius_server_up{server}: 0 while a server is held down after timeouts. */
    public void radiusServerUp(String server, boolean up) {
        serverUp.computeIfAbsent(server, n -> {
            AtomicLong v = new AtomicLong(1);
            Gauge.builder("lacd.radius.server.up", v, AtomicLong::get).description("1 when the RADIUS server is in use, 0 when held down")
                    .tag("server", n).register(registry);
            return v;
        }).set(up ? 1 : 0);
    }

    /** lacd_dae_requests_total{result}: RFC 5176 requests by outcome. */
    /**
     * A downstream LAC's tunnel or call refused (tunnel switching): {@code lacd_l2tp_lac_peer_refusals_total{reason}},
     * reasons from {@code L2tpStats.Refusal} (a closed set).
     */
    public void lacPeerRefused(Enum<?> reason) {
        counter("lacd.l2tp.lac.peer.refusals", "Downstream LAC tunnels and calls refused, by reason", "reason", label(reason)).increment();
    }

    /** {@link #lacPeerRefused(Enum)} of a configured peer: also counted for that peer ({@link #lacPeerRefusals}, lacd lac-peers). */
    public void lacPeerRefused(Enum<?> reason, String peer) {
        lacPeerRefused(reason);
        refusalsByLacPeer.computeIfAbsent(peer, k -> new java.util.concurrent.atomic.LongAdder()).increment();
    }

    /** Tunnels and calls of the configured downstream LAC peer {@code peer} refused since start. */
    public long lacPeerRefusals(String peer) {
        java.util.concurrent.atomic.LongAdder n = refusalsByLacPeer.get(peer);
        return n == null ? 0 : n.sum();
    }

    /**
     * lacd_sessions_by_lac_peer{peer}: calls from the downstream LAC peer now (being set up or forwarding), read from
     * {@code calls} at scrape time; registered once per configured peer. A PPPoE interface has no such gauge: the
     * peer stands in for the interface in views and accounting, and for the LNS role of lacd_sessions_by_lns here.
     */
    public void lacPeerSessions(String peer, java.util.function.DoubleSupplier calls) {
        gauge("lacd.sessions.by.lac.peer", "Calls from the downstream LAC peer now (tunnel switching)", calls, "peer", peer);
    }

    public void dae(Enum<?> result) {
        counter("lacd.dae.requests", "Disconnect/CoA requests by result", "result", label(result)).increment();
    }

    public void spoolRecords(long n) {
        spoolRecords.set(n);
    }

    // ---- packets ----

    /** lacd_drops_total{protocol,reason}. */
    public void drop(Protocol protocol, Enum<?> reason) {
        counter("lacd.drops", "Packets dropped, by protocol and reason", "protocol", label(protocol), "reason", label(reason))
                .increment();
    }

    /**
     * The packet and byte counters of one (protocol, direction, interface): fetch once, count per packet.
     * lacd_packets_total and lacd_bytes_total{protocol,direction,interface} are the sums over the workers' own
     * counters, made at scrape time; lacd_worker_packets_total{...,worker} shows each worker.
     */
    public Traffic traffic(Protocol protocol, Direction direction, String iface) {
        return traffic.computeIfAbsent(label(protocol) + "/" + label(direction) + "/" + iface, k -> {
            Traffic t = new Traffic(registry, label(protocol), label(direction), iface);
            FunctionCounter.builder("lacd.packets", t, Traffic::packets).description("Packets by protocol, direction and interface")
                    .tags("protocol", label(protocol), "direction", label(direction), "interface", iface).register(registry);
            FunctionCounter.builder("lacd.bytes", t, Traffic::bytes).baseUnit("bytes").description("Bytes by protocol, direction and interface")
                    .tags("protocol", label(protocol), "direction", label(direction), "interface", iface).register(registry);
            return t;
        });
    }

    /** Packets counted on one worker so far (0 when none), for the management view. */
    public long workerPackets(Protocol protocol, Direction direction, String iface, int worker) {
        Traffic t = traffic.get(label(protocol) + "/" + label(direction) + "/" + iface);
        LacdMetrics.Traffic.Cell c = t == null || worker >= t.cells.length() ? null : t.cells.get(worker);
        return c == null ? 0 : c.packets.get();
    }

    /**
     * lacd_pppoe_capture_drops_total{interface}: frames the kernel dropped because lacd's receive ring on that
     * interface was full, over all of its workers, read from {@code drops} at scrape time. A later call for the same
     * interface (the port was reopened) replaces the source.
     */
    public void captureDrops(String iface, java.util.function.LongSupplier drops) {
        scraped("lacd.pppoe.capture.drops", "Frames dropped by the kernel because the receive ring was full (lacd fell behind)",
                drops, "interface", iface);
    }

    /**
     * lacd_pppoe_padi_ring_drops_total{interface}: PADIs the kernel dropped because the interface's PADI ring was full
     * (a reconnect storm shed before lacd read it; the subscriber sends the PADI again), read from {@code drops} at
     * scrape time; 0 on a port without a PADI ring (pcap).
     */
    public void padiRingDrops(String iface, java.util.function.LongSupplier drops) {
        scraped("lacd.pppoe.padi.ring.drops", "PADIs dropped by the kernel because the PADI ring was full (a storm shed early)",
                drops, "interface", iface);
    }

    /**
     * lacd_l2tp_socket_drops_total{worker}: datagrams the kernel dropped at a worker's L2TP sockets because the receive
     * buffer ({@code l2tp.receive-buffer-mib}) was full, read from {@code drops} at scrape time.
     */
    public void l2tpSocketDrops(int worker, java.util.function.LongSupplier drops) {
        scraped("lacd.l2tp.socket.drops", "Datagrams dropped by the kernel because an L2TP socket's receive buffer was full",
                drops, "worker", Integer.toString(worker));
    }

    /** lacd_worker_capture_drops_total{interface,worker}: {@link #captureDrops(String, java.util.function.LongSupplier)} of one worker. */
    public void captureDrops(String iface, int worker, java.util.function.LongSupplier drops) {
        scraped("lacd.worker.capture.drops", "Frames dropped by the kernel because a forwarding worker's receive ring was full",
                drops, "interface", iface, "worker", Integer.toString(worker));
    }

    /**
     * lacd_worker_ring_peak_ratio{interface,worker}: the most frames found waiting at once in a forwarding worker's
     * receive ring since lacd started, over the ring's slots (1: it was full and the kernel dropped). Above about 0.5 in
     * bursts (a mass hang-up), {@code interfaces[].ring-mib} is worth raising.
     */
    public void ringPeak(String iface, int worker, java.util.function.DoubleSupplier ratio) {
        gauge("lacd.worker.ring.peak.ratio", "Most frames waiting at once in the worker's receive ring since start, over its slots",
                ratio, "interface", iface, "worker", Integer.toString(worker));
    }

    /**
     * lacd_pppoe_send_drops_total{interface}: frames to subscribers that the port queued for a batched send and the
     * kernel refused (send buffer full, interface down), read from {@code drops} at scrape time.
     */
    public void sendDrops(String iface, java.util.function.LongSupplier drops) {
        scraped("lacd.pppoe.send.drops", "Frames to subscribers the kernel refused in a batched send (send buffer full)",
                drops, "interface", iface);
    }

    /** lacd_pppoe_pado_delayed_total: PADOs sent after their {@code pppoe.pado-delay} instead of at once. */
    public void padoDelayed() {
        counter("lacd.pppoe.pado.delayed", "PADOs held back by pppoe.pado-delay before they were sent").increment();
    }

    /**
     * lacd_pppoe_pado_delay_seconds{interface}: the PADO delay a PADI (any service) on the interface gets now, by its
     * session count; -1 when it gets no PADO at all (above the last threshold). Read from {@code delay} at scrape time.
     */
    public void padoDelay(String iface, java.util.function.DoubleSupplier delay) {
        gauge("lacd.pppoe.pado.delay.seconds", "PADO delay on the interface now (-1: no PADO sent)", delay, "interface", iface);
    }

    /** lacd_pppoe_pados_pending: delayed PADOs waiting for their time (bounded by pppoe.pado-delay-max-pending). */
    public void padosPending(java.util.function.DoubleSupplier pending) {
        gauge("lacd.pppoe.pados.pending", "Delayed PADOs waiting for their time", pending);
    }

    /**
     * lacd_pppoe_setups_in_flight: PPPoE sessions opened and not yet forwarding (bounded by
     * pppoe.limits.setups-in-flight; PADIs above it are shed as lacd_drops_total{protocol="pppoe",reason="setup_pacing"}),
     * lacd_pppoe_work_queued: frames waiting for the PPPoE server thread (bounded by pppoe.limits.discovery-queue), and
     * lacd_pppoe_padis_held: PADIs waiting for a setup place (pppoe.limits.padi-hold; at most setups-in-flight of them).
     */
    public void pppoeSetupLoad(java.util.function.DoubleSupplier inFlight, java.util.function.DoubleSupplier queued,
                               java.util.function.DoubleSupplier held) {
        gauge("lacd.pppoe.setups.in.flight", "PPPoE sessions opened and not yet forwarding", inFlight);
        gauge("lacd.pppoe.work.queued", "Frames waiting for the PPPoE server thread", queued);
        gauge("lacd.pppoe.padis.held", "PADIs waiting for a setup place (pppoe.limits.padi-hold)", held);
    }

    /** A counter read from {@code source} at scrape time; a later call with the same name and tags replaces the source. */
    private void scraped(String name, String description, java.util.function.LongSupplier source, String... tags) {
        scraped.computeIfAbsent(name + "\u0000" + String.join("\u0000", tags), k -> {
            var ref = new java.util.concurrent.atomic.AtomicReference<java.util.function.LongSupplier>(source);
            FunctionCounter.builder(name, ref, r -> r.get().getAsLong()).description(description).tags(tags).register(registry);
            return ref;
        }).set(source);
    }

    /**
     * Packet and byte counters of one direction of one interface, one pair per forwarding worker. A worker's pair is
     * written by few threads (mostly that worker's own), so the atomics are uncontended; the totals are summed when
     * scraped.
     */
    public static final class Traffic {
        private final MeterRegistry registry;
        private final String protocol;
        private final String direction;
        private final String iface;
        /** Per worker, made on first use; index = worker. */
        private final java.util.concurrent.atomic.AtomicReferenceArray<Cell> cells =
                new java.util.concurrent.atomic.AtomicReferenceArray<>(org.lacd.l2tp.L2tpEngine.MAX_WORKERS);

        /** One worker's counters. */
        static final class Cell {
            final AtomicLong packets = new AtomicLong();
            final AtomicLong bytes = new AtomicLong();
        }

        Traffic(MeterRegistry registry, String protocol, String direction, String iface) {
            this.registry = registry;
            this.protocol = protocol;
            this.direction = direction;
            this.iface = iface;
        }

        /** A packet of {@code length} bytes on worker 0. */
        public void count(int length) {
            count(0, length);
        }

        /** A packet of {@code length} bytes on {@code worker}. */
        public void count(int worker, int length) {
            Cell c = cells.get(worker);
            if (c == null) {
                c = cell(worker);
            }
            c.packets.incrementAndGet();
            c.bytes.addAndGet(length);
        }

        private Cell cell(int worker) {
            Cell fresh = new Cell();
            if (!cells.compareAndSet(worker, null, fresh)) {
                return cells.get(worker);
            }
            // lacd_worker_packets_total{protocol,direction,interface,worker}
            FunctionCounter.builder("lacd.worker.packets", fresh, c -> c.packets.get())
                    .description("Packets by protocol, direction, interface and forwarding worker")
                    .tags("protocol", protocol, "direction", direction, "interface", iface, "worker", Integer.toString(worker))
                    .register(registry);
            return fresh;
        }

        double packets() {
            return sum(c -> c.packets);
        }

        double bytes() {
            return sum(c -> c.bytes);
        }

        /** One counter of every worker's cell, added up (at scrape time). */
        private double sum(java.util.function.Function<Cell, AtomicLong> counter) {
            long n = 0;
            for (int i = 0; i < cells.length(); i++) {
                Cell c = cells.get(i);
                n += c == null ? 0 : counter.apply(c).get();
            }
            return n;
        }
    }

    // ---- daemon ----

    /** lacd_config_reloads_total{result}. */
    public void configReload(boolean ok) {
        counter("lacd.config.reloads", "SIGHUP reloads by result", "result", ok ? "success" : "failure").increment();
    }

    // ---- the management view (lacd stats) ----

    /**
     * The counters an operator asks {@code lacd stats} for, read from the registry (so they cannot disagree with a
     * scrape): drops by protocol and reason, setups by result, failures by reason, teardowns by cause, RADIUS health
     * per server and L2TP health. Only counters that were touched appear under a reason; the totals always do.
     */
    public Map<String, Object> summary() {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        Map<String, Object> drops = new java.util.LinkedHashMap<>();
        drops.put("total", (long) sum("lacd.drops"));
        for (Protocol p : Protocol.values()) {
            Map<String, Long> byReason = byTag("lacd.drops", "reason", "protocol", label(p));
            if (!byReason.isEmpty()) {
                drops.put(label(p), byReason);
            }
        }
        out.put("drops", drops);

        Map<String, Object> setups = new java.util.LinkedHashMap<>();
        setups.put("success", (long) count("lacd.session.setups", "result", "success"));
        setups.put("failure", (long) count("lacd.session.setups", "result", "failure"));
        setups.put("failuresByReason", byTag("lacd.session.failures", "reason"));
        setups.put("timeoutsBeforeUser", byTag("lacd.session.setup.timeouts", "kind"));
        setups.put("latencySeconds", latency(setupLatency));
        out.put("setups", setups);
        out.put("teardownsByCause", byTag("lacd.session.teardowns", "cause"));

        Map<String, Object> radius = new java.util.LinkedHashMap<>();
        java.util.TreeSet<String> servers = new java.util.TreeSet<>(serverUp.keySet());
        registry.find("lacd.radius.requests").counters().forEach(c -> servers.add(c.getId().getTag("server")));
        for (String server : servers) {
            Map<String, Object> sv = new java.util.LinkedHashMap<>();
            AtomicLong up = serverUp.get(server);
            sv.put("state", up == null || up.get() == 1 ? "up" : "held-down");
            Map<String, Long> results = new java.util.TreeMap<>();
            registry.find("lacd.radius.requests").tag("server", server).counters().forEach(c -> results.merge(
                    c.getId().getTag("type") + "/" + c.getId().getTag("result"), (long) c.count(), Long::sum));
            sv.put("requests", results);
            sv.put("timeouts", (long) count("lacd.radius.timeouts", "server", server));
            Timer t = timers.get(server);
            if (t != null) {
                sv.put("latencySeconds", latency(t));
            }
            radius.put(server, sv);
        }
        radius.put("accountingSpoolRecords", spoolRecords.get());
        radius.put("dae", byTag("lacd.dae.requests", "result"));
        out.put("radius", radius);

        Map<String, Object> l2tp = new java.util.LinkedHashMap<>();
        Map<String, Long> tunnelStates = new java.util.LinkedHashMap<>();
        tunnels.forEach((state, n) -> tunnelStates.put(label(state), n.get()));
        l2tp.put("tunnelsByState", tunnelStates);
        l2tp.put("controlRetransmits", (long) retransmits.count());
        l2tp.put("helloTimeouts", (long) helloTimeouts.count());
        l2tp.put("lnsLockouts", byTag("lacd.lns.lockouts", "lns"));
        out.put("l2tp", l2tp);
        return out;
    }

    private double sum(String name) {
        return registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }

    /** Counter values of {@code name} keyed by the value of {@code tag}, restricted to the given tag pairs. */
    private Map<String, Long> byTag(String name, String tag, String... where) {
        Map<String, Long> out = new java.util.TreeMap<>();
        registry.find(name).tags(where).counters().forEach(c -> {
            if (c.count() > 0) {
                out.merge(c.getId().getTag(tag), (long) c.count(), Long::sum);
            }
        });
        return out;
    }

    private static Map<String, Object> latency(Timer t) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("count", t.count());
        out.put("mean", Math.round(t.mean(java.util.concurrent.TimeUnit.MILLISECONDS)) / 1000.0);
        out.put("recentMax", Math.round(t.max(java.util.concurrent.TimeUnit.MILLISECONDS)) / 1000.0);
        return out;
    }

    /** For tests and the management view: a counter's value, or 0 when it was never touched. */
    public double count(String name, String... tags) {
        Counter c = counters.get(new CounterKey(name, tags));
        return c == null ? 0 : c.count();
    }
}
