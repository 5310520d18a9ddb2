package org.lacd.daemon.session;

import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.lacd.daemon.Component;
import org.lacd.daemon.config.LacdConfig;
import org.lacd.daemon.config.LacdConfig.AuthProtocol;
import org.lacd.daemon.config.LacdConfig.RadiusServer;
import org.lacd.daemon.config.LacdConfig.RealmRule;
import org.lacd.daemon.ipsec.IpsecManager;
import org.lacd.daemon.ipsec.IpsecOutcome;
import org.lacd.daemon.metrics.EngineStats;
import org.lacd.daemon.metrics.LacdMetrics;
import org.lacd.daemon.steering.LnsSelector;
import org.lacd.l2tp.L2tpEngine;
import org.lacd.l2tp.L2tpSettings;
import org.lacd.pppoe.AuthType;
import org.lacd.pppoe.PppoeServer;
import org.lacd.pppoe.PppoeSettings;
import org.lacd.pppoe.discovery.PadoDelay;
import org.lacd.pppoe.discovery.PadoDelayPolicy;
import org.lacd.pppoe.port.EthernetPort;
import org.lacd.pppoe.port.PortKind;
import org.lacd.pppoe.port.Ports;
import org.lacd.radius.AaaService;
import org.lacd.radius.AccountingService;
import org.lacd.radius.RadiusSettings;
import org.lacd.radius.RealmRules;
import org.lacd.radius.dae.DisconnectHandler;
import org.lacd.radius.dae.DynamicAuthServer;
import org.lacd.radius.dae.SessionCriteria;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LAC itself: builds the L2TP engine, the RADIUS clients, the session manager and the PPPoE server from the
 * config, and hands them to the daemon as components in start order (L2TP, RADIUS, sessions + PPPoE), so they
 * stop in reverse: subscribers are torn down (CDN, PADT, accounting Stop) before RADIUS and L2TP go away.
 */
public final class LacService {
    private static final Logger LOG = LoggerFactory.getLogger(LacService.class);
    /** How long an old RADIUS client lives on after a reload, so answers to its requests still arrive. */
    static final Duration RADIUS_HANDOVER = Duration.ofSeconds(30);

