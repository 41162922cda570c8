package dev.herald.protocoltests;

import static dev.herald.protocoltests.ApiClient.assertError;
import static dev.herald.protocoltests.Frames.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.pusher.rest.Pusher;
import com.pusher.rest.data.Event;
import com.pusher.rest.data.Result;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTP API, driven both by the official pusher-http-java SDK and by raw signed requests (for
 * what no SDK would send).
 */
class HttpApiTest {

  @RegisterExtension static final HeraldProcess herald = HeraldProcess.withDefaults();
  private static ApiClient api;
  private static Pusher sdk;

  @BeforeAll
  static void createClients() {
    api = herald.api();
    sdk = sdk(herald, "127.0.0.1:" + herald.port());
  }

  @AfterAll
  static void closeSdk() throws Exception {
    sdk.close();
  }

  static Pusher sdk(HeraldProcess server, String host) {
    Pusher pusher =
        new Pusher(HeraldProcess.APP_ID, HeraldProcess.APP_KEY, HeraldProcess.APP_SECRET);
    pusher.setHost(host);
    pusher.setEncrypted(false);
    return pusher;
  }

  private static RawClient subscriber(String channel) {
    RawClient client = herald.open();
    client.subscribeOk(channel);
    return client;
  }

  /**
   * Asserts that the SDK call succeeded; its message (the body or the error) explains a failure.
   */
  private static void assertSucceeded(Result result) {
    assertEquals(Result.Status.SUCCESS, result.getStatus(), result.getMessage());
  }

  /**
   * Runs {@code check} while one connection per user id, in order, is joined to presence {@code
   * channel}; closes them afterwards.
   */
  private static void withMembers(String channel, List<String> userIds, Runnable check) {
    List<RawClient> members = new ArrayList<>();
    try {
      for (String userId : userIds) {
        RawClient member = herald.open();
        members.add(member);
        join(member, channel, userId);
      }
      check.run();
    } finally {
      members.forEach(RawClient::close);
    }
  }

  /** Joins presence {@code channel} as {@code userId} and reads the subscription_succeeded. */
  private static void join(RawClient client, String channel, String userId) {
    client.subscribePresence(channel, "{\"user_id\":\"" + userId + "\"}");
    client.awaitJson();
  }

