package dev.herald.protocoltests;

import static dev.herald.protocoltests.Frames.assertError;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code GET /metrics}: the Prometheus text moves by exactly the traffic the server saw, never
 * names a channel, can be renamed (the soketi prefix), moved to its own port, or switched off.
 */
class MetricsTest {

  private static final String APP = HeraldProcess.APP_ID;

  /** How long the counters may lag behind what the clients already saw. */
  private static final Duration SETTLE = Duration.ofSeconds(5);

  @Test
  void countersMoveByExactlyTheTrafficTheServerSaw() {
    try (HeraldProcess herald = HeraldProcess.withDefaults().start()) {
      String url = herald.httpBase() + "/metrics";
      String channel = Unique.name("private-metrics-");
      PrometheusText before = scrape(url);
      try (RawClient first = RawClient.open(herald.wsUrl());
          RawClient second = RawClient.open(herald.wsUrl())) {
        // A third connection that comes and goes.
        RawClient.open(herald.wsUrl()).disconnect();

        first.subscribePrivateOk(channel);
        second.subscribePrivateOk(channel);

        String clientEvent =
            "{\"event\":\"client-typing\",\"channel\":\"" + channel + "\",\"data\":{\"on\":true}}";
        first.sendText(clientEvent);
        second.assertNext(clientEvent);

        herald.api().trigger(channel, "order-shipped", "{\"id\":42}");
        String delivered =
            Json.write(Map.of("event", "order-shipped", "channel", channel, "data", "{\"id\":42}"));
        first.assertNext(delivered);
        second.assertNext(delivered);

        first.sendText("this is not json");
        assertError(first.awaitJson(), 4200);

        // Received: 2 subscribes, 1 client event, 1 bad frame. Sent: 3 connection_established,
        // 2 subscription_succeeded, 1 relayed client event, 2 deliveries of the trigger, 1 error.
        Map<String, Double> expected =
            Map.ofEntries(
                Map.entry("herald_new_connections_total", 3.0),
                Map.entry("herald_new_disconnections_total", 1.0),
                Map.entry("herald_connected", 2.0),
                Map.entry("herald_ws_messages_received_total", 4.0),
                Map.entry("herald_ws_messages_sent_total", 9.0),
                Map.entry("herald_subscriptions", 2.0),
                Map.entry("herald_client_events_total", 1.0));
        PrometheusText after =
            awaitScrape(
                url,
                scrape ->
                    expected.entrySet().stream()
                            .allMatch(
                                e ->
                                    delta(before, scrape, e.getKey(), "app_id", APP)
                                        == e.getValue())
                        && delta(before, scrape, "herald_broadcast_fanout_sum") >= 3);

        List<Executable> checks = new ArrayList<>();
        expected.forEach(
            (name, value) ->
                checks.add(
                    () ->
                        assertEquals(
                            value,
                            delta(before, after, name, "app_id", APP),
                            name + "{app_id=\"" + APP + "\"} moved by")));
        checks.add(
            () ->
                assertEquals(
                    1.0,
                    delta(
                        before,
                        after,
                        "herald_rejections_total",
                        "app_id",
                        APP,
                        "kind",
                        "INVALID_MESSAGE"),
                    "herald_rejections_total{kind=\"INVALID_MESSAGE\"} moved by"));
        checks.add(
            () ->
                assertEquals(
                    1.0,
                    delta(
                        before,
                        after,
                        "herald_http_calls_received_total",
                        "route",
                        "events",
                        "status",
                        "200"),
                    "herald_http_calls_received_total{route=\"events\",status=\"200\"} moved by"));
        // The trigger reached 2 subscribers and the client event 1 (its sender is left out); a
        // broadcast is observed once per event loop that wrote it, so the count is 2 or more.
        checks.add(
            () ->
                assertEquals(
                    3.0,
                    delta(before, after, "herald_broadcast_fanout_sum"),
                    "herald_broadcast_fanout_sum moved by"));
        checks.add(
            () ->
                assertTrue(
                    delta(before, after, "herald_broadcast_fanout_count") >= 2,
                    "herald_broadcast_fanout_count moved by "
                        + delta(before, after, "herald_broadcast_fanout_count")));
        checks.add(
            () ->
                assertTrue(
                    delta(before, after, "herald_socket_bytes_received_total", "app_id", APP) > 0,
                    "herald_socket_bytes_received_total did not move"));
        checks.add(
            () ->
                assertTrue(
                    delta(before, after, "herald_socket_bytes_transmitted_total", "app_id", APP)
                        > 0,
                    "herald_socket_bytes_transmitted_total did not move"));
        checks.add(
            () ->
                assertTrue(
                    delta(before, after, "herald_delivery_latency_seconds_count") >= 1,
                    "herald_delivery_latency_seconds_count did not move"));
        checks.add(
            () ->
                assertTrue(
                    after.has("herald_event_loop_lag_seconds_count"), "no event loop lag metric"));
        checks.add(() -> assertTrue(after.has("jvm_memory_used_bytes"), "no JVM metrics"));
        checks.add(
            () ->
                assertTrue(
                    after.samples().stream()
                        .noneMatch(
                            sample ->
                                sample.name().contains(channel)
                                    || sample.labels().values().stream()
                                        .anyMatch(value -> value.contains(channel))),
                    "the channel name " + channel + " appears in:\n" + after.text()));
        assertAll(checks);
      }
    }
  }

