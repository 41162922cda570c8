package dev.herald.broadcast;

import dev.herald.channels.ChannelCache;
import dev.herald.config.AppConfig;
import dev.herald.metrics.HeraldMetrics;
import dev.herald.protocol.ChannelName;
import dev.herald.protocol.ServerFrames;
import dev.herald.scaling.Broadcaster;
import io.vertx.core.Future;

/**
 * Publishes one server event to one channel, as the HTTP API, the debug console and the demo all
 * do: the frame is encoded once, kept for cache channels, broadcast, shown to the {@link
 * NodeObserver} and counted. The one publishing service of the node, below every layer that
 * publishes. Thread-safe.
 */
public final class EventPublisher {
  private final Broadcaster broadcaster;
  private final ChannelCache cache;
  private final NodeObserver observer;
  private final HeraldMetrics metrics;

  public EventPublisher(
      Broadcaster broadcaster, ChannelCache cache, NodeObserver observer, HeraldMetrics metrics) {
    this.broadcaster = broadcaster;
    this.cache = cache;
    this.observer = observer;
    this.metrics = metrics;
  }

  /**
   * Publishes; the future completes once every node has the event and fails when the other nodes
   * could not be reached (see {@code BroadcastAdapter#publishAcknowledged}).
   */
  public Future<Void> publish(
      AppConfig app, ChannelName channel, String event, String data, String excludeSocketId) {
    String frame = ServerFrames.channelEvent(event, channel.value(), data);
    if (channel.kind().isCache()) {
      cache.put(app.id(), channel.value(), event, data, frame, app.cacheTtl());
    }
    Future<Void> published =
        broadcaster.publishAcknowledged(app.id(), channel.value(), frame, excludeSocketId);
    observer.apiEvent(app.id(), channel.value(), event, data, excludeSocketId);
    metrics.app(app.id()).apiMessages(1);
    return published;
  }
}
