package dev.herald.metrics;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A counter written into the Prometheus text by hand, under exactly the name given. The Prometheus
 * client under Micrometer always appends {@code _total} to a counter, while Soketi's byte counters
 * ({@code soketi_socket_received_bytes}, …) have no suffix, and their dashboards query those names.
 * Thread-safe: series are created atomically, increments are {@link LongAdder}s.
 */
final class CounterFamily {
  private final String name;
  private final String help;
  private final List<String> labelNames;
  private final Map<List<String>, LongAdder> series = new ConcurrentHashMap<>();

  CounterFamily(String name, String help, String... labelNames) {
    this.name = name;
    this.help = help;
    this.labelNames = List.of(labelNames);
  }

  /** The series with these label values (in the order of the label names), created once. */
  LongAdder series(String... labelValues) {
    if (labelValues.length != labelNames.size()) {
      throw new IllegalArgumentException(name + " takes labels " + labelNames);
    }
    return series.computeIfAbsent(Arrays.asList(labelValues.clone()), key -> new LongAdder());
  }

  /** Appends the family in the text format 0.0.4: HELP, TYPE, then one line per series. */
  void writeTo(StringBuilder out) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(" counter\n");
    series.forEach(
        (values, count) -> {
          out.append(name).append('{');
          for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
              out.append(',');
            }
            out.append(labelNames.get(i)).append("=\"");
            escape(values.get(i), out);
            out.append('"');
          }
          out.append("} ").append(count.sum()).append('\n');
        });
  }

  private static void escape(String value, StringBuilder out) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '"' -> out.append("\\\"");
        case '\n' -> out.append("\\n");
        default -> out.append(c);
      }
    }
  }
}
