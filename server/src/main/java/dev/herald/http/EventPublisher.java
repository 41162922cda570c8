package dev.herald.http;

import dev.herald.channels.ChannelCache;
import dev.herald.config.AppConfig;
import dev.herald.console.ConsoleFeed;
import dev.herald.metrics.HeraldMetrics;
import dev.herald.protocol.ChannelName;
import dev.herald.protocol.ServerFrames;
import dev.herald.scaling.Broadcaster;
import io.vertx.core.Future;

/**
 * Publishes one server event to one channel, as the HTTP API and the debug console both do: the
 * frame is encoded once, kept for cache channels, broadcast, logged to the console and counted.
 * Thread-safe.
 */
public final class EventPublisher {
  private final Broadcaster broadcaster;
  private final ChannelCache cache;
  private final ConsoleFeed console;
  private final HeraldMetrics metrics;

  public EventPublisher(
      Broadcaster broadcaster, ChannelCache cache, ConsoleFeed console, HeraldMetrics metrics) {
    this.broadcaster = broadcaster;
    this.cache = cache;
    this.console = console;
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
    console.apiEvent(app.id(), channel.value(), event, data, excludeSocketId);
    metrics.app(app.id()).apiMessages(1);
    return published;
  }
}
