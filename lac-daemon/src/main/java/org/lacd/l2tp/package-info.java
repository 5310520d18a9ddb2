/**
 * L2TPv2 LAC engine (RFC 2661): wire codec, reliable control transport, tunnels and incoming calls, data path.
 * Knows nothing of PPPoE or RADIUS.
 *
 * <h2>Integration</h2>
 * <pre>
 * L2tpEngine engine = new L2tpEngine(L2tpSettings.defaults(), stats);   // stats: an L2tpStats the daemon maps to metrics
 * engine.start();                                                       // throws L2tpBindException
 * L2tpCall call = engine.placeCall(profile, params, listener);          // any thread, returns at once
 * call.sendPpp(buf, off, len);                                          // any thread; PPP frame without FF 03
 * call.disconnect(DisconnectCause.subscriberHangup());                  // CDN with result + RFC 3145 cause
 * engine.tunnels(); engine.clearTunnel(id); engine.openTunnel(profile); engine.shutdown(Duration.ofSeconds(5));
 * </pre>
 * {@link org.lacd.l2tp.CallListener} methods run on the tunnel's event loop: do not block there; hand work to your
 * own threads. {@link org.lacd.l2tp.CallDownCause#tunnelFailure()} tells "lock this LNS out" from "this call failed".
 *
 * <h2>Threading</h2>
 * One UDP socket per local address, each on one Netty event loop (epoll when available); every tunnel of that
 * socket, its sessions, timers and state machines are confined to that loop (no locks). Data frames from other
 * threads are encapsulated on the calling thread and queued to the loop in batches.
 *
 * <h2>Packages</h2>
 * {@code wire}: stateless codec (records; the shared {@code org.lacd.wire.MalformedPacketException} with an
 * {@code L2tpReason}). {@code transport}: the reliable
 * control channel (Ns/Nr, window, slow start, backoff) on an injected {@code L2tpScheduler}. The in-process LNS
 * for tests and the lab ({@code lns.LnsPeer}) is in the test jar, not in lacd.jar.
 */
package org.lacd.l2tp;
