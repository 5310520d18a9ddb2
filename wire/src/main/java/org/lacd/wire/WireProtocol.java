package org.lacd.wire;

/** The layer a {@link MalformedPacketException} refers to. */
public enum WireProtocol { ETHERNET, PPPOE_DISCOVERY, PPPOE_TAG, PPPOE_SESSION, PPP, LCP, PAP, CHAP, L2TP }
