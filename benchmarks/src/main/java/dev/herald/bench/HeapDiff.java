package dev.herald.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
    PerConnection diff =
        diff(
            parse(Files.readAllLines(Path.of(args[0]))),
            parse(Files.readAllLines(Path.of(args[1]))),
            Long.parseLong(args[2]));
    print(diff, args.length > 3 ? Integer.parseInt(args[3]) : 40, System.out);
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

  /** What one connection added of one class, on average. */
  record Row(String type, double bytes, double instances) {}

  /**
   * The difference per connection: bytes in all, bytes per owner and rows per class, both largest
   * first.
   */
  record PerConnection(
      long connections, double bytes, Map<String, Double> byOwner, List<Row> rows) {}

  static PerConnection diff(Map<String, Count> before, Map<String, Count> after, long connections) {
    List<Row> rows = new ArrayList<>();
    Map<String, Double> byOwner = new LinkedHashMap<>();
    double total = 0;
    // Classes in either histogram: one whose instances all went counts with a negative difference.
    Set<String> types = new LinkedHashSet<>(after.keySet());
    types.addAll(before.keySet());
    Count none = new Count(0, 0);
    for (String type : types) {
      Count a = after.getOrDefault(type, none);
      Count b = before.getOrDefault(type, none);
      double bytes = (double) (a.bytes - b.bytes) / connections;
      double instances = (double) (a.instances - b.instances) / connections;
      rows.add(new Row(type, bytes, instances));
      byOwner.merge(owner(type), bytes, Double::sum);
      total += bytes;
    }
    rows.sort((x, y) -> Double.compare(y.bytes, x.bytes));
    Map<String, Double> sortedOwners = new LinkedHashMap<>();
    byOwner.entrySet().stream()
        .sorted((x, y) -> Double.compare(y.getValue(), x.getValue()))
        .forEach(e -> sortedOwners.put(e.getKey(), e.getValue()));
    return new PerConnection(connections, total, sortedOwners, rows);
  }

  static void print(PerConnection diff, int top, PrintStream out) {
    out.printf(
        Locale.ROOT,
        "HEAP per_connection_bytes=%.0f connections=%d%n",
        diff.bytes(),
        diff.connections());
    diff.byOwner()
        .forEach((owner, bytes) -> out.printf(Locale.ROOT, "%8.0f B  %s%n", bytes, owner));
    out.println("   bytes  objects  class (per connection)");
    for (Row r : diff.rows().subList(0, Math.min(top, diff.rows().size()))) {
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
