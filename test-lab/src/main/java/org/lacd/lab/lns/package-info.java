/**
 * The lab's LNS emulator: an L2TPv2 LNS built on lacd's own codec, reliable transport and in-process LNS peer
 * ({@link org.lacd.l2tp.lns.LnsPeer}), with the LNS side of PPP on top.
 *
 * <ul>
 *   <li>{@link org.lacd.lab.lns.LnsEmulator}: start with an {@link org.lacd.lab.lns.LnsEmulatorConfig}, read a
 *       {@link org.lacd.lab.lns.Report} (text or JSON), clear calls (CDN) and tunnels (StopCCN), refuse calls, go
 *       silent, ignore SCCRQ; {@code shutdown} closes every tunnel with StopCCN.</li>
 *   <li>{@link org.lacd.lab.lns.LnsPppSession}: per call, the proxy LCP / proxy authentication check and the
 *       {@link org.lacd.lab.lns.Mode}s (accept proxy, renegotiate LCP, challenge again, expect the replayed auth
 *       packet), IPCP from an {@link org.lacd.lab.lns.AddressPool}, LCP echo, IPv4 reflection
 *       ({@link org.lacd.lab.lns.Ipv4Reflector}).</li>
 *   <li>{@link org.lacd.lab.lns.LnsEmulatorCli} (also {@code LnsEmulator.main}): the program for an LNS namespace,
 *       bounded by {@code --duration}, with an optional HTTP control port ({@link org.lacd.lab.lns.LnsControlServer}).</li>
 *   <li>{@link org.lacd.lab.lns.LnsEmulatorBench}: setup rate against lacd's L2tpEngine over loopback.</li>
 * </ul>
 * Threading: everything runs on the LnsPeer's single event loop; public methods hand work over and wait (bounded).
 */
package org.lacd.lab.lns;
