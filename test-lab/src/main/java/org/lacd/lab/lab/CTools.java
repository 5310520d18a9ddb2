package org.lacd.lab.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The lab's C tools ({@code test-lab/src/main/c}): {@code afp-fwd}, the bare AF_PACKET forwarder (TPACKET_V2 receive
 * rings, sendmmsg batches, no protocol work), and {@code afp-gen}, the traffic generator that replays a benchmark
 * frames file at a paced rate through a TX ring (or with sendmmsg). They are compiled at run time with gcc -O2 into a directory the caller
 * chooses (a temporary one); no binary is kept in the repository. {@code test-lab/install-deps.sh} installs gcc.
 */
public final class CTools {
    public static final String FORWARDER = "afp-fwd";
    public static final String GENERATOR = "afp-gen";

    private final Path bin;

    private CTools(Path bin) {
        this.bin = bin;
    }

    /** The C sources: {@code test-lab/src/main/c} of the repository. */
    public static Path sources() {
        return Lab.repoRoot().resolve("test-lab/src/main/c");
    }

    /** Compiles both tools into {@code bin}; a missing gcc or a compile error is a {@link LabException} with gcc's output. */
    public static CTools compile(Path bin) throws IOException {
        if (!Sh.have("gcc")) {
            throw new LabException("gcc not installed (test-lab/install-deps.sh installs it)");
        }
        Files.createDirectories(bin);
        for (String tool : List.of(FORWARDER, GENERATOR)) {
            Path src = sources().resolve(tool + ".c");
            if (!Files.isRegularFile(src)) {
                throw new LabException(src + " missing");
            }
            Sh.Result r = Sh.run(120, List.of("gcc", "-O2", "-Wall", "-o", bin.resolve(tool).toString(), src.toString()));
            if (!r.ok()) {
                throw new LabException("gcc " + src + " exited " + r.exit() + ":\n" + r.out());
            }
        }
        return new CTools(bin);
    }

    public Path forwarder() {
        return bin.resolve(FORWARDER);
    }

    public Path generator() {
        return bin.resolve(GENERATOR);
    }

    /** {@code afp-fwd} between two interfaces; filters are {@code ether:0xHHHH} or {@code udp:PORT}. */
    public List<String> forwardCommand(String a, String aFilter, String b, String bFilter) {
        return new ArrayList<>(List.of(forwarder().toString(), "--a", a, "--a-filter", aFilter, "--b", b, "--b-filter", bFilter));
    }

    /** {@code afp-gen} replaying a frames file through its TX ring: its last output line is the JSON of {@link RawTools} blast. */
    public List<String> generateCommand(String iface, Path frames, long rate, double seconds) {
        return generateCommand(iface, frames, rate, seconds, true);
    }

    /** As {@link #generateCommand(String, Path, long, double)}, through a TX ring or with sendmmsg batches. */
    public List<String> generateCommand(String iface, Path frames, long rate, double seconds, boolean txRing) {
        return new ArrayList<>(List.of(generator().toString(), "--interface", iface, "--frames", frames.toString(),
                "--rate", Long.toString(rate), "--seconds", Double.toString(seconds), "--tx-ring", txRing ? "1" : "0"));
    }
}
