package dev.herald.protocoltests;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One scrape of a Prometheus text exposition (format 0.0.4), parsed into samples: {@code
 * name{label="value",...} value [timestamp]}; {@code #} lines are skipped. Enough of the format for
 * the tests to read counters, not a validator (that is {@code promtool}'s job). Immutable.
 */
record PrometheusText(String text, List<PrometheusText.Sample> samples) {

  /** One line of the exposition. */
  record Sample(String name, Map<String, String> labels, double value) {}

  static PrometheusText parse(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      samples.add(parseLine(line));
    }
    return new PrometheusText(text, List.copyOf(samples));
  }

  /**
   * The sum of the samples named {@code name} whose labels include every given {@code labelPairs}
   * (name, value, name, value...); 0 when none matches, as Prometheus treats a series that does not
   * exist yet.
   */
  double value(String name, String... labelPairs) {
    double sum = 0;
    for (Sample sample : samples) {
      if (sample.name().equals(name) && hasLabels(sample, labelPairs)) {
        sum += sample.value();
      }
    }
    return sum;
  }

  /** Whether any sample is named {@code name} (with any labels). */
  boolean has(String name) {
    return samples.stream().anyMatch(sample -> sample.name().equals(name));
  }

  private static boolean hasLabels(Sample sample, String... labelPairs) {
    for (int i = 0; i < labelPairs.length; i += 2) {
      if (!labelPairs[i + 1].equals(sample.labels().get(labelPairs[i]))) {
        return false;
      }
    }
    return true;
  }

  private static Sample parseLine(String line) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = line.substring(0, i);
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        String label = line.substring(i, eq).trim();
        if (line.charAt(eq + 1) != '"') {
          throw new IllegalArgumentException("label value not quoted in: " + line);
        }
        StringBuilder value = new StringBuilder();
        int j = eq + 2;
        for (; line.charAt(j) != '"'; j++) {
          char c = line.charAt(j);
          if (c == '\\') {
            char escaped = line.charAt(++j);
            value.append(escaped == 'n' ? '\n' : escaped);
          } else {
            value.append(c);
          }
        }
        labels.put(label, value.toString());
        i = j + 1;
        if (line.charAt(i) == ',') {
          i++;
        }
      }
      i++;
    }
    String[] rest = line.substring(i).trim().split("\\s+");
    return new Sample(name, labels, parseValue(rest[0], line));
  }

  private static double parseValue(String value, String line) {
    return switch (value) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> {
        try {
          yield Double.parseDouble(value);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("bad sample value in: " + line, e);
        }
      }
    };
  }
}
