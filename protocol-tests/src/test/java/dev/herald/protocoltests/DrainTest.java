package dev.herald.protocoltests;

import static dev.herald.protocoltests.Frames.assertError;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM drains: {@code /ready} turns 503 at once, new connections are turned away with 4200, open
 * ones are told to reconnect and closed with 4200 spread over {@code HERALD_DRAIN_SECONDS}, queued
 * webhooks still go out, and the process says goodbye and exits 0.
 */
class DrainTest {

  private static final String SHUTTING_DOWN =
      "{\"event\":\"pusher:error\",\"data\":{\"code\":4200,"
          + "\"message\":\"Server is shutting down; reconnect\"}}";

  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);

  @Test
  void sigtermTurnsReadyAwayAndClosesEveryConnectionWith4200SpreadOverTheDrainWindow() {
    List<RawClient> clients = new ArrayList<>();
    try (HeraldProcess herald =
        HeraldProcess.withDefaults().env("HERALD_DRAIN_SECONDS", "2").start()) {
      for (int i = 0; i < 4; i++) {
        RawClient client = RawClient.open(herald.wsUrl());
        client.subscribeOk(Unique.name("drain-"));
        clients.add(client);
      }

      herald.terminate();

      ApiClient.Response ready = awaitReadyStatus(herald, 503);
      long stillOpen = clients.stream().filter(client -> !client.isClosed()).count();
      assertEquals(503, ready.status(), ready::body);
      Json.assertJson("{\"status\":\"not ready\",\"reason\":\"draining\"}", ready.json());
      assertTrue(stillOpen > 0, "every client was closed before /ready said draining");

      try (RawClient late = RawClient.connect(herald.wsUrl())) {
        JsonNode refusal = late.awaitJson();
        assertError(refusal, 4200);
        assertEquals(4200, late.awaitClose(), "close code of a connection made while draining");
      }

      for (RawClient client : clients) {
        client.assertNext(SHUTTING_DOWN);
        assertEquals(4200, client.awaitClose(), "close code of a drained connection");
      }
      long first = clients.stream().mapToLong(RawClient::closedAtNanos).min().orElseThrow();
      long last = clients.stream().mapToLong(RawClient::closedAtNanos).max().orElseThrow();
      long spreadMillis = TimeUnit.NANOSECONDS.toMillis(last - first);
      assertTrue(
          spreadMillis >= 500,
          "4 connections were closed within " + spreadMillis + " ms of each other, not spread");

      int exitCode = herald.awaitExit(EXIT_TIMEOUT);
      String output = herald.output();
      assertAll(
          () -> assertEquals(0, exitCode, () -> "exit code; output:\n" + output),
          () ->
              assertTrue(
                  output.contains("herald: drained, bye"),
                  () -> "no \"herald: drained, bye\" in the output:\n" + output));
    } finally {
      clients.forEach(RawClient::close);
    }
  }

  @Test
  void aWebhookQueuedWhileTheReceiverIsDownIsDeliveredDuringTheDrain() {
    try (WebhookReceiver receiver = WebhookReceiver.start()) {
      receiver.stop();
      try (HeraldProcess herald =
          HeraldProcess.withDefaults()
              .env("HERALD_DRAIN_SECONDS", "4")
              .env(
                  "HERALD_APP_WEBHOOKS",
                  "[{\"url\":\"" + receiver.url() + "\",\"event_types\":[\"channel_occupied\"]}]")
              .env("HERALD_WEBHOOK_BATCH_MS", "20")
              .start()) {
        String channel = Unique.name("drain-hook-");
        RawClient client = RawClient.open(herald.wsUrl());
        client.subscribeOk(channel);
        // The first attempt has failed (connection refused), so the event sits in the retry queue.
        awaitMetric(herald, "herald_webhooks_failed_total", "herald_webhooks_retried_total");

        herald.terminate();
        awaitReadyStatus(herald, 503);
        receiver.restart();

        List<JsonNode> delivered =
            receiver.awaitDelivered(
                event ->
                    "channel_occupied".equals(event.path("name").asText())
                        && channel.equals(event.path("channel").asText()),
                1);
        Json.assertJson(
            Json.write(Map.of("name", "channel_occupied", "channel", channel)), delivered.get(0));
        receiver.assertEveryRequestWasValid();
        assertEquals(4200, client.awaitClose(), "close code of the drained connection");
        int exitCode = herald.awaitExit(EXIT_TIMEOUT);
        assertEquals(0, exitCode, herald::output);
        assertTrue(
            herald.output().contains("herald: drained, bye"),
            () -> "no \"herald: drained, bye\" in the output:\n" + herald.output());
      }
    }
  }

  /**
   * Polls {@code /ready} until it answers {@code status} (a drain is announced by nothing but the
   * probe itself) and returns that answer, or the last one after the deadline.
   */
  private static ApiClient.Response awaitReadyStatus(HeraldProcess herald, int status) {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    ApiClient.Response response = ApiClient.getUrl(herald.httpBase() + "/ready");
    while (response.status() != status && System.nanoTime() < deadline) {
      Thread.onSpinWait();
      response = ApiClient.getUrl(herald.httpBase() + "/ready");
    }
    return response;
  }

  /** Polls {@code /metrics} until any of the counters {@code names} is above 0. */
  private static void awaitMetric(HeraldProcess herald, String... names) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    PrometheusText scrape;
    do {
      scrape = MetricsTest.scrape(herald.httpBase() + "/metrics");
      for (String name : names) {
        if (scrape.value(name) > 0) {
          return;
        }
      }
      Thread.onSpinWait();
    } while (System.nanoTime() < deadline);
    throw new AssertionError("none of " + List.of(names) + " moved:\n" + scrape.text());
  }
}
