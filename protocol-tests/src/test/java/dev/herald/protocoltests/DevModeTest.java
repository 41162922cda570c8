package dev.herald.protocoltests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What {@code --dev} adds, seen from outside: nothing at all without the flag; with it, the demo
 * page, an auth endpoint whose signatures Herald accepts and which refuses bad input with JSON
 * errors, and a trigger that publishes to the development app. The page itself is driven in
 * Chromium by {@code demo.test.mjs}.
 */
class DevModeTest {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String FORM = "application/x-www-form-urlencoded";
  private static final String JSON = "application/json";

  private static HeraldProcess dev;

  @BeforeAll
  static void startDevServer() {
    dev = HeraldProcess.withDevelopmentApp().args("--dev").start();
  }

  @AfterAll
  static void stopDevServer() {
    if (dev != null) {
      dev.close();
    }
  }

  @Test
  void withoutDevTheDemoPageAndItsEndpointsDoNotExist() {
    try (HeraldProcess plain = HeraldProcess.withDevelopmentApp().start()) {
      String base = plain.httpBase() + "/demo";
      for (String path :
          List.of("", "/", "/config.json", "/demo.js", "/vendor/pusher-js/pusher.min.js")) {
        assertNotFound(get(base + path), "GET /demo" + path);
      }
      assertNotFound(
          post(base + "/broadcasting/auth", FORM, authForm("presence-chat.a", "1", "Ada")),
          "POST /demo/broadcasting/auth");
      assertNotFound(
          post(base + "/api/trigger", JSON, "{\"channel\":\"a\",\"event\":\"e\",\"data\":{}}"),
          "POST /demo/api/trigger");
      assertTrue(!plain.output().contains("/demo/"), plain::output);
    }
  }

  @Test
  void devRefusesToStartWithAConfiguredApp() {
    HeraldProcess.Exit exit = HeraldProcess.withDefaults().args("--dev").runExpectingExit();
    assertEquals(2, exit.code(), exit.output());
    assertTrue(
        exit.output()
            .contains(
                "herald: configuration error: command line --dev: the demo runs only with the"
                    + " built-in development app"),
        exit.output());
  }

  @Test
  void devServesThePageAndPrintsWhereItIs() {
    Response page = get(dev.httpBase() + "/demo/");
    assertEquals(200, page.status());
    assertTrue(page.body().contains("<title>Herald demo"), page.body());
    assertEquals("text/html; charset=utf-8", page.contentType());
    Response redirect = get(dev.httpBase() + "/demo");
    assertEquals(301, redirect.status());
    assertEquals(200, get(dev.httpBase() + "/demo/vendor/laravel-echo/echo.iife.js").status());
    assertNotFound(get(dev.httpBase() + "/demo/pom.xml"), "a file the demo does not list");
    Json.assertJson(
        "{\"key\":\"herald-key\",\"ws_path\":\"\"}",
        Json.parse(get(dev.httpBase() + "/demo/config.json").body()));
    assertTrue(
        dev.output().contains("http://127.0.0.1:" + dev.port() + "/demo/"),
        "the start banner names the demo's URL:\n" + dev.output());
  }

  @Test
  void theDemoFollowsTheMountPath() {
    try (HeraldProcess mounted =
        HeraldProcess.withDevelopmentApp().env("REVERB_SERVER_PATH", "/ws").args("--dev").start()) {
      assertEquals(200, get(mounted.httpBase() + "/ws/demo/").status());
      Json.assertJson(
          "{\"key\":\"herald-key\",\"ws_path\":\"/ws\"}",
          Json.parse(get(mounted.httpBase() + "/ws/demo/config.json").body()));
      assertNotFound(get(mounted.httpBase() + "/demo/"), "/demo/ outside the mount path");
      assertTrue(
          mounted.output().contains("http://127.0.0.1:" + mounted.port() + "/ws/demo/"),
          mounted::output);
    }
  }

