/**
 * The subscriber emulator: many PPPoE clients from one process on one Ethernet port, for the lab, the end-to-end
 * tests and the benchmarks.
 *
 * <h2>From Java</h2>
 * <pre>{@code
 * EmulatorConfig cfg = EmulatorConfig.builder()
 *         .count(100).setupRate(200).auth(AuthMode.MIX)
 *         .userPattern("user{n}@reseller-a.example").passwordPattern("secret{n}")
 *         .vlan(VlanPlan.parse("qinq:10:100")).lineTags(true)
 *         .lifetime(Duration.ofSeconds(30)).trafficPps(10).trafficSize(512)
 *         .duration(Duration.ofSeconds(60))
 *         .build();
 * EthernetPort port = new PcapPort("veth-sub");            // or one end of InMemoryPort.pair(...)
 * try (SubscriberEmulator emu = new SubscriberEmulator(cfg, port)) {
 *     Report r = emu.run();                                 // start() + awaitReport(); stops by itself
 *     System.out.print(r.toText());                         // or r.toJson()
 *     List<SubscriberOutcome> each = emu.outcomes();        // address, session id, failure per subscriber
 * } finally {
 *     port.close();                                          // the emulator never closes the port
 * }
 * }</pre>
 * For deterministic tests: {@code new SubscriberEmulator(cfg, port, manualClock)}, {@code startManual()}, then
 * {@code step()} after each clock change until {@code finished()}, then {@code report()}.
 *
 * <h2>As a program</h2>
 * <pre>
 * ip netns exec lab-sub java -cp ... org.lacd.lab.subscriber.SubscriberEmulator --interface veth-sub \
 *     --count 100 --rate 200 --auth mix --user-pattern 'user{n}@reseller-a.example' --password-pattern 'secret{n}' \
 *     --vlan dot1q:100 --line-tags --lifetime 30s --traffic-pps 10 --traffic-size 512 --duration 60s \
 *     --json report.json --outcomes subscribers.jsonl
 * </pre>
 * Exit code 0 when every subscriber was established and none failed, 1 otherwise, 2 for bad arguments or an
 * interface that cannot be opened; Ctrl-C ends the run politely (LCP Terminate + PADT) and still prints the report.
 * Two emulators may share one interface when their {@code --mac-base} ranges do not overlap, e.g. one per reseller:
 * the program's capture filter passes only PPPoE frames to its own range ({@link EmulatorConfig#pcapFilter}), so the
 * kernel drops the other's frames (and every subscriber's broadcast PADIs) before they are copied to it.
 *
 * <h2>Keepalive and redial, as a CPE</h2>
 * {@code --lcp-echo-interval 1s --lcp-echo-failures 3} sends an LCP Echo-Request every second once a session is up
 * and drops the session (Terminate-Request and PADT, without waiting) when three in a row went unanswered, as pppd's
 * lcp-echo-interval / lcp-echo-failure do. With {@code --redial} (and {@code --redial-holdoff 1s}) the subscriber then
 * dials again from PADI with the same MAC, as pppd's persist does; the report counts echo requests, echo failures,
 * redials and re-established sessions. Both are off by default: then the emulator only answers the peer's echoes.
 *
 * <h2>Threading</h2>
 * The port's receive thread reads the destination MAC, copies the frame and queues it to the worker owning that
 * subscriber; each worker thread ({@code --shards}, default 1) runs its subscribers' state machines
 * ({@link org.lacd.lab.subscriber.SubscriberTransitions}), timers (one heap), session starts and probe traffic. No
 * thread per subscriber; no locks in the protocol code.
 */
package org.lacd.lab.subscriber;
