package dev.herald.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * Sends HTTP API requests from one event loop, either at a fixed offered rate (requests/s; the
 * timestamp in each event is its scheduled time, so a stalled server cannot hide latency: no
 * coordinated omission) or as fast as {@code concurrency} requests in flight allow ("saturation"),
 * optionally held back while the subscribers are more than {@code maxBacklog} deliveries behind.
 * Bounded in time: it stops issuing after {@code seconds} and waits at most 30 s for answers.
 */
final class Publisher {

  /** Builds request {@code seq}: the route under /apps/{id}/ and the JSON body. */
  interface Request {
    String route();

    String body(long seq, long sendNanos);
  }

  /**
   * What one phase sent. {@code httpLatency} in microseconds; {@code issueLag} (fixed rate only)
   * how long after its scheduled time each request was issued, in microseconds: the generator's own
   * lateness, which the end-to-end latency from the scheduled time includes.
   */
  record Sent(
      long issued,
      long ok,
      long failed,
      String firstError,
      long elapsedNanos,
      Histogram httpLatency,
      Histogram issueLag) {
    double okPerSecond() {
      return ok / Math.max(1e-9, elapsedNanos / 1e9);
    }
  }

  private final Vertx vertx;
  private final PusherApi api;

  Publisher(Vertx vertx, PusherApi api) {
    this.vertx = vertx;
    this.api = api;
  }

  /**
   * Runs one phase. {@code rate} requests/s, or 0 for saturation. {@code backlog} (may be null)
   * gives the deliveries not yet received; over {@code maxBacklog} no new request is issued.
   */
  Sent run(
      Request request,
      double rate,
      double seconds,
      int concurrency,
      LongSupplier backlog,
      long maxBacklog) {
    CompletableFuture<Sent> done = new CompletableFuture<>();
    Context ctx = vertx.getOrCreateContext();
    ctx.runOnContext(
        v -> new Phase(request, rate, seconds, concurrency, backlog, maxBacklog, done));
    try {
      return done.get((long) seconds + 60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("publisher did not finish: " + e, e);
    }
  }

  private final class Phase {
    final Request request;
    final double rate;
    final long durationNanos;
    final int concurrency;
    final LongSupplier backlog;
    final long maxBacklog;
    final CompletableFuture<Sent> done;
    final Histogram latency = new Histogram(60_000_000L, 3);
    final Histogram lag = new Histogram(60_000_000L, 3);
    final long start = System.nanoTime();
    long issued;
    long ok;
    long failed;
    int inFlight;
    String firstError;
    long timer;
    long stoppedAt;
    boolean stopped;

    Phase(
        Request request,
        double rate,
        double seconds,
        int concurrency,
        LongSupplier backlog,
        long maxBacklog,
        CompletableFuture<Sent> done) {
      this.request = request;
      this.rate = rate;
      this.durationNanos = (long) (seconds * 1e9);
      this.concurrency = Math.max(1, concurrency);
      this.backlog = backlog;
      this.maxBacklog = maxBacklog;
      this.done = done;
      timer = vertx.setPeriodic(1, id -> tick());
      tick();
    }

    void tick() {
      long now = System.nanoTime();
      if (!stopped && now - start >= durationNanos) {
        stopped = true;
        stoppedAt = now;
        vertx.cancelTimer(timer);
        // Answers still due are awaited, with a bound.
        vertx.setTimer(
            30_000,
            id -> {
              if (!done.isDone()) {
                failed += inFlight;
                firstError = firstError == null ? inFlight + " requests unanswered" : firstError;
                finish();
              }
            });
      }
      if (stopped) {
        if (inFlight == 0) {
          finish();
        }
        return;
      }
      if (rate > 0) {
        // Request k is scheduled at start + k / rate, so k + 1 requests are due once that time
        // has come (request 0 at once). Counting only whole elapsed intervals would send each
        // request one interval after its scheduled time and add 1 / rate to every latency.
        long due = (long) ((now - start) / 1e9 * rate) + 1;
        // Limit a burst after a stall so the in-flight bound still holds.
        while (issued < due && inFlight < Math.max(concurrency, 256)) {
          long scheduled = start + (long) (issued / rate * 1e9);
          issue(scheduled);
        }
      } else {
        pump();
      }
    }

    void pump() {
      while (!stopped
          && inFlight < concurrency
          && (backlog == null || backlog.getAsLong() < maxBacklog)) {
        issue(System.nanoTime());
      }
    }

    void issue(long stamp) {
      long seq = issued++;
      inFlight++;
      long t0 = System.nanoTime();
      if (rate > 0) {
        lag.recordValue(Math.max(0, Math.min(60_000_000L, (t0 - stamp) / 1000)));
      }
      Future<Integer> f = api.post(request.route(), request.body(seq, stamp));
      f.onComplete(
          ar -> {
            inFlight--;
            latency.recordValue(Math.min(60_000_000L, (System.nanoTime() - t0) / 1000));
            if (ar.succeeded() && ar.result() >= 200 && ar.result() < 300) {
              ok++;
            } else {
              failed++;
              if (firstError == null) {
                firstError = ar.succeeded() ? "HTTP " + ar.result() : String.valueOf(ar.cause());
              }
            }
            if (stopped) {
              if (inFlight == 0) {
                finish();
              }
            } else if (rate <= 0) {
              pump();
            }
          });
    }

    void finish() {
      if (!done.isDone()) {
        done.complete(new Sent(issued, ok, failed, firstError, stoppedAt - start, latency, lag));
      }
    }
  }
}
