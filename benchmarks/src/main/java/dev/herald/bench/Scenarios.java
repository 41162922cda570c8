package dev.herald.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/** The benchmark scenarios. Each returns one {@link Result}; all loops are bounded in time. */
final class Scenarios {

  private Scenarios() {}

  // ---------------------------------------------------------------- subscriber sets

  /** Connections and channels of the delivery scenarios ("fanout", "channels"). */
  static int connectionsOf(String scenario, Options o) {
    return scenario.equals("fanout") ? o.integer("subscribers") : o.integer("channel-conns");
  }

  /** The channels connection {@code i} subscribes to in a delivery scenario. */
  static List<String> channelsOf(String scenario, Options o, int i) {
    if (scenario.equals("fanout")) {
      return List.of("bench-fanout");
    }
    int channels = o.integer("channels");
    long total = (long) channels * o.integer("per-channel");
    int conns = o.integer("channel-conns");
    long k = (total + conns - 1) / conns;
    List<String> out = new ArrayList<>();
    for (long m = i * k; m < Math.min((i + 1) * k, total); m++) {
      out.add("bench-ch-" + (m % channels));
    }
    return out;
  }

  /**
   * Opens this process's share ({@code i % processes == shard}) of a delivery scenario's
   * connections and subscribes each to its channels.
   */
  static Clients.Opened connectShard(
      Env env, String scenario, int shard, int processes, Deliveries sink, List<Conn> into) {
    Options o = env.o;
    int conns = connectionsOf(scenario, o);
    List<Integer> mine = new ArrayList<>();
    for (int i = shard; i < conns; i += processes) {
      mine.add(i);
    }
    Clients clients = new Clients(env.clientLoops, o, conns);
    return Clients.openAll(
        mine.size(),
        j -> {
          int i = mine.get(j);
          return Conn.open(clients.forIndex(i), o, i, sink)
              .thenCompose(
                  c -> {
                    into.add(c);
                    List<CompletableFuture<Long>> subs = new ArrayList<>();
                    for (String ch : channelsOf(scenario, o, i)) {
                      subs.add(c.subscribe(ch, null, null));
                    }
                    return CompletableFuture.allOf(subs.toArray(new CompletableFuture<?>[0]));
                  });
        },
        o.integer("connect-concurrency"),
        o.number("setup-timeout"));
  }

  static void closeAll(List<Conn> conns) {
    synchronized (conns) {
      for (Conn c : conns) {
        c.close();
      }
      conns.clear();
    }
  }

  /** The WebSocket errors the generator's connections received, and the last one. */
  static void putErrors(Result r, Deliveries sink) {
    r.put("ws_errors", sink.errors.sum());
    if (sink.lastError != null) {
      r.put("last_error", sink.lastError);
    }
  }

  /**
   * Waits until {@code count} reaches {@code expected}, no progress for 3 s, or the drain limit.
   */
  static long drain(LongSupplier count, long expected, double maxSeconds) {
    long deadline = System.nanoTime() + (long) (maxSeconds * 1e9);
    long last = -1;
    long lastProgress = System.nanoTime();
    while (true) {
      long now = System.nanoTime();
      long c = count.getAsLong();
      if (c >= expected || now > deadline || now - lastProgress > 3_000_000_000L) {
        return now;
      }
      if (c != last) {
        last = c;
        lastProgress = now;
      }
      Env.sleep(0.005);
    }
  }

  static void putLatency(Result r, String prefix, Histogram h) {
    if (h.getTotalCount() == 0) {
      r.put(prefix + "p50_ms", Double.NaN)
          .put(prefix + "p99_ms", Double.NaN)
          .put(prefix + "p999_ms", Double.NaN);
      return;
    }
    r.put(prefix + "p50_ms", h.getValueAtPercentile(50) / 1000.0)
        .put(prefix + "p99_ms", h.getValueAtPercentile(99) / 1000.0)
        .put(prefix + "p999_ms", h.getValueAtPercentile(99.9) / 1000.0)
        .put(prefix + "max_ms", h.getMaxValue() / 1000.0);
  }

