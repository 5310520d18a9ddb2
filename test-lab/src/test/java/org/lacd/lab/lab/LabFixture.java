package org.lacd.lab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lacd.testsupport.Peers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Shared by the lab's end-to-end tests: skip when the machine cannot run a lab, build it, check nothing is left. */
final class LabFixture {
    private LabFixture() {}

    static Lab start(LabOptions opts) {
        return start(opts, false);
    }

    /** With {@code twoBoxes}: the access side is a bridge with room for a second lacd (issue 19). */
    static Lab start(LabOptions opts, boolean twoBoxes) {
        String missing = Lab.missingPrerequisite();
        Peers.require(missing == null, "lab not runnable here: " + missing);
        String prefix = Topology.uniquePrefix();
        return Lab.start(Path.of("target", "lab", prefix).toAbsolutePath(), opts, prefix, twoBoxes);
    }

    /** Tears the lab down and asserts that no namespace of it is left. */
    static void stop(Lab lab) {
        if (lab == null) {
            return;
        }
        String prefix = lab.topology().prefix();
        lab.close();
        assertEquals(List.of(), Topology.namespacesStartingWith(prefix + "-"), "namespaces left behind");
    }

    static boolean await(Duration d, BooleanSupplier c) throws InterruptedException {
        return LabProcess.await(d, c);
    }

    /** Sessions in lacd by state (management API). */
    static int count(Lab lab, String state) {
        int n = 0;
        for (var s : lab.sessions()) {
            if (state == null || state.equalsIgnoreCase(s.path("state").asText())) {
                n++;
            }
        }
        return n;
    }

    /**
     * Every accounting Start has its Stop (FreeRADIUS detail files; with two servers a session's Start and Stop may
     * be in different files, so the order across files says nothing). Returns the number of sessions with a Start.
     */
    static int assertStopForEveryStart(Lab lab) throws Exception {
        Map<String, List<String>> acct = lab.accounting();
        for (var e : acct.entrySet()) {
            List<String> t = e.getValue();
            if (t.contains("Start")) {
                assertEquals(1, t.stream().filter("Stop"::equals).count(), "one Stop for " + e.getKey() + ": " + t);
                assertEquals(1, t.stream().filter("Start"::equals).count(), "one Start for " + e.getKey() + ": " + t);
            }
        }
        return (int) acct.values().stream().filter(t -> t.contains("Start")).count();
    }

    /**
     * Waits up to 10 s for {@code sessions} sessions with a Start, each with its Stop: lacd sends a Stop when the
     * session has ended, so it reaches FreeRADIUS's detail file a little after the session is gone.
     */
    static void awaitStopForEveryStart(Lab lab, int sessions) throws Exception {
        assertTrue(await(Duration.ofSeconds(10), () -> {
            try {
                return assertStopForEveryStart(lab) == sessions;
            } catch (Throwable e) {
                return false;
            }
        }), "a Stop for each of " + sessions + " Starts: " + lab.accounting());
        assertEquals(sessions, assertStopForEveryStart(lab));
    }
}
