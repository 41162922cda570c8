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

  /** Registers this node's signed-in connections again; returns the users that came online. */
  public Future<List<String[]>> reRegister() {
    List<Future<String[]>> replays = new ArrayList<>();
    for (Registration registration : registrations.values()) {
      String entry =
          RedisKeys.entry(registration.appId(), registration.userId(), registration.socketId());
      replays.add(
          CONNECT
              .run(
                  redis,
                  scriptKeys(registration.appId()),
                  List.of(registration.userId(), registration.socketId(), entry))
              .map(
                  version ->
                      version.toLong() > 0
                          ? new String[] {
                            registration.appId(), registration.userId(), version.toString()
                          }
                          : null));
    }
    return Future.all(new ArrayList<>(replays))
        .map(
            all -> {
              List<String[]> cameOnline = new ArrayList<>();
              replays.forEach(
                  replay -> {
                    if (replay.result() != null) {
                      cameOnline.add(replay.result());
                    }
                  });
              return cameOnline;
            });
  }
}
