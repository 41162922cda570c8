package dev.herald.channels;

import dev.herald.protocol.PresenceMember;
import io.vertx.core.Future;
import java.util.List;

/**
 * The node's (or, scaled out, the cluster's) view of which channels are occupied and who is present
 * in them. Decides "first join" and "last leave" exactly once and returns them as transitions.
 * Returns futures so that an implementation on Redis never blocks an event loop. Thread-safe.
 */
public interface ChannelDirectory {

  /**
   * Adds a subscription.
   *
   * @param member the presence member for presence channels, else null
   * @param maxMembers the presence member limit; a new user beyond it is refused
   */
  Future<Join> join(
      String appId, String channel, String socketId, PresenceMember member, int maxMembers);

  /**
   * Removes a subscription added by {@link #join}.
   *
   * @param userId the presence user id it joined with, else null
   */
  Future<Leave> leave(String appId, String channel, String socketId, String userId);

  /** Occupied channels of the app whose names start with {@code prefix} ("" for all). */
  Future<List<ChannelInfo>> channels(String appId, String prefix);

  /** One channel; an unoccupied one has zero counts. */
  Future<ChannelInfo> channel(String appId, String channel);

  /** The distinct presence members of a channel, in join order. */
  Future<List<PresenceMember>> members(String appId, String channel);
}
