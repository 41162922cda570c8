package dev.herald.protocoltests;

import static dev.herald.protocoltests.Frames.assertError;
import static dev.herald.protocoltests.Frames.event;
import static dev.herald.protocoltests.UserAuthenticationTest.userData;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Watchlists: a signed-in user's {@code user_data.watchlist} and the {@code
 * pusher_internal:watchlist_events} telling it when watched users come online or go offline.
 */
class WatchlistTest {

  @RegisterExtension static final HeraldProcess herald = HeraldProcess.withDefaults();

  @Test
  void signinGetsTheInitialOnlineAndOfflineWatchlistEvents() {
    String a = Unique.name("a-");
    String b = Unique.name("b-");
    String c = Unique.name("c-");
    try (RawClient bSocket = herald.open();
        RawClient aSocket = herald.open()) {
      bSocket.signinOk(userData(b, ""));
      aSocket.signinOk(watching(a, b, c));
      assertWatchlistEvents(
          aSocket.awaitJson(),
          "{\"events\":[{\"name\":\"online\",\"user_ids\":[\""
              + b
              + "\"]},{\"name\":\"offline\",\"user_ids\":[\""
              + c
              + "\"]}]}");
      aSocket.assertPingPong();
    }
  }

  @Test
  void initialEventsLeaveOutAKindWithNoIds() {
    String a = Unique.name("a-");
    String b = Unique.name("b-");
    String c = Unique.name("c-");
    try (RawClient aSocket = herald.open()) {
      aSocket.signinOk(watching(a, b, c));
      JsonNode frame = aSocket.awaitJson();
      assertWatchlistEventKinds(frame, Map.of("offline", Set.of(b, c)));
      aSocket.assertPingPong();
    }
  }

  @Test
  void watchedUserSigningInIsReportedOnlineAndItsClosingIsReportedOffline() {
    String a = Unique.name("a-");
    String c = Unique.name("c-");
    try (RawClient aSocket = herald.open();
        RawClient cSocket = herald.open()) {
      aSocket.signinOk(watching(a, c));
      assertWatchlistEvents(
          aSocket.awaitJson(),
          "{\"events\":[{\"name\":\"offline\",\"user_ids\":[\"" + c + "\"]}]}");

      cSocket.signinOk(userData(c, ""));
      assertWatchlistEvents(
          aSocket.awaitJson(), "{\"events\":[{\"name\":\"online\",\"user_ids\":[\"" + c + "\"]}]}");

      cSocket.disconnect();
      assertWatchlistEvents(
          aSocket.awaitJson(),
          "{\"events\":[{\"name\":\"offline\",\"user_ids\":[\"" + c + "\"]}]}");
      aSocket.assertPingPong();
    }
  }

  @Test
  void secondSocketOfAnOnlineUserSendsNothingAndOnlyTheLastClosingIsOffline() {
    String a = Unique.name("a-");
    String b = Unique.name("b-");
    String marker = Unique.name("marker-");
    try (RawClient aSocket = herald.open();
        RawClient bOne = herald.open();
        RawClient bTwo = herald.open()) {
      aSocket.signinOk(watching(a, b));
      aSocket.awaitJson(); // initial offline [b]
      aSocket.subscribeOk(marker);

      bOne.signinOk(userData(b, ""));
      assertWatchlistEvents(
          aSocket.awaitJson(), "{\"events\":[{\"name\":\"online\",\"user_ids\":[\"" + b + "\"]}]}");

      bTwo.signinOk(userData(b, ""));
      bOne.disconnect();
      // Neither the second sign-in nor closing one of two sockets is news to the watcher.
      herald.api().trigger(marker, "marker", "1");
      aSocket.assertNext(event(marker, "marker", "1"));

      bTwo.disconnect();
      assertWatchlistEvents(
          aSocket.awaitJson(),
          "{\"events\":[{\"name\":\"offline\",\"user_ids\":[\"" + b + "\"]}]}");
    }
  }

  @Test
  void watchedUserWhoseConnectionsAreTerminatedIsReportedOffline() {
    String a = Unique.name("a-");
    String b = Unique.name("b-");
    try (RawClient aSocket = herald.open();
        RawClient bSocket = herald.open()) {
      bSocket.signinOk(userData(b, ""));
      aSocket.signinOk(watching(a, b));
      assertWatchlistEvents(
          aSocket.awaitJson(), "{\"events\":[{\"name\":\"online\",\"user_ids\":[\"" + b + "\"]}]}");
      ApiClient.Response response =
          herald.api().post("/users/" + b + "/terminate_connections", "{}");
      assertEquals(200, response.status(), response::body);
      assertEquals(4009, bSocket.awaitClose());
      assertWatchlistEvents(
          aSocket.awaitJson(),
          "{\"events\":[{\"name\":\"offline\",\"user_ids\":[\"" + b + "\"]}]}");
    }
  }

