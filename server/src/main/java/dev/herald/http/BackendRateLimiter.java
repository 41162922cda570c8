package dev.herald.http;

import dev.herald.config.AppConfig;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts the messages (events × channels) each app publishes through the HTTP API in one-second
 * windows, against its {@code max_backend_events_per_second}. One per node, shared by every event
 * loop's router, so the limit is per app per node (each loop counting on its own multiplied it by
 * the loop count). Thread-safe: HTTP requests arrive on every event loop.
 */
public final class BackendRateLimiter {
  private static final long WINDOW_NANOS = 1_000_000_000L;

  private static final class Window {
    long startNanos;
    long used;
  }

  private final Map<String, Window> windows = new ConcurrentHashMap<>();

  public BackendRateLimiter() {}

  /** Takes {@code messages} from the app's allowance; false (and takes nothing) when short. */
  boolean tryAcquire(AppConfig app, int messages, long nowNanos) {
    int limit = app.maxBackendEventsPerSecond();
    if (limit == 0) {
      return true;
    }
    Window window = windows.computeIfAbsent(app.id(), id -> new Window());
    synchronized (window) {
      if (nowNanos - window.startNanos >= WINDOW_NANOS) {
        window.startNanos = nowNanos;
        window.used = 0;
      }
      if (window.used + messages > limit) {
        return false;
      }
      window.used += messages;
      return true;
    }
  }
}
