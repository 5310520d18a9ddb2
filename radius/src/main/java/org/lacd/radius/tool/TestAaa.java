package org.lacd.radius.tool;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.lacd.radius.AaaService;
import org.lacd.radius.AccessDecision;
import org.lacd.radius.AccessQuery;
import org.lacd.radius.RadiusSettings;
import org.lacd.radius.RadiusStats;
import org.lacd.radius.TunnelCandidate;
import org.lacd.radius.wire.Attr;
import org.lacd.radius.wire.RadiusAttribute;
import org.lacd.radius.wire.RadiusCrypto;

/**
 * The core of {@code lacd test-aaa --config FILE --user U --password P [--chap]}: sends the Access-Request the daemon
 * would send (CHAP with a fresh random challenge, or PAP) and renders the decision for a terminal. The daemon's CLI
 * parses the config and calls {@link #run}.
 */
public final class TestAaa {
    private TestAaa() { }

    public static AccessDecision ask(RadiusSettings settings, String user, String password, boolean chap) throws Exception {
        AccessQuery q;
        if (chap) {
            byte[] challenge = new byte[16];
            new SecureRandom().nextBytes(challenge);
            int id = challenge[0] & 0xFF;
            q = AccessQuery.chap(user, id, challenge, RadiusCrypto.chapResponse(id, password.getBytes(StandardCharsets.UTF_8), challenge),
                "test-aaa-" + Long.toHexString(System.nanoTime()));
        } else {
            q = AccessQuery.pap(user, password, "test-aaa-" + Long.toHexString(System.nanoTime()));
        }
        try (AaaService aaa = new AaaService(settings, RadiusStats.NOOP)) {
            aaa.start();
            Duration max = settings.timeout().multipliedBy((settings.retries() + 1L) * Math.max(1, settings.authServers().size())).plusSeconds(2);
            return aaa.authorize(q).get(max.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Renders a decision: the answer's other attributes as {@link Attr#format} prints them (so a new row in the
     * registry is printed without a change here), the ranked candidates with every attribute, or the reject and its reason.
     */
    public static String format(AccessDecision d, boolean showSecrets) {
        StringBuilder sb = new StringBuilder();
        if (d instanceof AccessDecision.Accept a) {
            sb.append("ACCEPT");
            if (!a.replyMessage().isEmpty()) {
                sb.append(" (Reply-Message: ").append(Attr.quote(a.replyMessage())).append(")");
            }
            sb.append('\n');
            // Every other attribute of the answer, as the registry prints it (the tunnel ones are in the candidates).
            for (RadiusAttribute attr : a.attributes().all()) {
                Attr row = Attr.of(attr);
                if (row != Attr.REPLY_MESSAGE && row != Attr.MESSAGE_AUTHENTICATOR && (row == null || !row.tagged())) {
                    sb.append("  ").append(Attr.format(attr)).append('\n');
                }
            }
            if (a.candidates().isEmpty()) {
                sb.append("  no tunnel attributes: realm rules decide\n");
            }
            int i = 1;
            for (TunnelCandidate c : a.candidates()) {
                sb.append("  ").append(i++).append(". ").append(c.describe(showSecrets)).append('\n');
            }
        } else if (d instanceof AccessDecision.Reject r) {
            sb.append("REJECT ").append(r.reason());
            if (!r.replyMessage().isEmpty()) {
                sb.append(" (Reply-Message: ").append(Attr.quote(r.replyMessage())).append(")");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    public static String run(RadiusSettings settings, String user, String password, boolean chap, boolean showSecrets) throws Exception {
        return format(ask(settings, user, password, chap), showSecrets);
    }
}
