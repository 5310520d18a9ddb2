package org.lacd.daemon.ipsec;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.lacd.daemon.config.LacdConfig.Ipsec;
import org.lacd.daemon.ipsec.vici.MalformedViciException;
import org.lacd.daemon.ipsec.vici.ViciClient;
import org.lacd.daemon.ipsec.vici.ViciException;
import org.lacd.daemon.ipsec.vici.ViciMessage;
import org.lacd.daemon.log.WireText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * lacd's side of L2TP/IPsec: strongSwan's charon does IKE and ESP; this class asks it, over VICI, whether the CHILD_SA
 * that protects an LNS is up, brings it up on demand ({@code initiate}), and watches {@code child-updown} and
 * {@code ike-updown} to learn at once when one goes down. lacd never implements IKE or ESP.
 *
 * <p>Threads: VICI calls block, so they run on one thread of their own ({@code lacd-ipsec}), never on an event loop;
 * the event stream has its own thread and reconnects while charon is away. Concurrent {@link #ensureUp} calls for the
 * same SA share one exchange with charon.
 *
 * <p>What "up" means: the IKE_SA is ESTABLISHED, the CHILD_SA INSTALLED, and one of its remote traffic selectors
 * covers UDP to the LNS address and port. While the event stream is connected, an SA known up answers from memory;
 * any doubt (stream down, SA not known) asks charon.
 */
public final class IpsecManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IpsecManager.class);
    /** Pause between reconnections of the event stream while charon is away (not a test wait: a daemon's retry pace). */
    static final Duration RECONNECT = Duration.ofSeconds(1);
    static final List<String> EVENTS = List.of("child-updown", "ike-updown");

    /** Told when a CHILD_SA lacd relies on goes down (on the event thread). */
    public interface Listener {
        void childDown(String connection, String child, String why);
    }

    /** The result of one {@link #ensureUp}: {@code initiated} when lacd had charon bring the SA up. */
    public record Result(IpsecOutcome outcome, boolean initiated, String detail) {}

    private record Key(String connection, String child) {}

    private final Path socket;
    private final Listener listener;
    private final ExecutorService commands;
    private final Map<Key, Boolean> up = new ConcurrentHashMap<>();
    private final Map<Key, CompletableFuture<Result>> inFlight = new ConcurrentHashMap<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile ViciClient eventClient;
    private volatile boolean streaming;
    private Thread events;

    public IpsecManager(Path socket, Listener listener) {
        this.socket = socket;
        this.listener = listener;
        this.commands = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "lacd-ipsec");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts watching charon's event stream. */
    public synchronized void start() {
        if (events == null) {
            events = new Thread(this::eventLoop, "lacd-ipsec-events");
            events.setDaemon(true);
            events.start();
        }
    }

    /** Whether the SA for this policy is known up (for {@code lacd_lns_ipsec_up}). */
    public boolean isUp(Ipsec policy) {
        return Boolean.TRUE.equals(up.get(new Key(policy.connection(), policy.child())));
    }

    /** Whether the event stream from charon is connected. */
    public boolean watching() {
        return streaming;
    }

    /**
     * Makes sure the CHILD_SA {@code policy} names is up and covers UDP to {@code lns}:{@code port}, asking charon to
     * initiate it when it is not. {@code bound} is charon's own timeout for the initiation. Never completes
     * exceptionally.
     */
    public CompletableFuture<Result> ensureUp(Ipsec policy, InetAddress lns, int port, Duration bound) {
        Key k = new Key(policy.connection(), policy.child());
        if (streaming && Boolean.TRUE.equals(up.get(k)) && coveredCache.getOrDefault(new Cover(k, lns, port), false)) {
            return CompletableFuture.completedFuture(new Result(IpsecOutcome.UP, false, "known up"));
        }
        CompletableFuture<Result> mine = new CompletableFuture<>();
        CompletableFuture<Result> running = inFlight.putIfAbsent(k, mine);
        if (running != null) {
            return running.thenCompose(r -> r.outcome() == IpsecOutcome.UP || r.outcome() == IpsecOutcome.NOT_COVERED
                    ? CompletableFuture.completedFuture(check(k, lns, port, r)) : CompletableFuture.completedFuture(r));
        }
        try {
            commands.execute(() -> {
                Result r;
                try {
                    r = exchange(k, lns, port, bound);
                } catch (RuntimeException e) {
                    r = new Result(IpsecOutcome.CONTROL_UNREACHABLE, false, e.toString());
                }
                up.put(k, r.outcome() == IpsecOutcome.UP);
                inFlight.remove(k, mine);
                mine.complete(r);
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            inFlight.remove(k, mine);
            mine.complete(new Result(IpsecOutcome.CONTROL_UNREACHABLE, false, "lacd is stopping"));
        }
        return mine;
    }

    private record Cover(Key key, InetAddress lns, int port) {}

    /** Remote traffic selectors of each SA as last listed: whether they cover an LNS. Cleared when the SA goes down. */
    private final Map<Cover, Boolean> coveredCache = new ConcurrentHashMap<>();
    private final Map<Key, List<String>> remoteTs = new ConcurrentHashMap<>();

    /** Another LNS's exchange for the same SA answered: does that SA cover this LNS too? */
    private Result check(Key k, InetAddress lns, int port, Result shared) {
        List<String> ts = remoteTs.getOrDefault(k, List.of());
        if (ts.isEmpty()) {
            return shared;
        }
        return covers(ts, lns, port) ? new Result(IpsecOutcome.UP, false, "shared") : notCovered(k, ts, lns, port);
    }

    private Result exchange(Key k, InetAddress lns, int port, Duration bound) {
        try (ViciClient c = ViciClient.connect(socket)) {
            Optional<List<String>> ts = installedChild(c, k);
            boolean initiated = false;
            if (ts.isEmpty()) {
                ViciMessage r = c.call("initiate", ViciMessage.builder()
                        .put("child", k.child()).put("ike", k.connection())
                        .put("timeout", Long.toString(Math.max(1, bound.toMillis())))
                        .put("init-limits", "no").put("loglevel", "-1").build());
                if (!"yes".equals(r.text("success").orElse("no"))) {
                    String why = r.text("errmsg").orElse("no reason given");
                    return new Result(IpsecOutcome.INITIATE_FAILED, false, "charon: " + WireText.escape(why));
                }
                initiated = true;
                ts = installedChild(c, k);
                if (ts.isEmpty()) {
                    return new Result(IpsecOutcome.INITIATE_FAILED, true, "charon reported success but lists no installed CHILD_SA");
                }
            }
            remoteTs.put(k, ts.get());
            if (!covers(ts.get(), lns, port)) {
                return notCovered(k, ts.get(), lns, port);
            }
            coveredCache.put(new Cover(k, lns, port), true);
            return new Result(IpsecOutcome.UP, initiated, initiated ? "initiated" : "already up");
        } catch (IOException | ViciException | MalformedViciException e) {
            return new Result(IpsecOutcome.CONTROL_UNREACHABLE, false, "VICI " + socket + ": " + e.getMessage());
        }
    }

    private static Result notCovered(Key k, List<String> ts, InetAddress lns, int port) {
        return new Result(IpsecOutcome.NOT_COVERED, false, "child " + k.child() + " of " + k.connection() + " has remote-ts "
                + WireText.escape(String.join(",", ts)) + ", not UDP to " + lns.getHostAddress() + ":" + port);
    }

    static boolean covers(List<String> remoteTs, InetAddress lns, int port) {
        return covers(remoteTs, lns, port, TrafficSelector.UDP_SERVICES);
    }

    static boolean covers(List<String> remoteTs, InetAddress lns, int port, Map<String, Integer> services) {
        for (String t : remoteTs) {
            if (TrafficSelector.parse(t, services).map(s -> s.covers(lns, port)).orElse(false)) {
                return true;
            }
        }
        return false;
    }

    /** The remote traffic selectors of the INSTALLED CHILD_SA {@code k} under an ESTABLISHED IKE_SA, if there is one. */
    private static Optional<List<String>> installedChild(ViciClient c, Key k) throws IOException, ViciException, MalformedViciException {
        List<List<String>> found = new ArrayList<>();
        c.call("list-sas", ViciMessage.builder().put("ike", k.connection()).put("noblock", "yes").build(), "list-sa", m -> {
            for (Map.Entry<String, ViciMessage> ike : m.sections().entrySet()) {
                if (!ike.getKey().equals(k.connection()) || !"ESTABLISHED".equals(ike.getValue().text("state").orElse(""))) {
                    continue;
                }
                ike.getValue().section("child-sas").ifPresent(children -> children.sections().values().forEach(child -> {
                    if (k.child().equals(child.text("name").orElse("")) && "INSTALLED".equals(child.text("state").orElse(""))) {
                        found.add(child.list("remote-ts"));
                    }
                }));
            }
        });
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    // ---- event stream ----

    private void eventLoop() {
        while (closed.getCount() > 0) {
            try (ViciClient c = ViciClient.connect(socket)) {
                eventClient = c;
                if (closed.getCount() == 0) {
                    return;
                }
                c.listen(EVENTS, () -> {
                    streaming = true;
                    LOG.info("IPsec: watching charon's SA events at {}", socket);
                }, this::onEvent); // returns only by exception
            } catch (IOException | ViciException | MalformedViciException e) {
                if (streaming) {
                    LOG.warn("IPsec: lost charon's event stream at {} ({}): every SA counts as down until it is back", socket, e.getMessage());
                }
            } finally {
                eventClient = null;
                if (streaming) {
                    streaming = false;
                    allDown("charon's event stream lost");
                }
            }
            try {
                if (closed.await(RECONNECT.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** One {@code child-updown} or {@code ike-updown} event (event thread). */
    void onEvent(String event, ViciMessage m) {
        boolean isUp = "yes".equals(m.text("up").orElse("no"));
        for (Map.Entry<String, ViciMessage> ike : m.sections().entrySet()) {
            String conn = ike.getKey();
            if (event.equals("ike-updown")) {
                if (!isUp) {
                    for (Key k : List.copyOf(up.keySet())) {
                        if (k.connection().equals(conn)) {
                            down(k, "IKE_SA " + conn + " down");
                        }
                    }
                }
                continue;
            }
            ike.getValue().section("child-sas").ifPresent(children -> children.sections().values().forEach(child -> {
                Key k = new Key(conn, child.text("name").orElse(""));
                if (isUp) {
                    LOG.info("IPsec: CHILD_SA {} of {} up", WireText.escape(k.child()), WireText.escape(conn));
                    up.put(k, true);
                    remoteTs.put(k, child.list("remote-ts"));
                } else {
                    down(k, "CHILD_SA " + k.child() + " of " + conn + " down");
                }
            }));
        }
    }

    private void down(Key k, String why) {
        Boolean was = up.put(k, false);
        coveredCache.keySet().removeIf(c -> c.key().equals(k));
        remoteTs.remove(k);
        if (Boolean.TRUE.equals(was)) {
            LOG.warn("IPsec: {}", WireText.escape(why));
            listener.childDown(k.connection(), k.child(), why);
        }
    }

    private void allDown(String why) {
        for (Key k : List.copyOf(up.keySet())) {
            down(k, why + ": " + k.child() + " of " + k.connection());
        }
    }

    @Override
    public void close() {
        closed.countDown();
        ViciClient c = eventClient;
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.debug("closing the VICI event connection: {}", e.toString());
            }
        }
        commands.shutdownNow();
    }
}
