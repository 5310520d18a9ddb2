package org.lacd.pppoe.port;

/** Which raw Ethernet port {@link Ports#open} makes. */
public enum PortKind {
    /** The AF_PACKET ring where it can be set up, else pcap (said in the log). */
    AUTO,
    /** The AF_PACKET ring or nothing: a failure is an error. */
    RING,
    /** pcap (libpcap through pcap4j), one worker. */
    PCAP
}
