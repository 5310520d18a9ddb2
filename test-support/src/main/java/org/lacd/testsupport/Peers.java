package org.lacd.testsupport;

import org.junit.jupiter.api.Assumptions;
import org.opentest4j.AssertionFailedError;

/**
 * The one check for a missing real peer. On a developer's machine a missing peer skips the test (JUnit assumption);
 * under CI ({@code CI} set in the environment and not {@code false} or {@code 0}; {@code .ci/run} exports
 * {@code CI=true}) it fails the test, so that a CI run cannot pass by skipping what it was meant to exercise.
 */
public final class Peers {
    private Peers() {}

    /**
     * Returns when {@code present}; otherwise fails the test under CI, else aborts it (skipped).
     *
     * @param present whether the peer (program, privilege, kernel facility) is there
     * @param what    what is missing, as a reader of the report needs it, e.g. "xl2tpd not installed"
     */
    public static void require(boolean present, String what) {
        require(present, what, System.getenv("CI"));
    }

    /** {@link #require(boolean, String)} with the value of {@code CI} given (for this class's own test). */
    static void require(boolean present, String what, String ciValue) {
        if (present) {
            return;
        }
        if (underCi(ciValue)) {
            throw new AssertionFailedError("real peer missing under CI=" + ciValue + ": " + what
                    + " (test-lab/install-deps.sh installs the peers; run with CI unset to skip instead)");
        }
        Assumptions.assumeTrue(false, "real peer missing: " + what);
    }

    /** Whether we run under CI. */
    public static boolean underCi() {
        return underCi(System.getenv("CI"));
    }

    static boolean underCi(String ciValue) {
        return ciValue != null && !ciValue.isBlank() && !"false".equalsIgnoreCase(ciValue.trim()) && !"0".equals(ciValue.trim());
    }
}
