package org.lacd.l2tp;

/**
 * Incoming call states. LAC side (RFC 2661 7.4.1): WAIT_TUNNEL (waiting for the tunnel to be established), WAIT_REPLY
 * (ICRQ sent). LNS side (RFC 2661 7.4.2), for calls a downstream LAC places on lacd (tunnel switching): WAIT_CONNECT
 * (ICRP sent, waiting for ICCN).
 */
public enum CallState { IDLE, WAIT_TUNNEL, WAIT_REPLY, WAIT_CONNECT, ESTABLISHED, CLOSED }
