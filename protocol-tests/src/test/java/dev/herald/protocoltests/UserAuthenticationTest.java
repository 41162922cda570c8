package dev.herald.protocoltests;

import static dev.herald.protocoltests.Frames.assertError;
import static dev.herald.protocoltests.Frames.assertSubscriptionError;
import static dev.herald.protocoltests.Frames.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * User authentication ({@code pusher:signin}), the per-user channel {@code #server-to-user-{id}},
 * {@code terminate_connections} and the authorized-connections timeout.
 */
class UserAuthenticationTest {

  @RegisterExtension static final HeraldProcess herald = HeraldProcess.withDefaults();

  // ---- sign-in ---------------------------------------------------------------------------------

  @Test
  void signinWithAValidSignatureGetsTheExactSigninSuccessEchoingUserData() {
    String userData = userData(Unique.name("u-"), ",\"user_info\":{\"name\":\"Ann\"}");
    try (RawClient client = herald.open()) {
      client.signin(userData);
      JsonNode frame = client.awaitJson();
      Json.assertJson(
          Json.write(
              Map.of(
                  "event",
                  "pusher:signin_success",
                  "data",
                  Json.write(Map.of("user_data", userData)))),
          frame);
      // The echoed user_data is the exact string that was signed, not a re-serialisation.
      assertEquals(userData, Json.dataOf(frame).get("user_data").asText());
      client.assertPingPong();
    }
  }

  @Test
  void signinSuccessEchoesUserDataExactlyAsSentNotReserialised() {
    String id = Unique.name("u-");
    String userData =
        "{ \"id\" : \"" + id + "\", \"user_info\": {\"name\":\"Zo\u00eb\",\"url\":\"a\\/b\"} }";
    try (RawClient client = herald.open()) {
      client.signin(userData);
      JsonNode frame = client.awaitJson();
      assertEquals("pusher:signin_success", frame.path("event").asText(), frame::toString);
      assertEquals(userData, Json.dataOf(frame).get("user_data").asText());
    }
  }

  @Test
  void signinWithABadSignatureGetsError4009AndTheConnectionStaysOpen() {
    String id = Unique.name("u-");
    String userData = userData(id, "");
    try (RawClient client = herald.open()) {
      client.signin(userData, HeraldProcess.APP_KEY + ":" + "0".repeat(64));
      JsonNode error = client.awaitJson();
      assertError(error, 4009);
      assertEquals("Invalid signature", error.get("data").get("message").asText(), error::toString);
      client.assertPingPong();
      assertFalse(client.isClosed(), client::closeReason);

      // Not signed in: its own server-to-user channel is still refused.
      subscribeServerToUser(client, id);
      assertSubscriptionError(client.awaitJson(), "#server-to-user-" + id, "AuthError", 401);
    }
  }

  @Test
  void signinSignedForAnotherSocketGetsError4009() {
    String userData = userData(Unique.name("u-"), "");
    try (RawClient client = herald.open();
        RawClient other = herald.open()) {
      client.signin(userData, Signatures.userAuth(other.socketId(), userData));
      assertError(client.awaitJson(), 4009);
      client.assertPingPong();
    }
  }

  @ParameterizedTest(name = "user_data={0}")
  @ValueSource(
      strings = {"{}", "{\"user_info\":{\"name\":\"A\"}}", "{\"id\":5}", "{\"id\":null}", "[]"})
  void signinWhoseUserDataHasNoStringIdGetsError4009AndTheConnectionStaysOpen(String userData) {
    try (RawClient client = herald.open()) {
      client.signin(userData);
      assertError(client.awaitJson(), 4009);
      client.assertPingPong();
    }
  }

  @Test
  void signinAsAnotherUserOnASignedInConnectionIsAnErrorAndKeepsTheFirstUser() {
    String first = Unique.name("u-");
    String second = Unique.name("u-");
    try (RawClient client = herald.open()) {
      client.signinOk(userData(first, ""));
      client.signin(userData(second, ""));
      JsonNode error = client.awaitJson();
      assertEquals("pusher:error", error.path("event").asText(), error::toString);
      client.assertPingPong();
      subscribeServerToUser(client, second);
      assertSubscriptionError(client.awaitJson(), "#server-to-user-" + second, "AuthError", 401);
      subscribeServerToUser(client, first);
      assertEquals(
          "pusher_internal:subscription_succeeded", client.awaitJson().path("event").asText());
    }
  }

  // ---- #server-to-user-{id} --------------------------------------------------------------------

  @Test
  void signedInConnectionSubscribesToItsOwnServerToUserChannel() {
    String id = Unique.name("u-");
    try (RawClient client = herald.open()) {
      client.signinOk(userData(id, ""));
      subscribeServerToUser(client, id);
      client.assertNext(
          Json.write(
              Map.of(
                  "event",
                  "pusher_internal:subscription_succeeded",
                  "channel",
                  "#server-to-user-" + id,
                  "data",
                  "{}")));
      client.assertPingPong();
    }
  }

  @Test
  void anotherUsersServerToUserChannelGetsAuthError401() {
    String id = Unique.name("u-");
    String other = Unique.name("u-");
    try (RawClient client = herald.open()) {
      client.signinOk(userData(id, ""));
      subscribeServerToUser(client, other);
      assertSubscriptionError(client.awaitJson(), "#server-to-user-" + other, "AuthError", 401);
      client.assertPingPong();
    }
  }

  @Test
  void serverToUserChannelBeforeSigninGetsAuthError401() {
    String id = Unique.name("u-");
    try (RawClient client = herald.open()) {
      subscribeServerToUser(client, id);
      assertSubscriptionError(client.awaitJson(), "#server-to-user-" + id, "AuthError", 401);
      client.assertPingPong();
      // Signing in afterwards makes the same subscription succeed.
      client.signinOk(userData(id, ""));
      subscribeServerToUser(client, id);
      assertEquals(
          "pusher_internal:subscription_succeeded", client.awaitJson().path("event").asText());
    }
  }

  @Test
  void sendToUserReachesEverySocketSignedInAsThatUserOnceWhetherSubscribedOrNot() {
    String id = Unique.name("u-");
    String otherId = Unique.name("u-");
    String channel = "#server-to-user-" + id;
    String marker = Unique.name("marker-");
    try (RawClient tabOne = signedInAndSubscribed(id);
        RawClient tabTwo = signedInAndSubscribed(id);
        RawClient notSubscribed = herald.open();
        RawClient otherUser = signedInAndSubscribed(otherId);
        RawClient anonymous = herald.open()) {
      notSubscribed.signinOk(userData(id, ""));
      notSubscribed.subscribeOk(marker);
      tabOne.subscribeOk(marker);
      tabTwo.subscribeOk(marker);
      otherUser.subscribeOk(marker);
      anonymous.subscribeOk(marker);

      ApiClient.Response response =
          herald
              .api()
              .post(
                  "/events",
                  Json.write(
                      Map.of(
                          "name",
                          "notice",
                          "data",
                          "{\"text\":\"hi\"}",
                          "channels",
                          List.of(channel))));
      assertEquals(200, response.status(), response::body);
      tabOne.assertNext(event(channel, "notice", "{\"text\":\"hi\"}"));
      tabTwo.assertNext(event(channel, "notice", "{\"text\":\"hi\"}"));
      // Signed in as the user but not subscribed to its channel: Pusher delivers to a user's
      // signed-in connections "without them having to subscribe" (pusher-js subscribes, other
      // clients may not).
      notSubscribed.assertNext(event(channel, "notice", "{\"text\":\"hi\"}"));

      herald.api().trigger(marker, "marker", "m");
      // Exactly once each: the marker is next, with no second copy of the notice before it.
      tabOne.assertNext(event(marker, "marker", "m"));
      tabTwo.assertNext(event(marker, "marker", "m"));
      notSubscribed.assertNext(event(marker, "marker", "m"));
      otherUser.assertNext(event(marker, "marker", "m"));
      anonymous.assertNext(event(marker, "marker", "m"));
    }
  }

  // ---- terminate_connections -------------------------------------------------------------------

  @Test
  void terminateConnectionsClosesEverySocketOfTheUserWith4009AndLeavesOthersOpen() {
    String id = Unique.name("u-");
    String otherId = Unique.name("u-");
    try (RawClient tabOne = herald.open();
        RawClient tabTwo = herald.open();
        RawClient otherUser = herald.open();
        RawClient anonymous = herald.open()) {
      tabOne.signinOk(userData(id, ""));
      tabTwo.signinOk(userData(id, ""));
      otherUser.signinOk(userData(otherId, ""));

      ApiClient.Response response =
          herald.api().post("/users/" + id + "/terminate_connections", "{}");
      assertEquals(200, response.status(), response::body);
      Json.assertJson("{}", response.json());

      for (RawClient tab : List.of(tabOne, tabTwo)) {
        assertError(tab.awaitJson(), 4009);
        assertEquals(4009, tab.awaitClose(), () -> "close code, reason " + tab.closeReason());
      }
      otherUser.assertPingPong();
      anonymous.assertPingPong();
      assertFalse(otherUser.isClosed(), otherUser::closeReason);
      assertFalse(anonymous.isClosed(), anonymous::closeReason);
    }
  }

  @Test
  void unsignedTerminateConnectionsIs401AndClosesNothing() {
    String id = Unique.name("u-");
    try (RawClient client = herald.open()) {
      client.signinOk(userData(id, ""));
      ApiClient.Response response =
          herald
              .api()
              .request("POST", "/users/" + id + "/terminate_connections")
              .body("{}")
              .unsigned()
              .send();
      assertEquals(401, response.status(), response::body);
      client.assertPingPong();
    }
  }

  @Test
  void terminateConnectionsOfAUserWithNoConnectionAnswersEmptyObject() {
    ApiClient.Response response =
        herald.api().post("/users/" + Unique.name("nobody-") + "/terminate_connections", "{}");
    assertEquals(200, response.status(), response::body);
    Json.assertJson("{}", response.json());
  }

  @Test
  void terminateConnectionsIgnoresPresenceMembersThatDidNotSignIn() {
    String id = Unique.name("u-");
    String channel = Unique.name("presence-");
    try (RawClient member = herald.open()) {
      member.subscribePresence(channel, "{\"user_id\":\"" + id + "\"}");
      member.awaitJson();
      ApiClient.Response response =
          herald.api().post("/users/" + id + "/terminate_connections", "{}");
      assertEquals(200, response.status(), response::body);
      member.assertPingPong();
    }
  }

  // ---- authorized-connections timeout ----------------------------------------------------------

  /** A one-second user authentication timeout needs its own server. */
  @Nested
  class AuthenticationTimeout {

    @RegisterExtension
    static final HeraldProcess strict =
        HeraldProcess.withDefaults().env("HERALD_APP_USER_AUTHENTICATION_TIMEOUT", "1");

    @Test
    void connectionThatDoesNothingIsClosedWith4009() {
      try (RawClient idle = strict.open()) {
        assertTimedOut(idle);
      }
    }

    @Test
    void connectionWithOnlyAPublicSubscriptionIsClosedWith4009() {
      try (RawClient client = strict.open()) {
        client.subscribeOk(Unique.name("public-"));
        assertTimedOut(client);
      }
    }

    @Test
    void connectionWhoseSigninFailedIsClosedWith4009() {
      try (RawClient client = strict.open()) {
        client.signin(
            userData(Unique.name("u-"), ""), HeraldProcess.APP_KEY + ":" + "0".repeat(64));
        assertError(client.awaitJson(), 4009);
        assertTimedOut(client);
      }
    }

    @Test
    void connectionWhosePrivateSubscriptionWasRefusedIsClosedWith4009() {
      try (RawClient client = strict.open()) {
        String channel = Unique.name("private-");
        client.sendJson(Map.of("event", "pusher:subscribe", "data", Map.of("channel", channel)));
        assertSubscriptionError(client.awaitJson(), channel, "AuthError", 401);
        assertTimedOut(client);
      }
    }

    @Test
    void connectionThatSignsInInTimeStaysOpen() {
      try (RawClient client = strict.open()) {
        client.signinOk(userData(Unique.name("u-"), ""));
        assertOutlivesAnIdleConnectionOpenedAfterIt(client);
      }
    }

    @Test
    void connectionThatSubscribesToAPrivateChannelInTimeStaysOpen() {
      try (RawClient client = strict.open()) {
        client.subscribePrivateOk(Unique.name("private-"));
        assertOutlivesAnIdleConnectionOpenedAfterIt(client);
      }
    }

    @Test
    void connectionThatJoinsAPresenceChannelInTimeStaysOpen() {
      try (RawClient client = strict.open()) {
        String channel = Unique.name("presence-");
        client.subscribePresence(channel, "{\"user_id\":\"u1\"}");
        assertEquals(
            "pusher_internal:subscription_succeeded", client.awaitJson().path("event").asText());
        assertOutlivesAnIdleConnectionOpenedAfterIt(client);
      }
    }

    /**
     * An idle connection opened after {@code client} is closed by the timeout; by then {@code
     * client}'s own timeout has passed too, so it must still answer a ping.
     */
    private void assertOutlivesAnIdleConnectionOpenedAfterIt(RawClient client) {
      try (RawClient idle = strict.open()) {
        assertTimedOut(idle);
      }
      client.assertPingPong();
      assertFalse(client.isClosed(), client::closeReason);
    }

    private void assertTimedOut(RawClient client) {
      Json.assertJson(
          "{\"event\":\"pusher:error\",\"data\":{\"code\":4009,"
              + "\"message\":\"Connection not authorized within timeout\"}}",
          client.awaitJson());
      assertEquals(4009, client.awaitClose(), () -> "close code, reason " + client.closeReason());
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** {@code {"id":"<id>"<rest>}}, e.g. rest {@code ,"user_info":{...}}. */
  static String userData(String id, String rest) {
    return "{\"id\":\"" + id + "\"" + rest + "}";
  }

  /** Subscribes the way pusher-js does after sign-in: the channel with an empty auth. */
  static void subscribeServerToUser(RawClient client, String id) {
    client.sendJson(
        Map.of(
            "event",
            "pusher:subscribe",
            "data",
            Map.of("auth", "", "channel", "#server-to-user-" + id)));
  }

  private static RawClient signedInAndSubscribed(String id) {
    RawClient client = herald.open();
    try {
      client.signinOk(userData(id, ""));
      subscribeServerToUser(client, id);
      assertEquals(
          "pusher_internal:subscription_succeeded", client.awaitJson().path("event").asText());
      return client;
    } catch (AssertionError e) {
      client.close();
      throw e;
    }
  }
}
