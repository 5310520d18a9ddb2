package org.lacd.pppoe.ppp;

import java.util.random.RandomGenerator;
import org.lacd.pppoe.AuthExchange;
import org.lacd.pppoe.AuthType;
import org.lacd.pppoe.ServerScheduler;
import org.lacd.pppoe.wire.ChapPacket;
import org.lacd.pppoe.wire.PapPacket;
import org.lacd.pppoe.wire.PppControlPacket;

/**
 * The authenticator's half of PAP (RFC 1334) and CHAP-MD5 (RFC 1994) up to capturing the subscriber's answer.
 * It never sends Success/Ack: the LNS decides. CHAP Challenges are retransmitted on the restart timer with the
 * same Identifier and value (RFC 1994 4.1) up to Max-Configure times. Runs on the server thread only.
 */
public final class AuthPhase {
    public static final int CHALLENGE_LENGTH = 16;

    /** What the phase needs from its session. */
    public interface Host {
        void sendControl(PppControlPacket p);
        ServerScheduler.Cancellable schedule(Runnable task, long delayNanos);
    }

    private final Host host;
    private final RandomGenerator random;
    private final long restartNanos;
    private final int maxTransmits;
    private AuthType type;
    private int id = -1;
    private byte[] challenge = new byte[0];
    private ChapPacket challengePacket;
    private int transmits;
    private ServerScheduler.Cancellable timer;
    private AuthExchange result;

    public AuthPhase(Host host, RandomGenerator random, long restartNanos, int maxTransmits) {
        this.host = host;
        this.random = random;
        this.restartNanos = restartNanos;
        this.maxTransmits = maxTransmits;
    }

    public AuthType type() { return type; }
    /** The Identifier of the exchange (CHAP challenge id, or PAP request id once received); -1 before. */
    public int id() { return id; }
    public AuthExchange result() { return result; }

    /** Begins authentication with the protocol LCP agreed on. */
    public void start(AuthType t, String acName) {
        cancel();
        this.type = t;
        this.result = null;
        if (t == AuthType.CHAP_MD5) {
            id = random.nextInt(256);
            challenge = new byte[CHALLENGE_LENGTH];
            random.nextBytes(challenge);
            challengePacket = ChapPacket.challenge(id, challenge, acName);
            transmits = 0;
            sendChallenge();
        } else {
            id = -1;
        }
    }

    private void sendChallenge() {
        timer = null;
        if (result != null || transmits >= maxTransmits) {
            return;
        }
        transmits++;
        host.sendControl(challengePacket);
        timer = host.schedule(this::sendChallenge, restartNanos);
    }

    /**
     * Offers a received PAP/CHAP packet. Returns the exchange when this packet completes it, or null when it is
     * not the awaited answer (wrong protocol, code or Identifier) and was ignored.
     */
    public AuthExchange receive(PppControlPacket p, byte[] rawPppFrame) {
        if (result != null || type == null) {
            return null;
        }
        if (type == AuthType.CHAP_MD5 && p instanceof ChapPacket c && c.code() == ChapPacket.RESPONSE && c.id() == id) {
            cancel();
            result = new AuthExchange(type, c.nameString(), id, challenge.clone(), c.value().clone(), new byte[0],
                    rawPppFrame.clone());
            return result;
        }
        if (type == AuthType.PAP && p instanceof PapPacket a && a.code() == PapPacket.AUTH_REQUEST) {
            id = a.id();
            result = new AuthExchange(type, a.peerIdString(), id, new byte[0], new byte[0], a.password().clone(),
                    rawPppFrame.clone());
            return result;
        }
        return null;
    }

    /** The rejection to send: CHAP Failure or PAP Authenticate-Nak with the exchange's Identifier. */
    public PppControlPacket failure(String message) {
        if (type == AuthType.CHAP_MD5) {
            return ChapPacket.failure(id, message);
        }
        return PapPacket.nak(Math.max(id, 0), message);
    }

    public void cancel() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }
}
