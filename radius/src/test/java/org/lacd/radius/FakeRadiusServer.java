package org.lacd.radius;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.lacd.radius.wire.RadiusAttribute;
import org.lacd.radius.wire.RadiusCode;
import org.lacd.radius.wire.RadiusCrypto;
import org.lacd.radius.wire.RadiusPacket;

/**
 * A tiny in-test RADIUS server on 127.0.0.1 that answers Access-Requests with Access-Accept (and Accounting-Requests
 * with Accounting-Response), for behaviour FreeRADIUS 3.2.1 cannot show (it never sends a Message-Authenticator, and
 * it cannot be told which request to leave unanswered): with or without a valid M-A, with a corrupted one, preceded by
 * spoofed answers, held back, or some requests ignored.
 */
final class FakeRadiusServer implements AutoCloseable {
    enum Ma { VALID, NONE, CORRUPT }

    volatile Ma ma = Ma.VALID;
    volatile boolean spoofFirst;
    /** Answers every request twice (as a server does that sees a retry of a request it has answered). */
    volatile boolean duplicate;
    volatile boolean hold;
    /** {@link #release()} answers the held requests newest first (a server whose threads finish out of order). */
    volatile boolean releaseReversed;
    /** Receives and counts but never answers (a dead server). */
    volatile boolean silent;
    /** Requests it receives but does not answer. */
    volatile Predicate<RadiusPacket> ignore = req -> false;
    final AtomicInteger received = new AtomicInteger();
    /** The requests answered, in the order answered. */
    final List<RadiusPacket> answered = Collections.synchronizedList(new ArrayList<>());
    private final List<Object[]> held = new ArrayList<>();
    private final DatagramSocket socket;
    private final byte[] secret;
    private final Thread thread;

    FakeRadiusServer(String secret) throws SocketException {
        this.secret = RadiusCrypto.secret(secret);
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        thread = new Thread(this::run, "fake-radius");
        thread.setDaemon(true);
        thread.start();
    }

    int port() { return socket.getLocalPort(); }

    private void run() {
        byte[] buf = new byte[4096];
        while (!socket.isClosed()) {
            try {
                DatagramPacket dp = new DatagramPacket(buf, buf.length);
                socket.receive(dp);
                RadiusPacket req = RadiusPacket.decode(buf, 0, dp.getLength());
                received.incrementAndGet();
                if (silent || ignore.test(req)) {
                    continue;
                }
                synchronized (held) {
                    if (hold) {
                        held.add(new Object[] {req, dp.getSocketAddress()});
                        continue;
                    }
                }
                answer(req, (InetSocketAddress) dp.getSocketAddress());
            } catch (Exception e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    void release() throws IOException {
        synchronized (held) {
            hold = false;
            if (releaseReversed) {
                Collections.reverse(held);
            }
            for (Object[] h : held) {
                answer((RadiusPacket) h[0], (InetSocketAddress) h[1]);
            }
            held.clear();
        }
    }

    private void answer(RadiusPacket req, InetSocketAddress to) throws IOException {
        List<RadiusAttribute> attrs = List.of(RadiusAttribute.string(18, "fake ok"));
        if (spoofFirst) {
            // Wrong identifier, then right identifier with a wrong authenticator (as an off-path attacker would).
            byte[] wrongId = RadiusCrypto.encodeResponse(RadiusCode.ACCESS_ACCEPT, (req.identifier() + 1) & 0xFF, req.authenticator(), attrs,
                secret, true);
            socket.send(new DatagramPacket(wrongId, wrongId.length, to));
            byte[] badAuth = RadiusCrypto.encodeResponse(RadiusCode.ACCESS_ACCEPT, req.identifier(), req.authenticator(), attrs,
                RadiusCrypto.secret("guess"), true);
            socket.send(new DatagramPacket(badAuth, badAuth.length, to));
        }
        RadiusCode code = req.code() == RadiusCode.ACCOUNTING_REQUEST ? RadiusCode.ACCOUNTING_RESPONSE : RadiusCode.ACCESS_ACCEPT;
        byte[] out = RadiusCrypto.encodeResponse(code, req.identifier(), req.authenticator(), attrs, secret,
            ma != Ma.NONE);
        if (ma == Ma.CORRUPT) {
            // Flip an M-A octet (first attribute, value at 22) and recompute the Response Authenticator over the result,
            // so only the M-A check can catch it.
            out[22] ^= 1;
            java.security.MessageDigest md;
            try {
                md = java.security.MessageDigest.getInstance("MD5");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            System.arraycopy(req.authenticator(), 0, out, 4, 16);
            md.update(out);
            md.update(secret);
            System.arraycopy(md.digest(), 0, out, 4, 16);
        }
        answered.add(req);
        socket.send(new DatagramPacket(out, out.length, to));
        if (duplicate) {
            socket.send(new DatagramPacket(out, out.length, to));
        }
    }

    @Override
    public void close() {
        socket.close();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
