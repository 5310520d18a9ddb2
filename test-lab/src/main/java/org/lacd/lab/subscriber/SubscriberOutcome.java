package org.lacd.lab.subscriber;

/**
 * What became of one emulated subscriber: for end-to-end checks such as "every subscriber of reseller A got an
 * address from LNS A's pool" or "the subscriber's session id is the one the LNS saw".
 *
 * @param n the subscriber number (1-based)
 * @param user the user name it authenticated with
 * @param mac its MAC address
 * @param auth "chap" or "pap"
 * @param outerVlan outer VLAN ID, -1 untagged
 * @param innerVlan inner VLAN ID (QinQ), -1 without
 * @param pppoeSessionId the PPPoE session id from the PADS, 0 when discovery did not finish
 * @param phase where it ended (DONE, FAILED, or the phase it was in when the outcome was read)
 * @param established whether IPCP opened at least once
 * @param failure why it failed, null when it did not
 * @param failedIn the phase it was in when it failed, null when it did not
 * @param address the address IPCP gave it, null when none
 * @param peerAddress the address the peer (the LNS) named in its IPCP Configure-Request, null when none
 * @param setupMs PADI to IPCP opened, -1 when not established
 * @param probesMissing traffic probes whose reply never came, counted from the gaps in the replies' sequence numbers
 *     (so not those in flight when the run ended): a session that lost a packet has it above 0
 */
public record SubscriberOutcome(int n, String user, String mac, String auth, int outerVlan, int innerVlan,
                                int pppoeSessionId, SubscriberPhase phase, boolean established, FailureReason failure,
                                SubscriberPhase failedIn, String address, String peerAddress, double setupMs,
                                long probesMissing) {
}
