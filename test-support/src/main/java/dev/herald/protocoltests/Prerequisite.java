package dev.herald.protocoltests;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from the machine (a program such as redis-server or Chromium, a database, a
 * kernel feature): missing in the fast tier, the test is skipped, saying why; missing in the full
 * tier ({@code mvn verify -Pfull}, which sets {@code -Dherald.requireAll=true}), the test fails
 * with the same words, so a CI machine that lacks a tool cannot pass by checking less. Stateless.
 */
public final class Prerequisite {

  /** The system property the full tier sets; true turns every unmet prerequisite into a failure. */
  public static final String REQUIRE_ALL = "herald.requireAll";

  private Prerequisite() {}

  /** Whether this run must run every test (the full tier). */
  public static boolean requireAll() {
    return Boolean.getBoolean(REQUIRE_ALL);
  }

  /**
   * Skips (fast tier) or fails (full tier) the calling test unless {@code met}.
   *
   * @param what the missing thing and what it is for, e.g. "redis-server is not installed"
   * @param remedy how to get it, e.g. "apt-get install redis-server"
   */
  public static void require(boolean met, String what, String remedy) {
    if (!met) {
      unmet(what + " (" + remedy + ")");
    }
  }

  /** Skips (fast tier) or fails (full tier) the calling test for {@code reason}. */
  public static void unmet(String reason) {
    if (requireAll()) {
      fail(
          reason
              + ". The full tier (-Pfull, -D"
              + REQUIRE_ALL
              + "=true) runs every test, so a missing prerequisite fails it instead of skipping;"
              + " .ci/run installs everything it needs");
    }
    Assumptions.abort(reason);
  }
}
