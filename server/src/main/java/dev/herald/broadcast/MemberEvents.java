package dev.herald.broadcast;

import dev.herald.config.AppConfig;
import dev.herald.protocol.ChannelName;
import dev.herald.protocol.PresenceMember;
import dev.herald.protocol.ServerFrames;
import dev.herald.scaling.Broadcaster;
import dev.herald.webhooks.WebhookEvent;
import dev.herald.webhooks.Webhooks;
import java.util.List;

/**
 * What a connection's arrival in or departure from a channel causes, written once for the two
 * places that learn of one: the subscription handler (a client subscribes or leaves) and the
 * dead-node cleanup (a survivor removes the members of a node that stopped, or a node that was
 * declared dead registers its members again). It turns the directory's transitions into webhooks
 * ({@code channel_occupied}, {@code member_added}, {@code member_removed}, {@code channel_vacated},
 * {@code subscription_count}) and into {@code pusher_internal:member_added/removed} for the
 * channel's subscribers on every node; likewise a signed-in user coming online or going offline,
 * for the watchlists that name the user (sign-in handler and dead-node cleanup again). The callers
 * keep their own order (a subscriber's webhooks go before its reply). A webhook event is built only
 * when {@link Webhooks#wants} it. Never blocks. Thread-safe.
 */
public final class MemberEvents {
  private final Broadcaster broadcaster;
  private final Webhooks webhooks;

  public MemberEvents(Broadcaster broadcaster, Webhooks webhooks) {
    this.broadcaster = broadcaster;
    this.webhooks = webhooks;
  }

  /** The webhooks of an arrival, in this order: channel_occupied, then member_added. */
  public void arrived(
      AppConfig app, String channel, String userId, boolean occupied, boolean memberAdded) {
    if (occupied && webhooks.wants(app, WebhookEvent.CHANNEL_OCCUPIED, channel)) {
      webhooks.emit(app, WebhookEvent.channelOccupied(channel));
    }
    if (memberAdded && webhooks.wants(app, WebhookEvent.MEMBER_ADDED, channel)) {
      webhooks.emit(app, WebhookEvent.memberAdded(channel, userId));
    }
  }

  /** The webhooks of a departure, in this order: member_removed, then channel_vacated. */
  public void departed(
      AppConfig app, String channel, String userId, boolean memberRemoved, boolean vacated) {
    if (memberRemoved && webhooks.wants(app, WebhookEvent.MEMBER_REMOVED, channel)) {
      webhooks.emit(app, WebhookEvent.memberRemoved(channel, userId));
    }
    if (vacated && webhooks.wants(app, WebhookEvent.CHANNEL_VACATED, channel)) {
      webhooks.emit(app, WebhookEvent.channelVacated(channel));
    }
  }

  /** The subscription_count webhook, which presence channels do without (they count members). */
  public void subscriptionCount(AppConfig app, ChannelName channel, int count) {
    if (!channel.kind().isPresence()
        && webhooks.wants(app, WebhookEvent.SUBSCRIPTION_COUNT, channel.value())) {
      webhooks.emit(app, WebhookEvent.subscriptionCount(channel.value(), count));
    }
  }

  /**
   * {@code pusher_internal:member_added} to the channel's subscribers on every node.
   *
   * @param excludeSocketId the joining connection, which learns of itself from its reply; or null
   */
  public void announceAdded(
      String appId,
      String channel,
      PresenceMember member,
      String excludeSocketId,
      long membershipVersion) {
    broadcaster.publishMembership(
        appId,
        channel,
        ServerFrames.memberAdded(channel, member),
        excludeSocketId,
        membershipVersion);
  }

  /** {@code pusher_internal:member_removed} to the channel's subscribers on every node. */
  public void announceRemoved(String appId, String channel, String userId, long membershipVersion) {
    broadcaster.publishMembership(
        appId, channel, ServerFrames.memberRemoved(channel, userId), null, membershipVersion);
  }

  /**
   * A user's first connection signed in: {@code online} to the watchlists that name the user.
   *
   * @param version the user's presence version after this change, which orders it on every node
   */
  public void userOnline(String appId, String userId, long version) {
    broadcaster.publishMembership(
        appId,
        ChannelName.WATCHLIST_PREFIX + userId,
        ServerFrames.watchlistEvents(List.of(userId), List.of()),
        null,
        version);
  }

  /** A user's last signed-in connection left: {@code offline} to the watchlists naming the user. */
  public void userOffline(String appId, String userId, long version) {
    broadcaster.publishMembership(
        appId,
        ChannelName.WATCHLIST_PREFIX + userId,
        ServerFrames.watchlistEvents(List.of(), List.of(userId)),
        null,
        version);
  }
}