  static String padding(Options o) {
    return PusherApi.padding(o.integer("payload"));
  }

  // ---------------------------------------------------------------- fanout / channels

  /**
   * Fan-out (1 channel x N subscribers) or many channels (C channels x K subscribers each): events
   * through the HTTP API at a fixed rate or at saturation; deliveries/s, end-to-end latency,
   * losses, server CPU per million deliveries.
   */
  static Result deliveries(Env env, String scenario) {
    Options o = env.o;
    boolean fan = scenario.equals("fanout");
    double rate = fan ? o.rate("rate") : o.rate("channel-rate");
    String name = scenario + (rate > 0 ? "-fixed" : "-max");
    Result r = new Result(name, o.str("label"));
    int conns = connectionsOf(scenario, o);
    int channels = fan ? 1 : o.integer("channels");
    int perEvent = fan ? conns : o.integer("per-channel");
    if (!fan) {
      long k = ((long) channels * perEvent + conns - 1) / conns;
      if (k > channels || k > 1000) {
        return r.fail("each connection would need " + k + " subscriptions; raise --channel-conns");
      }
    }
    int processes = Math.max(1, o.integer("processes"));
    r.put("connections", conns).put("channels", channels).put("subs_per_event", perEvent);
    r.put("rate_events_per_s", rate > 0 ? Double.toString(rate) : "max");
    r.put("processes", processes);
    Deliveries sink = new Deliveries();
    List<Conn> list = Collections.synchronizedList(new ArrayList<>());
    PusherApi api = new PusherApi(env.vertx, o, Math.max(o.integer("concurrency"), 16));
    try (Workers workers = Workers.start(o, scenario, processes)) {
      long t0 = System.nanoTime();
      Clients.Opened local = connectShard(env, scenario, 0, processes, sink, list);
      Workers.Ready remote = workers.awaitReady(o.number("setup-timeout"));
      long setupNanos = System.nanoTime() - t0;
      int ok = local.ok() + remote.ok();
      r.put("setup_per_s", ok / (setupNanos / 1e9));
      if (ok < conns) {
        return r.fail(
            (conns - ok)
                + " connections failed: "
                + (local.firstError() != null ? local.firstError() : remote.error()));
      }
      LongSupplier delivered = () -> sink.count.sum() + workers.count();
      Publisher publisher = new Publisher(env.vertx, api);
      String pad = padding(o);
      Publisher.Request request =
          new Publisher.Request() {
            @Override
            public String route() {
              return "events";
            }

            @Override
            public String body(long seq, long sendNanos) {
              String ch = fan ? "bench-fanout" : "bench-ch-" + (seq % channels);
              return PusherApi.eventBody(ch, sendNanos, seq, pad);
            }
          };
      long maxBacklog = (long) o.integer("max-backlog-events") * perEvent;
      int concurrency = o.integer("concurrency");
      double warmup = o.number("warmup");
      if (warmup > 0) {
        long wbase = delivered.getAsLong();
        IssuedCounter wi = new IssuedCounter();
        Publisher.Sent w =
            publisher.run(
                counting(request, wi),
                rate,
                warmup,
                concurrency,
                () -> wi.n * perEvent - (delivered.getAsLong() - wbase),
                maxBacklog);
        drain(() -> delivered.getAsLong() - wbase, w.ok() * perEvent, o.number("drain"));
        Env.sleep(0.2);
        sink.reset();
        workers.reset();
      }
      long base = delivered.getAsLong();
      double sys0 = Probes.sysSeconds(env.serverPid);
      double cpu0 = Probes.cpuSeconds(env.serverPid);
      double self0 = Probes.selfCpuSeconds();
      long start = System.nanoTime();
      // The backlog gate at saturation: events issued so far times subscribers per event, minus
      // deliveries.
      IssuedCounter issued = new IssuedCounter();
      Publisher.Sent sent =
          publisher.run(
              counting(request, issued),
              rate,
              o.number("duration"),
              concurrency,
              () -> issued.n * perEvent - (delivered.getAsLong() - base),
              maxBacklog);
      long expected = sent.ok() * perEvent;
      long end = drain(() -> delivered.getAsLong() - base, expected, o.number("drain"));
      double cpu1 = Probes.cpuSeconds(env.serverPid);
      double sys1 = Probes.sysSeconds(env.serverPid);
      double self1 = Probes.selfCpuSeconds();
      long got = delivered.getAsLong() - base;
      Histogram h = sink.snapshot();
      workers.addHistograms(h);
      double seconds = (end - start) / 1e9;
      r.put("events_ok", sent.ok())
          .put("events_per_s", sent.ok() / (sent.elapsedNanos() / 1e9))
          .put("deliveries", got)
          .put("deliveries_per_s", got / seconds);
      putLatency(r, "", h);
      if (rate > 0 && sent.issueLag().getTotalCount() > 0) {
        r.put("issue_lag_p99_ms", sent.issueLag().getValueAtPercentile(99) / 1000.0);
      }
      r.losses(Math.max(0, expected - got));
      if (got > expected) {
        r.put("duplicates", got - expected);
      }
      r.put("http_failed", sent.failed());
      if (sent.firstError() != null) {
        r.put("http_error", sent.firstError());
      }
      putCpu(r, cpu0, cpu1, self0, self1, got, seconds);
      if (cpu1 > cpu0 && sys0 >= 0) {
        r.put("server_kernel_share", (sys1 - sys0) / (cpu1 - cpu0));
      }
      r.put("ws_errors", sink.errors.sum()).put("closes", sink.closes.sum());
      if (sent.failed() > 0) {
        r.fail("HTTP API failures");
      }
      return r;
    } finally {
      closeAll(list);
      api.close();
    }
  }

