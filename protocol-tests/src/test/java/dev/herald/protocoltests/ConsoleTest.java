package dev.herald.protocoltests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The debug console's HTTP side: absent without {@code HERALD_CONSOLE_TOKEN}, its API closed to
 * requests without the token, and its state and trigger endpoints as the contract shapes them. The
 * page itself is driven in a browser by {@code console.test.mjs}.
 */
class ConsoleTest {

  private static final String TOKEN = "console-token-0123456789";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void withoutAConsoleTokenThereIsNoConsole() {
    try (HeraldProcess herald = HeraldProcess.withDefaults().start()) {
      assertEquals(404, ApiClient.getUrl(herald.httpBase() + "/console").status());
      assertEquals(404, ApiClient.getUrl(herald.httpBase() + "/console/api/state").status());
    }
  }

  @Test
  void theConsoleApiWantsTheTokenAndShowsAppsConnectionsAndChannels() throws Exception {
    try (HeraldProcess herald =
            HeraldProcess.withDefaults().env("HERALD_CONSOLE_TOKEN", TOKEN).start();
        RawClient client = RawClient.open(herald.wsUrl())) {
      String state = herald.httpBase() + "/console/api/state";
      assertEquals(200, ApiClient.getUrl(herald.httpBase() + "/console").status());
      assertEquals(401, send(state, null, null).statusCode(), "no token");
      assertEquals(401, send(state, "wrong-" + TOKEN, null).statusCode(), "wrong token");

      String channel = Unique.name("console-");
      client.subscribeOk(channel);
      HttpResponse<String> response = send(state, TOKEN, null);
      assertEquals(200, response.statusCode(), response::body);
      Json.assertJson(
          Json.write(
              Map.of(
                  "apps",
                  List.of(
                      Map.of(
                          "id",
                          HeraldProcess.APP_ID,
                          "key",
                          HeraldProcess.APP_KEY,
                          "connections",
                          1,
                          "channels",
                          List.of(Map.of("name", channel, "subscription_count", 1)))))),
          Json.parse(response.body()));

      String trigger =
          Json.write(
              Map.of(
                  "app_id",
                  HeraldProcess.APP_ID,
                  "channel",
                  channel,
                  "event",
                  "from-console",
                  "data",
                  "{\"a\":1}"));
      assertEquals(
          401, send(herald.httpBase() + "/console/api/trigger", null, trigger).statusCode());
      HttpResponse<String> sent = send(herald.httpBase() + "/console/api/trigger", TOKEN, trigger);
      assertEquals(200, sent.statusCode(), sent::body);
      Json.assertJson("{}", Json.parse(sent.body()));
      client.assertNext(
          Json.write(Map.of("event", "from-console", "channel", channel, "data", "{\"a\":1}")));
    }
  }

  @Test
  void theEventStreamTakesASingleUseTicketAndNeverTheTokenInItsUrl() throws Exception {
    try (HeraldProcess herald =
        HeraldProcess.withDefaults().env("HERALD_CONSOLE_TOKEN", TOKEN).start()) {
      String events = herald.httpBase() + "/console/api/events";
      String tickets = events + "/ticket";
      // The token in a query string (which proxies log) opens nothing.
      assertEquals(401, send(events + "?token=" + TOKEN, null, null).statusCode());
      assertEquals(401, send(events, TOKEN, null).statusCode(), "the stream wants a ticket");
      assertEquals(401, send(tickets, null, "").statusCode(), "a ticket wants the token");
      assertEquals(401, send(tickets, "wrong-" + TOKEN, "").statusCode());

      HttpResponse<String> issued = send(tickets, TOKEN, "");
      assertEquals(200, issued.statusCode(), issued::body);
      String ticket = Json.parse(issued.body()).path("ticket").asText();
      assertEquals(30, Json.parse(issued.body()).path("expires_in").asInt(), issued::body);
      assertTrue(ticket.length() >= 32, issued::body);

      HttpResponse<java.io.InputStream> stream =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(events + "?ticket=" + ticket))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofInputStream());
      try (java.io.InputStream body = stream.body()) {
        assertEquals(200, stream.statusCode());
        assertEquals("text/event-stream", stream.headers().firstValue("Content-Type").orElse(""));
        byte[] first = body.readNBytes(": herald console".length());
        assertEquals(": herald console", new String(first, StandardCharsets.UTF_8));
      }
      assertEquals(
          401, send(events + "?ticket=" + ticket, null, null).statusCode(), "used only once");
    }
  }

  @Test
  void theConsolePageSendsAStrictContentSecurityPolicy() throws Exception {
    try (HeraldProcess herald =
        HeraldProcess.withDefaults().env("HERALD_CONSOLE_TOKEN", TOKEN).start()) {
      HttpResponse<String> page = send(herald.httpBase() + "/console", null, null);
      assertEquals(200, page.statusCode());
      String policy = page.headers().firstValue("Content-Security-Policy").orElse("");
      assertTrue(policy.startsWith("default-src 'none'; script-src 'sha256-"), policy);
      assertTrue(policy.contains("style-src 'sha256-"), policy);
      assertTrue(policy.contains("connect-src 'self'"), policy);
      assertTrue(policy.contains("frame-ancestors 'none'"), policy);
      assertFalse(policy.contains("unsafe"), policy);
      assertFalse(page.body().contains("style=\""), "inline style attributes break the policy");
      assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(""));
    }
  }

  @Test
  void theConsoleCanBeServedOnTheMetricsPortOnly() throws Exception {
    int metricsPort = Ports.free();
    try (HeraldProcess herald =
        HeraldProcess.withDefaults()
            .env("HERALD_CONSOLE_TOKEN", TOKEN)
            .env("HERALD_METRICS_PORT", Integer.toString(metricsPort))
            .env("HERALD_CONSOLE_ON_METRICS_PORT", "true")
            .start()) {
      assertEquals(404, ApiClient.getUrl(herald.httpBase() + "/console").status());
      assertEquals(404, send(herald.httpBase() + "/console/api/state", TOKEN, null).statusCode());
      String inside = "http://127.0.0.1:" + metricsPort;
      assertEquals(200, ApiClient.getUrl(inside + "/console").status());
      HttpResponse<String> state = send(inside + "/console/api/state", TOKEN, null);
      assertEquals(200, state.statusCode(), state::body);
      assertEquals(401, send(inside + "/console/api/state", null, null).statusCode());
    }
    HeraldProcess.Exit refused =
        HeraldProcess.withDefaults()
            .env("HERALD_CONSOLE_TOKEN", TOKEN)
            .env("HERALD_CONSOLE_ON_METRICS_PORT", "true")
            .runExpectingExit();
    assertEquals(2, refused.code(), refused::output);
    assertTrue(refused.output().contains("HERALD_CONSOLE_ON_METRICS_PORT"), refused::output);
  }

  /** GET (no body) or POST (with a JSON body), with a Bearer token unless null. */
  private static HttpResponse<String> send(String url, String token, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      request
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }
}
