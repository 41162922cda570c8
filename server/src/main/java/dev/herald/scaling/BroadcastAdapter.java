package dev.herald.scaling;

/**
 * The fan-out seam: carries an envelope to every event loop (and, scaled out, every node) that may
 * hold subscribers of its channel. {@link LocalAdapter} serves a single node; a Redis-backed
 * adapter replaces it without any change to protocol code. Thread-safe.
 */
public interface BroadcastAdapter {
  void publish(Envelope envelope);
}