  /** Written by the publisher's event loop, read by the backlog gate on the same loop. */
  private static final class IssuedCounter {
    long n;
  }

  static Publisher.Request counting(Publisher.Request request, IssuedCounter issued) {
    return new Publisher.Request() {
      @Override
      public String route() {
        return request.route();
      }

      @Override
      public String body(long seq, long sendNanos) {
        issued.n = seq + 1;
        return request.body(seq, sendNanos);
      }
    };
  }

  static void putCpu(
      Result r, double cpu0, double cpu1, double self0, double self1, long work, double seconds) {
    if (cpu0 >= 0 && cpu1 >= 0) {
      double s = cpu1 - cpu0;
      r.put("server_cpu_s", s)
          .put("server_cpu_util", s / seconds)
          .put("server_cpu_s_per_M", work > 0 ? s / work * 1e6 : Double.NaN);
    } else {
      r.put("server_cpu_s", Double.NaN);
    }
    r.put("client_cpu_util", (self1 - self0) / seconds);
  }

  // ---------------------------------------------------------------- idle

  /**
   * Ramps to N connections each subscribed to one channel: setup rate, time to reach N, server RSS
   * and heap per connection, then holds them and counts drops.
   */
  static Result idle(Env env) {
    Options o = env.o;
    Result r = new Result("idle", o.str("label"));
    int n = o.integer("idle-conns");
    int channels = o.integer("idle-channels") <= 0 ? n : o.integer("idle-channels");
    r.put("connections", n).put("channels", channels);
    Deliveries sink = new Deliveries();
    List<Conn> list = Collections.synchronizedList(new ArrayList<>());
    Clients clients = new Clients(env.clientLoops, o, n);
    r.put("source_ips", clients.sources.size());
    try {
      // A JVM server is asked for a full GC first (jcmd), both times, so that RSS and heap
      // reflect what the connections retain rather than where the collector happened to be.
      Probes.gc(env.serverPid);
      Env.sleep(0.5);
      long rss0 = Probes.rssBytes(env.serverPid);
      long heap0 = Probes.heapBytes(env.metricsUrl);
      double cpu0 = Probes.cpuSeconds(env.serverPid);
      double self0 = Probes.selfCpuSeconds();
      Clients.Opened opened =
          Clients.openAll(
              n,
              i ->
                  Conn.open(clients.forIndex(i), o, i, sink)
                      .thenCompose(
                          c -> {
                            list.add(c);
                            return c.subscribe("idle-" + (i % channels), null, null);
                          }),
              o.integer("connect-concurrency"),
              o.number("setup-timeout"));
      double cpu1 = Probes.cpuSeconds(env.serverPid);
      double self1 = Probes.selfCpuSeconds();
      r.put("ok", opened.ok())
          .put("failed", opened.failed())
          .put("time_to_n_s", opened.elapsedNanos() / 1e9)
          .put("setup_per_s", opened.perSecond());
      if (cpu0 >= 0) {
        r.put("server_cpu_ms_per_setup", (cpu1 - cpu0) * 1000 / Math.max(1, opened.ok()));
        r.put("server_cpu_util_setup", (cpu1 - cpu0) / (opened.elapsedNanos() / 1e9));
      }
      r.put("client_cpu_util_setup", (self1 - self0) / (opened.elapsedNanos() / 1e9));
      Env.sleep(2);
      Probes.gc(env.serverPid);
      Env.sleep(0.5);
      long rss1 = Probes.rssBytes(env.serverPid);
      long heap1 = Probes.heapBytes(env.metricsUrl);
      int ok = Math.max(1, opened.ok());
      r.put("rss_before_mib", rss0 < 0 ? Double.NaN : rss0 / 1048576.0)
          .put("rss_after_mib", rss1 < 0 ? Double.NaN : rss1 / 1048576.0)
          .put(
              "rss_per_conn_bytes", rss0 < 0 || rss1 < 0 ? Double.NaN : (rss1 - rss0) / (double) ok)
          .put(
              "heap_per_conn_bytes",
              heap0 < 0 || heap1 < 0 ? Double.NaN : (heap1 - heap0) / (double) ok);
      long closes0 = sink.closes.sum();
      double hold0 = Probes.cpuSeconds(env.serverPid);
      Env.sleep(o.number("hold"));
      double hold1 = Probes.cpuSeconds(env.serverPid);
      long dropped = sink.closes.sum() - closes0;
      if (hold0 >= 0) {
        r.put("server_cpu_util_hold", (hold1 - hold0) / o.number("hold"));
      }
      r.put("dropped_during_hold", dropped);
      putErrors(r, sink);
      r.losses(opened.failed() + dropped);
      if (opened.failed() > 0) {
        r.fail(opened.firstError());
      }
      return r;
    } finally {
      closeAll(list);
      Env.sleep(1);
    }
  }

