package dev.herald.metrics;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.UnixOperatingSystemMXBean;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The process metrics Soketi exposes through prom-client's defaults ({@code collectDefaultMetrics}
 * with the {@code soketi_} prefix and the {@code port} label), where the JVM can measure the same
 * thing: CPU time, start time, memory as Linux reports it in {@code /proc/self/status} (the fields
 * prom-client reads), file descriptors. Node.js's own ({@code soketi_nodejs_*}) have no
 * counterpart. Read at scrape time; {@code /proc} is served from kernel memory, so reading it does
 * not wait on a disk. Thread-safe (stateless).
 */
final class SoketiProcessMetrics {
  private static final Path STATUS = Path.of("/proc/self/status");
  private static final Path STAT = Path.of("/proc/self/stat");

  /**
   * Clock ticks per second of {@code /proc/self/stat}'s CPU times: USER_HZ, 100 on Linux's
   * mainstream architectures (it is part of the kernel's ABI).
   */
  private static final double USER_HZ = 100;

  private SoketiProcessMetrics() {}

  static void register(MeterRegistry registry, String port) {
    Tags tags = Tags.of("port", port);
    var os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof OperatingSystemMXBean jdk) {
      FunctionCounter.builder(
              "soketi.process.cpu.seconds", jdk, bean -> bean.getProcessCpuTime() / 1e9)
          .tags(tags)
          .description("Total user and system CPU time spent in seconds.")
          .register(registry);
    }
    if (Files.isReadable(STAT)) {
      counter(registry, tags, "user", "Total user CPU time spent in seconds.", 13);
      counter(registry, tags, "system", "Total system CPU time spent in seconds.", 14);
    }
    double startSeconds = ManagementFactory.getRuntimeMXBean().getStartTime() / 1000.0;
    Gauge.builder("soketi.process.start.time.seconds", () -> startSeconds)
        .tags(tags)
        .description("Start time of the process since unix epoch in seconds.")
        .register(registry);
    if (Files.isReadable(STATUS)) {
      memory(registry, tags, "resident.memory", "VmRSS", "Resident memory size in bytes.");
      memory(registry, tags, "virtual.memory", "VmSize", "Virtual memory size in bytes.");
      memory(registry, tags, "heap", "VmData", "Process heap size in bytes.");
    }
    if (os instanceof UnixOperatingSystemMXBean unix) {
      gauge(
          registry,
          tags,
          "soketi.process.open.fds",
          "Number of open file descriptors.",
          unix,
          UnixOperatingSystemMXBean::getOpenFileDescriptorCount);
      gauge(
          registry,
          tags,
          "soketi.process.max.fds",
          "Maximum number of open file descriptors.",
          unix,
          UnixOperatingSystemMXBean::getMaxFileDescriptorCount);
    }
  }

  private static void counter(
      MeterRegistry registry, Tags tags, String kind, String help, int field) {
    FunctionCounter.builder(
            "soketi.process.cpu." + kind + ".seconds",
            STAT,
            path -> statField(path, field) / USER_HZ)
        .tags(tags)
        .description(help)
        .register(registry);
  }

  private static void memory(
      MeterRegistry registry, Tags tags, String name, String field, String help) {
    gauge(
        registry,
        tags,
        "soketi.process." + name + ".bytes",
        help,
        STATUS,
        path -> statusKilobytes(path, field) * 1024);
  }

  private static <T> void gauge(
      MeterRegistry registry,
      Tags tags,
      String name,
      String help,
      T source,
      ToDoubleFunction<T> value) {
    Gauge.builder(name, source, value).tags(tags).description(help).register(registry);
  }

  /** A "Name: 1234 kB" line of /proc/self/status; NaN when missing or unreadable. */
  private static double statusKilobytes(Path status, String field) {
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith(field + ":")) {
          String value = line.substring(field.length() + 1).trim();
          return Double.parseDouble(value.split("\\s+")[0]);
        }
      }
    } catch (IOException | NumberFormatException e) {
      return Double.NaN;
    }
    return Double.NaN;
  }

  /**
   * Field {@code index} (0-based) of /proc/self/stat, counted after the command name, which is in
   * parentheses and may hold spaces; NaN when unreadable.
   */
  private static double statField(Path stat, int index) {
    try {
      String text = Files.readString(stat);
      List<String> fields = List.of(text.substring(text.lastIndexOf(')') + 2).split(" "));
      // Fields after the name start at field 2 (state).
      return Double.parseDouble(fields.get(index - 2));
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }
}
