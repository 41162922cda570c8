package dev.herald.scaling.redis;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Runs one asynchronous Redis task per item, at most a window of them in flight at once: replaying
 * a large node's registrations must stay within the connection's bound on waiting commands ({@link
 * RedisConnector#MAX_PENDING_COMMANDS}) and leave room for everyone else's. Stateless.
 */
final class Windowed {
  /** Tasks in flight at once. */
  static final int WINDOW = 256;

  private Windowed() {}

  /** The tasks' results in item order; fails with the first failure of a window. */
  static <T, R> Future<List<R>> map(List<T> items, Function<T, Future<R>> task) {
    return from(items, 0, task, new ArrayList<>(items.size()));
  }

  private static <T, R> Future<List<R>> from(
      List<T> items, int start, Function<T, Future<R>> task, List<R> results) {
    if (start >= items.size()) {
      return Future.succeededFuture(results);
    }
    List<Future<R>> window = new ArrayList<>();
    for (int i = start; i < Math.min(items.size(), start + WINDOW); i++) {
      window.add(task.apply(items.get(i)));
    }
    return Future.all(new ArrayList<>(window))
        .compose(
            all -> {
              window.forEach(done -> results.add(done.result()));
              return from(items, start + WINDOW, task, results);
            });
  }
}
