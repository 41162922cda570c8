package dev.herald.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile read into stages of instructions: continuation lines joined, comments dropped, as
 * Docker reads it. Only what the checks need: no ARG substitution, no heredocs. Immutable.
 */
record Dockerfile(List<Stage> stages) {

  /** One instruction: its keyword (upper case), its flags ({@code --from=build}) and the rest. */
  record Instruction(String keyword, Map<String, String> flags, String arguments) {

    /** The arguments split on whitespace (for COPY, WORKDIR, ENV name=value lists). */
    List<String> words() {
      return List.of(arguments.trim().split("\\s+"));
    }

    /** The exec form {@code ["a", "b"]} as a list, or null when the arguments are a shell form. */
    List<String> execForm() {
      String text = arguments.trim();
      if (!text.startsWith("[")) {
        return null;
      }
      List<String> parts = new ArrayList<>();
      Matcher m = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(text);
      while (m.find()) {
        parts.add(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
      }
      return parts;
    }
  }

  /** A {@code FROM image [AS name]} and what follows it up to the next FROM. */
  record Stage(String image, String name, List<Instruction> instructions) {
    List<Instruction> all(String keyword) {
      return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }
  }

  private static final Pattern FLAG = Pattern.compile("^--([a-z-]+)=(\\S+)\\s+");

  static Dockerfile read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> logical = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : lines) {
      String trimmed = line.strip();
      if (trimmed.startsWith("#")) {
        continue; // a comment, also inside a continued instruction
      }
      if (trimmed.endsWith("\\")) {
        current.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      current.append(trimmed);
      if (!current.toString().isBlank()) {
        logical.add(current.toString().strip());
      }
      current.setLength(0);
    }
    List<Stage> stages = new ArrayList<>();
    for (String line : logical) {
      String[] split = line.split("\\s+", 2);
      String keyword = split[0].toUpperCase(Locale.ROOT);
      String rest = split.length > 1 ? split[1] : "";
      Map<String, String> flags = new java.util.LinkedHashMap<>();
      for (Matcher m = FLAG.matcher(rest); m.find(); m = FLAG.matcher(rest)) {
        flags.put(m.group(1), m.group(2));
        rest = rest.substring(m.end());
      }
      if (keyword.equals("FROM")) {
        String[] words = rest.trim().split("\\s+");
        String name = words.length == 3 && words[1].equalsIgnoreCase("AS") ? words[2] : null;
        stages.add(new Stage(words[0], name, new ArrayList<>()));
      } else if (stages.isEmpty()) {
        throw new IllegalStateException(keyword + " before any FROM in " + file);
      } else {
        stages.get(stages.size() - 1).instructions().add(new Instruction(keyword, flags, rest));
      }
    }
    return new Dockerfile(stages);
  }

  Stage last() {
    return stages.get(stages.size() - 1);
  }

  Stage stage(String nameOrIndex) {
    for (int i = 0; i < stages.size(); i++) {
      if (nameOrIndex.equals(stages.get(i).name()) || nameOrIndex.equals(Integer.toString(i))) {
        return stages.get(i);
      }
    }
    throw new AssertionError("COPY --from=" + nameOrIndex + ": no such stage");
  }
}
