package org.lacd.radius;

import io.netty.channel.EventLoop;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.lacd.radius.AcctSession.Counters;
import org.lacd.radius.AcctSession.TunnelInfo;
import org.lacd.radius.wire.Attr;
import org.lacd.wire.MalformedPacketException;
import org.lacd.radius.wire.RadiusAttribute;
import org.lacd.radius.wire.RadiusCode;
import org.lacd.radius.wire.RadiusCrypto;
import org.lacd.radius.wire.RadiusPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RADIUS accounting (RFC 2866) and tunnel accounting (RFC 2867) that loses nothing.
 *
 * <p>A record is sent to the accounting pool (failover/round robin, retries with a growing Acct-Delay-Time, RFC 2866
 * s5.2). If no server takes it, it goes to the on-disk {@link AcctSpool}; while the spool holds anything, new records
 * are appended behind (order is kept) and the spool is drained head first, retried every {@code spoolRetry}. A new
 * instance on the same directory sends what an earlier one left. A full spool discards the record with an ERROR
 * log line and {@link RadiusStats#spoolOverflow()}.
 *
 * <p>Records with the same Acct-Session-Id (a session's Start, Interim-Updates and Stop; its Tunnel-Link records) are
 * sent one at a time: the next leaves when the server has answered the one before. A server that handles requests
 * in parallel (FreeRADIUS's thread pool) can then not write a Stop before its Start, and a record that fails to be
 * delivered is spooled ahead of those behind it. Records of different sessions are sent in parallel.
 *
 * <p>Threading: all state, interim timers and spool I/O run on the accounting client's event loop (a dedicated thread:
 * the spool's fsync never blocks protocol loops). Public methods may be called from any thread.
 */
public final class AccountingService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AccountingService.class);

    /** RFC 2866 s5.1 and RFC 2867 s4.1 Acct-Status-Type values. */
    public enum StatusType {
        START(1), STOP(2), INTERIM_UPDATE(3), ACCOUNTING_ON(7), ACCOUNTING_OFF(8), TUNNEL_START(9), TUNNEL_STOP(10), TUNNEL_REJECT(11),
        TUNNEL_LINK_START(12), TUNNEL_LINK_STOP(13), TUNNEL_LINK_REJECT(14);
        private final int code;
        StatusType(int code) { this.code = code; }
        public int code() { return code; }
    }

    /** Spooled records delivered at once (within the client's {@code max-in-flight}). */
    static final int DRAIN_WINDOW = 32;
    /** At most one log line per this about records a full spool discards. */
    static final long DISCARD_LOG_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Clock clock;
    private final RadiusSettings settings;
    private final RadiusStats stats;
    private final RadiusClient client;
    private final Map<String, InterimTimer> interims = new HashMap<>();
    /** Per Acct-Session-Id with a record in flight: the records submitted behind it, oldest first. Loop only. */
    private final Map<String, ArrayDeque<Record>> inFlight = new HashMap<>();
    private EventLoop loop;
    private AcctSpool spool;
    /**
     * Spooled records sent and not yet acknowledged in the spool, oldest first: the spool's head, delivered
     * {@link #DRAIN_WINDOW} at a time (one at a time drained about 200 records/s, less than a reconnect storm's Starts and
     * Stops, and the spool overflowed). The spool's position moves over the delivered prefix only. Loop only.
     */
    private final ArrayDeque<Drained> window = new ArrayDeque<>();
    /** Sessions with a record in {@link #window}: a session's next record waits for the answer to the one before. */
    private final java.util.Set<String> windowSessions = new java.util.HashSet<>();
    /** A record of the window failed: no more are sent until the window's others have completed. */
    private boolean windowFailed;
    private RadiusScheduler.Cancellable drainTimer;
    /** Records discarded by a full spool since the last log line about it, and when that line was written (nanos). */
    private long discardedSinceLog;
    private long discardLogNanos = Long.MIN_VALUE;
    private volatile boolean running;

    public AccountingService(RadiusSettings settings, RadiusStats stats) {
        this(settings, stats, Clock.systemUTC());
    }

    /** @param clock wall clock for Event-Timestamp, Acct-Session-Time and Acct-Delay-Time */
    public AccountingService(RadiusSettings settings, RadiusStats stats, Clock clock) {
        this(settings, stats, clock, RadiusScheduler.SYSTEM);
    }

    /**
     * @param clock wall clock for Event-Timestamp, Acct-Session-Time and Acct-Delay-Time
     * @param sched timers of the client (timeouts, retries, hold-down) and of accounting (Interim-Update, spool retry)
     */
    public AccountingService(RadiusSettings settings, RadiusStats stats, Clock clock, RadiusScheduler sched) {
        this.clock = clock;
        this.settings = settings;
        this.stats = stats;
        this.client = new RadiusClient(RadiusStats.RequestType.ACCOUNTING, settings.acctServers(), settings, stats, null, sched);
    }

    /** Interim-Updates of one session at a fixed rate (due times do not drift with the loop's delays). Loop only. */
    private final class InterimTimer implements Runnable {
        final AcctSession session;
        final long intervalNanos;
        long due;
        RadiusScheduler.Cancellable timer;
        boolean cancelled;

        InterimTimer(AcctSession session, long intervalNanos) {
            this.session = session;
            this.intervalNanos = intervalNanos;
            this.due = client.scheduler().nanoTime();
        }

        void arm() {
            due += intervalNanos;
            timer = client.scheduler().schedule(loop, this, due - client.scheduler().nanoTime());
        }

        @Override
        public void run() {
            if (cancelled || !running) {
                return;
            }
            interim(session);
            arm();
        }

        void cancel() {
            cancelled = true;
            if (timer != null) {
                timer.cancel();
            }
        }
    }

    public void start() throws IOException, InterruptedException {
        spool = new AcctSpool(settings.accounting().spoolDir(), settings.accounting().spoolMaxRecords());
        client.start();
        loop = client.eventLoop();
        running = true;
        long depth = spool.depth();
        stats.spoolDepth(depth);
        LOG.info("RADIUS accounting started with {} server(s); {} spooled record(s) in {}", settings.acctServers().size(), depth,
            settings.accounting().spoolDir());
        if (depth > 0) {
            loop.execute(this::drain);
        }
    }

    public void stop() {
        if (!running) {
            return;
        }
        running = false;
        try {
            loop.submit(() -> {
                interims.values().forEach(InterimTimer::cancel);
                interims.clear();
                if (drainTimer != null) {
                    drainTimer.cancel();
                }
            }).sync();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Records whose send is still in flight are completed exceptionally by the client's stop and spooled then.
        client.stop();
        try {
            spool.close();
        } catch (IOException e) {
            LOG.warn("RADIUS accounting: closing spool: {}", e.toString());
        }
    }

    @Override
    public void close() { stop(); }

    /** Spooled records not yet delivered. */
    public long spoolDepth() {
        try {
            return loop.submit(() -> spool.depth()).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            return -1;
        }
    }

    // ---- session records ----

    /** Sends Start and schedules Interim-Updates (Acct-Interim-Interval from the session, else the configured one). */
    public void start(AcctSession s) {
        submit(sessionRecord(s, StatusType.START, null, clock.instant()));
        Duration interval = s.interimInterval().isPresent() ? Duration.ofSeconds(s.interimInterval().getAsInt())
            : settings.accounting().interimInterval();
        if (!interval.isZero() && !interval.isNegative()) {
            execute(() -> {
                InterimTimer t = new InterimTimer(s, interval.toNanos());
                InterimTimer old = interims.put(s.acctSessionId(), t);
                if (old != null) {
                    old.cancel();
                }
                t.arm();
            });
        }
    }

    public void interim(AcctSession s) {
        submit(sessionRecord(s, StatusType.INTERIM_UPDATE, null, clock.instant()));
    }

    public void stop(AcctSession s, TerminateCause cause) {
        execute(() -> {
            InterimTimer t = interims.remove(s.acctSessionId());
            if (t != null) {
                t.cancel();
            }
        });
        submit(sessionRecord(s, StatusType.STOP, cause, clock.instant()));
    }

    /**
     * RFC 2866 s5.1 Accounting-On / Accounting-Off: lacd (re)started or stops cleanly, so the server may close
     * sessions it still thinks open for this NAS. Call after {@link #start()} / before {@link #stop()}.
     */
    public void accountingOn() { nasRecord(StatusType.ACCOUNTING_ON); }

    public void accountingOff() { nasRecord(StatusType.ACCOUNTING_OFF); }

    private void nasRecord(StatusType type) {
        List<RadiusAttribute> a = new ArrayList<>();
        a.add(RadiusAttribute.integer(Attr.ACCT_STATUS_TYPE, type.code()));
        // An Acct-Session-Id is mandatory in every Accounting-Request (RFC 2866 s5.5); this one names the NAS event.
        a.add(RadiusAttribute.string(Attr.ACCT_SESSION_ID, settings.nasIdentifier() + "-" + type.name().toLowerCase(java.util.Locale.ROOT)
            + "-" + clock.instant().getEpochSecond()));
        nasAttributes(a);
        a.add(RadiusAttribute.integer(Attr.EVENT_TIMESTAMP, clock.instant().getEpochSecond()));
        submit(a);
    }

    // ---- RFC 2867 tunnel records (sent only with tunnel accounting on) ----

    public void tunnelStart(TunnelInfo t) { tunnelRecord(StatusType.TUNNEL_START, t, null, null); }

    public void tunnelStop(TunnelInfo t, TerminateCause cause) { tunnelRecord(StatusType.TUNNEL_STOP, t, null, cause); }

    public void tunnelReject(TunnelInfo t, TerminateCause cause) { tunnelRecord(StatusType.TUNNEL_REJECT, t, null, cause); }

    public void tunnelLinkStart(AcctSession s) { tunnelRecord(StatusType.TUNNEL_LINK_START, s.tunnel().orElseThrow(), s, null); }

    public void tunnelLinkStop(AcctSession s, TerminateCause cause) {
        tunnelRecord(StatusType.TUNNEL_LINK_STOP, s.tunnel().orElseThrow(), s, cause);
    }

    public void tunnelLinkReject(AcctSession s, TunnelInfo t, TerminateCause cause) { tunnelRecord(StatusType.TUNNEL_LINK_REJECT, t, s, cause); }

    private void tunnelRecord(StatusType type, TunnelInfo t, AcctSession s, TerminateCause cause) {
        if (!settings.accounting().tunnelAccounting()) {
            return;
        }
        List<RadiusAttribute> a = new ArrayList<>();
        a.add(RadiusAttribute.integer(Attr.ACCT_STATUS_TYPE, type.code()));
        if (s != null) {
            a.add(RadiusAttribute.string(Attr.USER_NAME, s.userName()));
            a.add(RadiusAttribute.string(Attr.ACCT_SESSION_ID, s.acctSessionId()));
        } else {
            // RFC 2867 s4.1: tunnel records carry an Acct-Session-Id too; the tunnel's connection id is unique enough.
            a.add(RadiusAttribute.string(Attr.ACCT_SESSION_ID, t.acctTunnelConnection()));
        }
        nasAttributes(a);
        tunnelAttributes(a, t);
        if (cause != null) {
            a.add(RadiusAttribute.integer(Attr.ACCT_TERMINATE_CAUSE, cause.code()));
        }
        a.add(RadiusAttribute.integer(Attr.EVENT_TIMESTAMP, clock.instant().getEpochSecond()));
        submit(a);
    }

    List<RadiusAttribute> sessionRecord(AcctSession s, StatusType type, TerminateCause cause, Instant now) {
        List<RadiusAttribute> a = new ArrayList<>();
        a.add(RadiusAttribute.integer(Attr.ACCT_STATUS_TYPE, type.code()));
        a.add(RadiusAttribute.string(Attr.ACCT_SESSION_ID, s.acctSessionId()));
        a.add(RadiusAttribute.string(Attr.USER_NAME, s.userName()));
        nasAttributes(a);
        a.add(RadiusAttribute.integer(Attr.NAS_PORT, s.nasPort()));
        String portId = settings.nasPortId(s.interfaceName(), s.outerVlan(), s.innerVlan());
        if (!portId.isEmpty()) {
            a.add(RadiusAttribute.string(Attr.NAS_PORT_ID, portId));
        }
        a.add(RadiusAttribute.integer(Attr.NAS_PORT_TYPE, s.nasPortType().orElse(settings.nasPortType()).code()));
        a.add(RadiusAttribute.integer(Attr.SERVICE_TYPE, AaaService.SERVICE_TYPE_FRAMED));
        a.add(RadiusAttribute.integer(Attr.FRAMED_PROTOCOL, AaaService.FRAMED_PROTOCOL_PPP));
        AaaService.callingStation(settings, s.callingStationId(), s.callingMac()).ifPresent(a::add);
        if (s.serviceName() != null && !s.serviceName().isEmpty()) {
            a.add(RadiusAttribute.string(Attr.CALLED_STATION_ID, s.serviceName()));
        }
        a.add(RadiusAttribute.integer(Attr.ACCT_AUTHENTIC, s.authentic()));
        for (byte[] c : s.classes()) {
            a.add(new RadiusAttribute(Attr.CLASS, c));
        }
        s.lineInfo().ifPresent(li -> a.addAll(AaaService.lineAttributes(li)));
        s.tunnel().ifPresent(t -> tunnelAttributes(a, t));
        if (type != StatusType.START) {
            long secs = Math.max(0, Duration.between(s.startTime(), now).getSeconds());
            a.add(RadiusAttribute.integer(Attr.ACCT_SESSION_TIME, secs));
            Counters c = s.counters().get();
            // "Input" is from the subscriber towards lacd (RFC 2866 s5.3).
            a.add(RadiusAttribute.integer(Attr.ACCT_INPUT_OCTETS, c.octetsIn() & 0xFFFFFFFFL));
            a.add(RadiusAttribute.integer(Attr.ACCT_OUTPUT_OCTETS, c.octetsOut() & 0xFFFFFFFFL));
            a.add(RadiusAttribute.integer(Attr.ACCT_INPUT_GIGAWORDS, c.octetsIn() >>> 32));
            a.add(RadiusAttribute.integer(Attr.ACCT_OUTPUT_GIGAWORDS, c.octetsOut() >>> 32));
            a.add(RadiusAttribute.integer(Attr.ACCT_INPUT_PACKETS, c.packetsIn() & 0xFFFFFFFFL));
            a.add(RadiusAttribute.integer(Attr.ACCT_OUTPUT_PACKETS, c.packetsOut() & 0xFFFFFFFFL));
        }
        if (cause != null) {
            a.add(RadiusAttribute.integer(Attr.ACCT_TERMINATE_CAUSE, cause.code()));
        }
        a.add(RadiusAttribute.integer(Attr.EVENT_TIMESTAMP, now.getEpochSecond()));
        return a;
    }

    private void nasAttributes(List<RadiusAttribute> a) {
        settings.nasIpAddress().filter(ip -> ip instanceof Inet4Address)
            .ifPresent(ip -> a.add(new RadiusAttribute(Attr.NAS_IP_ADDRESS, ip.getAddress())));
        settings.nasIpv6Address().filter(ip -> ip instanceof Inet6Address)
            .ifPresent(ip -> a.add(new RadiusAttribute(Attr.NAS_IPV6_ADDRESS, ip.getAddress())));
        a.add(RadiusAttribute.string(Attr.NAS_IDENTIFIER, settings.nasIdentifier()));
    }

    /** RFC 2867 s3: the tunnel attributes of the tunnel used, untagged (tag octet 0 for the integer ones). */
    private static void tunnelAttributes(List<RadiusAttribute> a, TunnelInfo t) {
        a.add(RadiusAttribute.taggedInteger(Attr.TUNNEL_TYPE, 0, t.tunnelType()));
        a.add(RadiusAttribute.taggedInteger(Attr.TUNNEL_MEDIUM_TYPE, 0, t.mediumType()));
        a.add(RadiusAttribute.string(Attr.TUNNEL_SERVER_ENDPOINT, t.serverEndpoint()));
        t.clientEndpoint().ifPresent(v -> a.add(RadiusAttribute.string(Attr.TUNNEL_CLIENT_ENDPOINT, v)));
        t.assignmentId().ifPresent(v -> a.add(RadiusAttribute.string(Attr.TUNNEL_ASSIGNMENT_ID, v)));
        t.clientAuthId().ifPresent(v -> a.add(RadiusAttribute.string(Attr.TUNNEL_CLIENT_AUTH_ID, v)));
        t.serverAuthId().ifPresent(v -> a.add(RadiusAttribute.string(Attr.TUNNEL_SERVER_AUTH_ID, v)));
        t.privateGroupId().ifPresent(v -> a.add(RadiusAttribute.string(Attr.TUNNEL_PRIVATE_GROUP_ID, v)));
        a.add(RadiusAttribute.string(Attr.ACCT_TUNNEL_CONNECTION, t.acctTunnelConnection()));
    }

    // ---- delivery ----

    private void execute(Runnable r) {
        if (running) {
            loop.execute(r);
        }
    }

    /** A record waiting to be sent: its attributes (without Acct-Delay-Time) and when it was made. */
    private record Record(List<RadiusAttribute> attrs, long createdMillis) {
        AcctSpool.Entry toEntry() { return new AcctSpool.Entry(createdMillis, encodeAttributes(attrs)); }
    }

    private void submit(List<RadiusAttribute> attrs) {
        long created = clock.millis();
        if (!running) {
            LOG.error("RADIUS accounting not running: record {} lost", describe(attrs));
            return;
        }
        String key = sessionId(attrs);
        Record r = new Record(attrs, created);
        loop.execute(() -> {
            ArrayDeque<Record> behind = inFlight.get(key);
            if (behind != null) {
                behind.add(r);
            } else if (!spool.isEmpty() || !window.isEmpty()) {
                toSpool(r.toEntry());
                drainSoon(0);
            } else {
                inFlight.put(key, new ArrayDeque<>());
                sendInOrder(key, r);
            }
        });
    }

    /** Sends {@code r}, the oldest record of its session not yet answered; the next one of the session follows its answer. */
    private void sendInOrder(String key, Record r) {
        send(r.attrs(), r.createdMillis()).whenComplete((ok, err) -> {
            // Runs on the loop: the client completes its futures there (on stop too), and a future that failed at
            // once completes in this call, which runs on the loop.
            ArrayDeque<Record> behind = inFlight.get(key);
            if (err == null) {
                Record next = behind.poll();
                if (next == null) {
                    inFlight.remove(key);
                } else if (running && spool.isEmpty() && window.isEmpty()) {
                    sendInOrder(key, next);
                } else {
                    // Something else is spooled: this session's records queue behind it, in their order.
                    inFlight.remove(key);
                    toSpool(next.toEntry());
                    behind.forEach(b -> toSpool(b.toEntry()));
                    drainSoon(0);
                }
                return;
            }
            inFlight.remove(key);
            toSpool(r.toEntry());
            behind.forEach(b -> toSpool(b.toEntry()));
            if (running) {
                drainSoon(settings.accounting().spoolRetry().toMillis());
            }
        });
    }

    private static String sessionId(List<RadiusAttribute> attrs) {
        for (RadiusAttribute a : attrs) {
            if (Attr.ACCT_SESSION_ID.is(a)) {
                return a.asString();
            }
        }
        return "";
    }

    private CompletableFuture<RadiusClient.Response> send(List<RadiusAttribute> attrs, long createdMillis) {
        RadiusClient.RequestFactory f = new RadiusClient.RequestFactory() {
            @Override
            public RadiusClient.Encoded encode(RadiusSettings.Server server, int identifier, long delaySeconds) {
                long delay = Math.max(0, (clock.millis() - createdMillis) / 1000);
                List<RadiusAttribute> a = new ArrayList<>(attrs);
                a.add(RadiusAttribute.integer(Attr.ACCT_DELAY_TIME, delay));
                // Message-Authenticator on every request, accounting included (computed over a zero authenticator,
                // then the Request Authenticator over the result: RFC 5176 s3.1 does the same).
                byte[] pkt = RadiusCrypto.encodeComputedRequest(RadiusCode.ACCOUNTING_REQUEST, identifier, a,
                    RadiusCrypto.secret(server.secret()), true);
                byte[] auth = java.util.Arrays.copyOfRange(pkt, 4, 20);
                return new RadiusClient.Encoded(pkt, auth);
            }

            @Override
            public boolean reencodeOnRetry() {
                return true; // RFC 2866 s5.2: Acct-Delay-Time changes, so identifier and authenticator change.
            }
        };
        return client.send(f);
    }

    private void toSpool(AcctSpool.Entry e) {
        try {
            if (!spool.append(e)) {
                stats.spoolOverflow();
                logDiscard(() -> "spool FULL (" + settings.accounting().spoolMaxRecords() + " records in " + settings.accounting().spoolDir()
                    + ")", describe(decodeAttributes(e.attributes())));
            } else {
                LOG.debug("RADIUS accounting: record spooled (depth {})", spool.depth());
            }
        } catch (IOException ex) {
            stats.spoolOverflow();
            logDiscard(() -> "spool write failed in " + settings.accounting().spoolDir() + ": " + ex, describe(decodeAttributes(e.attributes())));
        }
        stats.spoolDepth(spool.depth());
    }

    /**
     * A discarded record: logged with its identity, but at most one line per {@link #DISCARD_LOG_NANOS} (a storm's
     * Starts and Stops against a full spool would otherwise write thousands of lines a second); the records in between
     * are counted in that line and in {@code lacd_drops_total{protocol="radius",reason="spool_full"}}. Loop only.
     */
    private void logDiscard(java.util.function.Supplier<String> why, String record) {
        long now = client.scheduler().nanoTime();
        discardedSinceLog++;
        if (discardLogNanos != Long.MIN_VALUE && now - discardLogNanos < DISCARD_LOG_NANOS) {
            return;
        }
        LOG.error("RADIUS accounting {}: record {} DISCARDED{}", why.get(), record,
            discardedSinceLog > 1 ? " (" + (discardedSinceLog - 1) + " more discarded since the last such line)" : "");
        discardedSinceLog = 0;
        discardLogNanos = now;
    }

    private void drainSoon(long delayMillis) {
        if (!window.isEmpty() || !running) {
            return;
        }
        if (drainTimer != null && !drainTimer.isDone()) {
            return;
        }
        drainTimer = client.scheduler().schedule(loop, this::drain, TimeUnit.MILLISECONDS.toNanos(delayMillis));
    }

    /** A spooled record in the drain window. */
    private static final class Drained {
        final String session;
        /** 0 sent, 1 answered, 2 failed */
        int state;

        Drained(String session) { this.session = session; }
    }

    /** Fills the drain window from the spool's head. Loop only. */
    private void drain() {
        if (!running || windowFailed) {
            return;
        }
        List<AcctSpool.Entry> head;
        try {
            head = spool.peek(window.size() + DRAIN_WINDOW);
        } catch (IOException e) {
            LOG.error("RADIUS accounting spool read failed in {}: {}", settings.accounting().spoolDir(), e.toString());
            if (window.isEmpty()) {
                drainSoon(settings.accounting().spoolRetry().toMillis());
            }
            return;
        }
        for (int i = window.size(); i < head.size() && window.size() < DRAIN_WINDOW; i++) {
            AcctSpool.Entry e = head.get(i);
            List<RadiusAttribute> attrs = decodeAttributes(e.attributes());
            String key = sessionId(attrs);
            if (windowSessions.contains(key)) {
                break; // this session's record before it is still unanswered: per-session order, as sendInOrder keeps it
            }
            Drained d = new Drained(key);
            window.add(d);
            windowSessions.add(key);
            send(attrs, e.createdMillis()).whenComplete((ok, err) -> drained(d, err));
        }
    }

    /** A window record's answer (or failure): the delivered prefix leaves the spool. Loop only. */
    private void drained(Drained d, Throwable err) {
        if (!running) {
            return;
        }
        d.state = err == null ? 1 : 2;
        windowFailed |= err != null;
        int delivered = 0;
        while (!window.isEmpty() && window.peek().state == 1) {
            windowSessions.remove(window.poll().session);
            delivered++;
        }
        if (delivered > 0) {
            try {
                spool.ack(delivered);
            } catch (IOException ex) {
                LOG.error("RADIUS accounting spool position update failed: {}", ex.toString());
            }
            long depth = spool.depth();
            stats.spoolDepth(depth);
            if (depth == 0) {
                LOG.info("RADIUS accounting spool delivered");
            }
        }
        if (windowFailed) {
            for (Drained w : window) {
                if (w.state == 0) {
                    return; // the rest of the window first
                }
            }
            // The window's oldest failed: its records stay spooled and go again later (those answered behind it too,
            // so a server may see one twice; it de-duplicates, as after a crash between delivery and ack).
            window.clear();
            windowSessions.clear();
            windowFailed = false;
            LOG.debug("RADIUS accounting: spool delivery failed, {} waiting", spool.depth());
            drainSoon(settings.accounting().spoolRetry().toMillis());
            return;
        }
        loop.execute(this::drain);
    }

    static byte[] encodeAttributes(List<RadiusAttribute> attrs) {
        byte[] pkt = new RadiusPacket(RadiusCode.ACCOUNTING_REQUEST, 0, new byte[16], attrs).encode();
        return java.util.Arrays.copyOfRange(pkt, RadiusPacket.HEADER_LENGTH, pkt.length);
    }

    static List<RadiusAttribute> decodeAttributes(byte[] raw) {
        byte[] pkt = new byte[RadiusPacket.HEADER_LENGTH + raw.length];
        pkt[0] = (byte) RadiusCode.ACCOUNTING_REQUEST.code();
        pkt[2] = (byte) (pkt.length >> 8);
        pkt[3] = (byte) pkt.length;
        System.arraycopy(raw, 0, pkt, RadiusPacket.HEADER_LENGTH, raw.length);
        try {
            return RadiusPacket.decode(pkt).attributes();
        } catch (MalformedPacketException e) {
            LOG.error("RADIUS accounting spool: unreadable record skipped: {}", e.getMessage());
            return List.of();
        }
    }

    private static String describe(List<RadiusAttribute> attrs) {
        String status = attrs.stream().filter(Attr.ACCT_STATUS_TYPE::is).map(a -> Long.toString(a.asInt())).findFirst().orElse("?");
        return "Acct-Status-Type " + status + " Acct-Session-Id " + sessionId(attrs);
    }
}
