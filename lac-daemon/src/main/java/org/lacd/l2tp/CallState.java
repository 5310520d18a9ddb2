package org.lacd.l2tp;

/** LAC incoming call states, RFC 2661 7.4.1. WAIT_TUNNEL: waiting for the tunnel to be established. */
public enum CallState { IDLE, WAIT_TUNNEL, WAIT_REPLY, ESTABLISHED, CLOSED }
