package org.lacd.radius.dae;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Issue 14, defect 4: the session identification of a Disconnect-/CoA-Request is logged escaped. */
class SessionCriteriaTest {
    @Test
    void toStringEscapesEveryValue() {
        SessionCriteria c = new SessionCriteria(Optional.empty(), Optional.of("bob\nINFO forged\0"),
                Optional.of("02:00:00:00:00:01\r\033[2J"), Optional.empty());
        assertEquals("SessionCriteria[User-Name=bob\\nINFO forged\\x00 Calling-Station-Id=02:00:00:00:00:01\\r\\x1b[2J]", c.toString());
    }
}
