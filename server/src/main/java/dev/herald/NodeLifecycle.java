package dev.herald;

import dev.herald.broadcast.MemberEvents;
import dev.herald.config.ServerConfig;
import dev.herald.webhooks.WebhookDispatcher;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * A node's start, drain and stop, in their order: apps and the cluster backend first, then the
 * metrics port, then one {@link HeraldVerticle} per event loop on one port; on the way down,
 * connections, then webhooks, then the cluster. Thread-safe.
 */
final class NodeLifecycle {
  /**
   * What runs beside the event loops and must be up first (or wound down last).
   *
   * @param clusterMembers what the dead-node cleanup reports departures through
   */
  record Services(
      NodeApps apps,
      Cluster cluster,
      MemberEvents clusterMembers,
      WebhookDispatcher webhooks,
      Readiness readiness) {}

  /**
   * What listens.
   *
   * @param metricsServer starts the metrics port when there is one
   * @param verticleOnPort builds one event loop's verticle for a port
   * @param bound told the port the node listens on, once bound
   */
  record Listeners(
      Supplier<Future<Void>> metricsServer,
      IntFunction<HeraldVerticle> verticleOnPort,
      IntConsumer bound) {}

  private final Vertx vertx;
  private final ServerConfig server;
  private final int eventLoops;
  private final NodeApps apps;
  private final Cluster cluster;
  private final MemberEvents clusterMembers;
  private final WebhookDispatcher webhooks;
  private final Readiness readiness;
  private final Listeners listeners;
  private final List<HeraldVerticle> verticles = new CopyOnWriteArrayList<>();

  NodeLifecycle(
      Vertx vertx, ServerConfig server, int eventLoops, Services services, Listeners listeners) {
    this.vertx = vertx;
    this.server = server;
    this.eventLoops = eventLoops;
    this.apps = services.apps();
    this.cluster = services.cluster();
    this.clusterMembers = services.clusterMembers();
    this.webhooks = services.webhooks();
    this.readiness = services.readiness();
    this.listeners = listeners;
  }

  /**
   * Starts listening. The first verticle binds the configured port (0 picks a free one); the others
   * share the port it got.
   *
   * @return the port the server listens on
   */
  Future<Integer> start() {
    HeraldVerticle first = verticle(server.port());
    return apps.start()
        .compose(ignored -> cluster.start(apps.provider(), clusterMembers))
        .onSuccess(ignored -> webhooks.resume(apps.configured()))
        .compose(ignored -> listeners.metricsServer().get())
        .compose(ignored -> vertx.deployVerticle(first))
        .compose(
            id -> {
              int port = first.actualPort();
              listeners.bound().accept(port);
              if (eventLoops == 1) {
                return Future.succeededFuture(port);
              }
              return vertx
                  .deployVerticle(
                      () -> verticle(port), new DeploymentOptions().setInstances(eventLoops - 1))
                  .map(ignored -> port);
            });
  }

  /**
   * Graceful shutdown: readiness turns false and new connections are refused with 4200 at once;
   * existing ones are closed with 4200 spread over the drain window; pending webhooks get up to the
   * same time to be delivered; then the node leaves the cluster and stops.
   */
  Future<Void> drain() {
    readiness.drain();
    long windowMillis = server.drainSeconds() * 1000L;
    List<Future<Void>> loops = new ArrayList<>();
    verticles.forEach(verticle -> loops.add(verticle.drain(windowMillis)));
    return Future.all(new ArrayList<>(loops))
        .transform(
            ignored ->
                webhooksFlushed(System.nanoTime() + Math.max(1000, windowMillis) * 1_000_000L))
        .transform(ignored -> cluster.leave());
  }

  private Future<Void> webhooksFlushed(long deadlineNanos) {
    if (webhooks.stats().queueDepth() <= 0 || System.nanoTime() >= deadlineNanos) {
      return Future.succeededFuture();
    }
    Promise<Void> later = Promise.promise();
    vertx.setTimer(100, timer -> webhooksFlushed(deadlineNanos).onComplete(later));
    return later.future();
  }

  Future<Void> stop() {
    return cluster
        .leave()
        .eventually(cluster::close)
        .eventually(webhooks::close)
        .eventually(() -> vertx.close());
  }

  private HeraldVerticle verticle(int port) {
    HeraldVerticle verticle = listeners.verticleOnPort().apply(port);
    verticles.add(verticle);
    return verticle;
  }
}
