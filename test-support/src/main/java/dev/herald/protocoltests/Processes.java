package dev.herald.protocoltests;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Starting and stopping the processes a test runs (Herald, redis-server, proxies). Stateless. */
public final class Processes {
  private Processes() {}

  /**
   * Returns once {@code ready} holds, probing every 50 ms at most (or as soon as the process ends).
   * Fails with the process's {@code output} when it exits first, or when {@code timeout} passes,
   * after stopping it: "{@code what} did not {@code readiness} within ...".
   */
  public static void awaitReady(
      String what,
      Process process,
      Duration timeout,
      String readiness,
      BooleanSupplier ready,
      Supplier<String> output) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            what + " exited with " + process.exitValue() + " during start-up:\n" + output.get());
      }
      if (ready.getAsBoolean()) {
        return;
      }
      try {
        process.waitFor(50, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    stop(process);
    throw new IllegalStateException(
        what + " did not " + readiness + " within " + timeout + ":\n" + output.get());
  }

  /** SIGTERM, then SIGKILL when the process is still there 10 s later; waits for it to end. */
  public static void stop(Process process) {
    stop(process, Duration.ofSeconds(10));
  }

  /** SIGTERM, then SIGKILL when the process is still there {@code grace} later. */
  public static void stop(Process process, Duration grace) {
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