  // ---------------------------------------------------------------- http

  /** HTTP API triggers/s to a channel without subscribers, with subscribers, and batch_events. */
  static Result http(Env env) {
    Options o = env.o;
    Result r = new Result("http", o.str("label"));
    double phase = Math.max(1, o.number("duration") / 3);
    int subs = o.integer("http-subs");
    int concurrency = o.integer("concurrency");
    String pad = padding(o);
    Deliveries sink = new Deliveries();
    List<Conn> list = Collections.synchronizedList(new ArrayList<>());
    PusherApi api = new PusherApi(env.vertx, o, Math.max(concurrency, 16));
    Clients clients = new Clients(env.clientLoops, o, subs);
    try {
      Publisher publisher = new Publisher(env.vertx, api);
      if (o.number("warmup") > 0) {
        publisher.run(
            eventsTo(ch -> "bench-http-empty", pad), 0, o.number("warmup"), concurrency, null, 0);
      }
      double cpu0 = Probes.cpuSeconds(env.serverPid);
      double self0 = Probes.selfCpuSeconds();
      long t0 = System.nanoTime();
      // (a) no subscribers
      Publisher.Sent a =
          publisher.run(eventsTo(ch -> "bench-http-empty", pad), 0, phase, concurrency, null, 0);
      r.put("nosub_rps", a.okPerSecond());
      putLatency(r, "nosub_", a.httpLatency());
      // (b) with subscribers on the channel
      Clients.Opened opened =
          Clients.openSubscribed(clients, o, subs, sink, list, i -> "bench-http-subs");
      if (opened.failed() > 0) {
        return r.fail("subscribers failed: " + opened.firstError());
      }
      IssuedCounter issued = new IssuedCounter();
      Publisher.Sent b =
          publisher.run(
              counting(eventsTo(ch -> "bench-http-subs", pad), issued),
              0,
              phase,
              concurrency,
              () -> issued.n * subs - sink.count.sum(),
              (long) o.integer("max-backlog-events") * subs);
      long expected = b.ok() * subs;
      drain(sink.count::sum, expected, o.number("drain"));
      r.put("sub_count", subs).put("sub_rps", b.okPerSecond());
      putLatency(r, "sub_", b.httpLatency());
      r.put("sub_deliveries_per_s", sink.count.sum() / (b.elapsedNanos() / 1e9));
      long losses = Math.max(0, expected - sink.count.sum());
      closeAll(list);
      // (c) batch_events, 10 events each, to channels without subscribers
      Publisher.Sent c =
          publisher.run(
              new Publisher.Request() {
                @Override
                public String route() {
                  return "batch_events";
                }

                @Override
                public String body(long seq, long sendNanos) {
                  StringBuilder sb = new StringBuilder("{\"batch\":[");
                  for (int j = 0; j < 10; j++) {
                    if (j > 0) {
                      sb.append(',');
                    }
                    sb.append(PusherApi.batchItem("bench-batch-" + j, sendNanos, seq, pad));
                  }
                  return sb.append("]}").toString();
                }
              },
              0,
              phase,
              concurrency,
              null,
              0);
      r.put("batch_rps", c.okPerSecond()).put("batch_events_per_s", c.okPerSecond() * 10);
      putLatency(r, "batch_", c.httpLatency());
      double cpu1 = Probes.cpuSeconds(env.serverPid);
      double self1 = Probes.selfCpuSeconds();
      long requests = a.ok() + b.ok() + c.ok();
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (cpu0 >= 0) {
        r.put("server_cpu_util", (cpu1 - cpu0) / seconds);
        r.put("server_cpu_ms_per_request", (cpu1 - cpu0) * 1000 / Math.max(1, requests));
      }
      r.put("client_cpu_util", (self1 - self0) / seconds);
      long failed = a.failed() + b.failed() + c.failed();
      r.put("http_failed", failed);
      r.losses(losses);
      if (failed > 0) {
        String err = a.firstError() != null ? a.firstError() : b.firstError();
        r.fail(err != null ? err : c.firstError());
      }
      return r;
    } finally {
      closeAll(list);
      api.close();
    }
  }

