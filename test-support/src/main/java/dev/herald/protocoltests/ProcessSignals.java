package dev.herald.protocoltests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/**
 * SIGSTOP and SIGCONT for a process a test started: a frozen process keeps its sockets open and
 * answers nothing, like a host behind a silent partition or a process in a long pause, which a kill
 * cannot imitate. Stateless.
 */
public final class ProcessSignals {
  private ProcessSignals() {}

  /** Freezes the process (SIGSTOP). */
  public static void stop(long pid) {
    signal("-STOP", pid);
  }

  /** Lets a frozen process run again (SIGCONT). */
  public static void resume(long pid) {
    signal("-CONT", pid);
  }

  private static void signal(String signal, long pid) {
    try {
      Process kill = new ProcessBuilder("kill", signal, Long.toString(pid)).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill " + signal + " " + pid + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
