package org.lacd.l2tp;

/**
 * Tunnel (control connection) states, RFC 2661 7.2.1: the initiator's (a tunnel lacd opens toward an LNS) and, for
 * tunnel switching, the responder's WAIT_CTL_CONN (a tunnel a downstream LAC opened toward lacd: SCCRP sent, waiting
 * for SCCCN).
 */
public enum TunnelState { IDLE, WAIT_CTL_REPLY, WAIT_CTL_CONN, ESTABLISHED, CLOSING, CLOSED }
