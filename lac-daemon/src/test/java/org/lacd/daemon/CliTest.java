package org.lacd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {}

    static Result lacd(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void checkConfigAcceptsTheSample() {
        Result r = lacd("check-config", "../packaging/lacd.yaml");
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void checkConfigRefusesMisspelledKeyWithExit2() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, Files.readString(Path.of("../packaging/lacd.yaml")).replace("  ac-name: lacd", "  ac-nam: lacd"));
        // check-config prints to System.err; run it as the CLI does and check the exit code
        assertEquals(2, lacd("check-config", bad.toString()).code());
    }

    @Test
    void runWithInvalidConfigExits2() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "nonsense: 1\n");
        assertEquals(2, lacd("run", "--config", bad.toString()).code());
    }

    @Test
    void usageErrorsExit2AndHelpExits0() {
        Result unknown = lacd("no-such-command");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("Unmatched argument"), unknown.err());
        assertEquals(2, lacd("run").code(), "run without --config");
        for (String cmd : new String[] {"run", "check-config"}) {
            Result help = lacd(cmd, "--help");
            assertEquals(0, help.code());
            assertTrue(help.out().contains("Usage: lacd " + cmd), help.out());
        }
        Result top = lacd("--help");
        assertEquals(0, top.code());
        assertFalse(top.out().isEmpty());
    }
}
