package dev.herald.scaling.redis;

import dev.herald.channels.ChannelDirectory;
import dev.herald.channels.ChannelInfo;
import dev.herald.channels.Join;
import dev.herald.channels.Leave;
import dev.herald.protocol.PresenceMember;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cluster's channel state in Redis: per channel a hash of subscribed sockets, presence member
 * counts and infos, and a membership version, changed only by Lua scripts so "first join" and "last
 * leave" are decided once for the whole cluster. Each node also records its own entries, both in
 * Redis (for the survivors to clean up if it dies) and here (to register them again after Redis
 * comes back empty). Thread-safe.
 */
public final class RedisChannelDirectory implements ChannelDirectory {
  private static final RedisScript JOIN = RedisScript.load("join.lua");
  private static final RedisScript LEAVE = RedisScript.load("leave.lua");
  private static final RedisScript CHANNELS = RedisScript.load("channels.lua");
  private static final RedisScript HGETALL = RedisScript.load("hgetall.lua");

  /** What this node registered, to replay after Redis loses it. */
  private record Registration(
      String appId, String channel, String socketId, PresenceMember member, int maxMembers) {}

  private final RedisConnector redis;
  private final RedisKeys keys;
  private final String nodeId;
  private final Map<String, Registration> registrations = new ConcurrentHashMap<>();

  public RedisChannelDirectory(RedisConnector redis, String prefix, String nodeId) {
    this.redis = redis;
    this.keys = new RedisKeys(prefix);
    this.nodeId = nodeId;
  }

  private List<String> channelKeys(String appId, String channel) {
    return List.of(
        keys.subscriptions(appId, channel),
        keys.memberCounts(appId, channel),
        keys.memberInfos(appId, channel),
        keys.membershipVersion(appId, channel),
        keys.occupied(appId),
        keys.nodeEntries(nodeId));
  }

  @Override
  public Future<Join> join(
      String appId, String channel, String socketId, PresenceMember member, int maxMembers) {
    String entry = RedisKeys.entry(appId, channel, socketId);
    return JOIN.run(
            redis,
            channelKeys(appId, channel),
            List.of(
                socketId,
                member == null ? "" : member.userId(),
                member == null || member.userInfoJson() == null ? "null" : member.userInfoJson(),
                Integer.toString(maxMembers),
                channel,
                entry))
        .map(
            response -> {
              Join join = toJoin(response, member != null);
              if (join.accepted()) {
                registrations.put(
                    entry, new Registration(appId, channel, socketId, member, maxMembers));
              }
              return join;
            });
  }

  private static Join toJoin(Response response, boolean presence) {
    if (response.get(0).toInteger() == 0) {
      return Join.full();
    }
    List<PresenceMember> members = new ArrayList<>();
    if (presence) {
      for (int i = 5; i + 1 < response.size(); i += 2) {
        String info = response.get(i + 1).toString();
        members.add(
            new PresenceMember(response.get(i).toString(), "null".equals(info) ? null : info));
      }
    }
    return new Join(
        true,
        response.get(1).toInteger() == 1,
        response.get(2).toInteger() == 1,
        members,
        response.get(3).toInteger(),
        response.get(4).toLong());
  }

  @Override
  public Future<Leave> leave(String appId, String channel, String socketId, String userId) {
    String entry = RedisKeys.entry(appId, channel, socketId);
    registrations.remove(entry);
    return LEAVE
        .run(redis, channelKeys(appId, channel), List.of(socketId, channel, entry))
        .map(
            response ->
                new Leave(
                    response.get(0).toInteger() == 1,
                    response.get(1).toInteger() == 1,
                    response.get(2).toInteger(),
                    response.get(3).toLong()));
  }

  @Override
  public Future<List<ChannelInfo>> channels(String appId, String prefix) {
    return CHANNELS
        .run(redis, List.of(keys.occupied(appId)), List.of(keys.app(appId), prefix))
        .map(
            response -> {
              List<ChannelInfo> infos = new ArrayList<>();
              for (int i = 0; i + 2 < response.size(); i += 3) {
                infos.add(
                    new ChannelInfo(
                        response.get(i).toString(),
                        response.get(i + 1).toInteger(),
                        response.get(i + 2).toInteger()));
              }
              infos.sort(Comparator.comparing(ChannelInfo::name));
              return infos;
            });
  }

  @Override
  public Future<ChannelInfo> channel(String appId, String channel) {
    Future<Response> subscriptions =
        redis.send(Request.cmd(Command.HLEN).arg(keys.subscriptions(appId, channel)));
    Future<Response> members =
        redis.send(Request.cmd(Command.HLEN).arg(keys.memberCounts(appId, channel)));
    return Future.all(subscriptions, members)
        .map(
            all ->
                new ChannelInfo(
                    channel, subscriptions.result().toInteger(), members.result().toInteger()));
  }

  @Override
  public Future<List<PresenceMember>> members(String appId, String channel) {
    return HGETALL
        .run(redis, List.of(keys.memberInfos(appId, channel)), List.of())
        .map(
            response -> {
              List<PresenceMember> members = new ArrayList<>();
              for (int i = 0; i + 1 < response.size(); i += 2) {
                members.add(member(response.get(i).toString(), response.get(i + 1).toString()));
              }
              return members;
            });
  }

  private static PresenceMember member(String userId, String info) {
    return new PresenceMember(userId, "null".equals(info) ? null : info);
  }

  /**
   * Registers this node's subscriptions again (after Redis restarted or declared the node dead).
   *
   * @return the joins that were news to the cluster, for the caller to announce
   */
  public Future<List<Replayed>> reRegister() {
    List<Future<Replayed>> replays = new ArrayList<>();
    for (Registration registration : registrations.values()) {
      replays.add(
          join(
                  registration.appId(),
                  registration.channel(),
                  registration.socketId(),
                  registration.member(),
                  Integer.MAX_VALUE)
              .map(
                  join ->
                      new Replayed(
                          registration.appId(),
                          registration.channel(),
                          registration.member(),
                          join)));
    }
    return Future.all(new ArrayList<>(replays))
        .map(
            all -> {
              List<Replayed> list = new ArrayList<>();
              replays.forEach(replay -> list.add(replay.result()));
              return list;
            });
  }

  /** One subscription registered again, and what it changed. */
  public record Replayed(String appId, String channel, PresenceMember member, Join join) {}
}
