package dev.herald.channels;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The subscriptions of the connections living on one event loop: app, channel, then subscribers.
 *
 * <p>Confined to its event loop: plain collections, no locks. Each connection keeps the reverse
 * index (its own channels), so a disconnect costs O(its channels).
 */
public final class LocalSubscriptions {
  private final Map<String, Map<String, Set<Subscriber>>> byApp = new HashMap<>();

  public void add(String appId, String channel, Subscriber subscriber) {
    byApp
        .computeIfAbsent(appId, id -> new HashMap<>())
        .computeIfAbsent(channel, name -> new LinkedHashSet<>())
        .add(subscriber);
  }

  public void remove(String appId, String channel, Subscriber subscriber) {
    Map<String, Set<Subscriber>> channels = byApp.get(appId);
    if (channels == null) {
      return;
    }
    Set<Subscriber> subscribers = channels.get(channel);
    if (subscribers != null && subscribers.remove(subscriber) && subscribers.isEmpty()) {
      channels.remove(channel);
      if (channels.isEmpty()) {
        byApp.remove(appId);
      }
    }
  }

  /**
   * Writes the same frame bytes to every local subscriber of the channel except the excluded one.
   *
   * @return how many subscribers it was written to
   */
  public int deliver(String appId, String channel, OutboundFrame frame, String excludeSocketId) {
    Map<String, Set<Subscriber>> channels = byApp.get(appId);
    Set<Subscriber> subscribers = channels == null ? null : channels.get(channel);
    if (subscribers == null) {
      return 0;
    }
    int delivered = 0;
    // A copy: delivering may close a slow subscriber, which unsubscribes it from this very set.
    for (Subscriber subscriber : subscribers.toArray(new Subscriber[0])) {
      if (excludeSocketId == null || !excludeSocketId.equals(subscriber.socketId())) {
        subscriber.deliver(frame);
        delivered++;
      }
    }
    return delivered;
  }
}