  static Publisher.Request eventsTo(java.util.function.LongFunction<String> channel, String pad) {
    return new Publisher.Request() {
      @Override
      public String route() {
        return "events";
      }

      @Override
      public String body(long seq, long sendNanos) {
        return PusherApi.eventBody(channel.apply(seq), sendNanos, seq, pad);
      }
    };
  }

  // ---------------------------------------------------------------- signed subscribers

  /**
   * The connections of client-events and presence: each makes one signed subscription once open.
   * Closing closes them all and the signer. Filled by {@code open} (each slot of {@code conns} by
   * the event loop of its connection), then read by the scenario's thread.
   */
  private static final class SignedSubscribers implements AutoCloseable {
    final Deliveries sink = new Deliveries();
    final Conn[] conns;
    final PusherApi signer;
    private final List<Conn> opened = Collections.synchronizedList(new ArrayList<>());
    private final Env env;

    SignedSubscribers(Env env, int n) {
      this.env = env;
      this.conns = new Conn[n];
      this.signer = new PusherApi(env.vertx, env.o, 1);
    }

    /** Opens every connection, {@code concurrency} at a time, and subscribes each once open. */
    Clients.Opened open(int concurrency, Function<Conn, CompletableFuture<Long>> subscribe) {
      Clients clients = new Clients(env.clientLoops, env.o, conns.length);
      return Clients.openAll(
          conns.length,
          i ->
              Conn.open(clients.forIndex(i), env.o, i, sink)
                  .thenCompose(
                      c -> {
                        conns[i] = c;
                        opened.add(c);
                        return subscribe.apply(c);
                      }),
          concurrency,
          env.o.number("setup-timeout"));
    }

