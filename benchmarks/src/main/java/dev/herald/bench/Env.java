package dev.herald.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.PrintStream;

/** One scenario's generator: its Vert.x instance (bounded event loops), the target and output. */
final class Env implements AutoCloseable {

  final Options o;
  final Vertx vertx;
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
