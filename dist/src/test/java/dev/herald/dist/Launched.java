package dev.herald.dist;

import dev.herald.protocoltests.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A command started as a separate process with exactly the environment given (nothing inherited),
 * its output (stdout and stderr) in a log file under {@code target/}. Not thread-safe.
 */
final class Launched implements AutoCloseable {
  private final Process process;
  private final Path log;

  private Launched(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static Launched start(List<String> command, Map<String, String> env, Path workingDirectory) {
    try {
      Path dir = Files.createDirectories(Path.of("target", "dist-logs"));
      Path log = Files.createTempFile(dir, Path.of(command.get(0)).getFileName() + "-", ".log");
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(workingDirectory.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      builder.environment().clear();
      builder.environment().putAll(env);
      return new Launched(builder.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs a command to its end (at most {@code timeout}) and returns its exit code and output. */
  static Result run(List<String> command, Map<String, String> env, Path dir, Duration timeout) {
    try (Launched launched = start(command, env, dir)) {
      int code = launched.awaitExit(timeout);
      return new Result(code, launched.output());
    }
  }

  record Result(int code, String output) {}

  String output() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Waits until the output contains {@code text}; fails when the process ends first or time runs
   * out.
   */
  void awaitOutput(String text, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!output().contains(text)) {
      if (!process.isAlive()) {
        throw new AssertionError(
            "exited with "
                + process.exitValue()
                + " before printing \""
                + text
                + "\":\n"
                + output());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no \"" + text + "\" within " + timeout + ":\n" + output());
      }
      try {
        process.waitFor(50, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** Waits for the process to end by itself; fails (after killing it) when it does not in time. */
  int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        close();
        throw new AssertionError("still running " + timeout + " later:\n" + output());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** SIGTERM, then SIGKILL after 30 s (a drain takes at most 25 s with the defaults). */
  void stop() {
    Processes.stop(process, Duration.ofSeconds(30));
  }
}
