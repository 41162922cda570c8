package dev.herald.channels;

import io.vertx.core.Future;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link ChannelCache} in this process's memory. Expired entries are dropped when read and by
 * {@link #sweep}, which the server runs periodically so memory stays bounded by live entries.
 * Thread-safe.
 */
public final class LocalChannelCache implements ChannelCache {
  private record Key(String appId, String channel) {}

  private final Map<Key, CachedEvent> entries = new ConcurrentHashMap<>();
  private final Clock clock;

  public LocalChannelCache(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Future<Void> put(
      String appId, String channel, String event, String data, String frameJson, int ttlSeconds) {
    long expires = clock.millis() + ttlSeconds * 1000L;
    entries.put(new Key(appId, channel), new CachedEvent(event, data, frameJson, expires));
    return Future.succeededFuture();
  }

  @Override
  public Future<Optional<CachedEvent>> get(String appId, String channel) {
    Key key = new Key(appId, channel);
    CachedEvent cached = entries.get(key);
    if (cached != null && cached.expiresAtMillis() <= clock.millis()) {
      entries.remove(key, cached);
      cached = null;
    }
    return Future.succeededFuture(Optional.ofNullable(cached));
  }

  /** Drops every expired entry. */
  public void sweep() {
    long now = clock.millis();
    entries.values().removeIf(entry -> entry.expiresAtMillis() <= now);
  }
}
