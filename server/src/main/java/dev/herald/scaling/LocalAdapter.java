package dev.herald.scaling;

import dev.herald.channels.LocalSubscriptions;
import dev.herald.protocol.ErrorCode;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Fan-out inside one process: one hop per event loop, never one per subscriber. Each loop writes
 * the envelope's bytes to its own subscribers. Thread-safe; loops register once at start-up.
 */
public final class LocalAdapter implements BroadcastAdapter {

  private record Loop(Context context, LocalSubscriptions subscriptions) {}

  private final List<Loop> loops = new CopyOnWriteArrayList<>();

  /** Called by each event loop's verticle with the index of the connections it owns. */
  public void register(Context context, LocalSubscriptions subscriptions) {
    loops.add(new Loop(context, subscriptions));
  }

  public void unregister(LocalSubscriptions subscriptions) {
    loops.removeIf(loop -> loop.subscriptions() == subscriptions);
  }

  @Override
  public void publish(Envelope envelope) {
    onEveryLoop(
        local ->
            local.deliver(
                envelope.appId(),
                envelope.channel(),
                envelope.frame(),
                envelope.excludeSocketId(),
                envelope.membershipVersion(),
                envelope.publishedNanos()));
  }

  /** A single node has no other nodes. */
  @Override
  public void publishToOtherNodes(Envelope envelope) {}

  @Override
  public void closeUser(String appId, String userId, ErrorCode code, String message) {
    onEveryLoop(local -> local.closeUser(appId, userId, code, message));
  }

  @Override
  public void closeApp(String appId, ErrorCode code, String message) {
    onEveryLoop(local -> local.closeApp(appId, code, message));
  }

  private void onEveryLoop(Consumer<LocalSubscriptions> action) {
    Context current = Vertx.currentContext();
    for (Loop loop : loops) {
      if (loop.context() == current) {
        action.accept(loop.subscriptions());
      } else {
        loop.context().runOnContext(ignored -> action.accept(loop.subscriptions()));
      }
    }
  }
}
