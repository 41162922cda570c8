package dev.herald.protocoltests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Vert.x's blocked-thread warnings ("Thread[...] has been blocked for 2345 ms, time limit is
 * 2000 ms") from a server's log. Vert.x warns from 2 s on, which a busy two-core CI machine can
 * reach by itself (the event loop is runnable but not scheduled); only a block of {@link #LIMIT} or
 * more is a failure, which is well beyond scheduling noise and still catches real blocking calls.
 * Stateless.
 */
final class BlockedThreads {

  /** The longest block a test accepts before calling it a blocked event loop. */
  static final Duration LIMIT = Duration.ofSeconds(5);

  private static final Pattern WARNING =
      Pattern.compile("Thread\\[([^\\]]*)\\] has been blocked for (\\d+) ms");

  private BlockedThreads() {}

  /** Each warning in {@code log}, as "thread: N ms". */
  static List<String> warnings(String log, Duration atLeast) {
    List<String> found = new ArrayList<>();
    Matcher matcher = WARNING.matcher(log);
    while (matcher.find()) {
      long millis = Long.parseLong(matcher.group(2));
      if (millis >= atLeast.toMillis()) {
        found.add(matcher.group(1) + ": " + millis + " ms");
      }
    }
    return found;
  }

  /** Fails when {@code log} shows a thread blocked for {@link #LIMIT} or longer. */
  static void assertNoneBlockedTooLong(String log) {
    List<String> blocked = warnings(log, LIMIT);
    assertTrue(
        blocked.isEmpty(),
        () -> "threads blocked for " + LIMIT.toMillis() + " ms or more: " + blocked + "\n" + log);
    List<String> shorter = warnings(log, Duration.ZERO);
    if (!shorter.isEmpty()) {
      System.out.println("BlockedThreads: shorter blocks tolerated (a loaded machine): " + shorter);
    }
  }
}
