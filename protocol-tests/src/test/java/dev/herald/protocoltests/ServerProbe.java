package dev.herald.protocoltests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Looks at a running server process from outside, as an operator would: heap in use after a full GC
 * (through {@code jcmd}), resident memory and open file descriptors (through {@code /proc}). Linux
 * only; {@link #available} says whether this machine can.
 */
final class ServerProbe {

  private static final Pattern TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$");

  private ServerProbe() {}

  /** Whether {@code /proc} and {@code jcmd} are there. */
  static boolean available() {
    return Files.isDirectory(Path.of("/proc/self/fd")) && Files.isExecutable(jcmd());
  }

  /** Skips (fast tier) or fails (full tier) the calling test when {@link #available} is false. */
  static void require() {
    Prerequisite.require(
        available(),
        "/proc or the JDK's jcmd is missing, so the server's heap and descriptors cannot be read",
        "run on Linux with a full JDK: apt-get install openjdk-17-jdk-headless");
  }

  /**
   * The bytes of live objects in the process's heap: {@code jcmd GC.class_histogram} runs a full GC
   * and sums what survived in the same step, so allocation by a busy server between a GC and a
   * separate reading of the heap does not blur the figure.
   */
  static long heapAfterFullGc(long pid) {
    String histogram = jcmd(pid, "GC.class_histogram");
    Matcher matcher = TOTAL.matcher(histogram);
    if (!matcher.find()) {
      throw new AssertionError("no Total line in jcmd GC.class_histogram");
    }
    return Long.parseLong(matcher.group(1));
  }

  /** The resident set size in bytes ({@code VmRSS}). */
  static long rss(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
      throw new AssertionError("no VmRSS in /proc/" + pid + "/status");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** How many file descriptors the process has open. */
  static int openFds(long pid) {
    try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      return (int) fds.count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The least-squares slope of {@code ys} over {@code xs} (units of y per unit of x): how fast a
   * series grows, robust to one noisy sample.
   */
  static double slope(List<Double> xs, List<Double> ys) {
    int n = xs.size();
    double meanX = xs.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    double meanY = ys.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    double covariance = 0;
    double variance = 0;
    for (int i = 0; i < n; i++) {
      covariance += (xs.get(i) - meanX) * (ys.get(i) - meanY);
      variance += (xs.get(i) - meanX) * (xs.get(i) - meanX);
    }
    return variance == 0 ? 0 : covariance / variance;
  }

  private static Path jcmd() {
    return Path.of(System.getProperty("java.home"), "bin", "jcmd");
  }

  private static String jcmd(long pid, String command) {
    try {
      Process process =
          new ProcessBuilder(jcmd().toString(), Long.toString(pid), command)
              .redirectErrorStream(true)
              .start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new AssertionError("jcmd " + pid + " " + command + " failed:\n" + output);
      }
      return output;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
