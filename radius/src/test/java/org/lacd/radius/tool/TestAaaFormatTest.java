package org.lacd.radius.tool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.lacd.radius.AccessDecision;
import org.lacd.radius.wire.Attr;
import org.lacd.radius.wire.RadiusAttribute;

/** {@code lacd test-aaa} prints an Accept's attributes through the registry: a new row is printed without a change here. */
class TestAaaFormatTest {

    @Test
    void theAcceptsAttributesArePrintedByTheirRowsTunnelOnesAsCandidates() {
        List<RadiusAttribute> all = List.of(Attr.MESSAGE_AUTHENTICATOR.octets(new byte[16]), Attr.SESSION_TIMEOUT.integer(3600),
            Attr.REPLY_MESSAGE.string("hello\n"), Attr.DSL_ACTUAL_DATA_RATE_UP.integer(1024), Attr.CLASS.octets(new byte[] {1, 2}),
            Attr.TUNNEL_TYPE.tagged(1, 3), Attr.TUNNEL_PASSWORD.octets(new byte[] {1, 9, 9, 9}), new RadiusAttribute(242, new byte[] {7}),
            Attr.USER_NAME.string("eve\u001b[31m"));
        AccessDecision.Accept a = new AccessDecision.Accept(List.of(), "hello\n",
            new AccessDecision.AcceptAttributes(OptionalLong.of(3600), OptionalLong.empty(), OptionalLong.empty(), List.of(),
                Optional.empty(), all));
        assertEquals("""
            ACCEPT (Reply-Message: "hello\\x0a")
              Session-Timeout = 3600
              Actual-Data-Rate-Upstream = 1024
              Class = 0x0102
              Attr-242 = 0x07
              User-Name = "eve\\x1b[31m"
              no tunnel attributes: realm rules decide
            """, TestAaa.format(a, false));
        assertEquals("REJECT ACCESS_REJECT (Reply-Message: \"no\\x07\")\n",
            TestAaa.format(new AccessDecision.Reject(AccessDecision.RejectReason.ACCESS_REJECT, "no\u0007"), false));
    }
}
