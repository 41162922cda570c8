package dev.herald.bench;

import io.netty.channel.EventLoopGroup;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.PrintStream;

/**
 * One scenario's generator: its Vert.x instance (bounded event loops, for the HTTP API), the event
 * loops of its WebSocket connections, the target and output.
 */
final class Env implements AutoCloseable {

  final Options o;
  final Vertx vertx;
  final EventLoopGroup clientLoops;
  final PrintStream out;
  final long serverPid;
  final String metricsUrl;

  Env(Options o, PrintStream out) {
    this.o = o;
    this.out = out;
    this.vertx =
        Vertx.vertx(
            new VertxOptions()
                .setEventLoopPoolSize(Math.max(1, o.integer("loops")))
                .setWorkerPoolSize(2)
                .setInternalBlockingPoolSize(2)
                .setBlockedThreadCheckInterval(10_000));
    this.clientLoops = Clients.newGroup(Math.max(1, o.integer("client-threads")));
    this.serverPid = o.str("server-pid") == null ? -1 : Long.parseLong(o.str("server-pid"));
    String m = o.str("metrics-url");
    this.metricsUrl =
        m != null
            ? m
            : "http://" + o.str("host") + ":" + o.integer("port") + o.str("path") + "/metrics";
  }

  void log(String message) {
    out.println("# " + message);
    out.flush();
  }

  static void sleep(double seconds) {
    try {
      Thread.sleep((long) (seconds * 1000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    try {
      clientLoops.shutdownGracefully(0, 5, java.util.concurrent.TimeUnit.SECONDS).await(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      vertx
          .close()
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      log("vertx close: " + e);
    }
  }
}
