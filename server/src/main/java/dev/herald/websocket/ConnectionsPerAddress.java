package dev.herald.websocket;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Caps the WebSocket connections one client address holds at once, so one host cannot take every
 * connection the node can hold. An address is counted from the moment its upgrade is admitted until
 * its connection closes; an address with no connection is forgotten. Thread-safe: event loops
 * acquire and release concurrently, each decision made inside one atomic {@code compute}.
 */
public final class ConnectionsPerAddress {
  private final int max;
  private final Map<String, Integer> counts = new ConcurrentHashMap<>();

  /**
   * @param max connections allowed per address; 0 means no limit
   */
  public ConnectionsPerAddress(int max) {
    this.max = max;
  }

  /**
   * Takes a place for one more connection of {@code address}.
   *
   * @return false when the address already holds {@code max}; nothing is taken then
   */
  public boolean tryAcquire(String address) {
    if (max == 0 || address == null) {
      return true;
    }
    boolean[] taken = {false};
    counts.compute(
        address,
        (key, count) -> {
          int current = count == null ? 0 : count;
          if (current >= max) {
            return count;
          }
          taken[0] = true;
          return current + 1;
        });
    return taken[0];
  }

  /** Gives back a place taken by a successful {@link #tryAcquire}. */
  public void release(String address) {
    if (max == 0 || address == null) {
      return;
    }
    counts.computeIfPresent(address, (key, count) -> count <= 1 ? null : count - 1);
  }

  /** Connections {@code address} holds now. */
  public int count(String address) {
    return counts.getOrDefault(address, 0);
  }
}
