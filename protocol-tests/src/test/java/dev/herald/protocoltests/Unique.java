package dev.herald.protocoltests;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/** Channel and user names that no other test uses, so tests sharing a server stay independent. */
final class Unique {

  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static final String RUN =
      Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);

  private Unique() {}

  /** {@code prefix} followed by a suffix unique in this test run, e.g. {@code private-r3k-7}. */
  static String name(String prefix) {
    return prefix + RUN + "-" + COUNTER.incrementAndGet();
  }
}
