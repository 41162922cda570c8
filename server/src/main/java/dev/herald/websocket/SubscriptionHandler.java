package dev.herald.websocket;

import dev.herald.auth.ChannelAuthorizer;
import dev.herald.broadcast.MemberEvents;
import dev.herald.channels.ChannelCache;
import dev.herald.channels.ChannelDirectory;
import dev.herald.channels.Join;
import dev.herald.channels.LocalSubscriptions;
import dev.herald.config.AppConfig;
import dev.herald.metrics.HeraldMetrics;
import dev.herald.protocol.ChannelData;
import dev.herald.protocol.ChannelKind;
import dev.herald.protocol.ChannelName;
import dev.herald.protocol.ClientFrame;
import dev.herald.protocol.ErrorCode;
import dev.herald.protocol.PresenceMember;
import dev.herald.protocol.ProtocolException;
import dev.herald.protocol.ServerFrames;
import dev.herald.webhooks.WebhookEvent;
import dev.herald.webhooks.Webhooks;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code pusher:subscribe} and {@code pusher:unsubscribe}: name rules, signatures, presence
 * members, and the directory transitions (member_added, member_removed) they cause. Confined to one
 * event loop, with that loop's {@link LocalSubscriptions}.
 */
final class SubscriptionHandler {
  private static final Logger LOG = Logger.getLogger(SubscriptionHandler.class.getName());

  private final LocalSubscriptions local;
  private final ChannelDirectory directory;
  private final ChannelCache cache;
  private final MemberEvents members;
  private final Webhooks webhooks;
  private final HeraldMetrics metrics;
  private final UnaryOperator<AppConfig> current;
  private long lastWarningNanos = System.nanoTime() - 2_000_000_000L;
  private long suppressedWarnings;

  SubscriptionHandler(
      LocalSubscriptions local,
      ChannelDirectory directory,
      ChannelCache cache,
      MemberEvents members,
      Webhooks webhooks,
      HeraldMetrics metrics,
      UnaryOperator<AppConfig> current) {
    this.current = current;
    this.metrics = metrics;
    this.local = local;
    this.directory = directory;
    this.cache = cache;
    this.members = members;
    this.webhooks = webhooks;
  }

  /** A refusal sent as {@code pusher:subscription_error}; the connection stays open. */
  private static final class Refusal extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient ErrorCode code;

    Refusal(ErrorCode code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }

  void subscribe(Session session, ClientFrame.Subscribe frame) {
    AppConfig app = session.app();
    try {
      ChannelName channel = parseName(frame.channel(), app);
      checkAccess(session, channel, frame);
      PresenceMember member =
          channel.kind().isPresence() ? presenceMember(frame.channelData(), app) : null;
      Session.Subscription existing = session.subscriptions().get(channel.value());
      if (existing != null) {
        resendSucceeded(session, channel);
        return;
      }
      if (session.subscriptions().size() >= app.maxSubscriptionsPerConnection()) {
        throw new Refusal(
            ErrorCode.TOO_MANY_SUBSCRIPTIONS,
            "A connection may subscribe to at most "
                + app.maxSubscriptionsPerConnection()
                + " channels");
      }
      Session.Subscription subscription =
          new Session.Subscription(channel, member == null ? null : member.userId(), 0);
      // Reserved before the directory answers, so a second subscribe meanwhile is a resubscribe.
      session.subscriptions().put(channel.value(), subscription);
      directory
          .join(app.id(), channel.value(), session.socketId(), member, app.maxPresenceMembers())
          .onSuccess(join -> joined(session, subscription, member, join))
          .onFailure(
              error -> {
                if (session.subscriptions().get(channel.value()) == subscription) {
                  session.subscriptions().remove(channel.value());
                }
                warnThrottled(
                    "Subscribing " + session + " to " + channel.value() + " failed", error);
                session.send(
                    ServerFrames.subscriptionError(
                        channel.value(),
                        ErrorCode.SUBSCRIPTION_FAILED,
                        "Subscription failed, try again"));
              });
    } catch (Refusal refusal) {
      metrics.rejection(app.id(), "subscription_" + refusal.code.type());
      session.send(
          ServerFrames.subscriptionError(frame.channel(), refusal.code, refusal.getMessage()));
    }
  }

