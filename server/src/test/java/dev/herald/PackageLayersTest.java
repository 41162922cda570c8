package dev.herald;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the package picture of STYLE.md true: reads every reference from one {@code dev.herald}
 * package to another in the server's main sources (imports and fully qualified names alike), prints
 * the graph, and fails on a cycle or on an edge that runs up the declared layer order. A package
 * may use only packages on lower layers; packages on one layer are peers and may not use each
 * other.
 */
class PackageLayersTest {
  /**
   * The server module's main sources: Maven runs tests in the module; an IDE may run them above.
   */
  private static final Path SOURCES =
      Files.isDirectory(Path.of("src/main/java/dev/herald"))
          ? Path.of("src/main/java/dev/herald")
          : Path.of("server/src/main/java/dev/herald");

  /**
   * The allowed order, lowest first. A new package must be placed here: an unknown package fails
   * the test, so the picture cannot drift silently.
   */
  private static final List<Set<String>> LAYERS =
      List.of(
          Set.of("protocol"),
          Set.of("config"),
          Set.of("apps", "runtime", "tls"),
          Set.of("auth", "channels", "metrics"),
          Set.of("scaling"),
          Set.of("webhooks"),
          Set.of("broadcast"),
          // The Redis backend implements the seams of channels, scaling and webhooks, and cleans up
          // after dead nodes with the broadcast layer's member events.
          Set.of("scaling.redis"),
          Set.of("websocket", "http"),
          Set.of("console", "dev", "doctor"),
          // The composition root: Main, Herald and the wiring; only it sees everything.
          Set.of(""));

  private static final Pattern REFERENCE =
      Pattern.compile("\\bdev\\.herald((?:\\.[a-z][a-z0-9_]*)*)\\.[A-Z]");
  private static final Pattern PACKAGE_LINE =
      Pattern.compile("^package [\\w.]+;$", Pattern.MULTILINE);

  @Test
  void packagesFormNoCycleAndEveryEdgeRunsDownTheLayers() {
    Map<String, Set<String>> graph = graph();
    assertTrue(graph.size() > 5, "found no packages under " + SOURCES.toAbsolutePath());
    System.out.println("dev.herald package graph (package -> packages it uses):");
    graph.forEach((from, to) -> System.out.println("  " + label(from) + " -> " + labels(to)));

    Map<String, Integer> rank = new HashMap<>();
    for (int i = 0; i < LAYERS.size(); i++) {
      for (String name : LAYERS.get(i)) {
        rank.put(name, i);
      }
    }
    List<String> problems = new ArrayList<>();
    for (String name : graph.keySet()) {
      if (!rank.containsKey(name)) {
        problems.add("package " + label(name) + " has no layer: declare it in LAYERS");
      }
    }
    graph.forEach(
        (from, targets) -> {
          for (String to : targets) {
            if (rank.containsKey(from) && rank.containsKey(to) && rank.get(to) >= rank.get(from)) {
              problems.add(
                  label(from)
                      + " -> "
                      + label(to)
                      + (rank.get(to).equals(rank.get(from))
                          ? " joins two peers of one layer"
                          : " runs up the layers"));
            }
          }
        });
    cycles(graph).forEach(cycle -> problems.add("cycle: " + String.join(" <-> ", cycle)));
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  /** Package (relative to dev.herald, "" for the root) to the other packages it refers to. */
  static Map<String, Set<String>> graph() {
    Map<String, Set<String>> graph = new TreeMap<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      files
          .filter(file -> file.toString().endsWith(".java"))
          .forEach(
              file -> {
                String from = packageOf(file);
                Set<String> targets = graph.computeIfAbsent(from, ignored -> new TreeSet<>());
                Matcher matcher =
                    REFERENCE.matcher(PACKAGE_LINE.matcher(read(file)).replaceAll(""));
                while (matcher.find()) {
                  String to = matcher.group(1).isEmpty() ? "" : matcher.group(1).substring(1);
                  if (!to.equals(from)) {
                    targets.add(to);
                  }
                }
              });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // References to packages of other modules are not this picture's business.
    graph.values().forEach(targets -> targets.retainAll(graph.keySet()));
    return graph;
  }

  private static String packageOf(Path file) {
    Path dir = SOURCES.relativize(file).getParent();
    return dir == null ? "" : dir.toString().replace(java.io.File.separatorChar, '.');
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The strongly connected components of more than one package (Tarjan). */
  private static List<List<String>> cycles(Map<String, Set<String>> graph) {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new TreeSet<>();
    List<List<String>> found = new ArrayList<>();
    int[] counter = {0};
    for (String node : graph.keySet()) {
      if (!index.containsKey(node)) {
        connect(node, graph, index, low, stack, onStack, found, counter);
      }
    }
    return found;
  }

  private static void connect(
      String node,
      Map<String, Set<String>> graph,
      Map<String, Integer> index,
      Map<String, Integer> low,
      Deque<String> stack,
      Set<String> onStack,
      List<List<String>> found,
      int[] counter) {
    index.put(node, counter[0]);
    low.put(node, counter[0]);
    counter[0]++;
    stack.push(node);
    onStack.add(node);
    for (String next : graph.getOrDefault(node, Set.of())) {
      if (!index.containsKey(next)) {
        connect(next, graph, index, low, stack, onStack, found, counter);
        low.put(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.contains(next)) {
        low.put(node, Math.min(low.get(node), index.get(next)));
      }
    }
    if (low.get(node).equals(index.get(node))) {
      List<String> component = new ArrayList<>();
      String member;
      do {
        member = stack.pop();
        onStack.remove(member);
        component.add(label(member));
      } while (!member.equals(node));
      if (component.size() > 1) {
        found.add(component);
      }
    }
  }

  private static String label(String name) {
    return name.isEmpty() ? "(root)" : name;
  }

  private static String labels(Set<String> names) {
    return names.stream().map(PackageLayersTest::label).toList().toString();
  }
}
