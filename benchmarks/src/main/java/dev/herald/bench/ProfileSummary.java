package dev.herald.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Sums a CPU profile in async-profiler's collapsed format ({@code frame;frame;... count} per line)
 * into where the time went: kernel, JIT compiler, GC, and the innermost library on each Java stack
 * (Herald, Vert.x, Netty, Jackson, Micrometer, the JDK). Optional {@code --frame NAME} arguments
 * add the inclusive share of every stack through a frame containing NAME.
 *
 * <pre>java -cp herald-bench.jar dev.herald.bench.ProfileSummary cpu.collapsed [--frame X ...]
 * </pre>
 *
 * Each sample is counted once, in the first category of this order that matches its stack, so the
 * shares add up to 100 %: a sample in a {@code send(2)} called from Netty is "kernel", not Netty.
 */
public final class ProfileSummary {

  private ProfileSummary() {}

  public static void main(String[] args) throws IOException {
    if (args.length == 0) {
      System.out.println("usage: ProfileSummary FILE.collapsed [--frame SUBSTRING ...]");
      System.exit(1);
    }
    List<String> frames = new ArrayList<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      if (args[i].equals("--frame")) {
        frames.add(args[i + 1]);
      }
    }
    print(summarize(Files.readAllLines(Path.of(args[0])), frames), System.out);
  }

  /**
   * Samples in all, per category (every category, in the order of the class comment, zeros
   * included) and through each {@code --frame} substring (in the order given).
   */
  record Summary(long samples, Map<String, Long> byCategory, Map<String, Long> through) {}

  static Summary summarize(List<String> lines, List<String> frames) {
    Map<String, Long> byCategory = new LinkedHashMap<>();
    for (String c :
        List.of(
            "kernel",
            "JIT compiler",
            "GC and VM",
            "Herald",
            "Vert.x",
            "Netty",
            "Jackson",
            "Micrometer",
            "JDK",
            "other")) {
      byCategory.put(c, 0L);
    }
    Map<String, Long> through = new LinkedHashMap<>();
    for (String frame : frames) {
      through.put(frame, 0L);
    }
    long total = 0;
    for (String line : lines) {
      int space = line.lastIndexOf(' ');
      if (space <= 0) {
        continue;
      }
      long samples = Long.parseLong(line.substring(space + 1).trim());
      String[] stack = line.substring(0, space).split(";");
      total += samples;
      byCategory.merge(category(stack), samples, Long::sum);
      for (Map.Entry<String, Long> e : through.entrySet()) {
        for (String frame : stack) {
          if (frame.contains(e.getKey())) {
            e.setValue(e.getValue() + samples);
            break;
          }
        }
      }
    }
    return new Summary(total, byCategory, through);
  }

  static void print(Summary summary, PrintStream out) {
    long total = summary.samples();
    out.printf(Locale.ROOT, "PROFILE samples=%d%n", total);
    for (Map.Entry<String, Long> e : summary.byCategory().entrySet()) {
      if (e.getValue() > 0) {
        out.printf(Locale.ROOT, "%6.1f %%  %s%n", 100.0 * e.getValue() / total, e.getKey());
      }
    }
    for (Map.Entry<String, Long> e : summary.through().entrySet()) {
      out.printf(
          Locale.ROOT,
          "%6.1f %%  through %s (inclusive)%n",
          100.0 * e.getValue() / Math.max(1, total),
          e.getKey());
    }
  }

  /** The category of one sample, from its stack (root first, leaf last). */
  static String category(String[] stack) {
    String leaf = stack[stack.length - 1];
    if (leaf.endsWith("_[k]") || isSyscallEntry(leaf)) {
      return "kernel";
    }
    for (String frame : stack) {
      if (frame.startsWith("CompileBroker::") || frame.startsWith("C2Compiler")) {
        return "JIT compiler";
      }
      if (frame.startsWith("GangWorker::")
          || frame.startsWith("ConcurrentGCThread")
          || frame.startsWith("G1")
          || frame.startsWith("VMThread")) {
        return "GC and VM";
      }
    }
    // The innermost frame of a library names where the time went; JDK frames (collections,
    // strings) count for the library that called them, when there is one.
    boolean sawJdk = false;
    for (int i = stack.length - 1; i >= 0; i--) {
      String owner = owner(stack[i]);
      if (owner.equals("JDK")) {
        sawJdk = true;
      } else if (!owner.equals("other")) {
        return owner;
      }
    }
    return sawJdk ? "JDK" : "other";
  }

  private static boolean isSyscallEntry(String frame) {
    return frame.startsWith("__GI___")
        || frame.equals("epoll_wait")
        || frame.equals("epoll_pwait2")
        || frame.equals("recv")
        || frame.equals("send")
        || frame.startsWith("__libc_");
  }

  private static String owner(String frame) {
    if (frame.startsWith("dev/herald/")) {
      return "Herald";
    }
    if (frame.startsWith("io/vertx/")) {
      return "Vert.x";
    }
    if (frame.startsWith("io/netty/")) {
      return "Netty";
    }
    if (frame.startsWith("com/fasterxml/jackson/")) {
      return "Jackson";
    }
    if (frame.startsWith("io/micrometer/") || frame.startsWith("io/prometheus/")) {
      return "Micrometer";
    }
    if (frame.startsWith("java/") || frame.startsWith("jdk/") || frame.startsWith("sun/")) {
      return "JDK";
    }
    return "other";
  }
}
