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

    /** Issue 16 part 5: check-config warns about an interface this host does not have (exit 0); run refuses it. */
    @Test
    void checkConfigWarnsAboutAMissingInterface() throws Exception {
        Path cfg = dir.resolve("lacd.yaml");
        Files.writeString(cfg, Files.readString(Path.of("../packaging/lacd.yaml")).replace("  - name: eth1 ", "  - name: nosuch0 "));
        Result r = lacd("check-config", cfg.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains(": OK ("), r.out());
        assertTrue(r.err().contains("warning: interfaces[0].name: interface 'nosuch0' does not exist on this host"), r.err());
        Files.writeString(cfg, Files.readString(Path.of("../packaging/lacd.yaml")).replace("  - name: eth1 ", "  - name: lo "));
        Result lo = lacd("check-config", cfg.toString());
        assertEquals(0, lo.code(), lo.err());
        assertFalse(lo.err().contains("warning"), lo.err());
    }

    /** Issue 16 part 5: a binary file gets "not UTF-8 text at line L", not a Java exception and "byte #-1". */
    @Test
    void binaryConfigSaysNotUtf8AtLine() throws Exception {
        Path bin = dir.resolve("lacd.yaml");
        byte[] head = "interfaces:\n  - name: eth1\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] bytes = java.util.Arrays.copyOf(head, head.length + 4);
        bytes[head.length] = (byte) 0xff;
        bytes[head.length + 1] = (byte) 0xfe;
        Files.write(bin, bytes);
        Result r = lacd("check-config", bin.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("not UTF-8 text at line 3"), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("byte #"), r.err());
    }
}
