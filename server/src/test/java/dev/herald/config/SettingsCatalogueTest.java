package dev.herald.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The configuration reference and the example config files are held to the one table of settings
 * ({@link Settings}): each setting has a row naming its environment variables and showing its
 * default, and each example lists it with that default. A setting added to the catalogue without
 * its documentation, or a default changed in one place only, fails here. Runs in the fast tier.
 */
class SettingsCatalogueTest {

  /** A reference table row: the file keys of its first cell, its environment and default cells. */
  private record Row(String environment, String shownDefault) {}

  @Test
  void theReferenceHasARowForEverySettingWithItsVariablesAndDefault() throws IOException {
    Path reference = reference();
    Map<String, Row> rows = rows(Files.readAllLines(reference));
    List<String> problems = new ArrayList<>();
    for (Setting setting : Settings.ALL) {
      Row row = rows.get(setting.key());
      if (row == null) {
        problems.add(setting.key() + ": no row");
        continue;
      }
      for (String name : setting.envNames()) {
        if (!row.environment().contains("`" + name + "`")) {
          problems.add(setting.key() + ": the row does not name " + name);
        }
      }
      if (!row.shownDefault().equals(setting.shownDefault())) {
        problems.add(
            setting.key()
                + ": the row shows the default "
                + row.shownDefault()
                + ", the catalogue "
                + setting.shownDefault());
      }
    }
    assertTrue(problems.isEmpty(), reference + " disagrees with Settings: " + problems);
  }

  @Test
  void theYamlExampleListsEverySettingAndGivesEachItsDefault() throws IOException {
    Path example = repositoryFile("config/herald.example.yaml");
    String text = Files.readString(example);
    JsonNode root = new YAMLMapper().readTree(text);
    List<String> problems = new ArrayList<>();
    for (Setting setting : Settings.ALL) {
      // A commented-out line lists a setting without a literal default (or shows an example).
      if (!Pattern.compile("(?m)^\\s*(- )?(# )?" + setting.key() + ":").matcher(text).find()) {
        problems.add(setting.key() + ": not listed");
      }
    }
    // A comment that opens with a variable names one of that setting's.
    Matcher commented =
        Pattern.compile("(?m)^\\s*(?:# )?(\\w+):[^#\\n]*#\\s*([A-Z][A-Z0-9]*_[A-Z0-9_]+)")
            .matcher(text);
    while (commented.find()) {
      Setting setting = Settings.named(commented.group(1));
      if (!setting.envNames().contains(commented.group(2))) {
        problems.add(setting.key() + ": the comment names " + commented.group(2));
      }
    }
    problems.addAll(defaultsDiffer(root.path("server"), Set.of()));
    // The first app shows the defaults; its credentials are the example's own.
    problems.addAll(defaultsDiffer(root.path("apps").path(0), Set.of("id", "key", "secret")));
    assertTrue(problems.isEmpty(), example + " disagrees with Settings: " + problems);
  }

  @Test
  void bothExamplesLoad() {
    for (String example : List.of("config/herald.example.yaml", "config/herald.example.json")) {
      ConfigLoader.CommandLine commandLine =
          ConfigLoader.parseArgs(List.of("--config", repositoryFile(example).toString()));
      HeraldConfig config = ConfigLoader.load(commandLine, Map.of());
      assertEquals("1001", config.apps().get(0).id(), example);
    }
  }

  @Test
  void theJsonExampleGivesTheServerItsDefaults() throws IOException {
    JsonNode root =
        new ObjectMapper().readTree(Files.readString(repositoryFile("config/herald.example.json")));
    assertEquals(List.of(), defaultsDiffer(root.path("server"), Set.of()));
  }

  @Test
  void everySettingIsOneKeyWithItsVariablesUnique() {
    Map<String, String> owner = new HashMap<>();
    for (Setting setting : Settings.ALL) {
      assertEquals(setting, Settings.named(setting.key()));
      for (String name : setting.envNames()) {
        String before = owner.put(name, setting.key());
        assertTrue(before == null, name + " sets both " + before + " and " + setting.key());
      }
      if (setting.range() != null) {
        int value = setting.intDefault();
        assertTrue(
            value >= setting.range().min() && value <= setting.range().max(),
            setting.key() + ": default outside its bounds");
        if (setting.soketiDefault() != null) {
          int soketi = Integer.parseInt(setting.soketiDefault());
          assertTrue(
              soketi >= setting.range().min() && soketi <= setting.range().max(),
              setting.key() + ": Soketi's default outside its bounds");
        }
      }
    }
  }

  @Test
  void aKeyOutsideTheCatalogueCannotBeSet() {
    Section section = new Section("test");
    assertThrows(IllegalArgumentException.class, () -> section.put("prot", "1", "test"));
    assertThrows(IllegalArgumentException.class, () -> section.putDefault("prot", "1", "test"));
  }

  /** Values in {@code node} that are single values and differ from the catalogue's default. */
  private static List<String> defaultsDiffer(JsonNode node, Set<String> own) {
    List<String> problems = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      Setting setting = Settings.named(entry.getKey());
      if (own.contains(setting.key()) || !entry.getValue().isValueNode()) {
        continue;
      }
      String given = entry.getValue().asText();
      if (!given.equals(setting.defaultValue())) {
        problems.add(
            setting.key() + ": " + given + " where the default is " + setting.defaultValue());
      }
    }
    return problems;
  }

  /** Rows of the reference's settings tables, by every file key their first cell names. */
  private static Map<String, Row> rows(List<String> lines) {
    Pattern key = Pattern.compile("`([a-z_]+)`");
    Map<String, Row> rows = new HashMap<>();
    for (String line : lines) {
      if (!line.startsWith("| `")) {
        continue;
      }
      String[] cells = line.split("(?<!\\\\)\\|");
      if (cells.length < 5) {
        continue;
      }
      Row row = new Row(cells[2].trim(), cells[3].trim());
      Matcher keys = key.matcher(cells[1]);
      while (keys.find()) {
        rows.putIfAbsent(keys.group(1), row);
      }
    }
    return rows;
  }

  /** docs/configuration.md, the configuration reference. */
  private static Path reference() {
    return repositoryFile("docs/configuration.md");
  }

  /** Maven runs this from server/, an IDE maybe from the top of the checkout. */
  private static Path repositoryFile(String relative) {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path candidate = dir; candidate != null; candidate = candidate.getParent()) {
      Path file = candidate.resolve(relative);
      if (Files.exists(file)) {
        return file;
      }
    }
    throw new IllegalStateException("no " + relative + " above " + dir);
  }
}
