package dev.herald.channels;

import io.vertx.core.Future;
import java.util.Optional;

/**
 * The last HTTP API event of each cache channel ({@code cache-}, {@code private-cache-}, …), kept
 * for the app's TTL. Futures so a shared (Redis) store can replace the in-memory one. Thread-safe.
 */
public interface ChannelCache {
  Future<Void> put(
      String appId, String channel, String event, String data, String frameJson, int ttlSeconds);

  /** The unexpired cached event, if any. */
  Future<Optional<CachedEvent>> get(String appId, String channel);
}