    @Override
    public void close() {
      closeAll(opened);
      signer.close();
    }
  }

  // ---------------------------------------------------------------- client events

  /** Pairs of connections on private channels sending each other client events. */
  static Result clientEvents(Env env) {
    Options o = env.o;
    Result r = new Result("client-events", o.str("label"));
    int pairs = o.integer("pairs");
    double perConn = o.number("pair-rate");
    int n = pairs * 2;
    r.put("pairs", pairs).put("rate_per_conn", perConn);
    try (SignedSubscribers subs = new SignedSubscribers(env, n)) {
      Deliveries sink = subs.sink;
      Conn[] conns = subs.conns;
      Clients.Opened opened =
          subs.open(
              o.integer("connect-concurrency"),
              c -> {
                String ch = "private-pair-" + (c.index / 2);
                return c.subscribe(ch, subs.signer.privateAuth(c.socketId(), ch), null);
              });
      if (opened.failed() > 0) {
        return r.fail("connections failed: " + opened.firstError());
      }
      String pad = padding(o);
      AtomicLongArray sentBy = new AtomicLongArray(n);
      double cpu0 = Probes.cpuSeconds(env.serverPid);
      double self0 = Probes.selfCpuSeconds();
      long start = System.nanoTime();
      long durationNanos = (long) (o.number("duration") * 1e9);
      CountDownLatch finished = new CountDownLatch(1);
      env.vertx.runOnContext(
          v -> {
            long[] timer = new long[1];
            timer[0] =
                env.vertx.setPeriodic(
                    5,
                    id -> {
                      long now = System.nanoTime();
                      boolean last = now - start >= durationNanos;
                      long elapsed = Math.min(now - start, durationNanos);
                      long due = (long) (elapsed / 1e9 * perConn);
                      for (int i = 0; i < n; i++) {
                        String ch = "private-pair-" + (i / 2);
                        // At most a few per tick so a stall cannot turn into a burst the
                        // server's per-connection rate limit would refuse.
                        for (int k = 0; k < 2 && sentBy.get(i) < due; k++) {
                          long seq = sentBy.getAndIncrement(i);
                          conns[i].send(
                              "{\"event\":\"client-bench\",\"channel\":\""
                                  + ch
                                  + "\",\"data\":{\"_bt\":"
                                  + System.nanoTime()
                                  + ",\"_bs\":"
                                  + seq
                                  + ",\"p\":\""
                                  + pad
                                  + "\"}}");
                        }
                      }
                      if (last) {
                        env.vertx.cancelTimer(timer[0]);
                        finished.countDown();
                      }
                    });
          });
      finished.await((long) o.number("duration") + 30, TimeUnit.SECONDS);
      long expected = 0;
      for (int i = 0; i < n; i++) {
        expected += sentBy.get(i);
      }
      long end = drain(sink.count::sum, expected, o.number("drain"));
      double cpu1 = Probes.cpuSeconds(env.serverPid);
      double self1 = Probes.selfCpuSeconds();
      long got = sink.count.sum();
      double seconds = (end - start) / 1e9;
      r.put("sent", expected).put("delivered", got).put("deliveries_per_s", got / seconds);
      putLatency(r, "", sink.snapshot());
      r.losses(Math.max(0, expected - got));
      putCpu(r, cpu0, cpu1, self0, self1, got, seconds);
      putErrors(r, sink);
      return r;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return r.fail("interrupted");
    }
  }

