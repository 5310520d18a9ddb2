package org.lacd.radius;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.lacd.radius.wire.RadiusAttribute;

/** The answer to {@link AaaService#authorize}: where the tunnel goes, or why not. */
public sealed interface AccessDecision {

    /**
     * Access-Accept.
     * @param candidates ranked LNS candidates (lower preference first); empty when the answer carried no tunnel attributes
     *                   (the caller falls back to realm rules)
     * @param replyMessage Reply-Message attributes joined, or empty
     */
    record Accept(List<TunnelCandidate> candidates, String replyMessage, AcceptAttributes attributes) implements AccessDecision {
        public Accept {
            candidates = List.copyOf(candidates);
        }
    }

    record Reject(RejectReason reason, String replyMessage) implements AccessDecision { }

    enum RejectReason {
        /** The server sent Access-Reject. */
        ACCESS_REJECT,
        /** Access-Accept with tunnel attributes, none of them usable (see the log for each dropped group). */
        NO_USABLE_TUNNEL,
        /** Access-Challenge: lacd has no way to relay a challenge to the subscriber. */
        CHALLENGE_UNSUPPORTED,
        /** No server answered (every try timed out, or every answer was dropped). */
        TIMEOUT_ALL_SERVERS,
        /** Too many requests waiting: the bounded queue is full. */
        OVERLOADED,
        /** The service is stopped or has no servers. */
        NOT_AVAILABLE,
        /** The query cannot be encoded (e.g. a User-Name or password longer than RADIUS allows). */
        INVALID_QUERY
    }

    /** Other useful attributes of an Access-Accept. */
    record AcceptAttributes(OptionalLong sessionTimeout, OptionalLong idleTimeout, OptionalLong acctInterimInterval,
                            List<byte[]> classes, Optional<String> userName, List<RadiusAttribute> all) {
        public AcceptAttributes {
            classes = classes.stream().map(byte[]::clone).toList();
            all = List.copyOf(all);
        }

        public static AcceptAttributes none() {
            return new AcceptAttributes(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), List.of(), Optional.empty(), List.of());
        }
    }
}