  /**
   * The directory's answer to a join. The client may have unsubscribed, or gone, while Redis was
   * answering (it may pipeline subscribe and unsubscribe): the leave that removed the subscription
   * was sent after this join, so the directory undoes the join by itself, and undoing it again here
   * could remove a newer subscription of the same socket. What is left is to do what a directory
   * answering at once would have done before that leave: reply to the client, announce the member
   * and fire the webhooks, so both adapters put the same frames on the wire.
   */
  private void joined(
      Session session, Session.Subscription subscription, PresenceMember member, Join join) {
    String channel = subscription.channel().value();
    AppConfig app = session.app();
    boolean current = session.subscriptions().get(channel) == subscription;
    if (!join.accepted()) {
      if (current) {
        session.subscriptions().remove(channel);
      }
      session.send(
          ServerFrames.subscriptionError(
              channel,
              ErrorCode.PRESENCE_CHANNEL_FULL,
              "Presence channel is full: at most " + app.maxPresenceMembers() + " members"));
      return;
    }
    if (current) {
      session
          .subscriptions()
          .put(channel, subscription.withSnapshotVersion(join.membershipVersion()));
      local.add(app.id(), channel, session);
      session.meters().subscribed();
      if (subscription.channel().kind().requiresSignature()) {
        session.markAuthorized();
      }
    }
    // Webhooks first: once the client has its reply it may cause the next event (another client
    // joins), and with the directory answering on each loop's own context that event's webhook
    // could otherwise be queued before this one.
    members.arrived(
        app,
        channel,
        member == null ? null : member.userId(),
        join.channelOccupied(),
        join.memberAdded());
    members.subscriptionCount(app, subscription.channel(), join.subscriptionCount());
    if (member == null) {
      session.send(ServerFrames.subscriptionSucceeded(channel));
    } else {
      session.send(join.presenceSucceeded());
      if (join.memberAdded()) {
        members.announceAdded(
            app.id(), channel, member, session.socketId(), join.membershipVersion());
      }
    }
    if (current && subscription.channel().kind().isCache()) {
      replayCache(session, channel);
    }
  }

  /** Right after subscription_succeeded: the cached event as it was broadcast, or a cache miss. */
  private void replayCache(Session session, String channel) {
    cache
        .get(session.app().id(), channel)
        .onSuccess(
            cached -> {
              if (!session.isOpen() || !session.subscriptions().containsKey(channel)) {
                return;
              }
              session.send(
                  cached.isPresent() ? cached.get().frameJson() : ServerFrames.cacheMiss(channel));
              if (cached.isEmpty()
                  && webhooks.wants(session.app(), WebhookEvent.CACHE_MISS, channel)) {
                webhooks.emit(session.app(), WebhookEvent.cacheMiss(channel));
              }
            })
        .onFailure(
            error -> LOG.log(Level.WARNING, "Reading the cache of " + channel + " failed", error));
  }

  private void resendSucceeded(Session session, ChannelName channel) {
    if (!channel.kind().isPresence()) {
      session.send(ServerFrames.subscriptionSucceeded(channel.value()));
      return;
    }
    directory
        .members(session.app().id(), channel.value())
        .onSuccess(
            members ->
                session.send(ServerFrames.presenceSubscriptionSucceeded(channel.value(), members)));
  }

  void unsubscribe(Session session, String channel) {
    Session.Subscription subscription = session.subscriptions().remove(channel);
    if (subscription != null) {
      local.remove(session.app().id(), channel, session);
      session.meters().unsubscribed();
      leaveDirectory(session, subscription);
    }
  }

  /** Leaves every channel; called once when the connection has closed. */
  void unsubscribeAll(Session session) {
    for (String channel : List.copyOf(session.subscriptions().keySet())) {
      unsubscribe(session, channel);
    }
  }

