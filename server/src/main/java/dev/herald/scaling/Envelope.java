package dev.herald.scaling;

import dev.herald.channels.OutboundFrame;

/**
 * One encoded frame on its way to a channel's subscribers. Immutable: the same bytes are written to
 * every subscriber.
 *
 * @param excludeSocketId the connection that must not receive it (the sender, or the API caller's
 *     {@code socket_id}), or null
 * @param membershipVersion for member_added/member_removed, the channel's membership version after
 *     the change, so a subscriber whose member list already includes it skips it; 0 otherwise
 * @param publishedNanos when it was published on this node ({@link System#nanoTime()}), for the
 *     delivery latency metric
 */
public record Envelope(
    String appId,
    String channel,
    OutboundFrame frame,
    String excludeSocketId,
    long membershipVersion,
    long publishedNanos) {

  public Envelope(
      String appId,
      String channel,
      OutboundFrame frame,
      String excludeSocketId,
      long membershipVersion) {
    this(appId, channel, frame, excludeSocketId, membershipVersion, System.nanoTime());
  }
}
