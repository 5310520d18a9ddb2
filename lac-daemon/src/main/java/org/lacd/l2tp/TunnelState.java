package org.lacd.l2tp;

/** LAC tunnel (control connection) states, RFC 2661 7.2.1 (initiator side). */
public enum TunnelState { IDLE, WAIT_CTL_REPLY, ESTABLISHED, CLOSING, CLOSED }
