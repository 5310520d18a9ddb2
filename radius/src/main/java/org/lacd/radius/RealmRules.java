package org.lacd.radius;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.ToIntFunction;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * Local tunnel steering from the configuration, no RADIUS needed: the first rule (in configured order) that matches
 * the user's realm, a regular expression on the whole user name, or the PPPoE service name gives a list of LNS profiles.
 * The daemon uses it when RADIUS is not configured, when an Access-Accept has no tunnel attributes, or always
 * ({@link Use}).
 */
public final class RealmRules {

    /** When the daemon consults the rules. */
    public enum Use { FALLBACK, ALWAYS }

    /** @param weight relative share among profiles of equal preference (1..1000) */
    public record ProfileRef(String lnsProfileName, int preference, int weight) {
        public ProfileRef {
            Objects.requireNonNull(lnsProfileName);
            if (weight < 1 || weight > 1000) {
                throw new IllegalArgumentException("weight " + weight + " (expected: 1..1000)");
            }
            if (preference < 0) {
                throw new IllegalArgumentException("preference " + preference);
            }
        }
    }

    public sealed interface Match {
        boolean test(String userName, String serviceName);

        /** The part after the last '@', compared case-insensitively. */
        record Realm(String realm) implements Match {
            public Realm {
                realm = realm.toLowerCase(Locale.ROOT);
            }

            @Override
            public boolean test(String userName, String serviceName) {
                int at = userName == null ? -1 : userName.lastIndexOf('@');
                return at >= 0 && userName.substring(at + 1).toLowerCase(Locale.ROOT).equals(realm);
            }
        }

        /** A regular expression matching the whole user name. */
        record UserRegex(Pattern pattern) implements Match {
            public static UserRegex of(String regex) { return new UserRegex(Pattern.compile(regex)); }

            @Override
            public boolean test(String userName, String serviceName) {
                return userName != null && pattern.matcher(userName).matches();
            }
        }

        /** The PPPoE Service-Name, exactly. */
        record ServiceName(String name) implements Match {
            @Override
            public boolean test(String userName, String serviceName) {
                return name.equals(serviceName);
            }
        }
    }

    public record Rule(Match match, List<ProfileRef> profiles) {
        public Rule {
            profiles = List.copyOf(profiles);
            if (profiles.isEmpty()) {
                throw new IllegalArgumentException("rule " + match + " has no LNS profiles");
            }
        }
    }

    private final List<Rule> rules;

    public RealmRules(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    public static RealmRules none() { return new RealmRules(List.of()); }

    public List<Rule> rules() { return rules; }

    /** @return the profiles of the first matching rule, sorted by preference (lower first), or empty when no rule matches */
    public Optional<List<ProfileRef>> match(String userName, String serviceName) {
        for (Rule r : rules) {
            if (r.match().test(userName, serviceName)) {
                List<ProfileRef> l = new ArrayList<>(r.profiles());
                l.sort(Comparator.comparingInt(ProfileRef::preference));
                return Optional.of(List.copyOf(l));
            }
        }
        return Optional.empty();
    }

    /**
     * Orders items for trying: by preference (lower first); among equal preferences a weighted random order
     * (each next item drawn with probability weight / remaining weight), so load spreads by weight.
     */
    public static <T> List<T> tryOrder(List<T> items, ToIntFunction<T> preference, ToIntFunction<T> weight, RandomGenerator random) {
        List<T> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparingInt(preference));
        List<T> out = new ArrayList<>(items.size());
        int i = 0;
        while (i < sorted.size()) {
            int j = i;
            while (j < sorted.size() && preference.applyAsInt(sorted.get(j)) == preference.applyAsInt(sorted.get(i))) {
                j++;
            }
            List<T> tier = new ArrayList<>(sorted.subList(i, j));
            while (!tier.isEmpty()) {
                long total = 0;
                for (T t : tier) {
                    total += Math.max(1, weight.applyAsInt(t));
                }
                long pick = random.nextLong(total);
                int k = 0;
                while (pick >= Math.max(1, weight.applyAsInt(tier.get(k)))) {
                    pick -= Math.max(1, weight.applyAsInt(tier.get(k)));
                    k++;
                }
                out.add(tier.remove(k));
            }
            i = j;
        }
        return out;
    }
}