    private volatile LacdConfig config;
    private final LacdMetrics metrics;
    private final Function<String, EthernetPort> ports;
    private final Clock clock;
    private final LnsSelector selector;
    private final L2tpEngine engine;
    private volatile AaaService aaa;
    private volatile AccountingService accounting;
    private volatile RealmRules rules;
    private final EventExecutorGroup loops;
    private final SessionManager sessions;
    private volatile PppoeServer pppoe;
    /** Readiness for /health: the L2TP socket is bound, every subscriber interface is open. */
    private volatile boolean l2tpOpen;
    private volatile boolean interfacesOpen;
    private final ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lac-housekeeping");
        t.setDaemon(true);
        return t;
    });

    /** @param ports makes the Ethernet port of an interface name: {@link #openPort} in production, in-memory in tests */
    public LacService(LacdConfig config, LacdMetrics metrics, Function<String, EthernetPort> ports, Clock clock) {
        this.config = config;
        this.metrics = metrics;
        this.ports = ports;
        this.clock = clock;
        this.selector = new LnsSelector(config.steering().lockout(), config.steering().spread(), clock, new SplittableRandom(),
                new LnsSelector.Listener() {
                    @Override
                    public void lockedOut(String key, Duration d) {
                        LOG.warn("LNS {} locked out for {} s", key, d.toSeconds());
                        registerLns(key);
                        metrics.lnsLockout(key);
                    }

                    @Override
                    public void usable(String key) {
                        LOG.info("LNS {} usable again", key);
                    }
                });
        for (LacdConfig.LnsProfile p : config.l2tp().lns()) {
            registerLns(p.name());
        }
        this.engine = new L2tpEngine(l2tpSettings(config), EngineStats.l2tp(metrics), config.maxWorkers());
        engine.udpGso(config.l2tp().udpGso());
        engine.udpGsoOff(ipsecPeers(config));
        engine.udpGro(config.l2tp().udpGro());
        engine.receiveBuffer(config.l2tp().receiveBufferMib() << 20);
        // downstream frames queued during a read of the L2TP socket leave with one send per port at its end
        engine.onReadBatchEnd(() -> {
            PppoeServer p = pppoe;
            if (p != null) {
                p.flushQueued();
            }
        });
        this.rules = realmRules(config);
        this.loops = new DefaultEventExecutorGroup(Math.max(2, Runtime.getRuntime().availableProcessors()));
        Steering steering = new Steering(() -> this.config, () -> aaa, () -> rules);
        this.sessions = new SessionManager(() -> this.config, metrics, selector, engine, steering, () -> accounting, loops, clock);
        // L2TP/IPsec: strongSwan's charon over VICI, only when some LNS requires it (lacd never talks to charon otherwise)
        this.ipsec = new IpsecManager(config.l2tp().ipsecVici(), (conn, child, why) -> sessions.ipsecLost(conn, child));
        sessions.useIpsec(ipsec);
        for (LacdConfig.LnsProfile p : config.l2tp().lns()) {
            registerLns(p.name());
        }
        // tunnel switching: downstream LACs' calls become sessions like PPPoE subscribers'
        engine.acceptIncomingCalls(lacPeers(config), sessions.incomingCalls());
        registerLacPeers(config);
    }

    /** lacd_sessions_by_lac_peer{peer} for each configured downstream LAC peer (once per name). */
    private void registerLacPeers(LacdConfig c) {
        for (LacdConfig.LacPeer p : c.l2tp().lacPeers()) {
            String name = p.name();
            metrics.lacPeerSessions(name, () -> engine.incomingCalls(name));
        }
    }

    /** {@code l2tp.lac-peers} as the engine takes them; empty: SCCRQs stay unanswered (no tunnel switching). */
    static List<org.lacd.l2tp.LacPeer> lacPeers(LacdConfig c) {
        return c.l2tp().lacPeers().stream().map(LacdConfig.LacPeer::toEngine).toList();
    }

    private final IpsecManager ipsec;

    /** lacd_lns_ipsec_up and the IPsec counters at 0 for an LNS whose profile requires IPsec. */
    private void registerIpsec(String key) {
        metrics.lnsIpsecDeclare(key, java.util.Arrays.stream(IpsecOutcome.values()).filter(o -> o != IpsecOutcome.UP)
                .map(IpsecOutcome::label).toList());
        metrics.lnsIpsecUp(key, () -> this.config.l2tp().profile(key).map(LacdConfig.LnsProfile::ipsec)
                .filter(LacdConfig.Ipsec::required).map(i -> ipsec.isUp(i) ? 1 : 0).orElse(0));
    }

    /** The IPsec side (state for {@code lacd lns}). */
    public IpsecManager ipsec() {
        return ipsec;
    }

    /** lacd_lns_up for one LNS: usable unless locked out, drained by an operator, or drained in the config. */
    private void registerLns(String key) {
        if (ipsec != null && config.l2tp().profile(key).map(p -> p.ipsec().required()).orElse(false)) {
            registerIpsec(key);
            if (!ipsec.watching()) {
                ipsec.start(); // idempotent: watch charon's SA events from the first profile that requires IPsec
            }
        }
        metrics.lns(key, () -> selector.lockoutRemaining(key).isPresent() || selector.state(key).drain()
                || this.config.l2tp().profile(key).map(LacdConfig.LnsProfile::drain).orElse(false) ? 0 : 1);
    }

    public LacService(LacdConfig config, LacdMetrics metrics) {
        this(config, metrics, name -> openPort(config, name), Clock.systemUTC());
    }

    /**
     * The production port of a configured interface: its {@code io} and {@code workers} (the AF_PACKET ring with that
     * many workers, or pcap with one, said in one log line by {@link Ports#open}).
     */
    public static EthernetPort openPort(LacdConfig config, String name) {
        LacdConfig.SubscriberInterface i = config.interfaces().stream().filter(x -> x.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no interface " + name + " in the config"));
        PortKind kind = switch (i.io()) {
            case AUTO -> PortKind.AUTO;
            case RING -> PortKind.RING;
            case PCAP -> PortKind.PCAP;
        };
        return Ports.open(name, config.pppoe().maxPayload(), i.workers(), kind, i.txRing(), i.ringMib() << 20);
    }

    public SessionManager sessions() {
        return sessions;
    }

    public LnsSelector selector() {
        return selector;
    }

    public L2tpEngine engine() {
        return engine;
    }

    /**
     * The data plane for {@code lacd stats}: per subscriber interface its port (kind and why) and, per forwarding
     * worker, the data frames received from and sent to subscribers and the frames its receive ring dropped; and the
     * L2TP engine's worker sockets with the data they received and sent.
     */
    /** The daemon's meters (for {@code lacd stats}). */
    public LacdMetrics metrics() {
        return metrics;
    }

    public Map<String, Object> dataPlane() {
        Map<String, Object> out = new LinkedHashMap<>();
        PppoeServer p = pppoe;
        List<Object> ifaces = new ArrayList<>();
        if (p != null) {
            for (EthernetPort port : p.ports()) {
                Map<String, Object> i = new LinkedHashMap<>();
                i.put("interface", port.name());
                i.put("port", port.description());
                int idx = p.ports().indexOf(port);
                long delay = p.currentPadoDelayNanos(idx);
                i.put("padoDelayMs", delay == PadoDelay.SUPPRESS ? "no PADO (above the last pado-delay threshold)" : (Object) (delay / 1_000_000));
                List<Object> ws = new ArrayList<>();
                for (int w = 0; w < port.workers(); w++) {
                    Map<String, Object> wv = new LinkedHashMap<>();
                    wv.put("worker", w);
                    wv.put("rxPackets", metrics.workerPackets(LacdMetrics.Protocol.PPPOE, LacdMetrics.Direction.RX, port.name(), w));
                    wv.put("txPackets", metrics.workerPackets(LacdMetrics.Protocol.PPPOE, LacdMetrics.Direction.TX, port.name(), w));
                    wv.put("captureDrops", port.captureDrops(w));
                    if (port.ringSlots() > 0) {
                        wv.put("ringPeakWaiting", port.ringPeakWaiting(w));
                    }
                    ws.add(wv);
                }
                if (port.ringSlots() > 0) {
                    i.put("ringSlots", port.ringSlots());
                }
                i.put("workers", ws);
                i.put("padiRingDrops", port.padiRingDrops());
                ifaces.add(i);
            }
        }
        out.put("interfaces", ifaces);
        if (p != null) {
            out.put("padosWaiting", p.pendingPados());
        }
        List<Object> sockets = new ArrayList<>();
        for (int w = 0; w < engine.workers(); w++) {
            Map<String, Object> wv = new LinkedHashMap<>();
            wv.put("worker", w);
            wv.put("rxPackets", metrics.workerPackets(LacdMetrics.Protocol.L2TP, LacdMetrics.Direction.RX, "udp", w));
            wv.put("txPackets", metrics.workerPackets(LacdMetrics.Protocol.L2TP, LacdMetrics.Direction.TX, "udp", w));
            wv.put("socketDrops", engine.socketDrops(w));
            sockets.add(wv);
        }
        out.put("l2tpWorkers", sockets);
        return out;
    }

    public LacdConfig config() {
        return config;
    }

    /**
     * Why lacd cannot serve subscribers yet, for {@code /health}: null once the L2TP socket and every subscriber
     * interface are open. Until then a PADI would go unanswered, so a load balancer or an orchestrator must not count
     * this box as up (issue 14: /health said up 0.3 to 1.3 s before the PPPoE ports were open).
     */
    public String notReady() {
        List<String> missing = new ArrayList<>(2);
        if (!l2tpOpen) {
            missing.add("L2TP socket not open");
        }
        if (!interfacesOpen) {
            missing.add("interfaces not open: " + String.join(", ", config.interfaces().stream()
                    .map(LacdConfig.SubscriberInterface::name).toList()));
        }
        return missing.isEmpty() ? null : String.join("; ", missing);
    }

    /** The components in start order. */
    public List<Component> components() {
        List<Component> out = new ArrayList<>();
        out.add(new Component() {
            @Override
            public String name() {
                return "L2TP engine (UDP " + config.l2tp().sourcePort() + ")";
            }

            @Override
            public void start() throws Exception {
                engine.start();
                for (int w = 0; w < engine.workers(); w++) {
                    int worker = w;
                    metrics.l2tpSocketDrops(worker, () -> engine.socketDrops(worker));
                }
                l2tpOpen = true;
            }

            @Override
            public void stop(Duration budget) {
                l2tpOpen = false;
                engine.shutdown(budget);
                ipsec.close();
                loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
        });
        if (config.radius().enabled()) {
            out.add(new Component() {
                @Override
                public String name() {
                    return "RADIUS client (" + config.radius().authServers().size() + " auth, "
                            + (config.radius().accounting().enabled() ? config.radius().acctServers().size() : 0) + " accounting server(s))";
                }

                @Override
                public void start() throws Exception {
                    RadiusSettings rs = radiusSettings(config);
                    AaaService a = new AaaService(rs, EngineStats.radius(metrics));
                    a.start();
                    aaa = a;
                    if (config.radius().accounting().enabled()) {
                        AccountingService acct = new AccountingService(rs, EngineStats.radius(metrics));
                        acct.start();
                        accounting = acct;
                    }
                }

                @Override
                public void stop(Duration budget) {
                    if (accounting != null) {
                        accounting.stop();
                    }
                    if (aaa != null) {
                        aaa.stop();
                    }
                    housekeeping.shutdownNow();
                }
            });
        }
        out.add(new Component() {
            @Override
            public String name() {
                return "PPPoE server on " + String.join(", ", config.interfaces().stream().map(LacdConfig.SubscriberInterface::name).toList());
            }

            @Override
            public void start() {
                List<EthernetPort> ps = new ArrayList<>();
                for (LacdConfig.SubscriberInterface i : config.interfaces()) {
                    EthernetPort port = ports.apply(i.name());
                    metrics.captureDrops(port.name(), port::captureDrops);
                    metrics.padiRingDrops(port.name(), port::padiRingDrops);
                    metrics.sendDrops(port.name(), port::queuedSendFailures);
                    for (int w = 0; w < port.workers(); w++) {
                        int worker = w;
                        metrics.captureDrops(port.name(), worker, () -> port.captureDrops(worker));
                        if (port.ringSlots() > 0) {
                            metrics.ringPeak(port.name(), worker, () -> port.ringPeakWaiting(worker) / (double) port.ringSlots());
                        }
                    }
                    ps.add(port);
                }
                pppoe = new PppoeServer(pppoeSettings(config), ps, sessions, EngineStats.pppoe(metrics));
                PppoeServer server = pppoe;
                for (int i = 0; i < ps.size(); i++) {
                    int idx = i;
                    metrics.padoDelay(ps.get(i).name(), () -> padoDelaySeconds(server.currentPadoDelayNanos(idx)));
                }
                metrics.padosPending(server::pendingPados);
                metrics.pppoeSetupLoad(server::setupsInFlight, server::queuedWork, server::heldPadis);
                // upstream data queued during a libpcap batch leaves with one sendmmsg at its end
                pppoe.onReceiveBatchEnd(engine::sendQueuedData);
                pppoe.start(); // returns once every port is open (or throws)
                interfacesOpen = true;
            }

            @Override
            public void stop(Duration budget) {
                interfacesOpen = false;
                Duration half = budget.dividedBy(2);
                sessions.stop(half);
                if (pppoe != null) {
                    pppoe.stop(half);
                }
            }

            @Override
            public void reconfigure(LacdConfig next) {
                apply(next);
            }
        });
        if (config.radius().enabled() && config.radius().dynamicAuthorization().enabled()) {
            out.add(new Component() {
                private DynamicAuthServer<Session> das;

                @Override
                public String name() {
                    return "RADIUS Disconnect/CoA listener (" + config.radius().dynamicAuthorization().listen() + ")";
                }

                @Override
                public void start() throws Exception {
                    das = new DynamicAuthServer<>(radiusSettings(config), new DisconnectHandler<>() {
                        @Override
                        public List<Session> find(SessionCriteria c) {
                            return sessions.find(c, radiusSettings(config));
                        }

                        @Override
                        public boolean disconnect(Session s, org.lacd.radius.TerminateCause cause) {
                            s.teardown(TeardownCause.RADIUS_DISCONNECT);
                            return true;
                        }
                    }, EngineStats.radius(metrics));
                    das.start();
                }

                @Override
                public void stop(Duration budget) {
                    if (das != null) {
                        das.stop();
                    }
                }
            });
        }
        return out;
    }

    /** SIGHUP: new LNS profiles, realm rules, RADIUS servers and limits; established sessions stay. */
    void apply(LacdConfig next) {
        LacdConfig old = config;
        config = next;
        rules = realmRules(next);
        selector.reconfigure(next.steering().lockout(), next.steering().spread());
        engine.udpGso(next.l2tp().udpGso());
        engine.udpGsoOff(ipsecPeers(next));
        // a peer taken out gets no new tunnel; its tunnels and calls stay (as established sessions do)
        engine.acceptIncomingCalls(lacPeers(next), sessions.incomingCalls());
        registerLacPeers(next);
        for (LacdConfig.LnsProfile p : next.l2tp().lns()) {
            registerLns(p.name());
        }
        if (!old.radius().equals(next.radius()) && old.radius().enabled() && next.radius().enabled()) {
            try {
                RadiusSettings rs = radiusSettings(next);
                AaaService a = new AaaService(rs, EngineStats.radius(metrics));
                a.start();
                AaaService previous = aaa;
                aaa = a;
                if (previous != null) {
                    housekeeping.schedule(previous::stop, RADIUS_HANDOVER.toMillis(), TimeUnit.MILLISECONDS);
                }
                LOG.info("reload: RADIUS authentication servers replaced");
            } catch (Exception e) {
                LOG.error("reload: new RADIUS settings could not be applied, keeping the old servers: {}", e.toString());
            }
        }
        PppoeServer server = pppoe;
        if (server != null && !padoDelayPolicy(old).equals(padoDelayPolicy(next))) {
            server.padoDelay(padoDelayPolicy(next));
            LOG.info("reload: PADO delay applied to new PADIs");
        }
        if (!old.interfaces().stream().map(LacdConfig.SubscriberInterface::withoutPadoDelay).toList()
                .equals(next.interfaces().stream().map(LacdConfig.SubscriberInterface::withoutPadoDelay).toList())
                || !old.pppoe().withoutPadoDelay().equals(next.pppoe().withoutPadoDelay()) || !old.ppp().equals(next.ppp())
                || old.l2tp().sourcePort() != next.l2tp().sourcePort() || !old.l2tp().bindAddress().equals(next.l2tp().bindAddress())
                || !old.l2tp().ipsecVici().equals(next.l2tp().ipsecVici())
                || old.l2tp().udpGro() != next.l2tp().udpGro()
                || old.l2tp().receiveBufferMib() != next.l2tp().receiveBufferMib()
                || old.radius().enabled() != next.radius().enabled()
                || !old.radius().accounting().equals(next.radius().accounting())) {
            LOG.warn("reload: interfaces, pppoe (but pado-delay), ppp, l2tp socket (bind, port, udp-gro, receive-buffer-mib), l2tp.ipsec-vici, radius.enabled and accounting changes take effect at the next restart");
        }
    }

    // ---- config -> engine settings ----

    /** The LNSs behind IPsec: their data goes datagram by datagram (see {@link L2tpEngine#udpGsoOff}). */
    private static java.util.Set<java.net.InetAddress> ipsecPeers(LacdConfig c) {
        return c.l2tp().lns().stream().filter(p -> p.ipsec().required()).map(LacdConfig.LnsProfile::address)
                .collect(java.util.stream.Collectors.toSet());
    }

    static L2tpSettings l2tpSettings(LacdConfig c) {
        LacdConfig.L2tp l = c.l2tp();
        return new L2tpSettings(l.sourcePort(), l.bindAddress().isAnyLocalAddress() ? null : l.bindAddress(), l.hostname(),
                l.helloInterval(), l.retransmitInitial(), l.retransmitCap(), l.maxRetransmits(), Duration.ofMillis(100),
                l.receiveWindow(), l.tunnelLinger(), Duration.ofSeconds(5), l.setupTimeout(), l.sessionsPerTunnel(),
                l.callsInSetupPerTunnel(), l.connectSpeed(),
                Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())), true);
    }

    static PppoeSettings pppoeSettings(LacdConfig c) {
        LacdConfig.Pppoe p = c.pppoe();
        LacdConfig.PppoeLimits l = p.limits();
        List<AuthType> auth = c.ppp().authProtocols().stream().map(a -> a == AuthProtocol.CHAP_MD5 ? AuthType.CHAP_MD5 : AuthType.PAP).toList();
        int perInterface = c.interfaces().stream().mapToInt(LacdConfig.SubscriberInterface::maxSessions).max().orElse(32000);
        // The decision bound covers RADIUS with its retries and every LNS attempt; the session object has its own timers.
        Duration decision = c.radius().timeout().multipliedBy((c.radius().retries() + 1L) * Math.max(1, c.radius().authServers().size()))
                .plus(c.l2tp().setupTimeout().multipliedBy(Math.max(1, Math.min(8, c.l2tp().lns().size())))).plusSeconds(5);
        return PppoeSettings.builder()
                .acName(p.acName())
                .serviceNames(p.serviceNames())
                .unknownService(p.unknownService() == LacdConfig.UnknownService.ERROR
                        ? PppoeSettings.UnknownServicePolicy.SERVICE_NAME_ERROR : PppoeSettings.UnknownServicePolicy.SILENT)
                .maxPayload(p.maxPayload())
                .authPreference(auth)
                .cookieRotation(p.cookieRotation())
                .maxSessionsPerMac(l.sessionsPerMac())
                .maxSessionsPerVlan(l.sessionsPerVlan() == 0 ? PppoeSettings.MAX_SESSION_ID_COUNT : l.sessionsPerVlan())
                .maxSessionsPerInterface(perInterface)
                .padiPerMac(new PppoeSettings.Rate(l.padiPerMacPerSecond(), l.padiPerMacPerSecond()))
                .padiTotal(new PppoeSettings.Rate(l.padiPerSecond(), l.padiPerSecond()))
                .padrPerMac(new PppoeSettings.Rate(l.padrPerMacPerSecond(), l.padrPerMacPerSecond()))
                .padrTotal(new PppoeSettings.Rate(l.padrPerSecond(), l.padrPerSecond()))
                .lcpRestart(c.ppp().lcpRestart())
                .lcpMaxConfigure(c.ppp().lcpMaxConfigure())
                .lcpMaxFailure(c.ppp().lcpMaxFailure())
                .authTimeout(c.ppp().authTimeout())
                .discoveryTimeout(p.discoveryTimeout())
                .decisionTimeout(decision)
                .padoDelay(padoDelayPolicy(c))
                .discoveryQueueLimit(l.discoveryQueue())
                .maxSetupsInFlight(l.setupsInFlight())
                .padiHold(l.padiHold())
                .build();
    }

    /** The PADO delay of the config: {@code pppoe.pado-delay*} and each interface's own {@code pado-delay}. */
    static PadoDelayPolicy padoDelayPolicy(LacdConfig c) {
        Map<String, PadoDelay> byInterface = new LinkedHashMap<>();
        for (LacdConfig.SubscriberInterface i : c.interfaces()) {
            i.padoDelay().ifPresent(d -> byInterface.put(i.name(), d));
        }
        LacdConfig.PadoDelays d = c.pppoe().padoDelay();
        return new PadoDelayPolicy(d.defaultDelay(), byInterface, d.byService(), d.maxPending());
    }

    /** lacd_pppoe_pado_delay_seconds: the delay, or -1 for no PADO. */
    static double padoDelaySeconds(long nanos) {
        return nanos == PadoDelay.SUPPRESS ? -1 : nanos / 1e9;
    }

    public static RadiusSettings radiusSettings(LacdConfig c) {
        LacdConfig.Radius r = c.radius();
        Optional<InetAddress> v4 = r.nasIpAddress().filter(a -> !(a instanceof Inet6Address));
        Optional<InetAddress> v6 = r.nasIpAddress().filter(a -> a instanceof Inet6Address);
        RadiusSettings.MacFormat mac = switch (r.callingStationIdFormat()) {
            case IETF -> RadiusSettings.MacFormat.DASH_UPPER;
            case COLON -> RadiusSettings.MacFormat.COLON_LOWER;
            case CISCO -> RadiusSettings.MacFormat.CISCO_DOTTED;
            case RAW -> RadiusSettings.MacFormat.BARE_LOWER;
        };
        LacdConfig.Accounting a = r.accounting();
        LacdConfig.DynamicAuthorization d = r.dynamicAuthorization();
        RadiusSettings.Dae dae = d.enabled()
                ? new RadiusSettings.Dae(d.listen().getAddress(), OptionalInt.of(d.listen().getPort()),
                        d.clients().stream().map(x -> new RadiusSettings.DaeClient(x.address(), x.secret())).toList(), false)
                : RadiusSettings.Dae.disabled();
        return new RadiusSettings(servers(r.authServers()), servers(r.acctServers()),
                r.strategy() == LacdConfig.ServerStrategy.FAILOVER ? RadiusSettings.Strategy.FAILOVER : RadiusSettings.Strategy.ROUND_ROBIN,
                r.timeout(), r.retries(), r.deadTime(), r.maxInFlight(), r.nasIdentifier(), v4, v6,
                // the config speaks of {outer-vlan}/{inner-vlan} everywhere; the RADIUS module's names are shorter
                r.nasPortIdFormat().replace("{outer-vlan}", "{outer}").replace("{inner-vlan}", "{inner}"), mac,
                RadiusSettings.NasPortType.VIRTUAL, r.authenticate(), r.nasIdentifier(),
                new RadiusSettings.Accounting(a.interimInterval(), a.spoolDir(), a.spoolMaxRecords(), Duration.ofSeconds(10),
                        a.tunnelRecords()),
                dae, RadiusSettings.ProbeMode.REQUEST);
    }

    private static List<RadiusSettings.Server> servers(List<RadiusServer> list) {
        return list.stream().map(s -> new RadiusSettings.Server(s.address().getHostAddress(), s.port(), s.secret(),
                RadiusSettings.MessageAuthenticatorMode.valueOf(s.messageAuthenticator().name()))).toList();
    }

    static RealmRules realmRules(LacdConfig c) {
        List<RealmRules.Rule> out = new ArrayList<>();
        for (RealmRule r : c.steering().rules()) {
            RealmRules.Match m = r.realm().<RealmRules.Match>map(RealmRules.Match.Realm::new)
                    .or(() -> r.userRegex().map(RealmRules.Match.UserRegex::new))
                    .orElseGet(() -> new RealmRules.Match.ServiceName(r.service().orElseThrow()));
            List<RealmRules.ProfileRef> refs = r.lns().stream().map(ref -> new RealmRules.ProfileRef(ref.name(), ref.preference(),
                    ref.weight() > 0 ? ref.weight() : c.l2tp().profile(ref.name()).map(LacdConfig.LnsProfile::weight).orElse(1))).toList();
            out.add(new RealmRules.Rule(m, refs));
        }
        return new RealmRules(out);
    }
}
