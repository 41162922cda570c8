package dev.herald.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the generator can observe of the machine and of the server process: /proc for CPU time and
 * RSS, the server's Prometheus endpoint for its heap. Every probe answers -1 (or "n/a") rather than
 * failing when the information is not available, so a run against any server still prints.
 */
final class Probes {

  private Probes() {}

  private static final long CLK_TCK = clockTicks();

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor(5, TimeUnit.SECONDS);
      return Long.parseLong(out);
    } catch (IOException | NumberFormatException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }

  /** One line describing the machine and the generator's JVM. */
  static String machineLine() {
    String cpu = "unknown";
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          cpu = line.substring(line.indexOf(':') + 1).trim();
          break;
        }
      }
    } catch (IOException ignored) {
      // Not Linux: leave unknown.
    }
    long memKb = -1;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          memKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
          break;
        }
      }
    } catch (IOException | NumberFormatException ignored) {
      // leave -1
    }
    return String.format(
        "MACHINE cores=%d cpu=\"%s\" mem_gib=%.1f os=\"%s %s\" jvm=\"%s %s\" load=\"%s\"",
        Runtime.getRuntime().availableProcessors(),
        cpu,
        memKb / 1024.0 / 1024.0,
        System.getProperty("os.name"),
        System.getProperty("os.version"),
        System.getProperty("java.vm.name"),
        System.getProperty("java.runtime.version"),
        loadAverage());
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "n/a";
    }
  }

  /** The server process's command line, shortened (which runtime served the run). */
  static String commandLine(long pid) {
    if (pid <= 0) {
      return "n/a";
    }
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
      String s = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim();
      // Long enough for the options a launcher script adds in front of -jar.
      return s.length() > 600 ? s.substring(0, 600) + "..." : s;
    } catch (IOException e) {
      return "n/a";
    }
  }

  /** user+system CPU seconds of a process (all its threads), or -1. */
  static double cpuSeconds(long pid) {
    if (pid <= 0) {
      return -1;
    }
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // After the command: state is field 3, utime 14, stime 15 (1-based in proc(5)).
      long utime = Long.parseLong(f[11]);
      long stime = Long.parseLong(f[12]);
      return (utime + stime) / (double) CLK_TCK;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** system (kernel) CPU seconds of a process, or -1. */
  static double sysSeconds(long pid) {
    if (pid <= 0) {
      return -1;
    }
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[12]) / (double) CLK_TCK;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  static double selfCpuSeconds() {
    return cpuSeconds(ProcessHandle.current().pid());
  }

  /** VmRSS in bytes, or -1. */
  static long rssBytes(long pid) {
    if (pid <= 0) {
      return -1;
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /**
   * The flags a JVM server runs with, as {@code jcmd PID VM.flags} reports them (what its launcher
   * passed and what the JVM chose: collector, heap bounds); "n/a" for other servers or without
   * jcmd.
   */
  static String jvmFlags(long pid) {
    if (pid <= 0 || !isJava(pid)) {
      return "n/a";
    }
    try {
      Process p =
          new ProcessBuilder("jcmd", Long.toString(pid), "VM.flags")
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "n/a";
      }
      return out.lines().filter(l -> l.startsWith("-XX")).findFirst().orElse("n/a").trim();
    } catch (IOException e) {
      return "n/a";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "n/a";
    }
  }

  static boolean isJava(long pid) {
    return commandLine(pid).contains("java");
  }

  /**
   * Asks a JVM server for a full GC with jcmd (so the heap figure is what connections retain, not
   * garbage); a no-op for other servers or when jcmd is missing.
   */
  static void gc(long pid) {
    if (pid <= 0 || !isJava(pid)) {
      return;
    }
    try {
      Process p =
          new ProcessBuilder("jcmd", Long.toString(pid), "GC.run")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    } catch (IOException e) {
      // No jcmd: the heap figure then includes garbage; said so by the caller's output.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Sum of jvm_memory_used_bytes{area="heap"} from a Prometheus endpoint, or -1. */
  static long heapBytes(String metricsUrl) {
    if (metricsUrl == null || metricsUrl.isEmpty()) {
      return -1;
    }
    try {
      HttpClient client =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(5))
              .build();
      HttpResponse<String> resp =
          client.send(
              HttpRequest.newBuilder(URI.create(metricsUrl))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (resp.statusCode() != 200) {
        return -1;
      }
      double sum = 0;
      boolean found = false;
      for (String line : resp.body().split("\n")) {
        if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
          List<String> parts = List.of(line.trim().split("\\s+"));
          sum += Double.parseDouble(parts.get(parts.size() - 1));
          found = true;
        }
      }
      return found ? (long) sum : -1;
    } catch (IOException | RuntimeException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
