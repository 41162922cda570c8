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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Every metric Herald exposes, registered once in a Prometheus registry. Labels are bounded: {@code
 * app_id}, an error kind, an HTTP route template and status; never a channel name or socket id.
 *
 * <p>With the prefix {@code soketi} (or {@code soketi_}) the traffic metrics take the names and
 * labels of Soketi 1.6's Prometheus driver exactly ({@code soketi_connected}, {@code
 * soketi_socket_received_bytes}, … labelled {@code app_id} and {@code port}), so a Soketi Grafana
 * dashboard works unchanged; Herald's other metrics keep their names under that prefix.
 * Thread-safe.
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
    private final LongAdder bytesReceived;
    private final LongAdder bytesSent;
    private final LongAdder httpBytesReceived;
    private final LongAdder httpBytesSent;
    private final Counter httpCalls;
    private final Counter clientEvents;
    private final Counter apiEvents;
    private final Counter slowConsumers;

    AppMeters(HeraldMetrics metrics, String appId) {
      Tags tags = Tags.of("app_id", appId);
      // Soketi labels its own metrics with the port it serves on as well.
      String[] labels = metrics.soketi ? new String[] {appId, metrics.port} : new String[] {appId};
      Tags trafficTags = metrics.soketi ? tags.and("port", metrics.port) : tags;
      String p = metrics.prefix;
      newConnections =
          metrics.counter(p + ".new.connections", trafficTags, "WebSocket connections opened");
      disconnections =
          metrics.counter(p + ".new.disconnections", trafficTags, "WebSocket connections closed");
      messagesReceived =
          metrics.counter(
              p + ".ws.messages.received", trafficTags, "Messages received from clients");
      messagesSent =
          metrics.counter(p + ".ws.messages.sent", trafficTags, "Messages sent to clients");
      bytesReceived = metrics.bytes.socketReceived().series(labels);
      bytesSent = metrics.bytes.socketSent().series(labels);
      httpBytesReceived = metrics.bytes.httpReceived().series(labels);
      httpBytesSent = metrics.bytes.httpSent().series(labels);
      httpCalls =
          metrics.soketi
              ? metrics.counter(
                  p + ".http.calls.received", trafficTags, "HTTP API requests of the app")
              : null;
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
          .tags(trafficTags)
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

    /** A whole message (text frame and its continuations) received from a client. */
    public void messageReceived() {
      messagesReceived.increment();
    }

    /** Payload bytes of a data frame received from a client (text, binary or continuation). */
    public void bytesReceived(int bytes) {
      bytesReceived.add(bytes);
    }

    /** A message sent to a client, by the UTF-8 bytes of its payload. */
    public void messageSent(int bytes) {
      messagesSent.increment();
      bytesSent.add(bytes);
    }

    /** An HTTP API request of this app, by the bytes of its request and response bodies. */
    void httpApiCall(long requestBytes, long responseBytes) {
      httpBytesReceived.add(requestBytes);
      httpBytesSent.add(responseBytes);
      if (httpCalls != null) {
        httpCalls.increment();
      }
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

  /** The prefix that selects Soketi's names, with or without Soketi's own trailing underscore. */
  private static final String SOKETI = "soketi";

  private final PrometheusMeterRegistry registry;
  private final String prefix;
  private final boolean soketi;

  /** The {@code port} label of Soketi's metrics: the WebSocket port, set once it is bound. */
  private volatile String port;

  private final AtomicBoolean processMetricsRegistered = new AtomicBoolean();

  private final Map<String, AppMeters> apps = new ConcurrentHashMap<>();
  private final ByteCounters bytes;
  private final DistributionSummary fanout;
  private final Timer deliveryLatency;
  private final Timer eventLoopLag;

  /**
   * @param version the Herald version, exposed as {@code <prefix>_build_info{version=...} 1}
   */
  public HeraldMetrics(String prefix, String version) {
    this(prefix, version, 0);
  }

  /**
   * @param configuredPrefix the metric name prefix; {@code soketi} or {@code soketi_} selects
   *     Soketi's names
   * @param version the Herald version, exposed as {@code <prefix>_build_info{version=...} 1}
   * @param port the configured WebSocket port (0 until {@link #listeningOn} when it is picked)
   */
  public HeraldMetrics(String configuredPrefix, String version, int port) {
    this.soketi = configuredPrefix.equals(SOKETI) || configuredPrefix.equals(SOKETI + "_");
    this.prefix = soketi ? SOKETI : configuredPrefix;
    this.port = Integer.toString(port);
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    bytes = soketi ? ByteCounters.soketi() : ByteCounters.herald(prefix);
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

  /**
   * An answered HTTP request.
   *
   * @param appId the app the request was authenticated for, or null (not an app's route, or refused
   *     before its signature was checked)
   * @param requestBytes the request body's bytes (those of an app only are counted)
   * @param responseBytes the response body's bytes
   */
  public void httpCall(
      String appId, String route, int status, long requestBytes, long responseBytes) {
    // Soketi's http_calls_received_total counts an app's API calls by app and port; Herald's own
    // route and status breakdown goes under another name then.
    counter(
            prefix + (soketi ? ".http.responses" : ".http.calls.received"),
            Tags.of(
                "app_id",
                appId == null ? "" : appId,
                "route",
                route,
                "status",
                Integer.toString(status)),
            "HTTP requests answered")
        .increment();
    if (appId != null) {
      app(appId).httpApiCall(requestBytes, responseBytes);
    }
  }

  /**
   * The port the WebSocket server listens on, for Soketi's {@code port} label, once it is bound (a
   * configured 0 is replaced; meters created before keep it). With Soketi's names, registers the
   * process metrics, which carry the label too.
   */
  public void listeningOn(int boundPort) {
    this.port = Integer.toString(boundPort);
    if (soketi && processMetricsRegistered.compareAndSet(false, true)) {
      SoketiProcessMetrics.register(registry, port);
    }
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
    StringBuilder out = new StringBuilder(registry.scrape());
    if (out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
      out.append('\n');
    }
    bytes.writeTo(out);
    return out.toString();
  }

  private Counter counter(String name, Tags tags, String description) {
    return Counter.builder(name).tags(tags).description(description).register(registry);
  }
}
