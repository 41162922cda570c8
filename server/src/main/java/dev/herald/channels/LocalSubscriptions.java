package dev.herald.channels;

import dev.herald.protocol.ChannelName;
import dev.herald.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The connections living on one event loop, indexed three ways: by app and channel (for fan-out),
 * by app and signed-in user (for terminate_connections), and by app (to close an app's connections
 * when it is disabled or deleted).
 *
 * <p>Confined to its event loop: plain collections, no locks. Each connection keeps the reverse
 * index (its own channels), so a disconnect costs O(its channels).
 */
public final class LocalSubscriptions {
  private final Map<String, Map<String, SubscriberSet>> channelsByApp = new HashMap<>();
  private final Map<String, Map<String, SubscriberSet>> usersByApp = new HashMap<>();
  private final Map<String, SubscriberSet> connectionsByApp = new HashMap<>();
  private final DeliveryObserver observer;

  public LocalSubscriptions(DeliveryObserver observer) {
    this.observer = observer;
  }

  public void add(String appId, String channel, Subscriber subscriber) {
    addTo(channelsByApp, appId, channel, subscriber);
  }

  public void remove(String appId, String channel, Subscriber subscriber) {
    removeFrom(channelsByApp, appId, channel, subscriber);
  }

  public void addUser(String appId, String userId, Subscriber subscriber) {
    addTo(usersByApp, appId, userId, subscriber);
  }

  public void removeUser(String appId, String userId, Subscriber subscriber) {
    removeFrom(usersByApp, appId, userId, subscriber);
  }

  public void addConnection(String appId, Subscriber subscriber) {
    connectionsByApp.computeIfAbsent(appId, id -> new SubscriberSet()).add(subscriber);
  }

  public void removeConnection(String appId, Subscriber subscriber) {
    SubscriberSet connections = connectionsByApp.get(appId);
    if (connections != null && connections.remove(subscriber) && connections.isEmpty()) {
      connectionsByApp.remove(appId);
    }
  }

  /**
   * Writes the same frame bytes to every local subscriber of the channel except the excluded one
   * and, for member events, those whose member list already reflects the change.
   *
   * @return how many subscribers it was written to
   */
  public int deliver(
      String appId,
      String channel,
      OutboundFrame frame,
      String excludeSocketId,
      long membershipVersion,
      long publishedNanos) {
    // A user's own channel reaches every connection signed in as that user, subscribed to it or
    // not, as Pusher's sendToUser does; subscribing (which needs that very sign-in) adds no copy.
    SubscriberSet subscribers =
        channel.startsWith(ChannelName.SERVER_TO_USER_PREFIX)
            ? find(usersByApp, appId, channel.substring(ChannelName.SERVER_TO_USER_PREFIX.length()))
            : find(channelsByApp, appId, channel);
    if (subscribers == null) {
      return 0;
    }
    int delivered = 0;
    // A copy: delivering may close a slow subscriber, which unsubscribes it from this very set.
    for (Subscriber subscriber : subscribers.snapshot()) {
      if (excludeSocketId != null && excludeSocketId.equals(subscriber.socketId())) {
        continue;
      }
      if (membershipVersion == 0) {
        subscriber.deliver(frame);
      } else {
        subscriber.deliverMembership(channel, frame, membershipVersion);
      }
      delivered++;
    }
    observer.delivered(delivered, publishedNanos);
    return delivered;
  }

  /** Closes every local connection signed in as the user. */
  public void closeUser(String appId, String userId, ErrorCode code, String message) {
    SubscriberSet subscribers = find(usersByApp, appId, userId);
    if (subscribers != null) {
      for (Subscriber subscriber : subscribers.snapshot()) {
        subscriber.close(code, message);
      }
    }
  }

  /** Closes every local connection of the app. */
  public void closeApp(String appId, ErrorCode code, String message) {
    SubscriberSet connections = connectionsByApp.get(appId);
    if (connections != null) {
      for (Subscriber subscriber : connections.snapshot()) {
        subscriber.close(code, message);
      }
    }
  }

  /** Every connection on this loop, for a drain. */
  public List<Subscriber> allConnections() {
    List<Subscriber> all = new ArrayList<>();
    connectionsByApp.values().forEach(set -> Collections.addAll(all, set.snapshot()));
    return all;
  }

  private static SubscriberSet find(
      Map<String, Map<String, SubscriberSet>> index, String appId, String key) {
    Map<String, SubscriberSet> byKey = index.get(appId);
    return byKey == null ? null : byKey.get(key);
  }

  private static void addTo(
      Map<String, Map<String, SubscriberSet>> index,
      String appId,
      String key,
      Subscriber subscriber) {
    index
        .computeIfAbsent(appId, id -> new HashMap<>())
        .computeIfAbsent(key, k -> new SubscriberSet())
        .add(subscriber);
  }

  private static void removeFrom(
      Map<String, Map<String, SubscriberSet>> index,
      String appId,
      String key,
      Subscriber subscriber) {
    Map<String, SubscriberSet> byKey = index.get(appId);
    if (byKey == null) {
      return;
    }
    SubscriberSet subscribers = byKey.get(key);
    if (subscribers != null && subscribers.remove(subscriber) && subscribers.isEmpty()) {
      byKey.remove(key);
      if (byKey.isEmpty()) {
        index.remove(appId);
      }
    }
  }
}
