package dev.herald.scaling.redis;

import dev.herald.channels.OnlineUsers;
import io.vertx.core.Future;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Signed-in users across the cluster: a per-app hash of user → connection count, changed by Lua
 * scripts that are idempotent per socket, and one sequence for transition versions. Thread-safe.
 */
public final class RedisOnlineUsers implements OnlineUsers {
  private static final RedisScript CONNECT = RedisScript.load("online_connect.lua");
  private static final RedisScript DISCONNECT = RedisScript.load("online_disconnect.lua");
  private static final RedisScript SNAPSHOT = RedisScript.load("online_snapshot.lua");

  private record Registration(String appId, String userId, String socketId) {}

  private final RedisConnector redis;
  private final RedisKeys keys;
  private final String nodeId;
  private final Map<String, Registration> registrations = new ConcurrentHashMap<>();

  /** A disconnect failed, so Redis may count a connection this node no longer has. */
  private final AtomicBoolean staleEntries = new AtomicBoolean();

  public RedisOnlineUsers(RedisConnector redis, String prefix, String nodeId) {
    this.redis = redis;
    this.keys = new RedisKeys(prefix);
    this.nodeId = nodeId;
  }

  private List<String> scriptKeys(String appId) {
    return List.of(
        keys.online(appId),
        keys.onlineSockets(appId),
        keys.nodeUsers(nodeId),
        keys.onlineSequence());
  }

  @Override
  public Future<Long> connect(String appId, String userId, String socketId) {
    String entry = RedisKeys.entry(appId, userId, socketId);
    registrations.put(entry, new Registration(appId, userId, socketId));
    return CONNECT
        .run(redis, scriptKeys(appId), List.of(userId, socketId, entry))
        .map(Response::toLong);
  }

  @Override
  public Future<Long> disconnect(String appId, String userId, String socketId) {
    String entry = RedisKeys.entry(appId, userId, socketId);
    registrations.remove(entry);
    return DISCONNECT
        .run(redis, scriptKeys(appId), List.of(userId, socketId, entry))
        .onFailure(error -> staleEntries.set(true))
        .map(Response::toLong);
  }

  @Override
  public Future<Snapshot> online(String appId, Collection<String> userIds) {
    List<String> ids = new ArrayList<>(userIds);
    return SNAPSHOT
        .run(redis, List.of(keys.online(appId), keys.onlineSequence()), ids)
        .map(
            response -> {
              Set<String> online = new LinkedHashSet<>();
              for (int i = 0; i < ids.size(); i++) {
                if (response.get(i + 1).toInteger() == 1) {
                  online.add(ids.get(i));
                }
              }
              return new Snapshot(online, response.get(0).toLong());
            });
  }

  /**
   * Registers this node's signed-in connections again, a window at a time; returns the users that
   * came online as {app, user, version}.
   */
  public Future<List<String[]>> reRegister() {
    return Windowed.map(
            new ArrayList<>(registrations.values()),
            registration ->
                CONNECT
                    .run(
                        redis,
                        scriptKeys(registration.appId()),
                        List.of(
                            registration.userId(),
                            registration.socketId(),
                            RedisKeys.entry(
                                registration.appId(),
                                registration.userId(),
                                registration.socketId())))
                    .map(
                        version ->
                            version.toLong() > 0
                                ? new String[] {
                                  registration.appId(), registration.userId(), version.toString()
                                }
                                : null))
        .map(all -> all.stream().filter(java.util.Objects::nonNull).toList());
  }

  /** Whether a disconnect failed since the last {@link #reconcile}. */
  public boolean mayHoldStaleEntries() {
    return staleEntries.get();
  }

  /**
   * Uncounts the signed-in connections this node recorded in Redis but no longer has (their
   * disconnect failed while Redis was unreachable); returns the users that went offline as {app,
   * user, version}.
   */
  public Future<List<String[]>> reconcile() {
    staleEntries.set(false);
    List<String[]> wentOffline = new ArrayList<>();
    return reconcileFrom("0", wentOffline)
        .onFailure(error -> staleEntries.set(true))
        .map(wentOffline);
  }

  private Future<Void> reconcileFrom(String cursor, List<String[]> wentOffline) {
    return StalePage.read(redis, keys.nodeUsers(nodeId), cursor, registrations)
        .compose(
            page -> {
              return Windowed.map(
                      page.stale(),
                      parts ->
                          DISCONNECT
                              .run(
                                  redis,
                                  scriptKeys(parts[0]),
                                  List.of(parts[1], parts[2], entry(parts)))
                              .map(
                                  version ->
                                      version.toLong() > 0
                                          ? new String[] {parts[0], parts[1], version.toString()}
                                          : null))
                  .compose(
                      done -> {
                        done.stream().filter(java.util.Objects::nonNull).forEach(wentOffline::add);
                        return page.last()
                            ? Future.<Void>succeededFuture()
                            : reconcileFrom(page.next(), wentOffline);
                      });
            });
  }

  private static String entry(String[] parts) {
    return RedisKeys.entry(parts[0], parts[1], parts[2]);
  }
}
