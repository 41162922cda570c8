package dev.herald.scaling.redis;

import dev.herald.channels.ChannelDirectory;
import dev.herald.channels.ChannelInfo;
import dev.herald.channels.Join;
import dev.herald.channels.Leave;
import dev.herald.protocol.PresenceMember;
import dev.herald.protocol.ServerFrames;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The cluster's channel state in Redis: per channel a hash of subscribed sockets, presence member
 * counts and infos, and a membership version, changed only by Lua scripts so "first join" and "last
 * leave" are decided once for the whole cluster. Each node also records its own entries, both in
 * Redis (for the survivors to clean up if it dies) and here (to register them again after Redis
 * comes back empty or after the node was declared dead, and to find entries in Redis that a leave
 * failed to remove during an outage). Whole-set work (listing an app's channels, replaying,
 * reconciling) goes in batches, so no single call holds Redis for long. Thread-safe.
 */
public final class RedisChannelDirectory implements ChannelDirectory {
  private static final RedisScript JOIN = RedisScript.load("join.lua");
  private static final RedisScript LEAVE = RedisScript.load("leave.lua");
  private static final RedisScript CHANNEL_COUNTS = RedisScript.load("channel_counts.lua");

  /** Channel names asked of Redis per SSCAN step when listing an app's channels. */
  static final int SCAN_BATCH = 500;

  private static final RedisScript HGETALL = RedisScript.load("hgetall.lua");

  /** What this node registered, to replay after Redis loses it. */
  private record Registration(
      String appId, String channel, String socketId, PresenceMember member, int maxMembers) {}

  private final RedisConnector redis;
  private final RedisKeys keys;
  private final String nodeId;
  private final Map<String, Registration> registrations = new ConcurrentHashMap<>();

