package org.lacd.daemon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The daemon turns Netty's leak detector off unless the operator's JVM options chose a level. */
class RunCommandTest {
    private String saved;
    private String savedOld;

    @BeforeEach
    void save() {
        saved = System.getProperty(RunCommand.LEAK_LEVEL);
        savedOld = System.getProperty(RunCommand.LEAK_LEVEL_OLD);
        System.clearProperty(RunCommand.LEAK_LEVEL);
        System.clearProperty(RunCommand.LEAK_LEVEL_OLD);
    }

    @AfterEach
    void restore() {
        set(RunCommand.LEAK_LEVEL, saved);
        set(RunCommand.LEAK_LEVEL_OLD, savedOld);
    }

    private static void set(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    @Test
    void offWhenNothingIsSet() {
        RunCommand.leakDetectionOffUnlessSet();
        assertEquals("disabled", System.getProperty(RunCommand.LEAK_LEVEL));
    }

    @Test
    void theOperatorsLevelWins() {
        System.setProperty(RunCommand.LEAK_LEVEL, "paranoid");
        RunCommand.leakDetectionOffUnlessSet();
        assertEquals("paranoid", System.getProperty(RunCommand.LEAK_LEVEL));
    }

    @Test
    void theOldPropertyNameCountsAsSet() {
        System.setProperty(RunCommand.LEAK_LEVEL_OLD, "advanced");
        RunCommand.leakDetectionOffUnlessSet();
        assertNull(System.getProperty(RunCommand.LEAK_LEVEL), "Netty reads the old name when the new one is absent");
    }
}
