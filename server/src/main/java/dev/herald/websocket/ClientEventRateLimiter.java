package dev.herald.websocket;

/**
 * Counts one connection's client events in one-second windows, as Pusher's "10 per second" limit.
 * Confined to the connection's event loop.
 */
final class ClientEventRateLimiter {
  private static final long WINDOW_NANOS = 1_000_000_000L;

  private final int perSecond;
  private long windowStartNanos;
  private int countInWindow;

  /**
   * @param perSecond events allowed per second; 0 means no limit
   */
  ClientEventRateLimiter(int perSecond) {
    this.perSecond = perSecond;
  }

  boolean tryAcquire(long nowNanos) {
    if (perSecond == 0) {
      return true;
    }
    if (nowNanos - windowStartNanos >= WINDOW_NANOS) {
      windowStartNanos = nowNanos;
      countInWindow = 0;
    }
    if (countInWindow >= perSecond) {
      return false;
    }
    countInWindow++;
    return true;
  }
}
