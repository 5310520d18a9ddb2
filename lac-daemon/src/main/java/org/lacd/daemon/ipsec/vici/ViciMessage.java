package org.lacd.daemon.ipsec.vici;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A VICI message body: an ordered tree of key/value pairs, lists and named sections (strongSwan
 * {@code src/libcharon/plugins/vici/README.md}, "Message format"). Immutable. Values are bytes on the wire; this
 * class hands them out as UTF-8 strings, which is what every charon key lacd reads holds.
 *
 * <p>Element encoding: SECTION_START (1) name, SECTION_END (2), KEY_VALUE (3) name value, LIST_START (4) name,
 * LIST_ITEM (5) value, LIST_END (6); a name is one length byte plus bytes, a value two length bytes (big endian)
 * plus bytes.
 */
public record ViciMessage(Map<String, Value> entries) {
    /** Guards against a hostile or broken peer: nesting depth and elements per message. */
    public static final int MAX_DEPTH = 16;
    public static final int MAX_ELEMENTS = 100_000;

    static final int SECTION_START = 1;
    static final int SECTION_END = 2;
    static final int KEY_VALUE = 3;
    static final int LIST_START = 4;
    static final int LIST_ITEM = 5;
    static final int LIST_END = 6;

    public static final ViciMessage EMPTY = new ViciMessage(Map.of());

    /** One value of a message. */
    public sealed interface Value {
        record Text(String value) implements Value {}

        record Items(List<String> values) implements Value {}

        record Section(ViciMessage body) implements Value {}
    }

    public ViciMessage {
        entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    public static Builder builder() {
        return new Builder();
    }

    public Optional<String> text(String key) {
        return entries.get(key) instanceof Value.Text t ? Optional.of(t.value()) : Optional.empty();
    }

    public List<String> list(String key) {
        return entries.get(key) instanceof Value.Items l ? l.values() : List.of();
    }

    public Optional<ViciMessage> section(String key) {
        return entries.get(key) instanceof Value.Section s ? Optional.of(s.body()) : Optional.empty();
    }

    /** The named sub-sections, in order (for example the IKE_SAs of a {@code list-sa} event, keyed by name). */
    public Map<String, ViciMessage> sections() {
        Map<String, ViciMessage> out = new LinkedHashMap<>();
        entries.forEach((k, v) -> {
            if (v instanceof Value.Section s) {
                out.put(k, s.body());
            }
        });
        return out;
    }

    /** Builds a message in order. */
    public static final class Builder {
        private final Map<String, Value> entries = new LinkedHashMap<>();

        public Builder put(String key, String value) {
            entries.put(key, new Value.Text(value));
            return this;
        }

        public Builder list(String key, List<String> values) {
            entries.put(key, new Value.Items(List.copyOf(values)));
            return this;
        }

        public Builder section(String key, ViciMessage body) {
            entries.put(key, new Value.Section(body));
            return this;
        }

        public ViciMessage build() {
            return new ViciMessage(entries);
        }
    }

    // ---- codec ----

    public void encode(ByteArrayOutputStream out) {
        for (Map.Entry<String, Value> e : entries.entrySet()) {
            Value v = e.getValue();
            if (v instanceof Value.Text t) {
                out.write(KEY_VALUE);
                name(out, e.getKey());
                value(out, t.value());
            } else if (v instanceof Value.Items l) {
                out.write(LIST_START);
                name(out, e.getKey());
                for (String item : l.values()) {
                    out.write(LIST_ITEM);
                    value(out, item);
                }
                out.write(LIST_END);
            } else {
                out.write(SECTION_START);
                name(out, e.getKey());
                ((Value.Section) v).body().encode(out);
                out.write(SECTION_END);
            }
        }
    }

    static void name(ByteArrayOutputStream out, String name) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        if (b.length > 255) {
            throw new IllegalArgumentException("VICI name longer than 255 bytes");
        }
        out.write(b.length);
        out.writeBytes(b);
    }