  // ---------------------------------------------------------------- presence churn

  /**
   * A presence channel with {@code members} users; {@code churners} of them leave and join again as
   * fast as the server answers. Join latency (subscribe to subscription_succeeded), joins/s, and
   * member_added/member_removed received by the stable members (losses if any is missing).
   */
  static Result presence(Env env) {
    Options o = env.o;
    Result r = new Result("presence", o.str("label"));
    int members = o.integer("members");
    int churners = Math.min(o.integer("churners"), members - 1);
    int stable = members - churners;
    String channel = "presence-churn";
    r.put("members", members).put("churners", churners);
    try (SignedSubscribers subs = new SignedSubscribers(env, members)) {
      Deliveries sink = subs.sink;
      Conn[] conns = subs.conns;
      PusherApi signer = subs.signer;
      Clients.Opened opened = subs.open(16, c -> join(c, signer, channel));
      if (opened.failed() > 0) {
        return r.fail("members failed: " + opened.firstError());
      }
      Env.sleep(0.5);
      sink.memberObserversBelow = stable;
      sink.reset();
      ConcurrentHistogram joinLatency = new ConcurrentHistogram(Deliveries.MAX_MICROS, 3);
      AtomicLong cycles = new AtomicLong();
      AtomicLong failures = new AtomicLong();
      CountDownLatch done = new CountDownLatch(churners);
      double cpu0 = Probes.cpuSeconds(env.serverPid);
      double self0 = Probes.selfCpuSeconds();
      long start = System.nanoTime();
      long deadline = start + (long) (o.number("duration") * 1e9);
      for (int j = 0; j < churners; j++) {
        churn(conns[stable + j], signer, channel, deadline, joinLatency, cycles, failures, done);
      }
      done.await((long) o.number("duration") + 60, TimeUnit.SECONDS);
      long churnEnd = System.nanoTime();
      long expected = cycles.get() * 2 * stable;
      long end = drain(sink.memberEvents::sum, expected, o.number("drain"));
      double cpu1 = Probes.cpuSeconds(env.serverPid);
      double self1 = Probes.selfCpuSeconds();
      long got = sink.memberEvents.sum();
      r.put("cycles", cycles.get())
          .put("joins_per_s", cycles.get() / ((churnEnd - start) / 1e9))
          .put("member_events", got)
          .put("member_events_per_s", got / ((end - start) / 1e9));
      putLatency(r, "join_", joinLatency);
      r.losses(Math.max(0, expected - got) + failures.get());
      if (got > expected) {
        r.put("duplicates", got - expected);
      }
      putCpu(r, cpu0, cpu1, self0, self1, got, (end - start) / 1e9);
      putErrors(r, sink);
      return r;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return r.fail("interrupted");
    }
  }

  static CompletableFuture<Long> join(Conn c, PusherApi signer, String channel) {
    String data = "{\"user_id\":\"u" + c.index + "\",\"user_info\":{\"n\":" + c.index + "}}";
    return c.subscribe(channel, signer.presenceAuth(c.socketId(), channel, data), data);
  }

  private static void churn(
      Conn c,
      PusherApi signer,
      String channel,
      long deadline,
      ConcurrentHistogram latency,
      AtomicLong cycles,
      AtomicLong failures,
      CountDownLatch done) {
    if (System.nanoTime() >= deadline) {
      done.countDown();
      return;
    }
    c.unsubscribe(channel);
    long t0 = System.nanoTime();
    join(c, signer, channel)
        .orTimeout(10, TimeUnit.SECONDS)
        .whenComplete(
            (t, err) -> {
              if (err != null) {
                failures.incrementAndGet();
                done.countDown();
                return;
              }
              latency.recordValue(Math.min(Deliveries.MAX_MICROS, (t - t0) / 1000));
              cycles.incrementAndGet();
              churn(c, signer, channel, deadline, latency, cycles, failures, done);
            });
  }
}