  @Test
  void theAuthEndpointSignsPresenceAndOwnUserChannelsThatHeraldAccepts() {
    try (RawClient client = RawClient.open(dev.wsUrl(HeraldProcess.DEV_APP_KEY))) {
      String room = "presence-" + Unique.name("chat.");
      Response presence =
          post(
              dev.httpBase() + "/demo/broadcasting/auth",
              FORM,
              authForm(client.socketId(), room, "7", "Zoë"));
      assertEquals(200, presence.status(), presence.body());
      JsonNode answer = Json.parse(presence.body());
      String channelData = answer.path("channel_data").asText();
      Json.assertJson(
          "{\"user_id\":\"7\",\"user_info\":{\"id\":\"7\",\"name\":\"Zoë\"}}",
          Json.parse(channelData));
      client.sendJson(
          Map.of(
              "event",
              "pusher:subscribe",
              "data",
              Map.of(
                  "channel",
                  room,
                  "auth",
                  answer.path("auth").asText(),
                  "channel_data",
                  channelData)));
      JsonNode joined = client.awaitJson();
      assertEquals("pusher_internal:subscription_succeeded", joined.path("event").asText());
      Json.assertJson(
          "{\"presence\":{\"ids\":[\"7\"],\"hash\":{\"7\":{\"id\":\"7\",\"name\":\"Zoë\"}},"
              + "\"count\":1}}",
          Json.dataOf(joined));

      // JSON works as well as the form pusher-js posts.
      String inbox = "private-App.Models.User.7";
      Response own =
          post(
              dev.httpBase() + "/demo/broadcasting/auth",
              JSON,
              Json.write(
                  Map.of(
                      "socket_id",
                      client.socketId(),
                      "channel_name",
                      inbox,
                      "user_id",
                      "7",
                      "user_name",
                      "Zoë")));
      assertEquals(200, own.status(), own.body());
      client.sendJson(
          Map.of(
              "event",
              "pusher:subscribe",
              "data",
              Map.of("channel", inbox, "auth", Json.parse(own.body()).path("auth").asText())));
      client.assertNext(
          Json.write(
              Map.of(
                  "event",
                  "pusher_internal:subscription_succeeded",
                  "channel",
                  inbox,
                  "data",
                  "{}")));
    }
  }

  @Test
  void theAuthEndpointRefusesBadInputWithJsonErrors() {
    String auth = dev.httpBase() + "/demo/broadcasting/auth";
    Map<String, Response> answers = new LinkedHashMap<>();
    answers.put("no socket_id", post(auth, FORM, "channel_name=private-a&user_id=1&user_name=A"));
    answers.put("bad socket_id", post(auth, FORM, authForm("12", "private-a", "1", "A")));
    answers.put("no channel", post(auth, FORM, "socket_id=1.2&user_id=1&user_name=A"));
    answers.put("bad channel", post(auth, FORM, authForm("1.2", "private-a b", "1", "A")));
    answers.put("public channel", post(auth, FORM, authForm("1.2", "orders.1", "1", "A")));
    answers.put(
        "encrypted channel", post(auth, FORM, authForm("1.2", "private-encrypted-a", "1", "A")));
    answers.put("not signed in", post(auth, FORM, "socket_id=1.2&channel_name=private-a"));
    answers.put("bad user_id", post(auth, FORM, authForm("1.2", "private-a", "a b", "A")));
    answers.put("blank user_name", post(auth, FORM, authForm("1.2", "private-a", "1", "  ")));
    answers.put(
        "long user_name", post(auth, FORM, authForm("1.2", "private-a", "1", "n".repeat(65))));
    answers.put(
        "someone else's inbox",
        post(auth, FORM, authForm("1.2", "private-App.Models.User.2", "1", "A")));
    answers.put(
        "repeated field", post(auth, FORM, authForm("1.2", "private-a", "1", "A") + "&user_id=2"));
    answers.put("text/plain", post(auth, "text/plain", authForm("1.2", "private-a", "1", "A")));
    answers.put("JSON that is not an object", post(auth, JSON, "[1]"));
    answers.put("JSON that is not JSON", post(auth, JSON, "{"));
    answers.put("JSON with an object value", post(auth, JSON, "{\"socket_id\":{}}"));
    answers.put(
        "body over 4 KiB",
        post(auth, FORM, authForm("1.2", "private-a", "1", "A") + "&x=" + "a".repeat(5000)));
    answers.put(
        "another site's page",
        post(auth, FORM, authForm("1.2", "private-a", "1", "A"), "Origin", "http://evil.test"));
    answers.put(
        "a cross-site fetch",
        post(auth, FORM, authForm("1.2", "private-a", "1", "A"), "Sec-Fetch-Site", "cross-site"));

    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("no socket_id", "400 socket_id must look like 1234.5678");
    expected.put("bad socket_id", "400 socket_id must look like 1234.5678");
    expected.put("no channel", "400 channel_name: Channel name is empty");
    expected.put(
        "bad channel",
        "400 channel_name: Channel name may only contain A-Z, a-z, 0-9, _, -, =, @, ',', . and ;");
    expected.put(
        "public channel",
        "400 channel_name: only private- and presence- channels are authorised; orders.1 needs no"
            + " signature");
    expected.put(
        "encrypted channel",
        "400 channel_name: the demo does not sign encrypted channels (they need the app's"
            + " encryption master key)");
    expected.put(
        "not signed in",
        "403 Not signed in: the demo page sends user_id and user_name with each auth request");
    expected.put("bad user_id", "400 user_id must be 1 to 32 of A-Z, a-z, 0-9, _ and -");
    expected.put(
        "blank user_name", "400 user_name must be 1 to 64 characters, without control characters");
    expected.put(
        "long user_name", "400 user_name must be 1 to 64 characters, without control characters");
    expected.put(
        "someone else's inbox", "403 private-App.Models.User.2 belongs to user 2, not to user 1");
    expected.put("repeated field", "400 user_id is given more than once");
    expected.put(
        "text/plain",
        "415 Content-Type must be application/x-www-form-urlencoded or application/json");
    expected.put("JSON that is not an object", "400 Request body must be a JSON object");
    expected.put("JSON that is not JSON", "400 Request body is not valid JSON");
    expected.put("JSON with an object value", "400 socket_id must be a string");
    expected.put("body over 4 KiB", "413 Request body too large");
    expected.put(
        "another site's page",
        "403 Cross-origin request refused: the demo's endpoints serve its own page");
    expected.put(
        "a cross-site fetch",
        "403 Cross-origin request refused: the demo's endpoints serve its own page");

    assertEquals(render(expected), render(errors(answers)));
  }