  /**
   * promtool accepts the exposition. Its lint asks every counter to end in {@code _total}: with
   * Soketi's prefix, exactly Soketi's four byte counters are allowed to draw that remark (their
   * names are Soketi's, and its dashboards query them).
   */
  @ParameterizedTest
  @ValueSource(strings = {"herald", "soketi"})
  void theScrapeIsAcceptedByPromtool(String prefix) throws Exception {
    Optional<Path> promtool = onPath("promtool");
    Prerequisite.require(
        promtool.isPresent(),
        "promtool is not on PATH, so `promtool check metrics` is not run",
        "apt-get install prometheus");
    try (HeraldProcess herald =
            HeraldProcess.withDefaults().env("HERALD_METRICS_PREFIX", prefix).start();
        RawClient client = RawClient.open(herald.wsUrl())) {
      client.subscribeOk(Unique.name("promtool-"));
      herald.api().trigger(Unique.name("promtool-"), "e", "{}");
      String text = scrape(herald.httpBase() + "/metrics").text();

      Process check =
          new ProcessBuilder(promtool.get().toString(), "check", "metrics")
              .redirectErrorStream(true)
              .start();
      try (OutputStream in = check.getOutputStream()) {
        in.write(text.getBytes(StandardCharsets.UTF_8));
      }
      String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(check.waitFor(30, TimeUnit.SECONDS), "promtool did not finish");
      // promtool exits 1 on errors and 3 when it only has lint remarks.
      Set<String> soketiBytes =
          Set.of(
              "soketi_socket_received_bytes",
              "soketi_socket_transmitted_bytes",
              "soketi_http_received_bytes",
              "soketi_http_transmitted_bytes");
      Set<String> expectedRemarks =
          prefix.equals("soketi")
              ? soketiBytes.stream()
                  .map(name -> name + " counter metrics should have \"_total\" suffix")
                  .collect(Collectors.toSet())
              : Set.of();
      assertEquals(
          expectedRemarks,
          output.lines().filter(line -> !line.isBlank()).collect(Collectors.toSet()),
          () -> "promtool check metrics said:\n" + output);
      assertEquals(
          expectedRemarks.isEmpty() ? 0 : 3,
          check.exitValue(),
          () -> "promtool check metrics said:\n" + output);
    }
  }

  @Test
  void theSoketiPrefixRenamesTheMetrics() {
    try (HeraldProcess herald =
        HeraldProcess.withDefaults().env("HERALD_METRICS_PREFIX", "soketi").start()) {
      RawClient.open(herald.wsUrl());
      String url = herald.httpBase() + "/metrics";
      PrometheusText scrape =
          awaitScrape(url, s -> s.value("soketi_connected", "app_id", APP) == 1.0);
      assertAll(
          () -> assertEquals(1.0, scrape.value("soketi_connected", "app_id", APP)),
          () -> assertEquals(1.0, scrape.value("soketi_new_connections_total", "app_id", APP)),
          // connection_established
          () -> assertEquals(1.0, scrape.value("soketi_ws_messages_sent_total", "app_id", APP)),
          () ->
              assertTrue(
                  scrape.samples().stream().noneMatch(s -> s.name().startsWith("herald_")),
                  () -> "herald_ metrics left in:\n" + scrape.text()));
    }
  }

