package org.lacd.daemon.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A mapping in the YAML tree, read key by key with its path. Every getter records the key as known;
 * {@link #done()} then refuses whatever key was not asked for, so a misspelled key is an error and never a
 * silent default.
 */
final class Section {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");
    private final Path file;
    private final String path;
    private final JsonNode node;
    private final Set<String> known = new LinkedHashSet<>();

    Section(Path file, String path, JsonNode node) throws ConfigException {
        this.file = file;
        this.path = path;
        if (node == null || node.isMissingNode() || node.isNull()) {
            this.node = MissingNode.getInstance();
        } else if (!node.isObject()) {
            throw new ConfigException(file, path, "expected a mapping of keys, got " + kind(node));
        } else {
            this.node = node;
        }
    }

    String path() {
        return path;
    }

    String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    ConfigException error(String key, String reason) {
        return new ConfigException(file, key == null ? path : child(key), reason);
    }

    boolean has(String key) {
        known.add(key);
        JsonNode v = node.get(key);
        return v != null && !v.isNull();
    }

    private JsonNode value(String key) {
        known.add(key);
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v;
    }

    String string(String key, String def) throws ConfigException {
        JsonNode v = value(key);
        if (v == null) {
            return def;
        }
        if (!v.isTextual() && !v.isNumber() && !v.isBoolean()) {
            throw error(key, "expected a string, got " + kind(v));
        }
        return v.asText();
    }

    String requiredString(String key) throws ConfigException {
        String s = string(key, null);
        if (s == null || s.isBlank()) {
            throw error(key, "is required");
        }
        return s;
    }

    int integer(String key, int def, int min, int max) throws ConfigException {
        return (int) longValue(key, def, min, max);
    }

    long longValue(String key, long def, long min, long max) throws ConfigException {
        JsonNode v = value(key);
        if (v == null) {
            return def;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw error(key, "expected a whole number, got " + kind(v));
        }
        long n = v.asLong();
        if (n < min || n > max) {
            throw error(key, n + " is out of range (" + min + ".." + max + ")");
        }
        return n;
    }

    boolean bool(String key, boolean def) throws ConfigException {
        JsonNode v = value(key);
        if (v == null) {
            return def;
        }
        if (!v.isBoolean()) {
            throw error(key, "expected true or false, got " + kind(v));
        }
        return v.asBoolean();
    }

    /** A duration written as a number with a unit: 250ms, 3s, 5m, 1h. */
    Duration duration(String key, Duration def, Duration min, Duration max) throws ConfigException {
        JsonNode v = value(key);
        if (v == null) {
            return def;
        }
        Duration d;
        Matcher m = v.isTextual() ? DURATION.matcher(v.asText().trim()) : null;
        if (m == null || !m.matches()) {
            throw error(key, "expected a duration such as 500ms, 30s, 5m or 1h, got " + kind(v));
        }
        long n = Long.parseLong(m.group(1));
        d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw error(key, v.asText() + " is out of range (" + show(min) + ".." + show(max) + ")");
        }
        return d;
    }

    /** An enum written in lower case with dashes ({@code chap-md5} for {@code CHAP_MD5}). */
    <E extends Enum<E>> E enumValue(String key, Class<E> type, E def) throws ConfigException {
        JsonNode v = value(key);
        if (v == null) {
            return def;
        }
        return parseEnum(key, v, type);
    }

    <E extends Enum<E>> List<E> enumList(String key, Class<E> type, List<E> def) throws ConfigException {
        JsonNode v = value(key);
        if (v == null) {
            return def;
        }
        if (!v.isArray()) {
            throw error(key, "expected a list, got " + kind(v));
        }
        List<E> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            E e = parseEnum(key + "[" + i + "]", v.get(i), type);
            if (out.contains(e)) {
                throw error(key + "[" + i + "]", "'" + v.get(i).asText() + "' is listed twice");
            }
            out.add(e);
        }
        return List.copyOf(out);
    }

    private <E extends Enum<E>> E parseEnum(String key, JsonNode v, Class<E> type) throws ConfigException {
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            String name = yamlName(e);
            names.add(name);
            if (v.isTextual() && name.equals(v.asText().trim().toLowerCase(Locale.ROOT))) {
                return e;
            }
        }
        throw error(key, "expected one of " + String.join(", ", names) + ", got " + kind(v));
    }

    static String yamlName(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    List<String> stringList(String key) throws ConfigException {
        JsonNode v = value(key);
        if (v == null) {
            return List.of();
        }
        if (!v.isArray()) {
            throw error(key, "expected a list, got " + kind(v));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isTextual()) {
                throw error(key + "[" + i + "]", "expected a string, got " + kind(e));
            }
            out.add(e.asText());
        }
        return List.copyOf(out);
    }

    /** The raw value of a key that may take more than one shape (null when absent); the caller checks it. */
    JsonNode raw(String key) {
        return value(key);
    }

    static String kindOf(JsonNode v) {
        return kind(v);
    }

    Section section(String key) throws ConfigException {
        return new Section(file, child(key), value(key));
    }

    List<Section> list(String key) throws ConfigException {
        JsonNode v = value(key);
        if (v == null) {
            return List.of();
        }
        if (!v.isArray()) {
            throw error(key, "expected a list, got " + kind(v));
        }
        List<Section> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            out.add(new Section(file, child(key) + "[" + i + "]", v.get(i)));
        }
        return out;
    }

    /** An IP address literal (no name lookups at config time). */
    InetAddress address(String key, String def) throws ConfigException {
        String s = string(key, def);
        if (s == null) {
            return null;
        }
        return parseAddress(key, s);
    }

    InetAddress parseAddress(String key, String s) throws ConfigException {
        String t = s.trim();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        if (!t.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
            throw error(key, "'" + s + "' is not an IPv4 or IPv6 address");
        }
        try {
            return InetAddress.getByName(t);
        } catch (UnknownHostException e) {
            throw error(key, "'" + s + "' is not an IPv4 or IPv6 address");
        }
    }

    /** {@code address:port}; IPv6 as {@code [addr]:port}. */
    InetSocketAddress hostPort(String key, String def) throws ConfigException {
        String s = string(key, def);
        if (s == null) {
            return null;
        }
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw error(key, "expected address:port, got '" + s + "'");
        }
        InetAddress addr = parseAddress(key, s.substring(0, colon));
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw error(key, "port in '" + s + "' is not a number");
        }
        if (port < 1 || port > 65535) {
            throw error(key, "port " + port + " is out of range (1..65535)");
        }
        return new InetSocketAddress(addr, port);
    }

    /** Refuses every key of this mapping that no getter asked for. */
    void done() throws ConfigException {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!known.contains(k)) {
                String hint = closest(k);
                throw error(k, "unknown key" + (hint == null ? "" : " (did you mean '" + hint + "'?)")
                        + "; known keys here: " + String.join(", ", known));
            }
        }
    }

    private String closest(String k) {
        String best = null;
        int bestDist = Integer.MAX_VALUE;
        for (String c : known) {
            int d = distance(k, c);
            if (d < bestDist) {
                bestDist = d;
                best = c;
            }
        }
        return bestDist <= Math.max(2, k.length() / 3) ? best : null;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    static String kind(JsonNode v) {
        if (v.isTextual()) {
            return "'" + v.asText() + "'";
        }
        if (v.isNumber() || v.isBoolean()) {
            return v.asText();
        }
        return v.isArray() ? "a list" : v.isObject() ? "a mapping" : v.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    static String show(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
