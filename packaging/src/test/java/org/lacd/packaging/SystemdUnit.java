package org.lacd.packaging;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A systemd unit file read into section -> key -> values (a key may repeat). */
record SystemdUnit(Map<String, Map<String, List<String>>> sections) {

    static SystemdUnit parse(String text) {
        Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
        Map<String, List<String>> current = null;
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                current = sections.computeIfAbsent(line.substring(1, line.length() - 1), k -> new LinkedHashMap<>());
                continue;
            }
            int eq = line.indexOf('=');
            if (current == null || eq < 1) {
                throw new AssertionError("not a unit line: " + raw);
            }
            current.computeIfAbsent(line.substring(0, eq).strip(), k -> new ArrayList<>())
                    .add(line.substring(eq + 1).strip());
        }
        return new SystemdUnit(sections);
    }

    /** The single value of a key; fails when it is missing or repeated. */
    String one(String section, String key) {
        List<String> values = sections.getOrDefault(section, Map.of()).getOrDefault(key, List.of());
        if (values.size() != 1) {
            throw new AssertionError("[" + section + "] " + key + ": expected one value, got " + values);
        }
        return values.get(0);
    }

    boolean has(String section, String key) {
        return sections.getOrDefault(section, Map.of()).containsKey(key);
    }

    /** All blank-separated words of a list-valued key (AmbientCapabilities=, RestrictAddressFamilies=...). */
    Set<String> words(String section, String key) {
        Set<String> out = new LinkedHashSet<>();
        for (String v : sections.getOrDefault(section, Map.of()).getOrDefault(key, List.of())) {
            out.addAll(Arrays.asList(v.split("\\s+")));
        }
        return out;
    }

    /** A systemd time span such as "40s", "1min 30s" or "45" (seconds) in seconds. */
    static long seconds(String span) {
        long total = 0;
        for (String part : span.trim().split("\\s+")) {
            var m = java.util.regex.Pattern.compile("(\\d+)(ms|s|sec|min|m|h)?").matcher(part);
            if (!m.matches()) {
                throw new AssertionError("unsupported time span: " + span);
            }
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            total += switch (unit) {
                case "ms" -> n / 1000;
                case "s", "sec" -> n;
                case "min", "m" -> n * 60;
                case "h" -> n * 3600;
                default -> throw new AssertionError(unit);
            };
        }
        return total;
    }
}