  /**
   * Soketi's metrics that Herald does not expose: they time and count Soketi's requests from one
   * node to the others (its horizontal adapter asks every node and waits), and Herald sends no such
   * requests; cluster-wide answers come from Redis.
   */
  private static final Set<String> NOT_EXPOSED =
      Set.of(
          "soketi_horizontal_adapter_resolve_time",
          "soketi_horizontal_adapter_resolved_promises",
          "soketi_horizontal_adapter_uncomplete_promises",
          "soketi_horizontal_adapter_sent_requests",
          "soketi_horizontal_adapter_received_requests",
          "soketi_horizontal_adapter_received_responses");

  /**
   * With Soketi's prefix, every metric of Soketi's Prometheus driver (the list committed from its
   * source) is exposed under its exact name, type and label names, after real traffic, and the byte
   * counters count UTF-8 bytes (the payloads carry non-ASCII text) of exactly the frames and HTTP
   * bodies that went over the wire.
   */
  @ParameterizedTest
  @ValueSource(strings = {"soketi", "soketi_"})
  void theSoketiPrefixExposesSoketisMetricsWithTheirNamesLabelsAndRealByteCounts(String prefix) {
    try (HeraldProcess herald =
            HeraldProcess.withDefaults().env("HERALD_METRICS_PREFIX", prefix).start();
        RawClient client = RawClient.connect(herald.wsUrl())) {
      String channel = Unique.name("soketi-");
      List<String> sent = new ArrayList<>();
      List<String> received = new ArrayList<>();
      received.add(client.awaitText(SETTLE)); // connection_established
      sent.add(Json.write(Map.of("event", "pusher:subscribe", "data", Map.of("channel", channel))));
      client.sendText(sent.get(0));
      received.add(client.awaitText(SETTLE)); // subscription_succeeded
      sent.add("{\"event\":\"pusher:ping\",\"data\":{\"note\":\"h\u00e9llo \u2713\"}}");
      client.sendText(sent.get(1));
      received.add(client.awaitText(SETTLE)); // pong

      String event =
          Json.write(Map.of("name", "e", "channel", channel, "data", "d\u00e9j\u00e0 vu \u2713"));
      ApiClient.Response triggered = herald.api().post("/events", event);
      assertEquals(200, triggered.status(), triggered.body());
      received.add(client.awaitText(SETTLE));
      ApiClient.Response listed = herald.api().get("/channels");
      assertEquals(200, listed.status(), listed.body());

      String url = herald.httpBase() + "/metrics";
      String[] app = {"app_id", APP, "port", Integer.toString(herald.port())};
      Map<String, Double> expected =
          Map.ofEntries(
              Map.entry("soketi_connected", 1.0),
              Map.entry("soketi_new_connections_total", 1.0),
              Map.entry("soketi_new_disconnections_total", 0.0),
              Map.entry("soketi_ws_messages_received_total", 2.0),
              Map.entry("soketi_ws_messages_sent_total", 4.0),
              Map.entry("soketi_socket_received_bytes", (double) utf8(sent)),
              Map.entry("soketi_socket_transmitted_bytes", (double) utf8(received)),
              Map.entry("soketi_http_calls_received_total", 2.0),
              Map.entry("soketi_http_received_bytes", (double) utf8(List.of(event))),
              Map.entry(
                  "soketi_http_transmitted_bytes",
                  (double) utf8(List.of(triggered.body(), listed.body()))));
      PrometheusText scrape =
          awaitScrape(
              url,
              s ->
                  expected.entrySet().stream()
                      .allMatch(e -> s.value(e.getKey(), app) == e.getValue()));

      List<Executable> checks = new ArrayList<>();
      expected.forEach(
          (name, value) ->
              checks.add(
                  () ->
                      assertEquals(value, scrape.value(name, app), name + " for " + List.of(app))));
      for (String[] metric : soketiDriverMetrics()) {
        String name = metric[0];
        if (NOT_EXPOSED.contains(name)) {
          checks.add(() -> assertFalse(scrape.text().contains(name), name + " is exposed"));
          continue;
        }
        Set<String> labels = Set.of(metric[2].split(","));
        checks.add(
            () ->
                assertTrue(
                    scrape.text().contains("# TYPE " + name + " " + metric[1] + "\n"),
                    name + " is not exposed as a " + metric[1] + ":\n" + scrape.text()));
        checks.add(
            () ->
                assertEquals(
                    Set.of(labels),
                    scrape.samples().stream()
                        .filter(sample -> sample.name().equals(name))
                        .map(sample -> sample.labels().keySet())
                        .collect(Collectors.toSet()),
                    name + "'s label names"));
      }
      assertAll(checks);
    }
  }

