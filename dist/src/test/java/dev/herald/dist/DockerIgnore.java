package dev.herald.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules of a {@code .dockerignore}, as Docker applies them: a path is left out of the build
 * context when the last pattern matching it or one of its parent directories is not a {@code !}
 * exception; {@code **} matches any number of directories, including none. Immutable.
 */
final class DockerIgnore {
  private record Rule(PathMatcher matcher, PathMatcher withoutLeadingStars, boolean exception) {}

  private final List<Rule> rules;

  private DockerIgnore(List<Rule> rules) {
    this.rules = rules;
  }

  static DockerIgnore read(Path file) {
    List<Rule> rules = new ArrayList<>();
    if (Files.isRegularFile(file)) {
      try {
        for (String line : Files.readAllLines(file)) {
          String pattern = line.strip();
          if (pattern.isEmpty() || pattern.startsWith("#")) {
            continue;
          }
          boolean exception = pattern.startsWith("!");
          pattern = pattern.substring(exception ? 1 : 0).replaceAll("^/+", "");
          PathMatcher stars =
              pattern.startsWith("**/") ? glob(pattern.substring(3)) : path -> false;
          rules.add(new Rule(glob(pattern), stars, exception));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new DockerIgnore(rules);
  }

  private static PathMatcher glob(String pattern) {
    return FileSystems.getDefault().getPathMatcher("glob:" + pattern);
  }

  /** Whether the context keeps {@code relative} (a path relative to the context root). */
  boolean admits(Path relative) {
    boolean excluded = false;
    for (Rule rule : rules) {
      for (int n = 1; n <= relative.getNameCount(); n++) {
        Path prefix = relative.subpath(0, n);
        if (rule.matcher().matches(prefix) || rule.withoutLeadingStars().matches(prefix)) {
          excluded = !rule.exception();
          break;
        }
      }
    }
    return !excluded;
  }
}
