package org.lacd.lab.lns;

/**
 * One call as the emulated LNS saw it.
 *
 * @param lnsTunnelId     our tunnel id
 * @param lnsSessionId    our session id
 * @param lacTunnelId     the LAC's tunnel id
 * @param lacSessionId    the LAC's session id
 * @param user            Proxy Authen Name, or the name of the fresh PAP/CHAP exchange
 * @param callingNumber   Calling Number AVP of the ICRQ
 * @param agentCircuitId  RFC 5515 Agent-Circuit-Id of the ICRQ
 * @param agentRemoteId   RFC 5515 Agent-Remote-Id of the ICRQ
 * @param result          where the call stands or how it ended
 * @param detail          why it ended (free text), null while alive
 * @param proxyAuthCheck  outcome of checking the proxy authentication AVPs (VALID, INVALID, ABSENT, NO_PASSWORD)
 * @param address         the subscriber's IPCP address, null before IPCP
 * @param setupMillis     ICCN to IPCP opened, -1 if it never opened
 * @param everUp          whether IPCP ever opened
 * @param proxy           the proxy AVPs of the ICCN, byte for byte (hex)
 */
public record CallReport(int lnsTunnelId, int lnsSessionId, int lacTunnelId, int lacSessionId, String user, String callingNumber,
                         String agentCircuitId, String agentRemoteId, CallResult result, String detail, String proxyAuthCheck,
                         String address, long setupMillis, boolean everUp, long framesIn, long framesOut, long ipv4In,
                         long ipv4Reflected, long echoReplies, ProxyValues proxy) {}
