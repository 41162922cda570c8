package dev.herald.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md is the reference of every setting: a variable the loader reads but the page
 * does not name is a setting nobody can find. Each file key's row, with its variables and default,
 * is held to the catalogue by {@link SettingsCatalogueTest}. Runs in the fast tier.
 */
class ConfigurationReferenceTest {
  private static final String SOKETI = "SOKETI_";

  @Test
  void theReferenceNamesEveryEnvironmentVariable() throws IOException {
    assertNamed(ConfigLoader.envNames(), "environment variables");
  }

  /**
   * Soketi's variables are listed the way Soketi's users read them: without {@code SOKETI_}, a
   * family as {@code DB_MYSQL_*}, siblings shortened to their last part ({@code DEFAULT_APP_ID},
   * {@code _KEY}, {@code _SECRET}).
   */
  @Test
  void theReferenceNamesEverySoketiVariableItReads() throws IOException {
    Set<String> words = new HashSet<>();
    boolean fenced = false;
    for (String line : Files.readAllLines(reference())) {
      if (line.stripLeading().startsWith("```")) {
        fenced = !fenced;
      } else if (!fenced) {
        Matcher span = Pattern.compile("`([^`]+)`").matcher(line);
        while (span.find()) {
          for (String word : span.group(1).split("[\\s,/]+")) {
            words.add(word.replaceFirst("=.*", "").replaceFirst("^SOKETI_", "").replace("...", ""));
          }
        }
      }
    }
    List<String> missing = new ArrayList<>();
    for (String name : new TreeSet<>(ConfigLoader.soketiEnvNames())) {
      if (!listed(name.substring(SOKETI.length()), words)) {
        missing.add(name);
      }
    }
    assertTrue(
        missing.isEmpty(),
        "docs/configuration.md does not list these Soketi variables: " + missing);
  }

  /**
   * Whether Soketi's shorthand lists the name (without {@code SOKETI_}): as it is, as a sibling's
   * last part ({@code _KEY}), or in a family ({@code DB_MYSQL_*}, {@code _MYSQL_*} after {@code
   * APP_MANAGER_DYNAMODB_*}).
   */
  private static boolean listed(String name, Set<String> words) {
    for (String word : words) {
      String stem = word.endsWith("_*") ? word.substring(0, word.length() - 1) : null;
      boolean same = word.equals(name);
      boolean sibling = word.startsWith("_") && stem == null && name.endsWith(word);
      boolean family =
          stem != null && (stem.startsWith("_") ? name.contains(stem) : name.startsWith(stem));
      if (same || sibling || family) {
        return true;
      }
    }
    return false;
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
