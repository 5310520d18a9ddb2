package org.lacd.lab.lns;

/**
 * The password the emulated LNS expects for a user name. The pattern is a fixed password, or a template with
 * {@code {n}} (the last run of digits in the user name's local part: {@code user17@isp} gives {@code 17}),
 * {@code {user}} (the whole name) and {@code {local}} (the part before {@code @}).
 */
public record PasswordPattern(String pattern) {
    public PasswordPattern {
        if (pattern == null) {
            throw new IllegalArgumentException("password pattern is null");
        }
    }

    /** The password for {@code user}, or null when the pattern needs {@code {n}} and the name has no digits. */
    public String passwordFor(String user) {
        if (!pattern.contains("{")) {
            return pattern;
        }
        String name = user == null ? "" : user;
        int at = name.indexOf('@');
        String local = at < 0 ? name : name.substring(0, at);
        String out = pattern.replace("{user}", name).replace("{local}", local);
        if (out.contains("{n}")) {
            String n = lastDigits(local);
            if (n == null) {
                return null;
            }
            out = out.replace("{n}", n);
        }
        return out;
    }

    private static String lastDigits(String s) {
        int end = s.length();
        while (end > 0 && !Character.isDigit(s.charAt(end - 1))) {
            end--;
        }
        int start = end;
        while (start > 0 && Character.isDigit(s.charAt(start - 1))) {
            start--;
        }
        return start == end ? null : s.substring(start, end);
    }
}
