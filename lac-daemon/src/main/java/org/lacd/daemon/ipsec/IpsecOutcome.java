package org.lacd.daemon.ipsec;

/** What {@link IpsecManager#ensureUp} found ({@code lacd_lns_ipsec_failures_total{reason}} for all but UP). */
public enum IpsecOutcome {
    /** The CHILD_SA is installed and its traffic selectors cover UDP to the LNS. */
    UP("up"),
    /** charon's VICI socket could not be reached, or the exchange broke: strongSwan is not running or not reachable. */
    CONTROL_UNREACHABLE("control_unreachable"),
    /** charon tried and could not establish the SA (peer silent, authentication failed, no such connection). */
    INITIATE_FAILED("initiate_failed"),
    /** An SA is up but its remote traffic selectors do not cover UDP to this LNS: it would not protect it. */
    NOT_COVERED("not_covered"),
    /** An SA that carried sessions went down (DPD, IKE failure, deleted by the peer or an operator). */
    SA_LOST("sa_lost");

    private final String label;

    IpsecOutcome(String label) {
        this.label = label;
    }

    /** The metric label. */
    public String label() {
        return label;
    }
}
