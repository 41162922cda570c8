package dev.herald.scaling;

import dev.herald.channels.OutboundFrame;
import dev.herald.protocol.ErrorCode;
import io.vertx.core.Future;

/**
 * What the WebSocket and HTTP layers call to reach connections they do not own: encodes a frame to
 * bytes once and hands one envelope to the adapter. Thread-safe.
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
    adapter.publish(new Envelope(appId, channel, OutboundFrame.of(frameJson), excludeSocketId, 0));
  }

  /**
   * {@link #publish}, completing once every node has the frame (see {@link
   * BroadcastAdapter#publishAcknowledged}).
   */
  public Future<Void> publishAcknowledged(
      String appId, String channel, String frameJson, String excludeSocketId) {
    return adapter.publishAcknowledged(
        new Envelope(appId, channel, OutboundFrame.of(frameJson), excludeSocketId, 0));
  }

  /**
   * Sends a member_added or member_removed frame to the presence channel's subscribers whose member
   * list predates {@code membershipVersion}.
   */
  public void publishMembership(
      String appId,
      String channel,
      String frameJson,
      String excludeSocketId,
      long membershipVersion) {
    adapter.publish(
        new Envelope(
            appId, channel, OutboundFrame.of(frameJson), excludeSocketId, membershipVersion));
  }

  /** Like {@link #publishMembership}, but only to the other nodes' subscribers. */
  public void publishMembershipToOtherNodes(
      String appId, String channel, String frameJson, long membershipVersion) {
    adapter.publishToOtherNodes(
        new Envelope(appId, channel, OutboundFrame.of(frameJson), null, membershipVersion));
  }

  /** Whether a publication now reaches every node (false while the cluster bus is down). */
  public boolean reachesEveryNode() {
    return adapter.reachesEveryNode();
  }

  /** Closes every connection signed in as the user, wherever it is. */
  public void closeUser(String appId, String userId, ErrorCode code, String message) {
    adapter.closeUser(appId, userId, code, message);
  }

  /** Closes every connection of the app, wherever it is. */
  public void closeApp(String appId, ErrorCode code, String message) {
    adapter.closeApp(appId, code, message);
  }
}
