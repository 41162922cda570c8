package dev.herald;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the documentation true to the tree: the README stays a front door, every relative link in
 * it and in {@code docs/} reaches a file and heading that exist, and every page of {@code docs/} is
 * linked from the README ({@code config.ConfigurationReferenceTest} keeps the settings reference
 * complete). Reads the repository's Markdown files only; runs in the fast tier.
 */
class DocsTest {
  /** The README is the front door (what Herald is, install, Laravel, doctor, tests, links). */
  private static final int README_MAX_LINES = 220;

  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
  private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");
  private static final Pattern CODE_SPAN = Pattern.compile("`+[^`]*`+");

  private static final Path ROOT = repositoryRoot();

  @Test
  void readmeStaysAFrontDoorOfAtMost220Lines() throws IOException {
    long lines = Files.readAllLines(ROOT.resolve("README.md")).size();
    assertTrue(
        lines <= README_MAX_LINES,
        "README.md has "
            + lines
            + " lines; keep it at most "
            + README_MAX_LINES
            + " and move reference material to docs/");
  }

  @Test
  void readmeNamesBothTestTiersAndTheFullTierIsWhatCiRuns() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    assertTrue(readme.contains("mvn -B verify\n"), "README.md names the fast tier, mvn -B verify");
    assertTrue(
        readme.contains("mvn -B verify -Pfull\n"),
        "README.md names the full tier, mvn -B verify -Pfull");
    String ci = Files.readString(ROOT.resolve(".ci/run"));
    assertTrue(ci.contains(" verify -Pfull"), ".ci/run runs the full tier the README names");
  }

  @Test
  void everyRelativeLinkReachesAFileAndHeadingThatExist() {
    List<String> broken = new ArrayList<>();
    for (Path page : pages()) {
      for (String target : links(page)) {
        String problem = problem(page, target);
        if (problem != null) {
          broken.add(ROOT.relativize(page) + ": (" + target + ") " + problem);
        }
      }
    }
    assertTrue(broken.isEmpty(), "broken links:\n  " + String.join("\n  ", broken));
  }

  @Test
  void everyPageOfDocsIsLinkedFromTheReadme() throws IOException {
    Set<Path> linked = new LinkedHashSet<>();
    Path readme = ROOT.resolve("README.md");
    for (String target : links(readme)) {
      String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
      if (!file.isEmpty() && !isExternal(file)) {
        linked.add(readme.getParent().resolve(file).normalize());
      }
    }
    List<String> orphans = new ArrayList<>();
    for (Path page : docsPages()) {
      if (!linked.contains(page.normalize())) {
        orphans.add(ROOT.relativize(page).toString());
      }
    }
    assertTrue(orphans.isEmpty(), "pages no link in README.md leads to: " + orphans);
  }

  /** Why the link is broken, or null when it is fine. */
  private static String problem(Path page, String target) {
    if (isExternal(target)) {
      return null;
    }
    int hash = target.indexOf('#');
    String file = hash < 0 ? target : target.substring(0, hash);
    String anchor = hash < 0 ? "" : target.substring(hash + 1);
    Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
    if (!resolved.startsWith(ROOT)) {
      return "points outside the repository";
    }
    if (!Files.exists(resolved)) {
      return "no such file";
    }
    if (anchor.isEmpty()) {
      return null;
    }
    if (!resolved.toString().endsWith(".md")) {
      return "an anchor into a file that is not Markdown";
    }
    return anchors(resolved).contains(anchor) ? null : "no heading with the anchor #" + anchor;
  }

  private static boolean isExternal(String target) {
    return target.startsWith("http://")
        || target.startsWith("https://")
        || target.startsWith("mailto:");
  }

  /** The Markdown pages whose links are checked. */
  private static List<Path> pages() {
    List<Path> pages = new ArrayList<>();
    pages.add(ROOT.resolve("README.md"));
    pages.addAll(docsPages());
    for (String other : List.of("RELIABILITY.md", "BENCHMARKS.md", "protocol-tests/CONTRACT.md")) {
      if (Files.exists(ROOT.resolve(other))) {
        pages.add(ROOT.resolve(other));
      }
    }
    return pages;
  }

  private static List<Path> docsPages() {
    try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
      return files.filter(file -> file.toString().endsWith(".md")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Link targets outside fenced code blocks and code spans. */
  private static List<String> links(Path page) {
    List<String> targets = new ArrayList<>();
    boolean fenced = false;
    for (String line : lines(page)) {
      if (line.stripLeading().startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      if (fenced) {
        continue;
      }
      Matcher matcher = LINK.matcher(CODE_SPAN.matcher(line).replaceAll(""));
      while (matcher.find()) {
        targets.add(matcher.group(1));
      }
    }
    return targets;
  }

  /** The anchors GitHub gives the page's headings (a repeated one gets -1, -2, ...). */
  private static Set<String> anchors(Path page) {
    Set<String> anchors = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    boolean fenced = false;
    for (String line : lines(page)) {
      if (line.stripLeading().startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      Matcher heading = HEADING.matcher(line);
      if (fenced || !heading.matches()) {
        continue;
      }
      String slug = slug(heading.group(2));
      int count = seen.merge(slug, 1, Integer::sum) - 1;
      anchors.add(count == 0 ? slug : slug + "-" + count);
    }
    return anchors;
  }

  /** GitHub's heading anchor: lower case, punctuation dropped, each space a hyphen. */
  static String slug(String heading) {
    String text = heading.replaceAll("\\[([^\\]]*)]\\([^)]*\\)", "$1");
    return text.toLowerCase(Locale.ROOT)
        .replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]", "")
        .replace(' ', '-');
  }

  private static List<String> lines(Path page) {
    try {
      return Files.readAllLines(page);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The checkout's top directory: Maven runs this from server/, an IDE maybe from the top. */
  private static Path repositoryRoot() {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path candidate = dir; candidate != null; candidate = candidate.getParent()) {
      if (Files.exists(candidate.resolve("README.md"))
          && Files.isDirectory(candidate.resolve("server"))) {
        return candidate;
      }
    }
    throw new IllegalStateException("no checkout (README.md beside server/) above " + dir);
  }
}
