package org.lacd.packaging;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small checker for the PromQL in the dashboard and the alert rules: every series name must be
 * one lacd exposes, every label matcher must name a label of that series (with a known value when
 * the label is a closed set), every grouping label must exist on a series of the expression, and
 * every function must be a PromQL function. Not a PromQL parser: enough for our expressions, and
 * strict where it does not understand something (an unknown identifier is an error).
 */
final class PromQlCheck {
    private PromQlCheck() {}

    static final Set<String> FUNCTIONS = Set.of("sum", "avg", "min", "max", "count", "rate", "irate", "increase", "deriv",
            "delta", "histogram_quantile", "max_over_time", "min_over_time", "avg_over_time", "absent", "absent_over_time",
            "clamp_min", "clamp_max", "vector", "scalar", "time", "changes", "resets", "topk", "bottomk", "label_values",
            "abs", "round", "sort_desc");
    static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring",
            "group_left", "group_right");

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern GROUPING = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)?\\s*\\{([^}]*)\\}");
    private static final Pattern MATCHER = Pattern.compile("\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*");
    private static final Pattern IDENT = Pattern.compile("(?<![\\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");

    /** Returns the problems found in one expression (empty when it is fine). */
    static List<String> check(String expr) {
        List<String> problems = new ArrayList<>();
        // Grafana's label_values(metric, label): the label must exist on the metric.
        Matcher lv = Pattern.compile("^label_values\\((.*),\\s*([a-zA-Z_]+)\\s*\\)$").matcher(expr.strip());
        if (lv.matches()) {
            Set<String> labels = labelsOf(lv.group(1));
            if (!labels.contains(lv.group(2))) {
                problems.add("label_values: " + lv.group(2) + " is not a label of " + lv.group(1));
            }
            problems.addAll(check(lv.group(1)));
            return problems;
        }

        Set<String> metrics = new HashSet<>();
        // 1. Selectors with matchers.
        Matcher sel = SELECTOR.matcher(expr);
        while (sel.find()) {
            String name = sel.group(1);
            if (name == null || KEYWORDS.contains(name) || FUNCTIONS.contains(name)) {
                problems.add("selector without a metric name: " + sel.group());
                continue;
            }
            Map<String, Set<String>> labels = KnownMetrics.SERIES.get(name);
            if (labels == null) {
                continue; // reported as an unknown identifier below
            }
            for (String m : splitMatchers(sel.group(2))) {
                Matcher mm = MATCHER.matcher(m);
                if (!mm.matches()) {
                    problems.add("cannot read matcher '" + m + "' in " + sel.group());
                    continue;
                }
                String label = mm.group(1);
                if (KnownMetrics.TARGET_LABELS.contains(label)) {
                    continue;
                }
                if (!labels.containsKey(label)) {
                    problems.add(name + " has no label " + label);
                    continue;
                }
                Set<String> allowed = labels.get(label);
                String value = mm.group(3);
                if (!allowed.isEmpty() && !value.startsWith("$")) {
                    Set<String> values = mm.group(2).contains("~") ? Set.of(value.split("\\|")) : Set.of(value);
                    for (String v : values) {
                        if (!allowed.contains(v)) {
                            problems.add(name + "{" + label + "}: unknown value " + v + " (known: " + allowed + ")");
                        }
                    }
                }
            }
        }
        // 2. Identifiers outside strings, selectors, ranges and grouping lists.
        String bare = STRING.matcher(expr).replaceAll("\"\"");
        bare = bare.replaceAll("\\{[^}]*\\}", " ").replaceAll("\\[[^]]*\\]", " ");
        List<String[]> groupings = new ArrayList<>();
        Matcher g = GROUPING.matcher(bare);
        while (g.find()) {
            groupings.add(new String[] {g.group(1), g.group(2)});
        }
        bare = GROUPING.matcher(bare).replaceAll(" ");
        bare = bare.replaceAll("\\$\\{?[a-zA-Z_]+\\}?", " ").replaceAll("\\b\\d+(\\.\\d+)?(e[+-]?\\d+)?\\b", " ");
        Matcher id = IDENT.matcher(bare);
        while (id.find()) {
            String word = id.group(1);
            boolean call = id.group(2) != null;
            if (KEYWORDS.contains(word)) {
                continue; // "and (", "unless (": binary operators before a parenthesis
            } else if (call) {
                if (!FUNCTIONS.contains(word)) {
                    problems.add("unknown function " + word);
                }
            } else if (KnownMetrics.SERIES.containsKey(word)) {
                metrics.add(word);
            } else {
                problems.add("unknown series " + word);
            }
        }
        // 3. Grouping labels exist on some series of the expression.
        Set<String> available = new HashSet<>(KnownMetrics.TARGET_LABELS);
        for (String m : metrics) {
            available.addAll(KnownMetrics.SERIES.get(m).keySet());
        }
        for (String[] grouping : groupings) {
            for (String label : grouping[1].split(",")) {
                String l = label.strip();
                if (!l.isEmpty() && !available.contains(l)) {
                    problems.add(grouping[0] + " (" + l + "): no series in the expression has that label");
                }
            }
        }
        if (metrics.isEmpty() && problems.isEmpty()) {
            problems.add("no lacd series in expression");
        }
        return problems;
    }

    private static Set<String> labelsOf(String selector) {
        Matcher m = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)").matcher(selector.strip());
        if (!m.find() || !KnownMetrics.SERIES.containsKey(m.group(1))) {
            return Set.of();
        }
        Set<String> labels = new HashSet<>(KnownMetrics.SERIES.get(m.group(1)).keySet());
        labels.addAll(KnownMetrics.TARGET_LABELS);
        return labels;
    }

    private static List<String> splitMatchers(String body) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inString = false;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '"' && (i == 0 || body.charAt(i - 1) != '\\')) {
                inString = !inString;
            }
            if (c == ',' && !inString) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (!cur.toString().isBlank()) {
            out.add(cur.toString());
        }
        return out;
    }
}
