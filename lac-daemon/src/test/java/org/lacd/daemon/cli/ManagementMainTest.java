package org.lacd.daemon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lacd.daemon.Cli;
import picocli.CommandLine;

/** The three lists of management commands (picocli's, the light parser's, the launcher's) are one list. */
class ManagementMainTest {
    @Test
    void launcherLightParserAndPicocliKnowTheSameManagementCommands() throws Exception {
        List<String> picocli = new ArrayList<>();
        new CommandLine(new Cli()).getSubcommands().forEach((name, cl) -> {
            if (cl.getCommand() instanceof ManagementCommands.Base) {
                picocli.add(name);
            }
        });
        assertEquals(picocli, List.copyOf(ManagementMain.COMMANDS.keySet()));
        String launcher = Files.readAllLines(Path.of("../packaging/src/bin/lacd")).stream()
                .filter(l -> l.startsWith("mgmt_commands=")).findFirst().orElseThrow();
        List<String> names = Arrays.asList(launcher.substring(launcher.indexOf('"') + 1, launcher.lastIndexOf('"')).split(" "));
        assertEquals(picocli, names);
    }
}