  private static Map<String, Object> eventBody(String channel, String name, String data) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", name);
    body.put("channel", channel);
    body.put("data", data);
    return body;
  }

  // ---- triggering with the SDK -----------------------------------------------------------------

  @Test
  void sdkTriggerReachesASubscriberWithTheExactFrame() {
    String channel = Unique.name("sdk-");
    try (RawClient client = subscriber(channel)) {
      Result result = sdk.trigger(channel, "e", Map.of("message", "hi"));
      assertSucceeded(result);
      assertEquals(200, result.getHttpStatus());
      Json.assertJson("{}", Json.parse(result.getMessage()));
      client.assertNext(event(channel, "e", "{\"message\":\"hi\"}"));
    }
  }

  @Test
  void sdkTriggerToSeveralChannelsReachesEach() {
    String one = Unique.name("multi-");
    String two = Unique.name("multi-");
    try (RawClient first = subscriber(one);
        RawClient second = subscriber(two)) {
      assertSucceeded(sdk.trigger(List.of(one, two), "e", Map.of("n", 1)));
      first.assertNext(event(one, "e", "{\"n\":1}"));
      second.assertNext(event(two, "e", "{\"n\":1}"));
    }
  }

  @Test
  void sdkTriggerWithASocketIdExcludesThatConnection() {
    String channel = Unique.name("exclude-");
    try (RawClient excluded = subscriber(channel);
        RawClient other = subscriber(channel)) {
      assertSucceeded(sdk.trigger(channel, "e", Map.of("n", 1), excluded.socketId()));
      other.assertNext(event(channel, "e", "{\"n\":1}"));
      api.trigger(channel, "marker", "m");
      excluded.assertNext(event(channel, "marker", "m"));
      other.assertNext(event(channel, "marker", "m"));
    }
  }

  @Test
  void sdkBatchTriggerReachesEveryChannel() {
    String one = Unique.name("batch-");
    String two = Unique.name("batch-");
    try (RawClient first = subscriber(one);
        RawClient second = subscriber(two)) {
      assertSucceeded(
          sdk.trigger(
              List.of(new Event(one, "a", Map.of("i", 1)), new Event(two, "b", Map.of("i", 2)))));
      first.assertNext(event(one, "a", "{\"i\":1}"));
      second.assertNext(event(two, "b", "{\"i\":2}"));
    }
  }

  @Test
  void sdkChannelQueriesSeeOccupiedChannels() {
    String channel = Unique.name("presence-sdk-");
    try (RawClient member = herald.open()) {
      join(member, channel, "u1");
      Result users = sdk.get("/channels/" + channel + "/users");
      assertSucceeded(users);
      Json.assertJson("{\"users\":[{\"id\":\"u1\"}]}", Json.parse(users.getMessage()));
      Result info = sdk.get("/channels/" + channel, Map.of("info", "user_count"));
      Json.assertJson("{\"occupied\":true,\"user_count\":1}", Json.parse(info.getMessage()));
    }
  }

  @Test
  void sdkSeesAnErrorForAnInvalidRequest() {
    Result result = sdk.get("/channels/" + Unique.name("public-") + "/users");
    assertEquals(Result.Status.CLIENT_ERROR, result.getStatus(), result.getMessage());
    assertEquals(400, result.getHttpStatus());
  }

  // ---- triggering with raw requests ------------------------------------------------------------

  @Test
  void triggeredDataStringIsDeliveredExactlyAsGiven() {
    String channel = Unique.name("raw-");
    String data = "not json at all: \"quotes\", ünïcödé, \\ backslash";
    try (RawClient client = subscriber(channel)) {
      ApiClient.Response response = api.post("/events", Json.write(eventBody(channel, "e", data)));
      assertEquals(200, response.status(), response.body());
      Json.assertJson("{}", response.json());
      JsonNode frame = client.awaitJson();
      assertEquals(Set.of("event", "channel", "data"), Frames.fieldNames(frame));
      assertEquals("e", frame.get("event").asText());
      assertEquals(channel, frame.get("channel").asText());
      assertEquals(data, frame.get("data").asText());
      assertTrue(frame.get("data").isTextual());
    }
  }

  @Test
  void triggerWithChannelsArrayAndSocketIdExcludesThatConnection() {
    String channel = Unique.name("raw-exclude-");
    try (RawClient excluded = subscriber(channel);
        RawClient other = subscriber(channel)) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("name", "e");
      body.put("channels", List.of(channel));
      body.put("data", "d");
      body.put("socket_id", excluded.socketId());
      assertEquals(200, api.post("/events", Json.write(body)).status());
      other.assertNext(event(channel, "e", "d"));
      api.trigger(channel, "marker", "m");
      excluded.assertNext(event(channel, "marker", "m"));
    }
  }

  @Test
  void triggerWithInfoReturnsSubscriptionAndUserCounts() {
    String open = Unique.name("info-");
    String presence = Unique.name("presence-info-");
    try (RawClient a = subscriber(open);
        RawClient b = subscriber(open);
        RawClient member = herald.open();
        RawClient sameUser = herald.open()) {
      join(member, presence, "u1");
      join(sameUser, presence, "u1");

      Map<String, Object> body = new LinkedHashMap<>();
      body.put("name", "e");
      body.put("channels", List.of(open));
      body.put("data", "d");
      body.put("info", "subscription_count");
      ApiClient.Response response = api.post("/events", Json.write(body));
      assertEquals(200, response.status(), response.body());
      Json.assertJson(
          "{\"channels\":{\"" + open + "\":{\"subscription_count\":2}}}", response.json());
      a.assertNext(event(open, "e", "d"));
      b.assertNext(event(open, "e", "d"));

      body.put("channels", List.of(presence));
      body.put("info", "user_count");
      response = api.post("/events", Json.write(body));
      assertEquals(200, response.status(), response.body());
      Json.assertJson("{\"channels\":{\"" + presence + "\":{\"user_count\":1}}}", response.json());

      body.put("info", "user_count,subscription_count");
      response = api.post("/events", Json.write(body));
      assertEquals(200, response.status(), response.body());
      Json.assertJson(
          "{\"channels\":{\"" + presence + "\":{\"user_count\":1,\"subscription_count\":2}}}",
          response.json());
    }
  }

  @Test
  void batchWithInfoReturnsAttributesPerItemInRequestOrder() {
    String open = Unique.name("batch-info-");
    try (RawClient a = subscriber(open)) {
      Map<String, Object> withInfo = eventBody(open, "e1", "1");
      withInfo.put("info", "subscription_count");
      Map<String, Object> without = eventBody(open, "e2", "2");
      ApiClient.Response response =
          api.post("/batch_events", Json.write(Map.of("batch", List.of(withInfo, without))));
      assertEquals(200, response.status(), response.body());
      Json.assertJson("{\"batch\":[{\"subscription_count\":1},{}]}", response.json());
      a.assertNext(event(open, "e1", "1"));
      a.assertNext(event(open, "e2", "2"));
    }
  }

  @Test
  void batchWithoutInfoReturnsAnEmptyObject() {
    String channel = Unique.name("batch-plain-");
    try (RawClient client = subscriber(channel)) {
      ApiClient.Response response =
          api.post(
              "/batch_events", Json.write(Map.of("batch", List.of(eventBody(channel, "e", "x")))));
      assertEquals(200, response.status(), response.body());
      Json.assertJson("{}", response.json());
      client.assertNext(event(channel, "e", "x"));
    }
  }

  // ---- channel queries -------------------------------------------------------------------------

  @Test
  void channelsListsOnlyOccupiedChannelsMatchingThePrefix() {
    String prefix = Unique.name("list-") + "-";
    String occupied = prefix + "a";
    String alsoOccupied = prefix + "b";
    try (RawClient a = subscriber(occupied);
        RawClient b = subscriber(alsoOccupied);
        RawClient c = subscriber(Unique.name("elsewhere-"))) {
      a.subscribeOk(prefix + "left");
      a.unsubscribe(prefix + "left");
      a.assertPingPong();
      ApiClient.Response response = api.get("/channels", "filter_by_prefix", prefix);
      assertEquals(200, response.status(), response.body());
      Json.assertJson(
          "{\"channels\":{\"" + occupied + "\":{},\"" + alsoOccupied + "\":{}}}", response.json());
      b.assertNothingPending();
      c.assertNothingPending();
    }
  }

  @Test
  void channelsWithUserCountForAPresencePrefix() {
    String prefix = Unique.name("presence-list-") + "-";
    try (RawClient one = herald.open();
        RawClient two = herald.open();
        RawClient three = herald.open()) {
      join(one, prefix + "x", "u1");
      join(two, prefix + "x", "u2");
      join(three, prefix + "y", "u1");
      ApiClient.Response response =
          api.get("/channels", "filter_by_prefix", prefix, "info", "user_count");
      assertEquals(200, response.status(), response.body());
      Json.assertJson(
          "{\"channels\":{\""
              + prefix
              + "x\":{\"user_count\":2},\""
              + prefix
              + "y\":{\"user_count\":1}}}",
          response.json());
    }
  }

  @Test
  void channelsWithUserCountWithoutAPresencePrefixIs400() {
    assertError(api.get("/channels", "info", "user_count"), 400);
    assertError(api.get("/channels", "filter_by_prefix", "private-", "info", "user_count"), 400);
  }

  @Test
  void unoccupiedChannelIsReportedAsNotOccupied() {
    ApiClient.Response response = api.get("/channels/" + Unique.name("empty-"));
    assertEquals(200, response.status(), response.body());
    Json.assertJson("{\"occupied\":false}", response.json());
  }

  @Test
  void occupiedChannelReportsItsSubscriptionCount() {
    String channel = Unique.name("counted-");
    try (RawClient a = subscriber(channel);
        RawClient b = subscriber(channel)) {
      Json.assertJson("{\"occupied\":true}", api.get("/channels/" + channel).json());
      Json.assertJson(
          "{\"occupied\":true,\"subscription_count\":2}",
          api.get("/channels/" + channel, "info", "subscription_count").json());
      a.assertNothingPending();
      b.assertNothingPending();
    }
  }

  @Test
  void presenceChannelReportsItsUserCount() {
    String channel = Unique.name("presence-counted-");
    withMembers(
        channel,
        List.of("u1", "u1", "u2"),
        () ->
            Json.assertJson(
                "{\"occupied\":true,\"user_count\":2}",
                api.get("/channels/" + channel, "info", "user_count").json()));
  }

  @Test
  void presenceChannelReportsItsSubscriptionCountBesideItsUserCount() {
    String channel = Unique.name("presence-subscriptions-");
    withMembers(
        channel,
        List.of("u1", "u1", "u2"),
        () -> {
          Json.assertJson(
              "{\"occupied\":true,\"user_count\":2,\"subscription_count\":3}",
              api.get("/channels/" + channel, "info", "user_count,subscription_count").json());
          Result viaSdk =
              sdk.get("/channels/" + channel, Map.of("info", "user_count,subscription_count"));
          assertSucceeded(viaSdk);
          Json.assertJson(
              "{\"occupied\":true,\"user_count\":2,\"subscription_count\":3}",
              Json.parse(viaSdk.getMessage()));
          ApiClient.Response listed =
              api.get("/channels", "filter_by_prefix", channel, "info", "subscription_count");
          Json.assertJson(
              "{\"channels\":{\"" + channel + "\":{\"subscription_count\":3}}}", listed.json());
        });
  }

  @Test
  void userCountOnANonPresenceChannelIs400() {
    assertError(api.get("/channels/" + Unique.name("plain-"), "info", "user_count"), 400);
  }

  @Test
  void usersOfAPresenceChannelAreListedOncePerUser() {
    String channel = Unique.name("presence-users-");
    withMembers(
        channel,
        List.of("1", "2", "2"),
        () -> {
          ApiClient.Response response = api.get("/channels/" + channel + "/users");
          assertEquals(200, response.status(), response.body());
          JsonNode users = response.json().get("users");
          assertEquals(Set.of("users"), Frames.fieldNames(response.json()));
          assertEquals(2, users.size(), response.body());
          List<String> ids = new ArrayList<>();
          users.forEach(
              u -> {
                assertEquals(Set.of("id"), Frames.fieldNames(u), response.body());
                ids.add(u.get("id").asText());
              });
          assertEquals(Set.of("1", "2"), Set.copyOf(ids));
        });
  }

  @Test
  void usersOfANonPresenceChannelIs400() {
    assertError(api.get("/channels/" + Unique.name("private-") + "/users"), 400);
  }

  // ---- connections (Reverb's HTTP API, asked by Laravel Pulse) ---------------------------------

  @Test
  void connectionsCountsTheAppsOpenConnectionsThroughTheSdk() {
    try (RawClient first = herald.open();
        RawClient second = herald.open()) {
      first.subscribeOk(Unique.name("pulse-"));
      awaitConnections(sdk, 2);
      second.disconnect();
      awaitConnections(sdk, 1);
    }
    awaitConnections(sdk, 0);
  }

  @Test
  void connectionsWithoutASignatureIs401() {
    assertError(api.request("GET", "/connections").unsigned().send(), 401);
    assertError(api.request("GET", "/connections").signature("0".repeat(64)).send(), 401);
  }

  /**
   * Polls {@code GET /connections} through the SDK's generic get (as Reverb's Pulse recorder asks
   * it) until the body is exactly {@code {"connections":expected}}: a closed client leaves the
   * server a moment after its close frame.
   */
  static void awaitConnections(Pusher sdk, int expected) {
    awaitConnections(sdk, expected, ClusterTest.SETTLE);
  }

  /** {@link #awaitConnections(Pusher, int)} within {@code within}. */
  static void awaitConnections(Pusher sdk, int expected, java.time.Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    Result result;
    do {
      result = sdk.get("/connections");
      assertSucceeded(result);
      if (Json.parse(result.getMessage())
          .equals(Json.parse("{\"connections\":" + expected + "}"))) {
        return;
      }
      ClusterTest.pause(java.time.Duration.ofMillis(50));
    } while (System.nanoTime() < deadline);
    assertEquals("{\"connections\":" + expected + "}", result.getMessage());
  }

  // ---- authentication --------------------------------------------------------------------------

  @Test
  void unsignedRequestIs401() {
    assertError(api.request("GET", "/channels").unsigned().send(), 401);
  }

  @Test
  void badSignatureIs401() {
    assertError(api.request("GET", "/channels").signature("0".repeat(64)).send(), 401);
  }

  @Test
  void signatureWithAnotherSecretIs401() {
    assertError(
        api.request("GET", "/channels").credentials(HeraldProcess.APP_KEY, "nope").send(), 401);
  }

  @Test
  void unknownAuthKeyIs401() {
    assertError(
        api.request("GET", "/channels").credentials("other-key", HeraldProcess.APP_SECRET).send(),
        401);
  }

  @Test
  void expiredTimestampIs401() {
    long now = System.currentTimeMillis() / 1000;
    assertError(api.request("GET", "/channels").timestamp(now - 601).send(), 401);
  }

  @Test
  void timestampTooFarInTheFutureIs401() {
    long now = System.currentTimeMillis() / 1000;
    assertError(api.request("GET", "/channels").timestamp(now + 601).send(), 401);
  }

  @Test
  void timestampWithinTheWindowIsAccepted() {
    long now = System.currentTimeMillis() / 1000;
    assertEquals(200, api.request("GET", "/channels").timestamp(now - 500).send().status());
  }

  @Test
  void wrongBodyMd5Is401EvenWhenTheSignatureCoversIt() {
    String body = Json.write(eventBody(Unique.name("md5-"), "e", "d"));
    assertError(
        api.request("POST", "/events").body(body).bodyMd5(Signatures.md5Hex(new byte[0])).send(),
        401);
  }

  @Test
  void bodyChangedAfterSigningIs401() {
    String channel = Unique.name("tamper-");
    String signedBody = Json.write(eventBody(channel, "e", "d"));
    String sentBody = Json.write(eventBody(channel, "e", "evil"));
    assertError(
        api.request("POST", "/events")
            .body(sentBody)
            .bodyMd5(
                Signatures.md5Hex(signedBody.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
            .send(),
        401);
  }

  /**
   * A captured request URL, signed two hours ago, replayed with a fresh {@code auth_timestamp} and
   * a new body's {@code body_md5} added while the signed originals are kept under another letter
   * case (or repeated): refused, and nothing reaches the channel the forged body names.
   */
  @ParameterizedTest
  @ValueSource(strings = {"recased-after", "recased-before", "mixed-case", "repeated"})
  void aCapturedRequestReplayedWithAFreshTimestampUnderAnotherCaseIs401(String arrangement) {
    String watched = Unique.name("replay-");
    long now = System.currentTimeMillis() / 1000;
    long twoHoursAgo = now - 7200;
    String signedBody = Json.write(eventBody(Unique.name("orders-"), "e", "old"));
    String forgedBody = Json.write(eventBody(watched, "forged", "new"));
    String fresh =
        "auth_timestamp="
            + now
            + "&body_md5="
            + Signatures.md5Hex(forgedBody.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    try (RawClient watcher = subscriber(watched)) {
      ApiClient.Response response =
          api.request("POST", "/events")
              .body(signedBody)
              .sentBody(forgedBody)
              .timestamp(twoHoursAgo)
              .editQuery(
                  query -> {
                    String recased =
                        query
                            .replace("auth_timestamp=", "AUTH_TIMESTAMP=")
                            .replace("body_md5=", "BODY_MD5=");
                    return switch (arrangement) {
                      case "recased-after" -> fresh + "&" + recased;
                      case "recased-before" -> recased + "&" + fresh;
                      case "mixed-case" ->
                          fresh
                              + "&"
                              + query
                                  .replace("auth_timestamp=", "Auth_Timestamp=")
                                  .replace("body_md5=", "Body_MD5=");
                      default -> fresh + "&" + query;
                    };
                  })
              .send();
      assertError(response, 401);
      assertTrue(response.json().path("error").asText().contains("given"), response.body());
      Frames.assertMarkerIsNext(herald, watched, "after-replay", watcher);
    }
  }

  @Test
  void aSignedGetParameterGivenAgainUnderAnotherCaseIs401() {
    String prefix = Unique.name("presence-only-");
    ApiClient.Response signed =
        api.request("GET", "/channels").query("filter_by_prefix", prefix).send();
    assertEquals(200, signed.status(), signed.body());
    assertError(
        api.request("GET", "/channels")
            .query("filter_by_prefix", prefix)
            .editQuery(query -> "FILTER_BY_PREFIX=private-&" + query)
            .send(),
        401);
    assertError(
        api.request("GET", "/channels")
            .query("filter_by_prefix", "presence-")
            .editQuery(query -> query + "&INFO=user_count")
            .send(),
        401);
  }

  @Test
  void unknownAppIdIs404() {
    ApiClient other =
        new ApiClient(
            herald.apiBase(), "", "999999", HeraldProcess.APP_KEY, HeraldProcess.APP_SECRET);
    assertError(other.get("/channels"), 404);
  }

  @Test
  void unknownPathUnderTheAppIs404() {
    assertError(api.get("/no-such-thing"), 404);
  }

  @Test
  void unknownPathOutsideTheApiIs404() {
    assertError(ApiClient.getUrl(herald.httpBase() + "/nothing/here"), 404);
  }

  // ---- validation ------------------------------------------------------------------------------

  @Test
  void moreThan100ChannelsIs400() {
    List<String> channels = IntStream.range(0, 101).mapToObj(i -> "ch-" + i).toList();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", "e");
    body.put("channels", channels);
    body.put("data", "d");
    assertError(api.post("/events", Json.write(body)), 400);
  }

  @Test
  void exactly100ChannelsIsAccepted() {
    List<String> channels = IntStream.range(0, 100).mapToObj(i -> Unique.name("hundred-")).toList();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", "e");
    body.put("channels", channels);
    body.put("data", "d");
    ApiClient.Response response = api.post("/events", Json.write(body));
    assertEquals(200, response.status(), response.body());
  }

  @Test
  void batchOf11ItemsIs400() {
    List<Map<String, Object>> batch = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      batch.add(eventBody("batch-" + i, "e", "d"));
    }
    assertError(api.post("/batch_events", Json.write(Map.of("batch", batch))), 400);
  }

  @Test
  void dataOver10240BytesIs413() {
    String channel = Unique.name("big-");
    assertError(api.post("/events", Json.write(eventBody(channel, "e", "x".repeat(10241)))), 413);
  }

  @Test
  void dataOfExactly10240BytesIsAccepted() {
    String channel = Unique.name("big-");
    try (RawClient client = subscriber(channel)) {
      String data = "x".repeat(10240);
      ApiClient.Response response = api.post("/events", Json.write(eventBody(channel, "e", data)));
      assertEquals(200, response.status(), response.body());
      client.assertNext(event(channel, "e", data));
    }
  }

  @Test
  void batchItemWithDataOver10240BytesIs413() {
    Map<String, Object> item = eventBody(Unique.name("big-"), "e", "x".repeat(10241));
    assertError(api.post("/batch_events", Json.write(Map.of("batch", List.of(item)))), 413);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "{not json",
        "[]",
        "{}",
        "{\"channel\":\"c\",\"data\":\"d\"}",
        "{\"name\":\"e\",\"channel\":\"c\"}",
        "{\"name\":\"e\",\"data\":\"d\"}",
        "{\"name\":\"e\",\"channel\":\"c\",\"data\":{\"obj\":1}}",
        "{\"name\":\"e\",\"channel\":\"c\",\"data\":42}",
        "{\"name\":\"e\",\"channels\":[],\"data\":\"d\"}",
        "{\"name\":\"e\",\"channel\":\"bad channel\",\"data\":\"d\"}",
        "{\"name\":\"e\",\"channels\":[\"ok\",\"bad*\"],\"data\":\"d\"}",
        "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"d\",\"socket_id\":\"nope\"}",
        "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"d\",\"socket_id\":\"1.2.3\"}",
      })
  void invalidEventBodyIs400(String body) {
    assertError(api.post("/events", body), 400);
  }

  @Test
  void eventNameOver200CharactersIs400() {
    assertError(api.post("/events", Json.write(eventBody("c", "e".repeat(201), "d"))), 400);
  }

  @Test
  void channelNameOver164CharactersIs400() {
    assertError(api.post("/events", Json.write(eventBody("c".repeat(165), "e", "d"))), 400);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"{not json", "{}", "{\"batch\":{}}", "{\"batch\":[{\"name\":\"e\"}]}"})
  void invalidBatchBodyIs400(String body) {
    assertError(api.post("/batch_events", body), 400);
  }

  // ---- mount prefix ----------------------------------------------------------------------------

  /** With {@code REVERB_SERVER_PATH=/ws}, the API lives under {@code /ws/apps/...}. */
  @Nested
  class UnderAMountPrefix {

    @RegisterExtension
    static final HeraldProcess prefixed =
        HeraldProcess.withDefaults().env("REVERB_SERVER_PATH", "/ws");

    @Test
    void requestSignedOverThePathAsReceivedIsAccepted() {
      assertTriggerDelivered(prefixed.api().request("POST", "/events").signedWithPrefix());
    }

    @Test
    void requestSignedOverThePathWithoutThePrefixIsAccepted() {
      ApiClient.Request request = prefixed.api().request("POST", "/events");
      assertTriggerDelivered(request.signedPath("/apps/" + HeraldProcess.APP_ID + "/events"));
    }

    @Test
    void getSignedEitherWayIsAccepted() {
      String path = "/apps/" + HeraldProcess.APP_ID + "/channels";
      ApiClient.Response asReceived =
          prefixed.api().request("GET", "/channels").signedWithPrefix().send();
      assertEquals(200, asReceived.status(), asReceived.body());
      ApiClient.Response stripped =
          prefixed.api().request("GET", "/channels").signedPath(path).send();
      assertEquals(200, stripped.status(), stripped.body());
    }

    @Test
    void requestSignedOverAnotherPathIs401() {
      assertError(
          prefixed.api().request("GET", "/channels").signedPath("/other/apps/1001/channels").send(),
          401);
    }

    @Test
    void sdkBehindAProxyThatAddsThePrefixIsAccepted() throws Exception {
      String channel = Unique.name("sdk-prefixed-");
      Pusher proxied = sdk(prefixed, "127.0.0.1:" + prefixed.port() + "/ws");
      try (RawClient client = prefixed.open()) {
        client.subscribeOk(channel);
        assertSucceeded(proxied.trigger(channel, "e", Map.of("via", "sdk")));
        client.assertNext(event(channel, "e", "{\"via\":\"sdk\"}"));
      } finally {
        proxied.close();
      }
    }

    @Test
    void apiWithoutThePrefixIsNotServed() {
      ApiClient unprefixed =
          new ApiClient(
              prefixed.httpBase(),
              "",
              HeraldProcess.APP_ID,
              HeraldProcess.APP_KEY,
              HeraldProcess.APP_SECRET);
      assertError(unprefixed.get("/channels"), 404);
    }

    private void assertTriggerDelivered(ApiClient.Request request) {
      String channel = Unique.name("prefixed-");
      try (RawClient client = prefixed.open()) {
        client.subscribeOk(channel);
        ApiClient.Response response = request.body(Json.write(eventBody(channel, "e", "d"))).send();
        assertEquals(200, response.status(), response.body());
        client.assertNext(event(channel, "e", "d"));
      }
    }
  }
}
