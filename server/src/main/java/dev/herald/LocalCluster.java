package dev.herald;

import dev.herald.apps.AppProvider;
import dev.herald.broadcast.MemberEvents;
import dev.herald.channels.LocalChannelCache;
import dev.herald.metrics.HeraldMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** A single node in memory: nothing to connect to; expired cache entries are swept. Thread-safe. */
final class LocalCluster implements Cluster {
  private static final long CACHE_SWEEP_MILLIS = 60_000;

  private final Vertx vertx;
  private final LocalChannelCache cache;

  LocalCluster(Vertx vertx, LocalChannelCache cache) {
    this.vertx = vertx;
    this.cache = cache;
  }

  @Override
  public Future<Void> start(AppProvider apps, MemberEvents members) {
    vertx.setPeriodic(CACHE_SWEEP_MILLIS, timer -> cache.sweep());
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> leave() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  @Override
  public String notReadyReason() {
    return null;
  }

  @Override
  public void registerStatistics(HeraldMetrics metrics) {}
}
