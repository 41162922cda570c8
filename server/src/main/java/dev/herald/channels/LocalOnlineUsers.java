package dev.herald.channels;

import io.vertx.core.Future;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** {@link OnlineUsers} for one node: a per-user connection count updated atomically. */
public final class LocalOnlineUsers implements OnlineUsers {
  private record Key(String appId, String userId) {}

  private final Map<Key, Integer> connections = new ConcurrentHashMap<>();
  private final AtomicLong sequence = new AtomicLong();

  @Override
  public Future<Long> connect(String appId, String userId, String socketId) {
    long[] version = {0};
    connections.compute(
        new Key(appId, userId),
        (key, count) -> {
          if (count == null) {
            version[0] = sequence.incrementAndGet();
            return 1;
          }
          return count + 1;
        });
    return Future.succeededFuture(version[0]);
  }

  @Override
  public Future<Long> disconnect(String appId, String userId, String socketId) {
    long[] version = {0};
    connections.computeIfPresent(
        new Key(appId, userId),
        (key, count) -> {
          if (count <= 1) {
            version[0] = sequence.incrementAndGet();
            return null;
          }
          return count - 1;
        });
    return Future.succeededFuture(version[0]);
  }

  @Override
  public Future<Snapshot> online(String appId, Collection<String> userIds) {
    // Read before looking: a transition racing with the look is then at worst reported twice,
    // never missed.
    long version = sequence.get();
    Set<String> online = new LinkedHashSet<>();
    for (String userId : userIds) {
      if (connections.containsKey(new Key(appId, userId))) {
        online.add(userId);
      }
    }
    return Future.succeededFuture(new Snapshot(online, version));
  }
}
