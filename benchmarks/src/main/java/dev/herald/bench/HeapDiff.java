package dev.herald.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a number of connections added to a JVM server's heap, class by class: the difference of two
 * {@code jmap -histo:live} outputs (before and after opening the connections) divided by the number
 * of connections, summed per owner (Herald, Vert.x, Netty, JDK) and listed per class.
 *
 * <pre>java -cp herald-bench.jar dev.herald.bench.HeapDiff before.txt after.txt CONNECTIONS [TOP]
 * </pre>
 */
public final class HeapDiff {

  private HeapDiff() {}

  private static final Pattern ROW = Pattern.compile("\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+).*");

  /** Instances and bytes of one class. */
  record Count(long instances, long bytes) {}

  public static void main(String[] args) throws IOException {
    if (args.length < 3) {
      System.out.println("usage: HeapDiff BEFORE AFTER CONNECTIONS [TOP]");
      System.exit(1);
    }
    print(
        parse(Files.readAllLines(Path.of(args[0]))),
        parse(Files.readAllLines(Path.of(args[1]))),
        Long.parseLong(args[2]),
        args.length > 3 ? Integer.parseInt(args[3]) : 40,
        System.out);
  }

  static Map<String, Count> parse(List<String> histogram) {
    Map<String, Count> counts = new HashMap<>();
    for (String line : histogram) {
      Matcher m = ROW.matcher(line);
      if (m.matches()) {
        counts.merge(
            m.group(3),
            new Count(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))),
            (a, b) -> new Count(a.instances + b.instances, a.bytes + b.bytes));
      }
    }
    return counts;
  }

  static void print(
      Map<String, Count> before,
      Map<String, Count> after,
      long connections,
      int top,
      PrintStream out) {
    record Row(String type, double bytes, double instances) {}
    List<Row> rows = new ArrayList<>();
    Map<String, Double> byOwner = new LinkedHashMap<>();
    double total = 0;
    for (Map.Entry<String, Count> e : after.entrySet()) {
      Count b = before.getOrDefault(e.getKey(), new Count(0, 0));
      double bytes = (double) (e.getValue().bytes - b.bytes) / connections;
      double instances = (double) (e.getValue().instances - b.instances) / connections;
      rows.add(new Row(e.getKey(), bytes, instances));
      byOwner.merge(owner(e.getKey()), bytes, Double::sum);
      total += bytes;
    }
    rows.sort((x, y) -> Double.compare(y.bytes, x.bytes));
    out.printf(Locale.ROOT, "HEAP per_connection_bytes=%.0f connections=%d%n", total, connections);
    byOwner.entrySet().stream()
        .sorted((x, y) -> Double.compare(y.getValue(), x.getValue()))
        .forEach(e -> out.printf(Locale.ROOT, "%8.0f B  %s%n", e.getValue(), e.getKey()));
    out.println("   bytes  objects  class (per connection)");
    for (Row r : rows.subList(0, Math.min(top, rows.size()))) {
      out.printf(Locale.ROOT, "%8.1f  %7.2f  %s%n", r.bytes, r.instances, r.type);
    }
  }

  /**
   * Who allocates a class, by package. Arrays, strings and collections are the JDK's here even when
   * a library holds them: a histogram does not say who references an object.
   */
  static String owner(String type) {
    if (type.startsWith("dev.herald.")) {
      return "Herald classes";
    }
    if (type.startsWith("io.vertx.") || type.startsWith("[Lio.vertx.")) {
      return "Vert.x classes";
    }
    if (type.startsWith("io.netty.") || type.startsWith("[Lio.netty.")) {
      return "Netty classes";
    }
    return "JDK classes (strings, arrays, maps, addresses: held by any of the above)";
  }
}
