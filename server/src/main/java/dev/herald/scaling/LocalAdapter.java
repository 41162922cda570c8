package dev.herald.scaling;

import dev.herald.channels.LocalSubscriptions;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Fan-out inside one process: one hop per event loop, never one per subscriber. Each loop writes
 * the envelope's bytes to its own subscribers. Thread-safe; loops register once at start-up.
 */
public final class LocalAdapter implements BroadcastAdapter {

  private record Loop(Context context, LocalSubscriptions subscriptions) {}

  private final List<Loop> loops = new CopyOnWriteArrayList<>();

  /** Called by each event loop's verticle with the subscriptions it owns. */
  public void register(Context context, LocalSubscriptions subscriptions) {
    loops.add(new Loop(context, subscriptions));
  }

  public void unregister(LocalSubscriptions subscriptions) {
    loops.removeIf(loop -> loop.subscriptions() == subscriptions);
  }

  @Override
  public void publish(Envelope envelope) {
    Context current = Vertx.currentContext();
    for (Loop loop : loops) {
      if (loop.context() == current) {
        deliver(loop, envelope);
      } else {
        loop.context().runOnContext(ignored -> deliver(loop, envelope));
      }
    }
  }

  private static void deliver(Loop loop, Envelope envelope) {
    loop.subscriptions()
        .deliver(
            envelope.appId(), envelope.channel(), envelope.frame(), envelope.excludeSocketId());
  }
}