  private void leaveDirectory(Session session, Session.Subscription subscription) {
    String appId = session.app().id();
    String channel = subscription.channel().value();
    directory
        .leave(appId, channel, session.socketId(), subscription.userId())
        .onSuccess(
            leave -> {
              AppConfig app = session.app();
              members.departed(
                  app,
                  channel,
                  subscription.userId(),
                  leave.memberRemoved(),
                  leave.channelVacated());
              members.subscriptionCount(app, subscription.channel(), leave.subscriptionCount());
              if (leave.memberRemoved()) {
                members.announceRemoved(
                    appId, channel, subscription.userId(), leave.membershipVersion());
              }
            })
        .onFailure(
            error -> warnThrottled("Leaving " + channel + " for " + session + " failed", error));
  }

  /**
   * Logs a directory failure, at most one a second per event loop: while Redis is lost or its bound
   * on waiting commands is reached, every subscribe and leave fails, and one client pipelining them
   * must not fill the log.
   */
  private void warnThrottled(String message, Throwable error) {
    long now = System.nanoTime();
    if (now - lastWarningNanos < 1_000_000_000L) {
      suppressedWarnings++;
      return;
    }
    String suppressed =
        suppressedWarnings == 0 ? "" : " (" + suppressedWarnings + " similar failures not logged)";
    lastWarningNanos = now;
    suppressedWarnings = 0;
    LOG.log(Level.WARNING, message + suppressed, error);
  }

  private static ChannelName parseName(String name, AppConfig app) {
    try {
      return ChannelName.parse(name, app.maxChannelNameLength());
    } catch (ChannelName.InvalidChannelNameException e) {
      if (name != null && name.startsWith("#")) {
        throw new Refusal(ErrorCode.SUBSCRIPTION_UNAUTHORIZED, e.getMessage());
      }
      if (e.problem() == ChannelName.Problem.TOO_LONG) {
        throw new Refusal(ErrorCode.CHANNEL_NAME_TOO_LONG, e.getMessage());
      }
      throw new Refusal(ErrorCode.INVALID_CHANNEL, e.getMessage());
    }
  }

  private void checkAccess(Session session, ChannelName channel, ClientFrame.Subscribe frame) {
    if (channel.kind() == ChannelKind.SERVER_TO_USER) {
      String userId = channel.serverToUserId();
      if (session.signedInUserId() == null || !session.signedInUserId().equals(userId)) {
        throw new Refusal(
            ErrorCode.SUBSCRIPTION_UNAUTHORIZED,
            "Only a connection signed in as user "
                + userId
                + " may subscribe to "
                + channel.value());
      }
      return;
    }
    if (!channel.kind().requiresSignature()) {
      return;
    }
    if (frame.auth() == null || frame.auth().isEmpty()) {
      throw new Refusal(
          ErrorCode.SUBSCRIPTION_UNAUTHORIZED,
          "Subscribing to " + channel.value() + " needs an auth signature");
    }
    String channelData = channel.kind().isPresence() ? frame.channelData() : null;
    if (channel.kind().isPresence() && channelData == null) {
      throw new Refusal(
          ErrorCode.SUBSCRIPTION_UNAUTHORIZED,
          "Subscribing to a presence channel needs channel_data");
    }
    // The app's newest version: a secret rotated while the client is connected checks from now.
    if (!ChannelAuthorizer.isValid(
        current.apply(session.app()),
        session.socketId(),
        channel.value(),
        channelData,
        frame.auth())) {
      throw new Refusal(
          ErrorCode.SUBSCRIPTION_UNAUTHORIZED,
          "Invalid signature: expected HMAC SHA256 hex digest of "
              + session.socketId()
              + ":"
              + channel.value()
              + (channelData == null ? "" : ":<channel_data>"));
    }
  }

  private static PresenceMember presenceMember(String channelData, AppConfig app) {
    try {
      return ChannelData.parse(channelData, app.maxPresenceMemberSize());
    } catch (ProtocolException e) {
      throw new Refusal(e.errorCode(), e.getMessage());
    }
  }
}
