package org.lacd.pppoe;

/** Bounded waits that can expire. */
public enum TimeoutKind { LCP_NEGOTIATION, AUTHENTICATION, DECISION, TERMINATE }
