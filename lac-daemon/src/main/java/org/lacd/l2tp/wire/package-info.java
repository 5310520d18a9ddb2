/**
 * The L2TPv2 wire codec (RFC 2661): records for control and data messages, the AVP registry {@link
 * org.lacd.l2tp.wire.AvpType}, AVP hiding ({@link org.lacd.l2tp.wire.HiddenAvps}), one bounds-checked reader and a
 * typed {@link org.lacd.l2tp.wire.MalformedPacketException}. No sockets, no logging, no state.
 *
 * <h2>How to add an AVP</h2>
 * <ol>
 * <li><b>One row in {@link org.lacd.l2tp.wire.AvpType}</b>: vendor id (0 for IETF, 3561 for the Broadband Forum
 *     access-line AVPs of RFC 5515), attribute type, the M bit lacd sends, its {@link
 *     org.lacd.l2tp.wire.AvpType.Hiding} (below), data type and length bounds, and the RFC section in the comment.
 *     Decoding follows from the row: length checks ({@code L2tpCodec.checkLength}), the H-bit rule (a hidden AVP
 *     whose row is {@code NEVER} is malformed), revealing, {@code ControlMessage.find/u16/u32/u64/string} and the
 *     AVP's name in logs ({@code Avp.toString}).</li>
 * <li><b>Hiding is part of the row.</b> {@code SUBSCRIBER} when the AVP identifies a subscriber or carries credentials
 *     (calling/called number, proxy authentication, Agent-Circuit-Id, ...): a tunnel whose LNS profile sets
 *     {@code hide-avps} then hides it ({@code Tunnel.hiddenByProfile} reads nothing but this column). {@code ALLOWED}
 *     when RFC 2661 allows the H bit but the value is no secret; {@code NEVER} when the H bit is forbidden (Message
 *     Type, Random Vector, Host Name, Tie Breaker, ...).</li>
 * <li><b>Where its value comes from</b> (only for an AVP lacd sends): a field in {@code org.lacd.l2tp.CallParameters}
 *     (and its builder) for a call AVP, filled in the daemon where the call is placed
 *     ({@code daemon.session.SessionManager}, {@code CallParameters.builder()}); and one line in the body of the
 *     message that carries it ({@code l2tp.Session.icrqBody()/iccnBody()}, {@code l2tp.Tunnel} for tunnel AVPs),
 *     e.g. {@code b.add(Avp.string(AvpType.X, params.x()))}.</li>
 * <li><b>Where it is read</b> (only for an AVP lacd acts on): {@code m.u32(AvpType.X)} in the handler of the message
 *     ({@code l2tp.Tunnel}, {@code l2tp.Session}); an AVP nobody reads needs nothing: it is decoded, length-checked,
 *     revealed and logged by its row.</li>
 * <li><b>Tests</b>: {@code AvpRegistryTest} round-trips every row in clear and hidden and checks that the tunnel hides
 *     exactly the {@code SUBSCRIBER} rows (its list of those rows is a deliberate golden: add the new one there when
 *     it is subscriber data). Add an annotated golden vector ({@code GoldenVectors}) when a message lacd sends
 *     changes.</li>
 * </ol>
 */
package org.lacd.l2tp.wire;
