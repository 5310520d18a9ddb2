package org.lacd.l2tp;

/**
 * What the LAC tells the LNS about a call (ICRQ and ICCN AVPs). Null or negative values are left out.
 *
 * @param callingNumber        Calling Number AVP (e.g. the subscriber's circuit / MAC)
 * @param calledNumber         Called Number AVP
 * @param txConnectSpeed       (Tx) Connect Speed in bps; <= 0 uses the engine default (the AVP is mandatory in ICCN)
 * @param rxConnectSpeed       Rx Connect Speed in bps
 * @param physicalChannelId    Physical Channel ID
 * @param bearerType           Bearer Type bits (RFC 2661 4.4.4: 1 digital, 2 analog); 0 none
 * @param framingType          Framing Type bits (1 sync, 2 async)
 * @param agentCircuitId       RFC 5515 / TR-101 Agent-Circuit-Id
 * @param agentRemoteId        RFC 5515 Agent-Remote-Id
 * @param actualRateUp         RFC 5515 Actual-Data-Rate-Upstream, bps
 * @param actualRateDown       RFC 5515 Actual-Data-Rate-Downstream, bps
 * @param minRateUp            RFC 5515 Minimum-Data-Rate-Upstream, bps
 * @param minRateDown          RFC 5515 Minimum-Data-Rate-Downstream, bps
 * @param initialReceivedLcpConfReq proxy LCP: options of the first CONFREQ received from the subscriber (RFC 2661 4.4.5)
 * @param lastSentLcpConfReq   proxy LCP: options of the last CONFREQ sent to the subscriber
 * @param lastReceivedLcpConfReq proxy LCP: options of the last CONFREQ received from the subscriber
 * @param proxyAuthenType      Proxy Authen Type (0 none, 2 CHAP, 3 PAP, ...); negative leaves out all proxy authen AVPs
 * @param proxyAuthenName      Proxy Authen Name
 * @param proxyAuthenChallenge Proxy Authen Challenge (CHAP)
 * @param proxyAuthenId        Proxy Authen ID (CHAP identifier); negative for none
 * @param proxyAuthenResponse  Proxy Authen Response (CHAP response or PAP password)
 * @param sequencingRequired   send the Sequencing Required AVP in ICCN and sequence our data messages
 * @param onwardIcrq           tunnel switching: AVPs of the downstream LAC's ICRQ to send as they are (values byte for
 *                             byte) in place of the call information fields above; null for a call of our own
 * @param onwardIccn           tunnel switching: likewise for the ICCN (speeds, framing, proxy LCP and authentication)
 */
public record CallParameters(String callingNumber, String calledNumber, long txConnectSpeed, long rxConnectSpeed,
                             long physicalChannelId, int bearerType, int framingType, String agentCircuitId, String agentRemoteId,
                             long actualRateUp, long actualRateDown, long minRateUp, long minRateDown,
                             byte[] initialReceivedLcpConfReq, byte[] lastSentLcpConfReq, byte[] lastReceivedLcpConfReq,
                             int proxyAuthenType, String proxyAuthenName, byte[] proxyAuthenChallenge, int proxyAuthenId,
                             byte[] proxyAuthenResponse, boolean sequencingRequired, java.util.List<org.lacd.l2tp.wire.Avp> onwardIcrq,
                             java.util.List<org.lacd.l2tp.wire.Avp> onwardIccn) {

    /** Proxy Authen Type values, RFC 2661 4.4.5. */
    public static final int AUTHEN_NONE = 0;
    public static final int AUTHEN_TEXTUAL = 1;
    public static final int AUTHEN_CHAP = 2;
    public static final int AUTHEN_PAP = 3;
    public static final int AUTHEN_NO_AUTH = 4;
    public static final int AUTHEN_MSCHAPV1 = 5;

    public static Builder builder() { return new Builder(); }

    /** Mutable builder; every field optional. */
    public static final class Builder {
        private String callingNumber;
        private String calledNumber;
        private long txConnectSpeed = -1;
        private long rxConnectSpeed = -1;
        private long physicalChannelId = -1;
        private int bearerType;
        private int framingType = 1;
        private String agentCircuitId;
        private String agentRemoteId;
        private long actualRateUp = -1;
        private long actualRateDown = -1;
        private long minRateUp = -1;
        private long minRateDown = -1;
        private byte[] initialReceivedLcpConfReq;
        private byte[] lastSentLcpConfReq;
        private byte[] lastReceivedLcpConfReq;
        private int proxyAuthenType = -1;
        private String proxyAuthenName;
        private byte[] proxyAuthenChallenge;
        private int proxyAuthenId = -1;
        private byte[] proxyAuthenResponse;
        private boolean sequencingRequired;
        private java.util.List<org.lacd.l2tp.wire.Avp> onwardIcrq;
        private java.util.List<org.lacd.l2tp.wire.Avp> onwardIccn;

        public Builder callingNumber(String v) { callingNumber = v; return this; }
        public Builder calledNumber(String v) { calledNumber = v; return this; }
        public Builder connectSpeeds(long tx, long rx) { txConnectSpeed = tx; rxConnectSpeed = rx; return this; }
        public Builder physicalChannelId(long v) { physicalChannelId = v; return this; }
        public Builder bearerType(int v) { bearerType = v; return this; }
        public Builder framingType(int v) { framingType = v; return this; }
        public Builder agentCircuitId(String v) { agentCircuitId = v; return this; }
        public Builder agentRemoteId(String v) { agentRemoteId = v; return this; }
        public Builder actualRates(long up, long down) { actualRateUp = up; actualRateDown = down; return this; }
        public Builder minimumRates(long up, long down) { minRateUp = up; minRateDown = down; return this; }

        public Builder proxyLcp(byte[] initialReceived, byte[] lastSent, byte[] lastReceived) {
            initialReceivedLcpConfReq = initialReceived;
            lastSentLcpConfReq = lastSent;
            lastReceivedLcpConfReq = lastReceived;
            return this;
        }

        public Builder proxyAuth(int type, String name, byte[] challenge, int id, byte[] response) {
            proxyAuthenType = type;
            proxyAuthenName = name;
            proxyAuthenChallenge = challenge;
            proxyAuthenId = id;
            proxyAuthenResponse = response;
            return this;
        }

        public Builder sequencingRequired(boolean v) { sequencingRequired = v; return this; }

        /** Tunnel switching: the incoming call's ICRQ and ICCN AVPs to carry onward as they are. */
        public Builder passthrough(java.util.List<org.lacd.l2tp.wire.Avp> icrq, java.util.List<org.lacd.l2tp.wire.Avp> iccn) {
            onwardIcrq = java.util.List.copyOf(icrq);
            onwardIccn = java.util.List.copyOf(iccn);
            return this;
        }

        public CallParameters build() {
            return new CallParameters(callingNumber, calledNumber, txConnectSpeed, rxConnectSpeed, physicalChannelId, bearerType,
                    framingType, agentCircuitId, agentRemoteId, actualRateUp, actualRateDown, minRateUp, minRateDown,
                    initialReceivedLcpConfReq, lastSentLcpConfReq, lastReceivedLcpConfReq, proxyAuthenType, proxyAuthenName,
                    proxyAuthenChallenge, proxyAuthenId, proxyAuthenResponse, sequencingRequired, onwardIcrq, onwardIccn);
        }
    }
}
