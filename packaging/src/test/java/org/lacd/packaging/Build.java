package org.lacd.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Where the build put things; set by surefire's systemPropertyVariables in packaging/pom.xml. */
final class Build {
    private Build() {}

    static Path basedir() {
        return Path.of(required("lacd.packaging.basedir"));
    }

    static Path target() {
        return Path.of(required("lacd.packaging.target"));
    }

    static String version() {
        return required("lacd.packaging.version");
    }

    static Path unit() {
        return Path.of(required("lacd.packaging.unit"));
    }

    static Path sampleConfig() {
        return Path.of(required("lacd.packaging.sampleConfig"));
    }

    static Path tarball() {
        Path p = target().resolve("lacd-" + version() + ".tar.gz");
        if (!Files.isRegularFile(p)) {
            throw new AssertionError("no tarball at " + p + ": run the package phase first");
        }
        return p;
    }

    /** The newest lacd_*.deb: SNAPSHOT builds carry a timestamp in the Debian version. */
    static Path deb() {
        try (Stream<Path> files = Files.list(target())) {
            return files.filter(p -> p.getFileName().toString().matches("lacd_.*\\.deb"))
                    .max(Comparator.comparing(Build::mtime))
                    .orElseThrow(() -> new AssertionError("no lacd_*.deb in " + target()));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Debian version expected for the Maven version: 0.1.0-SNAPSHOT becomes 0.1.0~<timestamp>. */
    static String debianVersionPrefix() {
        String v = version();
        return v.endsWith("-SNAPSHOT") ? v.substring(0, v.length() - "-SNAPSHOT".length()) + "~" : v;
    }

    private static long mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String required(String key) {
        String v = System.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new AssertionError("system property " + key + " not set (run through Maven)");
        }
        return v;
    }
}
