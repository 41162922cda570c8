package dev.herald.websocket;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Limits how many WebSocket handshakes one remote address may start per second, so a connection
 * flood from one client is refused before any per-connection state exists. Fixed one-second windows
 * per address; idle addresses are forgotten by {@link #sweep}. Thread-safe.
 */
public final class ConnectionRateLimiter {
  private static final long WINDOW_NANOS = 1_000_000_000L;

  private static final class Window {
    long startNanos;
    int count;
  }

  private final int perSecond;
  private final Map<String, Window> windows = new ConcurrentHashMap<>();

  /**
   * @param perSecond handshakes allowed per address per second; 0 means no limit
   */
  public ConnectionRateLimiter(int perSecond) {
    this.perSecond = perSecond;
  }

  public boolean tryAcquire(String address, long nowNanos) {
    if (perSecond == 0 || address == null) {
      return true;
    }
    Window window = windows.computeIfAbsent(address, key -> new Window());
    synchronized (window) {
      if (nowNanos - window.startNanos >= WINDOW_NANOS) {
        window.startNanos = nowNanos;
        window.count = 0;
      }
      return ++window.count <= perSecond;
    }
  }

  /** Forgets addresses whose window ended, so the map holds only recent clients. */
  public void sweep(long nowNanos) {
    windows
        .entrySet()
        .removeIf(
            entry -> {
              synchronized (entry.getValue()) {
                return nowNanos - entry.getValue().startNanos >= WINDOW_NANOS;
              }
            });
  }
}