  /** The committed list of Soketi's driver metrics: {name, type, comma-separated labels}. */
  private static List<String[]> soketiDriverMetrics() {
    try (var in = MetricsTest.class.getResourceAsStream("/soketi-1.6-prometheus-metrics.txt")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .filter(line -> !line.isBlank() && !line.startsWith("#"))
          .map(line -> line.trim().split("\\s+"))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int utf8(List<String> texts) {
    return texts.stream().mapToInt(text -> text.getBytes(StandardCharsets.UTF_8).length).sum();
  }

  @Test
  void aMetricsPortServesMetricsThereAndNotOnTheMainPort() {
    int metricsPort = Ports.free();
    try (HeraldProcess herald =
        HeraldProcess.withDefaults()
            .env("HERALD_METRICS_PORT", Integer.toString(metricsPort))
            .start()) {
      RawClient.open(herald.wsUrl());
      String url = "http://127.0.0.1:" + metricsPort + "/metrics";
      PrometheusText scrape =
          awaitScrape(url, s -> s.value("herald_connected", "app_id", APP) == 1.0);
      assertEquals(1.0, scrape.value("herald_connected", "app_id", APP));
      assertEquals(
          200, ApiClient.getUrl("http://127.0.0.1:" + metricsPort + "/ready").status(), "/ready");
      assertEquals(
          200, ApiClient.getUrl("http://127.0.0.1:" + metricsPort + "/up").status(), "/up");
      assertEquals(404, ApiClient.getUrl(herald.httpBase() + "/metrics").status());
    }
  }

  @Test
  void metricsCanBeSwitchedOff() {
    try (HeraldProcess herald =
        HeraldProcess.withDefaults().env("HERALD_METRICS_ENABLED", "false").start()) {
      assertEquals(404, ApiClient.getUrl(herald.httpBase() + "/metrics").status());
    }
  }

  private static double delta(
      PrometheusText before, PrometheusText after, String name, String... labelPairs) {
    return after.value(name, labelPairs) - before.value(name, labelPairs);
  }

  static PrometheusText scrape(String url) {
    ApiClient.Response response = ApiClient.getUrl(url);
    assertEquals(200, response.status(), () -> "GET " + url + ": " + response.body());
    return PrometheusText.parse(response.body());
  }

  /**
   * Scrapes until {@code settled} holds (the counters are updated after the frames that the clients
   * already saw were written) or {@link #SETTLE} has passed; returns the last scrape either way,
   * for the caller's assertions to explain.
   */
  private static PrometheusText awaitScrape(String url, Predicate<PrometheusText> settled) {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    PrometheusText scrape = scrape(url);
    while (!settled.test(scrape) && System.nanoTime() < deadline) {
      Thread.onSpinWait();
      scrape = scrape(url);
    }
    return scrape;
  }

  private static Optional<Path> onPath(String command) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    return Stream.of(path.split(File.pathSeparator))
        .map(dir -> Path.of(dir, command))
        .filter(Files::isExecutable)
        .findFirst();
  }
}
