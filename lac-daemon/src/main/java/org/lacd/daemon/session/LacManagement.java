package org.lacd.daemon.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.lacd.daemon.config.LacdConfig;
import org.lacd.daemon.mgmt.ManagementBackend;
import org.lacd.daemon.mgmt.Views;
import org.lacd.daemon.steering.LnsSelector;
import org.lacd.l2tp.L2tpCall;
import org.lacd.l2tp.TunnelSnapshot;
import org.lacd.pppoe.wire.MacAddress;

/** The management API's view of the running LAC. */
public final class LacManagement implements ManagementBackend {
    private final LacService lac;
    private final BooleanSupplier reload;
    private final Tracer tracer;

    public LacManagement(LacService lac, BooleanSupplier reload, Tracer tracer) {
        this.lac = lac;
        this.reload = reload;
        this.tracer = tracer;
    }

    static Views.SessionView view(Session s) {
        Access sub = s.access;
        L2tpCall c = s.call();
        return new Views.SessionView(s.id, s.state().name().toLowerCase(Locale.ROOT), s.auth.username(), sub.macText(),
                sub.interfaceName(), sub.outerVlan(), sub.innerVlan(), sub.pppoeSessionId(), s.lns() == null ? null : s.lns().key(),
                c == null ? 0 : c.localTunnelId(), c == null ? 0 : c.localSessionId(),
                String.valueOf(s.upSince() != null ? s.upSince() : sub.createdAt()),
                s.bytesUp.get(), s.bytesDown.get(), s.packetsUp.get(), s.packetsDown.get());
    }

    @Override
    public List<Views.SessionView> sessions(Views.SessionFilter f) {
        Predicate<Session> p = s -> (f.user() == null || f.user().equals(s.auth.username()))
                && (f.mac() == null || sameMac(f.mac(), s.access.mac()))
                && (f.iface() == null || f.iface().equals(s.access.interfaceName()))
                && (f.vlan() == null || f.vlan() == s.access.outerVlan() || f.vlan() == s.access.innerVlan())
                && (f.lns() == null || (s.lns() != null && f.lns().equals(s.lns().key())))
                && (f.state() == null || f.state().equalsIgnoreCase(s.state().name()));
        return lac.sessions().sessions().stream().filter(p).sorted(Comparator.comparingLong(s -> s.id)).map(LacManagement::view).toList();
    }