  @Test
  void theTriggerPublishesToTheDevelopmentAppAndLeavesOutTheGivenSocket() {
    String trigger = dev.httpBase() + "/demo/api/trigger";
    String channel = Unique.name("orders.");
    try (RawClient sender = RawClient.open(dev.wsUrl(HeraldProcess.DEV_APP_KEY));
        RawClient other = RawClient.open(dev.wsUrl(HeraldProcess.DEV_APP_KEY))) {
      sender.subscribeOk(channel);
      other.subscribeOk(channel);
      Response sent =
          post(
              trigger,
              JSON,
              Json.write(
                  Map.of(
                      "channel",
                      channel,
                      "event",
                      "App\\Events\\OrderShipped",
                      "data",
                      Map.of("order", Map.of("id", 1)))));
      assertEquals(200, sent.status(), sent.body());
      Json.assertJson("{}", Json.parse(sent.body()));
      String shipped =
          Json.write(
              Map.of(
                  "event",
                  "App\\Events\\OrderShipped",
                  "channel",
                  channel,
                  "data",
                  "{\"order\":{\"id\":1}}"));
      sender.assertNext(shipped);
      other.assertNext(shipped);

      // toOthers(): the sender's socket is left out; a string data is passed on as it is.
      String toOthers =
          Json.write(
              Map.of(
                  "channel",
                  channel,
                  "event",
                  "second",
                  "data",
                  "as-is",
                  "socket_id",
                  sender.socketId()));
      assertEquals(200, post(trigger, JSON, toOthers).status());
      other.assertNext(Json.write(Map.of("event", "second", "channel", channel, "data", "as-is")));
      sender.assertPingPong();
    }
  }

