package org.lacd.daemon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;

/** Talks to a running daemon's management API; errors come back as one-line messages. */
final class ManagementClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String base;
    private final Optional<String> token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

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
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody());
        token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
            if (r.statusCode() >= 400) {
                String msg = body.path("message").asText("HTTP " + r.statusCode());
                throw new CallException(msg);
            }
            return new Answer(r.statusCode(), body);
        } catch (ConnectException e) {
            throw new CallException("cannot reach lacd at " + base + " (is it running? is management.enabled true?)");
        } catch (HttpTimeoutException e) {
            throw new CallException("lacd at " + base + " did not answer in time");
        } catch (IOException e) {
            throw new CallException("talking to lacd at " + base + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CallException("interrupted");
        }
    }
}