    static boolean sameMac(String text, MacAddress mac) {
        try {
            return MacAddress.parse(text.replace('-', ':')).equals(mac);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public Optional<Views.SessionDetail> session(long id) {
        return lac.sessions().session(id).map(s -> {
            Access sub = s.access;
            Map<String, String> line = new LinkedHashMap<>();
            sub.lineInfo().circuitId().ifPresent(v -> line.put("circuitId", v));
            sub.lineInfo().remoteId().ifPresent(v -> line.put("remoteId", v));
            if (sub.lineInfo().actualRateDown() >= 0) {
                line.put("actualRateDownKbps", Long.toString(sub.lineInfo().actualRateDown()));
                line.put("actualRateUpKbps", Long.toString(sub.lineInfo().actualRateUp()));
            }
            Map<String, String> proxy = new LinkedHashMap<>();
            proxy.put("initialReceivedConfReq", SessionManager.hex(sub.initialReceivedConfReq()));
            proxy.put("lastSentConfReq", SessionManager.hex(sub.lastSentConfReq()));
            proxy.put("lastReceivedConfReq", SessionManager.hex(sub.lastReceivedConfReq()));
            proxy.put("authName", s.auth.username());
            proxy.put("authId", Integer.toString(s.auth.chapId()));
            List<Views.StateChange> timeline = new ArrayList<>();
            for (Session.Views.Change c : s.timeline()) {
                timeline.add(new Views.StateChange(c.state().name().toLowerCase(Locale.ROOT), c.at().toString()));
            }
            return new Views.SessionDetail(view(s), sub.serviceName(), s.acctSessionId, s.auth.type().name().toLowerCase(Locale.ROOT),
                    line, proxy, s.tried(), timeline);
        });
    }

    @Override
    public List<Views.TunnelView> tunnels() {
        List<Views.TunnelView> out = new ArrayList<>();
        for (TunnelSnapshot t : lac.engine().tunnels()) {
            out.add(new Views.TunnelView(t.profile(), t.peer().getAddress().getHostAddress() + ":" + t.peer().getPort(),
                    t.localTunnelId(), t.remoteTunnelId(), t.state().name().toLowerCase(Locale.ROOT), t.sessions(), t.retransmits(),
                    (System.nanoTime() - t.stateSinceNanos()) / 1_000_000_000L));
        }
        return out;
    }

    @Override
    public List<Views.LnsView> lns() {
        LnsSelector sel = lac.selector();
        Map<String, Views.LnsView> out = new LinkedHashMap<>();
        for (LacdConfig.LnsProfile p : lac.config().l2tp().lns()) {
            Views.LnsView v = lnsView(sel, p.name(), p.address().getHostAddress() + ":" + p.port(), p.maxSessions(), p.drain());
            if (p.ipsec().required()) {
                v = new Views.LnsView(v.name(), v.address(), v.state(), v.lockoutRemainingSeconds(), v.sessions(), v.maxSessions(),
                        v.drain(), lac.ipsec().isUp(p.ipsec()) ? "up" : "down");
            }
            out.put(p.name(), v);
        }
        for (Map.Entry<String, LnsSelector.LnsState> e : sel.states().entrySet()) {
            out.computeIfAbsent(e.getKey(), k -> lnsView(sel, k, k, 0, false));
        }
        return List.copyOf(out.values());
    }

    private static Views.LnsView lnsView(LnsSelector sel, String key, String address, int max, boolean configDrain) {
        LnsSelector.LnsState st = sel.state(key);
        Optional<Duration> lock = sel.lockoutRemaining(key);
        boolean drain = configDrain || st.drain();
        String state = drain ? "draining" : lock.isPresent() ? "locked-out" : "usable";
        return new Views.LnsView(key, address, state, lock.map(Duration::toSeconds).orElse(0L), st.sessions(), max, drain);
    }

    @Override
    public Views.Result kick(Long id, String user, String mac) {
        Predicate<Session> p = id != null ? s -> s.id == id : user != null ? s -> user.equals(s.auth.username())
                : s -> sameMac(mac, s.access.mac());
        int n = lac.sessions().teardown(p, TeardownCause.ADMIN);
        return new Views.Result(n > 0, n > 0 ? "kicked " + n + " session(s)" : "no matching session", n);
    }

    @Override
    public Views.Result drain(String lns, boolean drain) {
        boolean known = lac.config().l2tp().profile(lns).isPresent() || lac.selector().states().containsKey(lns);
        if (!known) {
            return new Views.Result(false, "no LNS named " + lns, 0);
        }
        lac.selector().setDrain(lns, drain);
        return new Views.Result(true, (drain ? "draining " : "undrained ") + lns, 1);
    }

    @Override
    public List<Views.LacPeerView> lacPeers() {
        List<TunnelSnapshot> tunnels = lac.engine().tunnels();
        List<Views.LacPeerView> out = new ArrayList<>();
        for (LacdConfig.LacPeer p : lac.config().l2tp().lacPeers()) {
            int up = (int) tunnels.stream()
                    .filter(t -> p.name().equals(t.lacPeer()) && t.state() == org.lacd.l2tp.TunnelState.ESTABLISHED).count();
            out.add(new Views.LacPeerView(p.name(), p.network().getHostAddress() + "/" + p.prefix(), up, p.maxTunnels(),
                    lac.engine().incomingCalls(p.name()), p.maxSessions(), lac.sessions().lacPeerDrained(p.name()),
                    lac.metrics().lacPeerRefusals(p.name())));
        }
        return out;
    }

    @Override
    public Views.Result drainLacPeer(String peer, boolean drain) {
        if (lac.config().l2tp().lacPeers().stream().noneMatch(p -> p.name().equals(peer))) {
            return new Views.Result(false, "no LAC peer named " + peer, 0);
        }
        lac.sessions().drainLacPeer(peer, drain);
        boolean still = !drain && lac.sessions().lacPeerDrained(peer);
        return new Views.Result(true, (drain ? "draining LAC peer " : still ? "undrained LAC peer (still drained by the config) "
                : "undrained LAC peer ") + peer, 1);
    }

    @Override
    public Views.Result clearTunnel(String which) {
        int n = 0;
        for (TunnelSnapshot t : lac.engine().tunnels()) {
            if (which.equals(t.profile()) || which.equals(Integer.toString(t.localTunnelId()))) {
                lac.engine().clearTunnel(t.localTunnelId());
                n++;
            }
        }
        return new Views.Result(n > 0, n > 0 ? "clearing " + n + " tunnel(s)" : "no tunnel matches " + which, n);
    }

    @Override
    public Map<String, Object> stats() {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Integer> byState = new LinkedHashMap<>();
        for (Session s : lac.sessions().sessions()) {
            byState.merge(s.state().name().toLowerCase(Locale.ROOT), 1, Integer::sum);
        }
        out.put("sessions", lac.sessions().count());
        out.put("sessionsByState", byState);
        out.put("tunnels", lac.engine().tunnels().size());
        out.put("dataPlane", lac.dataPlane());
        out.putAll(lac.metrics().summary());
        out.put("lns", lns().stream().collect(java.util.stream.Collectors.toMap(Views.LnsView::name, Views.LnsView::state,
                (a, b) -> a, LinkedHashMap::new)));
        return out;
    }

    @Override
    public Views.Result reload() {
        boolean ok = reload.getAsBoolean();
        return new Views.Result(ok, ok ? "config reloaded" : "config refused; the running config stays (see the log)", 0);
    }

    @Override
    public Views.Result trace(String userOrMac, String file, int seconds, long maxBytes) {
        return tracer.start(userOrMac, file, seconds, maxBytes);
    }

    /** Starts a bounded pcap trace of one subscriber. */
    public interface Tracer {
        Views.Result start(String userOrMac, String file, int seconds, long maxBytes);
    }
}
