package dev.herald.channels;

import io.vertx.core.Future;
import java.util.Collection;
import java.util.Set;

/**
 * Which users have at least one signed-in connection, for watchlists. Reports the online and
 * offline transitions exactly once, each with a version from one increasing sequence, so a watcher
 * can skip a notice its initial snapshot already covers. Futures so a cluster-wide store can
 * replace the local one. Thread-safe.
 */
public interface OnlineUsers {

  /**
   * The users of a query that are online, and the sequence value read before looking: transitions
   * with a higher version may not be reflected in {@code online}.
   */
  record Snapshot(Set<String> online, long version) {}

  /**
   * Counts a signed-in connection.
   *
   * @return the transition's version when it is the user's first connection (the user came online),
   *     else 0
   */
  Future<Long> connect(String appId, String userId, String socketId);

  /**
   * Uncounts it.
   *
   * @return the transition's version when it was the user's last connection (the user went
   *     offline), else 0
   */
  Future<Long> disconnect(String appId, String userId, String socketId);

  /** Which of these users are online now. */
  Future<Snapshot> online(String appId, Collection<String> userIds);
}
