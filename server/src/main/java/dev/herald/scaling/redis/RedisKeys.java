package dev.herald.scaling.redis;

/**
 * Every Redis key and channel name Herald uses, in one place (the Lua scripts follow it). Each
 * starts with the prefix, so on a Redis Cluster, where the prefix is a hash tag ({@code
 * {herald:1a2b3c4d:}}, see ScalingConfig), every key and the sharded bus channel hash to one slot.
 * One slot per deployment rather than per app or per channel, because a Lua script may only touch
 * keys of one slot and Herald's scripts span apps and channels: a node's record of its connections
 * (claim.lua, cleanup_batch.lua remove a dead node's across every app atomically), the node set and
 * the grave sequence are shared by all apps. Most deployments serve one app anyway, so a per-app
 * tag would not spread their load; Herald's load on Redis (one bus message per event, a few hash
 * operations per subscribe) fits one shard, and the Cluster contributes failover.
 */
final class RedisKeys {
  private final String prefix;

  RedisKeys(String prefix) {
    this.prefix = prefix;
  }

  String prefix() {
    return prefix;
  }

  String app(String appId) {
    return prefix + appId + ":";
  }

  String subscriptions(String appId, String channel) {
    return app(appId) + "c:" + channel;
  }

  String memberCounts(String appId, String channel) {
    return app(appId) + "m:" + channel;
  }

  String memberInfos(String appId, String channel) {
    return app(appId) + "i:" + channel;
  }

  String membershipVersion(String appId, String channel) {
    return app(appId) + "v:" + channel;
  }

  String occupied(String appId) {
    return app(appId) + "occupied";
  }

  String cache(String appId, String channel) {
    return app(appId) + "cache:" + channel;
  }

  String online(String appId) {
    return app(appId) + "online";
  }

  String onlineSockets(String appId) {
    return app(appId) + "online-sockets";
  }

  /** Each node's connection count of the app (node id → count), see RedisConnectionCounts. */
  String connectionCounts(String appId) {
    return app(appId) + "connections";
  }

  String onlineSequence() {
    return prefix + "online-sequence";
  }

  String nodeEntries(String nodeId) {
    return prefix + "node:" + nodeId + ":subs";
  }

  String nodeUsers(String nodeId) {
    return prefix + "node:" + nodeId + ":users";
  }

  /** The graves (claim.lua) of nodes declared dead that the survivors are still emptying. */
  String graves() {
    return prefix + "graves";
  }

  String graveSequence() {
    return prefix + "grave-sequence";
  }

  /** A dead node's graves are named this plus a sequence number. */
  String graveBase(String nodeId) {
    return prefix + "grave:" + nodeId + ":";
  }

  /** The node whose grave this is. */
  String graveNode(String grave) {
    String rest = grave.substring((prefix + "grave:").length());
    return rest.substring(0, rest.lastIndexOf(':'));
  }

  String nodes() {
    return prefix + "nodes";
  }

  String bus() {
    return prefix + "bus";
  }

  /** A node's record of one subscription, which the survivors use to clean up after it. */
  static String entry(String appId, String channel, String socketId) {
    return appId + "\n" + channel + "\n" + socketId;
  }
}
