package dev.herald.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md is the reference of every setting: a variable or file key the loader
 * accepts but the page does not name is a setting nobody can find. Runs in the fast tier.
 */
class ConfigurationReferenceTest {

  @Test
  void theReferenceNamesEveryEnvironmentVariable() throws IOException {
    assertNamed(ConfigLoader.envNames(), "environment variables");
  }

  @Test
  void theReferenceNamesEveryFileKeyOfTheServerAndOfAnApp() throws IOException {
    List<String> keys = new ArrayList<>(ServerConfig.KEYS);
    keys.addAll(ConnectionSettings.KEYS);
    keys.addAll(AppConfig.KEYS);
    assertNamed(keys, "file keys");
  }

  private static void assertNamed(Collection<String> names, String what) throws IOException {
    String reference = Files.readString(reference());
    List<String> missing = new ArrayList<>();
    for (String name : new TreeSet<>(names)) {
      if (!Pattern.compile("`" + Pattern.quote(name) + "`").matcher(reference).find()) {
        missing.add(name);
      }
    }
    assertTrue(
        missing.isEmpty(), "docs/configuration.md does not name these " + what + ": " + missing);
  }

  /** Maven runs this from server/, an IDE maybe from the top of the checkout. */
  private static Path reference() {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path candidate = dir; candidate != null; candidate = candidate.getParent()) {
      Path page = candidate.resolve("docs/configuration.md");
      if (Files.exists(page)) {
        return page;
      }
    }
    throw new IllegalStateException("no docs/configuration.md above " + dir);
  }
}