  @Test
  void usersOutsideTheWatchlistAreNotReported() {
    String a = Unique.name("a-");
    String b = Unique.name("b-");
    String stranger = Unique.name("s-");
    String marker = Unique.name("marker-");
    try (RawClient aSocket = herald.open();
        RawClient strangerSocket = herald.open()) {
      aSocket.signinOk(watching(a, b));
      aSocket.awaitJson(); // initial offline [b]
      aSocket.subscribeOk(marker);
      strangerSocket.signinOk(userData(stranger, ""));
      strangerSocket.disconnect();
      herald.api().trigger(marker, "marker", "1");
      aSocket.assertNext(event(marker, "marker", "1"));
    }
  }

  @Test
  void emptyOrMissingWatchlistSendsNoWatchlistEvents() {
    try (RawClient empty = herald.open();
        RawClient none = herald.open()) {
      empty.signinOk(userData(Unique.name("a-"), ",\"watchlist\":[]"));
      empty.assertPingPong();
      none.signinOk(userData(Unique.name("a-"), ""));
      none.assertPingPong();
    }
  }

  @Test
  void watchlistOf101IdsStillSignsInWithError4302AndKeepsTheFirst100() {
    String a = Unique.name("a-");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 101; i++) {
      ids.add(Unique.name("w-"));
    }
    String userData = "{\"id\":\"" + a + "\",\"watchlist\":" + Json.write(ids) + "}";
    try (RawClient client = herald.open()) {
      client.signin(userData);
      // signin_success, the 4302 error and the initial events, in an order the contract leaves
      // open.
      Map<String, JsonNode> byEvent = new HashMap<>();
      for (int i = 0; i < 3; i++) {
        JsonNode frame = client.awaitJson();
        byEvent.put(frame.path("event").asText(), frame);
      }
      JsonNode success = byEvent.get("pusher:signin_success");
      assertNotNull(success, byEvent::toString);
      Json.assertJson(
          Json.write(
              Map.of(
                  "event",
                  "pusher:signin_success",
                  "data",
                  Json.write(Map.of("user_data", userData)))),
          success);
      JsonNode error = byEvent.get("pusher:error");
      assertNotNull(error, byEvent::toString);
      assertError(error, 4302);
      JsonNode events = byEvent.get("pusher_internal:watchlist_events");
      assertNotNull(events, byEvent::toString);
      assertWatchlistEventKinds(events, Map.of("offline", Set.copyOf(ids.subList(0, 100))));
      client.assertPingPong();
    }
  }

  @Test
  void watchlistOfExactly100IdsGetsNoError() {
    String a = Unique.name("a-");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      ids.add(Unique.name("w-"));
    }
    try (RawClient client = herald.open()) {
      client.signinOk("{\"id\":\"" + a + "\",\"watchlist\":" + Json.write(ids) + "}");
      assertWatchlistEventKinds(client.awaitJson(), Map.of("offline", Set.copyOf(ids)));
      client.assertPingPong();
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static String watching(String id, String... watched) {
    return userData(id, ",\"watchlist\":" + Json.write(List.of(watched)));
  }

  /**
   * Asserts {@code {"event":"pusher_internal:watchlist_events","data":"<expectedData>"}} with no
   * channel; the data string is compared as JSON (order of events and ids included).
   */
  static void assertWatchlistEvents(JsonNode frame, String expectedData) {
    assertEquals("pusher_internal:watchlist_events", frame.path("event").asText(), frame::toString);
    assertEquals(Set.of("event", "data"), Frames.fieldNames(frame), frame::toString);
    Json.assertJson(expectedData, Json.dataOf(frame));
  }

  /** Like {@link #assertWatchlistEvents} with the ids of each kind compared as sets. */
  private static void assertWatchlistEventKinds(JsonNode frame, Map<String, Set<String>> kinds) {
    assertEquals("pusher_internal:watchlist_events", frame.path("event").asText(), frame::toString);
    assertEquals(Set.of("event", "data"), Frames.fieldNames(frame), frame::toString);
    JsonNode data = Json.dataOf(frame);
    assertEquals(Set.of("events"), Frames.fieldNames(data), data::toString);
    Map<String, Set<String>> actual = new HashMap<>();
    for (JsonNode entry : data.get("events")) {
      assertEquals(Set.of("name", "user_ids"), Frames.fieldNames(entry), data::toString);
      actual.put(entry.get("name").asText(), Json.textSet(entry.get("user_ids")));
      assertEquals(
          actual.get(entry.get("name").asText()).size(),
          entry.get("user_ids").size(),
          () -> "duplicate ids in " + data);
    }
    assertEquals(kinds, actual, data::toString);
  }
}
