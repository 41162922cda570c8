package dev.herald.channels;

import dev.herald.protocol.ErrorCode;

/** A connection as the per-loop index sees it: an id, a way to hand it a frame, a way to end it. */
public interface Subscriber {
  String socketId();

  /** Writes an already-encoded frame. Called on the subscriber's own event loop. */
  void deliver(OutboundFrame frame);

  /**
   * Whether a member event at this membership version is news to this subscriber: false when its
   * presence snapshot was taken at or after that version.
   */
  boolean needsMembership(String channel, long membershipVersion);

  /**
   * Delivers a versioned membership frame (member_added/removed, watchlist notices) if it is news
   * to this subscriber.
   */
  default void deliverMembership(String channel, OutboundFrame frame, long membershipVersion) {
    if (needsMembership(channel, membershipVersion)) {
      deliver(frame);
    }
  }

  /** Sends {@code pusher:error} with the code and closes. Called on its own event loop. */
  void close(ErrorCode code, String message);
}
