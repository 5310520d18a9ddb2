package org.lacd.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.lacd.daemon.Cli;

/** {@code l2tp.lns[].ipsec}, {@code ipsec-connection}, {@code ipsec-child} and {@code l2tp.ipsec-vici} (issue 17). */
class IpsecConfigTest {
    static final Path SAMPLE = Path.of("../packaging/lacd.yaml");
    static final String PROFILE_KEY = "      ipsec: off ";

    @TempDir
    Path dir;

    private Path sampleWith(String replacement) throws IOException {
        String s = Files.readString(SAMPLE);
        assertTrue(s.contains(PROFILE_KEY), "the sample documents ipsec on the first profile");
        Path f = dir.resolve("lacd.yaml");
        Files.writeString(f, s.replace(PROFILE_KEY, replacement));
        return f;
    }

    @Test
    void sampleIsOffAndViciDefaults() throws Exception {
        LacdConfig c = ConfigLoader.load(SAMPLE);
        assertEquals(LacdConfig.Ipsec.OFF, c.l2tp().lns().get(0).ipsec());
        assertFalse(c.l2tp().anyIpsec());
        assertEquals(Path.of("/var/run/charon.vici"), c.l2tp().ipsecVici());
    }

    @Test
    void requiredWithConnectionDefaultsTheChildToTheConnectionName() throws Exception {
        LacdConfig c = ConfigLoader.load(sampleWith("      ipsec: required\n      ipsec-connection: lns-a-1\n      #"));
        assertEquals(new LacdConfig.Ipsec(LacdConfig.IpsecMode.REQUIRED, "lns-a-1", "lns-a-1"), c.l2tp().lns().get(0).ipsec());
        assertTrue(c.l2tp().anyIpsec());
        LacdConfig d = ConfigLoader.load(sampleWith("      ipsec: required\n      ipsec-connection: lns-a-1\n      ipsec-child: l2tp\n      #"));
        assertEquals("l2tp", d.l2tp().lns().get(0).ipsec().child());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        required without a connection | '      ipsec: required #'                                                  | l2tp.lns[0].ipsec-connection | is required with ipsec: required
        connection while off           | '      ipsec: off\\n      ipsec-connection: a #'                           | l2tp.lns[0].ipsec-connection | is set but ipsec is off
        child while off                | '      ipsec-child: a #'                                                  | l2tp.lns[0].ipsec-child      | is set but ipsec is off
        bad connection name            | '      ipsec: required\\n      ipsec-connection: \"a b\" #'               | l2tp.lns[0].ipsec-connection | is not a swanctl connection name
        bad child name                 | '      ipsec: required\\n      ipsec-connection: a\\n      ipsec-child: \"x/y\" #' | l2tp.lns[0].ipsec-child | is not a swanctl child name
        unknown mode                   | '      ipsec: maybe #'                                                     | l2tp.lns[0].ipsec            | expected one of off, required
        """)
    void refused(String what, String replacement, String keyPath, String reason) throws Exception {
        Path f = sampleWith(replacement.replace("\\n", "\n"));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
        assertEquals(keyPath, e.keyPath(), e.getMessage());
        assertTrue(e.reason().startsWith(reason), e.reason());
    }

    @Test
    void relativeViciPathIsRefused() throws Exception {
        Path f = dir.resolve("lacd.yaml");
        Files.writeString(f, Files.readString(SAMPLE).replace("  # ipsec-vici: /var/run/charon.vici ", "  ipsec-vici: charon.vici "));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
        assertEquals("l2tp.ipsec-vici", e.keyPath());
    }

    @Test
    void checkConfigRefusesRequiredWithoutConnectionNamingTheKey() throws Exception {
        Path f = sampleWith("      ipsec: required #");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(new PrintWriter(out, true), new PrintWriter(err, true), "check-config", f.toString());
        assertEquals(2, code, out + "\n" + err);
        assertTrue(err.toString().contains("l2tp.lns[0].ipsec-connection"), err.toString());
    }
}
