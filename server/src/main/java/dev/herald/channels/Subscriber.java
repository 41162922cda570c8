package dev.herald.channels;

/** A connection as seen by the subscription index: an id and a way to hand it a frame. */
public interface Subscriber {
  String socketId();

  /** Writes an already-encoded frame. Called on the subscriber's own event loop. */
  void deliver(OutboundFrame frame);
}
