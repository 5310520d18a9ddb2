package org.lacd.daemon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Talks to a running daemon's management API; errors come back as one-line messages.
 *
 * <p>HttpURLConnection rather than java.net.http.HttpClient on purpose: a management command is a short-lived process
 * and HttpClient's start loads and initialises about 400 classes (its selector thread and the TLS stack, even for
 * plain http), a third of the command's time. HttpURLConnection on plain http loads a few dozen.
 */
final class ManagementClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String base;
    private final Optional<String> token;
    private static final int CONNECT_TIMEOUT_MS = 3_000;
    private static final int READ_TIMEOUT_MS = 30_000;

    ManagementClient(String base, Optional<String> token) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.token = token;
    }

    /** A failed call: the message is for the operator. */
    static final class CallException extends Exception {
        private static final long serialVersionUID = 1L;

        CallException(String message) {
            super(message, null, false, false);
        }
    }

    /** The answer: HTTP status and JSON body. */
    record Answer(int status, JsonNode body) {}

    Answer get(String path) throws CallException {
        return call("GET", path);
    }

    Answer post(String path) throws CallException {
        return call("POST", path);
    }

    private Answer call(String method, String path) throws CallException {
        HttpURLConnection h = null;
        try {
            h = (HttpURLConnection) new URL(base + path).openConnection();
            h.setConnectTimeout(CONNECT_TIMEOUT_MS);
            h.setReadTimeout(READ_TIMEOUT_MS);
            h.setRequestMethod(method);
            h.setUseCaches(false);
            if (token.isPresent()) {
                h.setRequestProperty("Authorization", "Bearer " + token.get());
            }
            if (method.equals("POST")) {
                h.setDoOutput(true);
                h.setFixedLengthStreamingMode(0);
                h.getOutputStream().close();
            }
            int status = h.getResponseCode();
            InputStream in = status >= 400 ? h.getErrorStream() : h.getInputStream();
            String text = in == null ? "" : readAll(in);
            JsonNode body = text.isEmpty() ? JSON.nullNode() : JSON.readTree(text);
            if (status >= 400) {
                throw new CallException(body.path("message").asText("HTTP " + status));
            }
            return new Answer(status, body);
        } catch (ConnectException e) {
            throw new CallException("cannot reach lacd at " + base + " (is it running? is management.enabled true?"
                    + " a lacd in a network namespace: ip netns exec NS lacd ... --url http://127.0.0.1:PORT)");
        } catch (SocketTimeoutException e) {
            throw new CallException("lacd at " + base + " did not answer in time");
        } catch (IllegalArgumentException | java.net.MalformedURLException e) {
            throw new CallException("bad --url " + base + ": " + e.getMessage());
        } catch (IOException e) {
            throw new CallException("talking to lacd at " + base + ": " + e.getMessage());
        } finally {
            if (h != null) {
                h.disconnect();
            }
        }
    }

    private static String readAll(InputStream in) throws IOException {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
