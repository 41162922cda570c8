package dev.herald.channels;

/**
 * The last event published to a cache channel.
 *
 * @param frameJson the frame exactly as it was broadcast, replayed to new subscribers
 * @param expiresAtMillis when it stops being replayed (Unix milliseconds)
 */
public record CachedEvent(String event, String data, String frameJson, long expiresAtMillis) {

  /** Whole seconds left, rounded up, as the HTTP API reports it. */
  public long ttlSeconds(long nowMillis) {
    return Math.max(0, (expiresAtMillis - nowMillis + 999) / 1000);
  }
}