    private static void value(ByteArrayOutputStream out, String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        if (b.length > 65535) {
            throw new IllegalArgumentException("VICI value longer than 65535 bytes");
        }
        out.write(b.length >> 8);
        out.write(b.length);
        out.writeBytes(b);
    }

    /** Decodes {@code len} bytes from {@code off} as one message body. */
    public static ViciMessage decode(byte[] buf, int off, int len) throws MalformedViciException {
        Reader r = new Reader(buf, off, off + len);
        ViciMessage m = r.body(0);
        if (r.pos != r.end) {
            throw new MalformedViciException(MalformedViciException.Reason.BAD_NESTING, r.pos - off, "SECTION_END without a section");
        }
        return m;
    }

    private static final class Reader {
        private final byte[] buf;
        private final int start;
        private final int end;
        private int pos;
        private int elements;

        Reader(byte[] buf, int start, int end) {
            this.buf = buf;
            this.start = start;
            this.end = end;
            this.pos = start;
        }

        /** Elements up to the end of the buffer (depth 0) or to this section's SECTION_END. */
        ViciMessage body(int depth) throws MalformedViciException {
            if (depth > MAX_DEPTH) {
                throw new MalformedViciException(MalformedViciException.Reason.TOO_DEEP, pos - start, "sections nested deeper than " + MAX_DEPTH);
            }
            Builder b = builder();
            while (pos < end) {
                int at = pos;
                int type = u8("element type");
                if (++elements > MAX_ELEMENTS) {
                    throw new MalformedViciException(MalformedViciException.Reason.TOO_MANY_ELEMENTS, at - start, "more than " + MAX_ELEMENTS + " elements");
                }
                switch (type) {
                    case SECTION_END -> {
                        if (depth == 0) {
                            pos = at; // decode() reports the stray SECTION_END
                        }
                        return b.build();
                    }
                    case KEY_VALUE -> {
                        String k = name();
                        b.put(k, value());
                    }
                    case SECTION_START -> {
                        String k = name();
                        b.section(k, body(depth + 1)); // returns after its SECTION_END, or throws TRUNCATED
                    }
                    case LIST_START -> {
                        String k = name();
                        List<String> items = new ArrayList<>();
                        while (true) {
                            int t = u8("list element type");
                            if (t == LIST_END) {
                                break;
                            }
                            if (t != LIST_ITEM) {
                                throw new MalformedViciException(MalformedViciException.Reason.BAD_NESTING, pos - 1 - start,
                                        "element type " + t + " inside list '" + k + "'");
                            }
                            if (++elements > MAX_ELEMENTS) {
                                throw new MalformedViciException(MalformedViciException.Reason.TOO_MANY_ELEMENTS, pos - start, "more than " + MAX_ELEMENTS + " elements");
                            }
                            items.add(value());
                        }
                        b.list(k, items);
                    }
                    case LIST_ITEM, LIST_END -> throw new MalformedViciException(MalformedViciException.Reason.BAD_NESTING, at - start,
                            "list element type " + type + " outside a list");
                    default -> throw new MalformedViciException(MalformedViciException.Reason.UNKNOWN_ELEMENT_TYPE, at - start,
                            "element type " + type);
                }
            }
            if (depth > 0) {
                throw new MalformedViciException(MalformedViciException.Reason.TRUNCATED, pos - start, "message ends inside a section");
            }
            return b.build();
        }

        private int u8(String what) throws MalformedViciException {
            if (pos >= end) {
                throw new MalformedViciException(MalformedViciException.Reason.TRUNCATED, pos - start, what + " missing");
            }
            return buf[pos++] & 0xff;
        }

        private String name() throws MalformedViciException {
            int n = u8("name length");
            return bytes(n, "name");
        }

        private String value() throws MalformedViciException {
            int n = (u8("value length") << 8) | u8("value length");
            return bytes(n, "value");
        }

        private String bytes(int n, String what) throws MalformedViciException {
            if (end - pos < n) {
                throw new MalformedViciException(MalformedViciException.Reason.TRUNCATED, pos - start,
                        what + " of " + n + " bytes, " + (end - pos) + " left");
            }
            String s = new String(buf, pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }
    }
}
