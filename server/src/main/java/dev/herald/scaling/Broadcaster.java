package dev.herald.scaling;

import dev.herald.channels.OutboundFrame;

/**
 * What the WebSocket and HTTP layers call to send a frame to a channel: encodes it to bytes once
 * and hands one envelope to the adapter. Thread-safe.
 */
public final class Broadcaster {
  private final BroadcastAdapter adapter;

  public Broadcaster(BroadcastAdapter adapter) {
    this.adapter = adapter;
  }

  /**
   * Sends {@code frameJson} to every subscriber of the channel except {@code excludeSocketId}.
   *
   * @param frameJson a complete server frame, e.g. from {@code ServerFrames}
   */
  public void publish(String appId, String channel, String frameJson, String excludeSocketId) {
    adapter.publish(new Envelope(appId, channel, OutboundFrame.of(frameJson), excludeSocketId));
  }
}
