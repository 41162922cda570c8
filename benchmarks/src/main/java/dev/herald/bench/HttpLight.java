package dev.herald.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.impl.ContextInternal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * {@code http-light}: the HTTP API at an everyday load. {@code --http-conns} keep-alive HTTP/1.1
 * connections (a client pool of exactly that many) each post one event per request at {@code
 * --http-rate} requests/s on a fixed schedule, to a channel with {@code --http-light-subs}
 * subscribers, so delivery is checked too. Request latency is measured from each request's
 * <em>scheduled</em> send time, so a stalled server cannot hide latency by delaying the requests
 * behind it (no coordinated omission); how late the generator itself issued them is reported as
 * {@code issue_lag_p99_ms}.
 */
final class HttpLight {

  private HttpLight() {}

  static final String CHANNEL = "bench-http-light";

  static Result run(Env env) {
    Options o = env.o;
    Result r = new Result("http-light", o.str("label"));
    int conns = o.integer("http-conns");
    double perConn = o.number("http-rate");
    int subs = o.integer("http-light-subs");
    if (conns < 1 || perConn <= 0) {
      return r.fail("--http-conns and --http-rate must be above zero");
    }
    r.put("connections", conns).put("rate_per_conn", perConn).put("sub_count", subs);
    Deliveries sink = new Deliveries();
    List<Conn> list = Collections.synchronizedList(new ArrayList<>());
    // A Vert.x of its own on the native transport: its timers then fire to the microsecond, where
    // the NIO selector rounds every delay up to a whole millisecond, which at sub-millisecond
    // request latencies would be most of what is measured.
    Vertx vertx =
        Vertx.vertx(
            new VertxOptions()
                .setPreferNativeTransport(true)
                .setEventLoopPoolSize(1)
                .setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1));
    PusherApi api = new PusherApi(vertx, o, conns);
    try {
      Clients clients = new Clients(env.clientLoops, o, Math.max(1, subs));
      Clients.Opened opened = Clients.openSubscribed(clients, o, subs, sink, list, i -> CHANNEL);
      if (opened.failed() > 0) {
        return r.fail("subscribers failed: " + opened.firstError());
      }
      String pad = Scenarios.padding(o);
      if (o.number("warmup") > 0) {
        Schedule w = Schedule.run(vertx, api, conns, perConn, o.number("warmup"), pad);
        Scenarios.drain(sink.count::sum, w.ok * subs, o.number("drain"));
        Env.sleep(0.2);
        sink.reset();
      }
      double cpu0 = Probes.cpuSeconds(env.serverPid);
      double self0 = Probes.selfCpuSeconds();
      long start = System.nanoTime();
      Schedule s = Schedule.run(vertx, api, conns, perConn, o.number("duration"), pad);
      long expected = s.ok * subs;
      long end = Scenarios.drain(sink.count::sum, expected, o.number("drain"));
      double cpu1 = Probes.cpuSeconds(env.serverPid);
      double self1 = Probes.selfCpuSeconds();
      long got = sink.count.sum();
      double seconds = (end - start) / 1e9;
      r.put("requests_ok", s.ok)
          .put("requests_per_s", s.ok / (o.number("duration")))
          .put("http_failed", s.failed);
      Scenarios.putLatency(r, "", s.latency);
      r.put(
          "issue_lag_p99_ms",
          s.lag.getTotalCount() == 0 ? Double.NaN : s.lag.getValueAtPercentile(99) / 1000.0);
      r.put("deliveries", got).put("deliveries_per_s", got / seconds);
      Histogram delivery = sink.snapshot();
      r.put(
          "delivery_p99_ms",
          delivery.getTotalCount() == 0 ? Double.NaN : delivery.getValueAtPercentile(99) / 1000.0);
      r.losses(Math.max(0, expected - got));
      if (got > expected) {
        r.put("duplicates", got - expected);
      }
      if (cpu0 >= 0 && cpu1 >= 0) {
        r.put("server_cpu_s", cpu1 - cpu0)
            .put("server_cpu_util", (cpu1 - cpu0) / seconds)
            .put("server_cpu_ms_per_request", (cpu1 - cpu0) * 1000 / Math.max(1, s.ok));
      }
      r.put("client_cpu_util", (self1 - self0) / seconds);
      Scenarios.putErrors(r, sink);
      if (s.failed > 0) {
        r.put("http_error", s.firstError);
        r.fail("HTTP API failures");
      }
      return r;
    } finally {
      Scenarios.closeAll(list);
      api.close();
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        env.log("vertx close: " + e);
      }
    }
  }

  /**
   * One timed phase. Sender {@code i}'s request {@code k} is due at {@code start + (k + i / conns)
   * / rate}: the senders are spread evenly over each interval, and each is sent when due whether or
   * not the previous one was answered (an open loop; the pool queues what finds no free
   * connection). Thread contract: every field is written on the phase's one event loop (timers
   * scheduled on its Netty loop, run inside its Vert.x context); the caller reads them after {@code
   * done} completes, which publishes them.
   */
  private static final class Schedule {
    final ContextInternal ctx;
    final PusherApi api;
    final int conns;
    final double rate;
    final String pad;
    final long start;
    final long end;
    final Histogram latency = new Histogram(Deliveries.MAX_MICROS, 3);
    final Histogram lag = new Histogram(Deliveries.MAX_MICROS, 3);
    final CompletableFuture<Void> done = new CompletableFuture<>();
    long issued;
    long ok;
    long failed;
    int inFlight;
    int sendersDone;
    String firstError;

    private Schedule(
        ContextInternal ctx, PusherApi api, int conns, double rate, double seconds, String pad) {
      this.ctx = ctx;
      this.api = api;
      this.conns = conns;
      this.rate = rate;
      this.pad = pad;
      // A little ahead so that the first requests are not already late when armed.
      this.start = System.nanoTime() + 5_000_000L;
      this.end = start + (long) (seconds * 1e9);
    }

    static Schedule run(
        Vertx vertx, PusherApi api, int conns, double rate, double seconds, String pad) {
      ContextInternal ctx = (ContextInternal) vertx.getOrCreateContext();
      Schedule s = new Schedule(ctx, api, conns, rate, seconds, pad);
      ctx.runOnContext(
          v -> {
            for (int i = 0; i < conns; i++) {
              s.arm(i, 0);
            }
          });
      try {
        s.done.get((long) seconds + 60, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("http-light phase did not finish: " + e, e);
      }
      return s;
    }

    long dueAt(int sender, long k) {
      return start + (long) ((k + sender / (double) conns) / rate * 1e9);
    }

    void arm(int sender, long k) {
      long at = dueAt(sender, k);
      if (at >= end) {
        sendersDone++;
        finishIfDone();
        return;
      }
      long delay = Math.max(0, at - System.nanoTime());
      ctx.nettyEventLoop()
          .schedule(() -> ctx.emit(null, v -> fire(sender, k, at)), delay, TimeUnit.NANOSECONDS);
    }

    void fire(int sender, long k, long at) {
      lag.recordValue(micros(System.nanoTime() - at));
      long seq = issued++;
      inFlight++;
      api.post("events", PusherApi.eventBody(CHANNEL, at, seq, pad))
          .onComplete(
              ar -> {
                inFlight--;
                latency.recordValue(micros(System.nanoTime() - at));
                if (ar.succeeded() && ar.result() >= 200 && ar.result() < 300) {
                  ok++;
                } else {
                  failed++;
                  if (firstError == null) {
                    firstError =
                        ar.succeeded() ? "HTTP " + ar.result() : String.valueOf(ar.cause());
                  }
                }
                finishIfDone();
              });
      arm(sender, k + 1);
    }

    void finishIfDone() {
      if (sendersDone == conns && inFlight == 0) {
        done.complete(null);
      }
    }

    private static long micros(long nanos) {
      return Math.max(0, Math.min(Deliveries.MAX_MICROS, nanos / 1000));
    }
  }
}
