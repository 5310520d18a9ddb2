package org.lacd.radius;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.lacd.radius.RealmRules.Match;
import org.lacd.radius.RealmRules.ProfileRef;
import org.lacd.radius.RealmRules.Rule;

class RealmRulesTest {
    static final RealmRules RULES = new RealmRules(List.of(
        new Rule(new Match.Realm("ResellerA.example"), List.of(new ProfileRef("lns-a2", 20, 1), new ProfileRef("lns-a1", 10, 1))),
        new Rule(Match.UserRegex.of("^[0-9]{10}@.*"), List.of(new ProfileRef("lns-voip", 0, 1))),
        new Rule(new Match.ServiceName("business"), List.of(new ProfileRef("lns-biz", 0, 1))),
        new Rule(new Match.Realm("resellerb.example"), List.of(new ProfileRef("lns-b", 0, 1)))));

    @Test
    void realmMatchIsCaseInsensitiveAndUsesLastAt() {
        assertEquals(Optional.of(List.of(new ProfileRef("lns-a1", 10, 1), new ProfileRef("lns-a2", 20, 1))),
            RULES.match("user@RESELLERA.example", ""));
        assertEquals("lns-a1", RULES.match("odd@name@reselLera.example", "").orElseThrow().get(0).lnsProfileName());
        assertEquals(Optional.empty(), RULES.match("user@reseller.example", ""));
        assertEquals(Optional.empty(), RULES.match("resellera.example", ""));
    }

    @Test
    void firstMatchingRuleWins() {
        // Matches the regex (rule 2) and the realm of rule 4: rule 2 comes first.
        assertEquals("lns-voip", RULES.match("0123456789@resellerb.example", "").orElseThrow().get(0).lnsProfileName());
        assertEquals("lns-b", RULES.match("012345678@resellerb.example", "").orElseThrow().get(0).lnsProfileName());
        // Service name rule, any user.
        assertEquals("lns-biz", RULES.match("someone", "business").orElseThrow().get(0).lnsProfileName());
        assertEquals(Optional.empty(), RULES.match("someone", "Business"));
    }

    @Test
    void invalidRulesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Rule(new Match.Realm("x"), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new ProfileRef("p", 0, 0));
    }

    @Test
    void tryOrderKeepsPreferenceTiersAndSpreadsByWeight() {
        List<ProfileRef> refs = List.of(new ProfileRef("backup", 50, 1), new ProfileRef("heavy", 10, 3), new ProfileRef("light", 10, 1));
        SplittableRandom rnd = new SplittableRandom(42);
        Map<String, Integer> firsts = new HashMap<>();
        for (int i = 0; i < 4000; i++) {
            List<ProfileRef> o = RealmRules.tryOrder(refs, ProfileRef::preference, ProfileRef::weight, rnd);
            assertEquals("backup", o.get(2).lnsProfileName(), "the worse preference always comes last");
            firsts.merge(o.get(0).lnsProfileName(), 1, Integer::sum);
        }
        int heavy = firsts.get("heavy");
        // Expected share 3/4 = 3000 of 4000; binomial sd ~27.
        assertTrue(heavy > 2850 && heavy < 3150, "heavy first " + heavy + " times of 4000");
    }
}
