package dev.herald.protocoltests;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