  /** A leave failed, so Redis may hold an entry this node no longer has. */
  private final AtomicBoolean staleEntries = new AtomicBoolean();

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
    // Recorded before Redis has it, so a reconciliation running meanwhile does not take the new
    // entry for a stale one; forgotten again if the join fails or is refused.
    Registration registration = new Registration(appId, channel, socketId, member, maxMembers);
    registrations.put(entry, registration);
    return runJoin(registration, true)
        .map(
            join -> {
              if (!join.accepted()) {
                registrations.remove(entry, registration);
              }
              return join;
            })
        .onFailure(error -> registrations.remove(entry, registration));
  }

  /**
   * @param reply whether a client waits for the join's subscription_succeeded (a replay has none:
   *     its presence frame is not built)
   */
  private Future<Join> runJoin(Registration registration, boolean reply) {
    PresenceMember member = registration.member();
    return JOIN.run(
            redis,
            channelKeys(registration.appId(), registration.channel()),
            List.of(
                registration.socketId(),
                member == null ? "" : member.userId(),
                member == null || member.userInfoJson() == null ? "null" : member.userInfoJson(),
                Integer.toString(registration.maxMembers()),
                registration.channel(),
                RedisKeys.entry(
                    registration.appId(), registration.channel(), registration.socketId())))
        .map(response -> toJoin(response, registration.channel(), reply && member != null));
  }

  private static Join toJoin(Response response, String channel, boolean presence) {
    if (response.get(0).toInteger() == 0) {
      return Join.full();
    }
    String presenceSucceeded = null;
    if (presence) {
      List<PresenceMember> members = new ArrayList<>((response.size() - 5) / 2);
      for (int i = 5; i + 1 < response.size(); i += 2) {
        members.add(member(response.get(i).toString(), response.get(i + 1).toString()));
      }
      presenceSucceeded = ServerFrames.presenceSubscriptionSucceeded(channel, members);
    }
    return new Join(
        true,
        response.get(1).toInteger() == 1,
        response.get(2).toInteger() == 1,
        presenceSucceeded,
        response.get(3).toInteger(),
        response.get(4).toLong());
  }

  @Override
  public Future<Leave> leave(String appId, String channel, String socketId, String userId) {
    String entry = RedisKeys.entry(appId, channel, socketId);
    registrations.remove(entry);
    return LEAVE
        .run(redis, channelKeys(appId, channel), List.of(socketId, channel, entry))
        .onFailure(error -> staleEntries.set(true))
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
    Map<String, ChannelInfo> found = new java.util.HashMap<>();
    return scanChannels(appId, prefix, "0", found)
        .map(
            done -> {
              List<ChannelInfo> infos = new ArrayList<>(found.values());
              infos.sort(Comparator.comparing(ChannelInfo::name));
              return infos;
            });
  }

  /** One SSCAN step over the app's occupied channels, their counts, then the next step. */
  private Future<Void> scanChannels(
      String appId, String prefix, String cursor, Map<String, ChannelInfo> found) {
    return redis
        .send(
            Request.cmd(Command.SSCAN)
                .arg(keys.occupied(appId))
                .arg(cursor)
                .arg("COUNT")
                .arg(SCAN_BATCH))
        .compose(
            page -> {
              String next = page.get(0).toString();
              List<String> args = new ArrayList<>();
              args.add(keys.app(appId));
              for (Response name : page.get(1)) {
                if (name.toString().startsWith(prefix)) {
                  args.add(name.toString());
                }
              }
              Future<Void> counted =
                  args.size() == 1
                      ? Future.succeededFuture()
                      : CHANNEL_COUNTS
                          .run(redis, List.of(keys.occupied(appId)), args)
                          .map(
                              response -> {
                                for (int i = 0; i + 2 < response.size(); i += 3) {
                                  String name = response.get(i).toString();
                                  found.put(
                                      name,
                                      new ChannelInfo(
                                          name,
                                          response.get(i + 1).toInteger(),
                                          response.get(i + 2).toInteger()));
                                }
                                return null;
                              });
              return counted.compose(
                  ignored ->
                      "0".equals(next)
                          ? Future.succeededFuture()
                          : scanChannels(appId, prefix, next, found));
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
   * Registers this node's subscriptions again (after Redis restarted or declared the node dead), a
   * window at a time.
   *
   * @return the joins that were news to the cluster, for the caller to announce
   */
  public Future<List<Replayed>> reRegister() {
    return Windowed.map(
        new ArrayList<>(registrations.values()),
        registration ->
            runJoin(
                    new Registration(
                        registration.appId(),
                        registration.channel(),
                        registration.socketId(),
                        registration.member(),
                        Integer.MAX_VALUE),
                    false)
                .map(
                    join ->
                        new Replayed(
                            registration.appId(),
                            registration.channel(),
                            registration.member(),
                            join)));
  }

  /**
   * Removes from Redis the entries this node recorded there but no longer has: connections that
   * left while Redis was unreachable (the leave failed) would otherwise stay members and keep their
   * channels occupied for good. Walks the node's entries set with SSCAN.
   *
   * @return what each removal changed, for the caller to announce
   */
  public Future<List<Departure>> reconcile() {
    staleEntries.set(false);
    List<Departure> departures = new ArrayList<>();
    return reconcileFrom("0", departures)
        .onFailure(error -> staleEntries.set(true))
        .map(departures);
  }

  /** Whether a leave failed since the last {@link #reconcile}. */
  public boolean mayHoldStaleEntries() {
    return staleEntries.get();
  }

  private Future<Void> reconcileFrom(String cursor, List<Departure> departures) {
    return StalePage.read(redis, keys.nodeEntries(nodeId), cursor, registrations)
        .compose(
            page -> {
              return Windowed.map(
                      page.stale(),
                      parts ->
                          LEAVE
                              .run(
                                  redis,
                                  channelKeys(parts[0], parts[1]),
                                  List.of(
                                      parts[2],
                                      parts[1],
                                      RedisKeys.entry(parts[0], parts[1], parts[2])))
                              .map(
                                  response ->
                                      new Departure(
                                          parts[0],
                                          parts[1],
                                          response.get(4).toString(),
                                          response.get(0).toInteger() == 1,
                                          response.get(1).toInteger() == 1,
                                          response.get(3).toLong())))
                  .compose(
                      done -> {
                        done.stream()
                            .filter(d -> d.vacated() || d.memberRemoved())
                            .forEach(departures::add);
                        return page.last()
                            ? Future.<Void>succeededFuture()
                            : reconcileFrom(page.next(), departures);
                      });
            });
  }

  /** One subscription registered again, and what it changed. */
  public record Replayed(String appId, String channel, PresenceMember member, Join join) {}

  /**
   * A connection removed from a channel by the cluster rather than by its own leave: a dead node's,
   * or one whose leave this node could not send.
   *
   * @param user the presence user id, or "" for other channels
   */
  public record Departure(
      String appId,
      String channel,
      String user,
      boolean vacated,
      boolean memberRemoved,
      long membershipVersion) {}
}
