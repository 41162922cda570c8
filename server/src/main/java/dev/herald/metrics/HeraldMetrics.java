package dev.herald.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Every metric Herald exposes, registered once in a Prometheus registry. Names follow Soketi's
 * ({@code <prefix>_connected}, {@code <prefix>_new_connections_total}, {@code
 * <prefix>_ws_messages_sent_total}, …) so its Grafana dashboards work with {@code
 * HERALD_METRICS_PREFIX=soketi}. Labels are bounded: {@code app_id}, an error kind, an HTTP route
 * template and status; never a channel name or socket id. Thread-safe.
 */
public final class HeraldMetrics {

  /** One app's meters, looked up once per connection so the hot path only increments. */
  public static final class AppMeters {
    final AtomicLong connected = new AtomicLong();
    final AtomicLong subscriptions = new AtomicLong();
    private final Counter newConnections;
    private final Counter disconnections;
    private final Counter messagesReceived;
    private final Counter messagesSent;
    private final Counter bytesReceived;
    private final Counter bytesSent;
    private final Counter clientEvents;
    private final Counter apiEvents;
    private final Counter slowConsumers;

    AppMeters(HeraldMetrics metrics, String appId) {
      Tags tags = Tags.of("app_id", appId);
      String p = metrics.prefix;
      newConnections =
          metrics.counter(p + ".new.connections", tags, "WebSocket connections opened");
      disconnections =
          metrics.counter(p + ".new.disconnections", tags, "WebSocket connections closed");
      messagesReceived =
          metrics.counter(p + ".ws.messages.received", tags, "Frames received from clients");
      messagesSent = metrics.counter(p + ".ws.messages.sent", tags, "Frames sent to clients");
      bytesReceived =
          metrics.counter(p + ".socket.bytes.received", tags, "Bytes received from clients");
      bytesSent = metrics.counter(p + ".socket.bytes.transmitted", tags, "Bytes sent to clients");
      clientEvents = metrics.counter(p + ".client.events", tags, "Client events relayed");
      apiEvents =
          metrics.counter(
              p + ".api.messages", tags, "Messages (events x channels) accepted by the HTTP API");
      slowConsumers =
          metrics.counter(
              p + ".rejections",
              Tags.of("app_id", appId, "kind", "SLOW_CONSUMER"),
              REJECTIONS_DESCRIPTION);
      Gauge.builder(p + ".connected", connected, AtomicLong::get)
          .tags(tags)
          .description("Open WebSocket connections")
          .register(metrics.registry);
      Gauge.builder(p + ".subscriptions", subscriptions, AtomicLong::get)
          .tags(tags)
          .description("Channel subscriptions of open connections on this node")
          .register(metrics.registry);
    }

    public void connectionOpened() {
      connected.incrementAndGet();
      newConnections.increment();
    }

    public void connectionClosed() {
      connected.decrementAndGet();
      disconnections.increment();
    }

    public void messageReceived(int bytes) {
      messagesReceived.increment();
      bytesReceived.increment(bytes);
    }

    public void messageSent(int bytes) {
      messagesSent.increment();
      bytesSent.increment(bytes);
    }

    public void clientEvent() {
      clientEvents.increment();
    }

    public void apiMessages(int count) {
      apiEvents.increment(count);
    }

    /** A connection closed with 4100 because its write queue was full when a broadcast came. */
    public void slowConsumerDisconnected() {
      slowConsumers.increment();
    }

    public void subscribed() {
      subscriptions.incrementAndGet();
    }

    public void unsubscribed() {
      subscriptions.decrementAndGet();
    }
  }

  private static final String REJECTIONS_DESCRIPTION = "Requests refused, by kind";

  private final PrometheusMeterRegistry registry;
  private final String prefix;
  private final Map<String, AppMeters> apps = new ConcurrentHashMap<>();
  private final DistributionSummary fanout;
  private final Timer deliveryLatency;
  private final Timer eventLoopLag;

  /**
   * @param version the Herald version, exposed as {@code <prefix>_build_info{version=...} 1}
   */
  public HeraldMetrics(String prefix, String version) {
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.prefix = prefix;
    // Two binder meters whose Prometheus names promtool's lint refuses (a unit abbreviation, a
    // gauge ending in _count); process_cpu_usage and system_cpu_usage say the same.
    registry
        .config()
        .meterFilter(
            MeterFilter.deny(
                id ->
                    id.getName().equals("process.cpu.time")
                        || id.getName().equals("system.cpu.count")));
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    @SuppressWarnings({"resource", "unused"})
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    // Prometheus's "info" idiom: a constant 1 whose labels carry the build, so a dashboard or an
    // alert can tell which version each node runs (and join it onto other series).
    Gauge.builder(prefix + ".build.info", () -> 1)
        .tags("version", version, "java", Runtime.version().toString())
        .description("The Herald version and Java runtime this node runs; always 1")
        .register(registry);
    fanout =
        DistributionSummary.builder(prefix + ".broadcast.fanout")
            .description("Subscribers one event loop wrote a broadcast to")
            .register(registry);
    deliveryLatency =
        Timer.builder(prefix + ".delivery.latency")
            .description("From a broadcast's publication to its write on an event loop")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofNanos(10_000))
            .maximumExpectedValue(Duration.ofSeconds(5))
            .register(registry);
    eventLoopLag =
        Timer.builder(prefix + ".event.loop.lag")
            .description("How late an event loop ran a task scheduled on it")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofNanos(10_000))
            .maximumExpectedValue(Duration.ofSeconds(10))
            .register(registry);
  }

  public AppMeters app(String appId) {
    return apps.computeIfAbsent(appId, id -> new AppMeters(this, id));
  }

  /** A refused connection, subscription, frame or client event, by Pusher error kind. */
  public void rejection(String appId, String kind) {
    counter(
            prefix + ".rejections",
            Tags.of("app_id", appId == null ? "" : appId, "kind", kind),
            REJECTIONS_DESCRIPTION)
        .increment();
  }

  public void httpCall(String route, int status) {
    counter(
            prefix + ".http.calls.received",
            Tags.of("route", route, "status", Integer.toString(status)),
            "HTTP requests answered")
        .increment();
  }

  public void broadcastDelivered(int subscribers, long publishedNanos) {
    fanout.record(subscribers);
    deliveryLatency.record(
        System.nanoTime() - publishedNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  public void eventLoopLag(long lateNanos) {
    eventLoopLag.record(Math.max(0, lateNanos), java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /** A counter kept elsewhere (webhook and Redis statistics), read at scrape time. */
  public <T> void functionCounter(
      String name, String description, T source, ToDoubleFunction<T> value) {
    FunctionCounter.builder(prefix + "." + name, source, value)
        .description(description)
        .register(registry);
  }

  public void gauge(String name, String description, Supplier<Number> value) {
    Gauge.builder(prefix + "." + name, value).description(description).register(registry);
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }

  private Counter counter(String name, Tags tags, String description) {
    return Counter.builder(name).tags(tags).description(description).register(registry);
  }
}
