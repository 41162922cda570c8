package dev.herald.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The archive the build made ({@code herald-<version>-linux-x64.tar.gz}), unpacked once per test
 * JVM with {@code tar} as a user would, and an environment without Java to run it in. Thread-safe.
 */
final class Installation {
  private Installation() {}

  static final String VERSION = System.getProperty("herald.version", "0.1.0-SNAPSHOT");

  private static Path home;

  static Path archive() {
    Path archive = Path.of(System.getProperty("herald.archive", "target/none.tar.gz"));
    if (!Files.isRegularFile(archive)) {
      throw new IllegalStateException(
          "no archive at " + archive.toAbsolutePath() + ": run mvn package in dist first");
    }
    return archive;
  }

  static Path root() {
    return Path.of(System.getProperty("herald.root", "..")).toAbsolutePath().normalize();
  }

  /** The unpacked {@code herald-<version>-linux-x64/} directory. */
  static synchronized Path home() {
    if (home == null) {
      try {
        Path target = Path.of("target", "unpacked").toAbsolutePath();
        if (Files.exists(target)) {
          try (Stream<Path> files = Files.walk(target)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
          }
        }
        Files.createDirectories(target);
        Launched.Result untar =
            Launched.run(
                List.of("tar", "-xzf", archive().toString(), "-C", target.toString()),
                Map.of("PATH", "/usr/bin:/bin"),
                target,
                Duration.ofMinutes(2));
        assertEquals(0, untar.code(), untar.output());
        home = target.resolve("herald-" + VERSION + "-linux-x64");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return home;
  }

  static Path launcher() {
    return home().resolve("bin/herald");
  }

  /**
   * An environment like a machine without a JDK: PATH holds only links to the few tools {@code
   * bin/herald} uses (and the tests' own), no {@code java} is on it and JAVA_HOME is unset.
   */
  static Map<String, String> environmentWithoutJava() {
    Path bin = Path.of("target", "no-java-bin").toAbsolutePath();
    try {
      Files.createDirectories(bin);
      for (String tool : List.of("sh", "cat", "awk", "dirname", "readlink", "tar", "gzip")) {
        Path link = bin.resolve(tool);
        Path real =
            Stream.of("/usr/bin/" + tool, "/bin/" + tool)
                .map(Path::of)
                .filter(Files::isExecutable)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + tool + " on this machine"));
        if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          Files.createSymbolicLink(link, real);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> env = new HashMap<>();
    env.put("PATH", bin.toString());
    env.put("HOME", System.getProperty("java.io.tmpdir"));
    env.put("LANG", "C.UTF-8");
    return env;
  }
}