  @Test
  void theTriggerRefusesBadInputWithJsonErrors() {
    String trigger = dev.httpBase() + "/demo/api/trigger";
    Map<String, Response> answers = new LinkedHashMap<>();
    answers.put("a form", post(trigger, FORM, "channel=a&event=e"));
    answers.put("text/plain", post(trigger, "text/plain", "{\"channel\":\"a\",\"event\":\"e\"}"));
    answers.put("not JSON", post(trigger, JSON, "{"));
    answers.put("no channel", post(trigger, JSON, "{\"event\":\"e\"}"));
    answers.put("bad channel", post(trigger, JSON, "{\"channel\":\"a b\",\"event\":\"e\"}"));
    answers.put(
        "encrypted channel",
        post(trigger, JSON, "{\"channel\":\"private-encrypted-a\",\"event\":\"e\"}"));
    answers.put(
        "server-to-user channel",
        post(trigger, JSON, "{\"channel\":\"#server-to-user-1\",\"event\":\"e\"}"));
    answers.put("no event", post(trigger, JSON, "{\"channel\":\"a\"}"));
    answers.put(
        "protocol event",
        post(trigger, JSON, "{\"channel\":\"a\",\"event\":\"pusher:member_added\"}"));
    answers.put(
        "number data", post(trigger, JSON, "{\"channel\":\"a\",\"event\":\"e\",\"data\":1}"));
    answers.put(
        "bad socket_id",
        post(trigger, JSON, "{\"channel\":\"a\",\"event\":\"e\",\"socket_id\":\"x\"}"));
    answers.put(
        "data over the app's limit",
        post(
            trigger,
            JSON,
            Json.write(Map.of("channel", "a", "event", "e", "data", "d".repeat(10_241)))));
    answers.put(
        "body over the limit",
        post(
            trigger,
            JSON,
            Json.write(Map.of("channel", "a", "event", "e", "data", "d".repeat(100_000)))));
    answers.put(
        "another site's page",
        post(trigger, JSON, "{\"channel\":\"a\",\"event\":\"e\"}", "Origin", "http://evil.test"));

    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("a form", "415 Content-Type must be application/json");
    expected.put("text/plain", "415 Content-Type must be application/json");
    expected.put("not JSON", "400 Request body is not valid JSON");
    expected.put("no channel", "400 channel must be a string");
    expected.put(
        "bad channel",
        "400 channel: Channel name may only contain A-Z, a-z, 0-9, _, -, =, @, ',', . and ;");
    expected.put(
        "encrypted channel",
        "400 channel: the demo publishes to public, private- and presence- channels only");
    expected.put(
        "server-to-user channel",
        "400 channel: the demo publishes to public, private- and presence- channels only");
    expected.put("no event", "400 event must be a string");
    expected.put(
        "protocol event", "400 event: pusher: and pusher_internal: names are the protocol's");
    expected.put("number data", "400 data must be a JSON object, a list or a string");
    expected.put("bad socket_id", "400 socket_id must look like 1234.5678");
    expected.put("data over the app's limit", "413 data is 10241 bytes; the limit is 10240 bytes");
    expected.put("body over the limit", "413 Request body too large");
    expected.put(
        "another site's page",
        "403 Cross-origin request refused: the demo's endpoints serve its own page");

    assertEquals(render(expected), render(errors(answers)));
  }

  // ---- helpers

  private record Response(int status, String body, String contentType) {}

  private static String authForm(String socketId, String channel, String userId, String name) {
    return "socket_id="
        + encode(socketId)
        + "&channel_name="
        + encode(channel)
        + "&user_id="
        + encode(userId)
        + "&user_name="
        + encode(name);
  }

  private static String authForm(String channel, String userId, String name) {
    return authForm("1234.5678", channel, userId, name);
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /**
   * Each answer as "status error", checking on the way that it is exactly an error body {@code
   * {"error":…,"code":status}}.
   */
  private static Map<String, String> errors(Map<String, Response> answers) {
    Map<String, String> errors = new LinkedHashMap<>();
    answers.forEach(
        (name, response) -> {
          JsonNode body = Json.parse(response.body());
          List<String> fields = new ArrayList<>();
          body.fieldNames().forEachRemaining(fields::add);
          Collections.sort(fields);
          assertEquals(List.of("code", "error"), fields, () -> name + ": " + response.body());
          assertEquals(
              response.status(), body.path("code").asInt(), () -> name + ": " + response.body());
          assertEquals(JSON, response.contentType(), name);
          errors.put(name, response.status() + " " + body.path("error").asText());
        });
    return errors;
  }

  private static String render(Map<String, String> answers) {
    return answers.entrySet().stream()
        .map(entry -> entry.getKey() + " -> " + entry.getValue())
        .collect(Collectors.joining("\n"));
  }

  private static void assertNotFound(Response response, String what) {
    assertEquals(404, response.status(), what);
    Json.assertJson("{\"error\":\"Not found\",\"code\":404}", Json.parse(response.body()));
  }

  private static Response get(String url) {
    return send(HttpRequest.newBuilder(URI.create(url)).GET());
  }

  private static Response post(String url, String contentType, String body, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return send(request);
  }

  private static Response send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response =
          HTTP.send(
              request.timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Response(
          response.statusCode(),
          response.body(),
          response.headers().firstValue("Content-Type").orElse(null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
