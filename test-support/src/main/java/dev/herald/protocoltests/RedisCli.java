package dev.herald.protocoltests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code redis-cli} run against a loopback port, for tests that set up and inspect Sentinel and
 * Cluster deployments the way an operator would. Stateless.
 */
public final class RedisCli {
  private RedisCli() {}

  /** Whether {@code redis-cli} can be run on this machine. */
  public static boolean available() {
    return RedisServer.answersVersion("redis-cli");
  }

  /** Skips (fast tier) or fails (full tier) without redis-server and redis-cli. */
  public static void require() {
    RedisServer.require();
    Prerequisite.require(
        available(),
        "redis-cli is not installed or not on PATH",
        "apt-get install redis-tools (redis-server depends on it)");
  }

  /** Runs {@code redis-cli -p port args...} and returns its output (stdout and stderr). */
  public static String run(int port, String... args) {
    List<String> command =
        new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", "" + port));
    command.addAll(List.of(args));
    return exec(command, Duration.ofSeconds(60));
  }

  /** Runs a whole command line, e.g. {@code redis-cli --cluster create ...}. */
  public static String exec(List<String> command, Duration timeout) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getOutputStream().close();
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish");
      }
      return new String(output, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Runs the command every 100 ms until its output passes {@code done}; returns that output, or
   * fails after {@code within} showing the last one.
   */
  public static String await(int port, Duration within, Predicate<String> done, String... args) {
    long deadline = System.nanoTime() + within.toNanos();
    String output;
    while (!done.test(output = run(port, args))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "redis-cli -p " + port + " " + String.join(" ", args) + " still answers:\n" + output);
      }
      pause(Duration.ofMillis(100));
    }
    return output;
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
