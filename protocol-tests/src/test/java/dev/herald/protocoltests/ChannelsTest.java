package dev.herald.protocoltests;

import static dev.herald.protocoltests.Frames.assertMarkerIsNext;
import static dev.herald.protocoltests.Frames.assertMemberAdded;
import static dev.herald.protocoltests.Frames.assertMemberRemoved;
import static dev.herald.protocoltests.Frames.assertPresenceSucceeded;
import static dev.herald.protocoltests.Frames.assertSubscriptionError;
import static dev.herald.protocoltests.Frames.event;
import static dev.herald.protocoltests.Frames.joinPresence;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BinaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Subscribing to public, private and presence channels, and the refusals. */
class ChannelsTest {

  private static HeraldProcess herald;

  @BeforeAll
  static void startServer() {
    herald = HeraldProcess.withDefaults().start();
  }

  @AfterAll
  static void stopServer() {
    herald.close();
  }

  private static RawClient open() {
    return RawClient.open(herald.wsUrl());
  }

  // ---- public channels -------------------------------------------------------------------------

  @Test
  void publicSubscribeGetsTheExactSuccessReply() {
    String channel = Unique.name("my-channel-");
    try (RawClient client = open()) {
      client.subscribe(channel);
      assertEquals(
          "{\"event\":\"pusher_internal:subscription_succeeded\",\"channel\":\""
              + channel
              + "\",\"data\":\"{}\"}",
          client.awaitText(RawClient.TIMEOUT));
    }
  }

  @Test
  void subscribeAcceptsEveryAllowedCharacter() {
    String channel = Unique.name("Az09_-=@,.;");
    try (RawClient client = open()) {
      client.subscribeOk(channel);
    }
  }

  @Test
  void resubscribingSucceedsAgainAndKeepsOneSubscription() {
    String channel = Unique.name("again-");
    try (RawClient client = open()) {
      client.subscribeOk(channel);
      client.subscribeOk(channel);
      herald.api().trigger(channel, "once", "1");
      herald.api().trigger(channel, "twice", "2");
      client.assertNext(event(channel, "once", "1"));
      client.assertNext(event(channel, "twice", "2"));
      Json.assertJson(
          "{\"occupied\":true,\"subscription_count\":1}",
          herald.api().get("/channels/" + channel, "info", "subscription_count").json());
    }
  }

  @Test
  void unsubscribedClientGetsNoReplyAndNoLongerReceivesEvents() {
    String channel = Unique.name("leaving-");
    String marker = Unique.name("marker-");
    try (RawClient client = open()) {
      client.subscribeOk(channel);
      client.subscribeOk(marker);
      client.unsubscribe(channel);
      client.assertPingPong();
      herald.api().trigger(channel, "gone", "1");
      herald.api().trigger(marker, "marker", "2");
      client.assertNext(event(marker, "marker", "2"));
    }
  }

  @Test
  void unsubscribingFromAnUnknownChannelIsIgnored() {
    try (RawClient client = open()) {
      client.unsubscribe(Unique.name("never-joined-"));
      client.assertPingPong();
    }
  }

  @Test
  void channelNameOf164CharactersIsAccepted() {
    String channel = padded(Unique.name("long-"), 164);
    try (RawClient client = open()) {
      client.subscribeOk(channel);
    }
  }

  @Test
  void channelNameOf165CharactersGetsLimitReached4009() {
    String channel = padded(Unique.name("long-"), 165);
    try (RawClient client = open()) {
      client.subscribe(channel);
      assertRefusedThenUsable(client, channel, "LimitReached", 4009);
    }
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"has space", "slash/y", "star*", "ümlaut", "quote\"", "hash#inside"})
  void channelNameWithBadCharactersGetsInvalidChannel400(String name) {
    try (RawClient client = open()) {
      client.subscribe(name);
      assertRefusedThenUsable(client, name, "InvalidChannel", 400);
    }
  }

  @Test
  void hashChannelOtherThanOwnServerToUserGetsAuthError401() {
    try (RawClient client = open()) {
      client.subscribe("#server-to-user-someone");
      assertSubscriptionError(client.awaitJson(), "#server-to-user-someone", "AuthError", 401);
      client.subscribe("#other");
      assertSubscriptionError(client.awaitJson(), "#other", "AuthError", 401);
      client.assertPingPong();
    }
  }

  // ---- private channels ------------------------------------------------------------------------

  @Test
  void privateSubscribeWithAValidSignatureSucceeds() {
    String channel = Unique.name("private-");
    try (RawClient client = open()) {
      client.subscribePrivateOk(channel);
      herald.api().trigger(channel, "secret", "s");
      client.assertNext(event(channel, "secret", "s"));
    }
  }

  @Test
  void privateSubscribeWithABadSignatureGetsAuthError401() {
    assertAuthRefused(
        "private-", (socketId, channel) -> HeraldProcess.APP_KEY + ":" + "0".repeat(64), null);
  }

  @Test
  void privateSubscribeSignedWithAnotherSecretGetsAuthError401() {
    assertAuthRefused(
        "private-",
        (socketId, channel) ->
            Signatures.auth(HeraldProcess.APP_KEY, "wrong-secret", socketId + ":" + channel),
        null);
  }

  @Test
  void privateSubscribeWhoseKeyPartIsNotTheAppKeyGetsAuthError401() {
    assertAuthRefused(
        "private-",
        (socketId, channel) -> {
          String good = Signatures.privateAuth(socketId, channel);
          return "other-key" + good.substring(good.indexOf(':'));
        },
        null);
  }

  @Test
  void privateSubscribeWithoutAuthGetsAuthError401() {
    String channel = Unique.name("private-");
    try (RawClient client = open()) {
      assertAuthErrorThenUsable(client, channel, Map.of("channel", channel));
    }
  }

  @ParameterizedTest(name = "auth={0}")
  @ValueSource(strings = {"", "no-colon-at-all", ":", "herald-test-key:"})
  void privateSubscribeWithAMalformedAuthGetsAuthError401(String auth) {
    assertAuthRefused("private-", (socketId, channel) -> auth, null);
  }

  @Test
  void privateSubscribeWithAuthComputedForAnotherSocketGetsAuthError401() {
    try (RawClient other = open()) {
      assertAuthRefused(
          "private-",
          (socketId, channel) -> Signatures.privateAuth(other.socketId(), channel),
          null);
    }
  }

  @Test
  void privateEncryptedSubscribeWithAValidSignatureSucceeds() {
    String channel = Unique.name("private-encrypted-");
    try (RawClient client = open()) {
      client.subscribePrivateOk(channel);
    }
  }

  // ---- presence channels -----------------------------------------------------------------------

  @Test
  void presenceSubscribeGetsTheExactMemberListIncludingTheJoiner() {
    String channel = Unique.name("presence-");
    try (RawClient first = open();
        RawClient second = open();
        RawClient third = open()) {
      first.subscribePresence(channel, "{\"user_id\":\"u1\",\"user_info\":{\"name\":\"A\"}}");
      assertPresenceSucceeded(first.awaitJson(), channel, "{\"u1\":{\"name\":\"A\"}}");

      second.subscribePresence(channel, "{\"user_id\":\"u2\"}");
      assertPresenceSucceeded(second.awaitJson(), channel, "{\"u1\":{\"name\":\"A\"},\"u2\":null}");

      third.subscribePresence(channel, "{\"user_id\":\"u3\",\"user_info\":{\"name\":\"C\"}}");
      assertPresenceSucceeded(
          third.awaitJson(),
          channel,
          "{\"u1\":{\"name\":\"A\"},\"u2\":null,\"u3\":{\"name\":\"C\"}}");
    }
  }

  @Test
  void memberAddedGoesToEveryOtherSubscriberButNotToTheJoiner() {
    String channel = Unique.name("presence-");
    try (RawClient first = open();
        RawClient second = open();
        RawClient joiner = open()) {
      joinPresence(first, channel, "{\"user_id\":\"u1\"}");
      joinPresence(second, channel, "{\"user_id\":\"u2\"}");
      assertMemberAdded(first.awaitJson(), channel, "u2", "null");

      joiner.subscribePresence(channel, "{\"user_id\":\"u3\",\"user_info\":{\"name\":\"C\"}}");
      assertPresenceSucceeded(
          joiner.awaitJson(), channel, "{\"u1\":null,\"u2\":null,\"u3\":{\"name\":\"C\"}}");
      assertMemberAdded(first.awaitJson(), channel, "u3", "{\"name\":\"C\"}");
      assertMemberAdded(second.awaitJson(), channel, "u3", "{\"name\":\"C\"}");

      assertMarkerIsNext(herald, channel, "m", joiner);
    }
  }

  @Test
  void sameUserOnTwoSocketsIsOneMemberAddedOnceAndRemovedWhenTheLastSocketCloses() {
    String channel = Unique.name("presence-");
    try (RawClient watcher = open();
        RawClient tabOne = open();
        RawClient tabTwo = open()) {
      joinPresence(watcher, channel, "{\"user_id\":\"w\"}");

      String data = "{\"user_id\":\"u2\",\"user_info\":{\"tab\":1}}";
      tabOne.subscribePresence(channel, data);
      assertPresenceSucceeded(tabOne.awaitJson(), channel, "{\"w\":null,\"u2\":{\"tab\":1}}");
      assertMemberAdded(watcher.awaitJson(), channel, "u2", "{\"tab\":1}");

      tabTwo.subscribePresence(channel, data);
      assertPresenceSucceeded(tabTwo.awaitJson(), channel, "{\"w\":null,\"u2\":{\"tab\":1}}");
      tabOne.assertPingPong();

      Json.assertJson(
          "{\"occupied\":true,\"user_count\":2}",
          herald.api().get("/channels/" + channel, "info", "user_count").json());

      tabOne.unsubscribe(channel);
      tabOne.assertPingPong();
      assertMarkerIsNext(herald, channel, "1", watcher, tabTwo);

      tabTwo.disconnect();
      assertMemberRemoved(watcher.awaitJson(), channel, "u2");
      assertMarkerIsNext(herald, channel, "2", watcher);
    }
  }

  @Test
  void memberRemovedIsSentWhenTheLastSocketUnsubscribesAfterTheFirstClosed() {
    String channel = Unique.name("presence-");
    try (RawClient watcher = open();
        RawClient tabOne = open();
        RawClient tabTwo = open()) {
      joinPresence(watcher, channel, "{\"user_id\":\"w\"}");
      joinPresence(tabOne, channel, "{\"user_id\":\"u2\"}");
      assertMemberAdded(watcher.awaitJson(), channel, "u2", "null");
      joinPresence(tabTwo, channel, "{\"user_id\":\"u2\"}");

      tabOne.disconnect();
      assertMarkerIsNext(herald, channel, "1", watcher);

      tabTwo.unsubscribe(channel);
      assertMemberRemoved(watcher.awaitJson(), channel, "u2");
      Json.assertJson(
          "{\"users\":[{\"id\":\"w\"}]}",
          herald.api().get("/channels/" + channel + "/users").json());
    }
  }

  @Test
  void numericUserIdIsStringified() {
    String channel = Unique.name("presence-");
    try (RawClient watcher = open();
        RawClient client = open()) {
      joinPresence(watcher, channel, "{\"user_id\":\"w\"}");
      client.subscribePresence(channel, "{\"user_id\":10}");
      assertPresenceSucceeded(client.awaitJson(), channel, "{\"w\":null,\"10\":null}");
      JsonNode added = watcher.awaitJson();
      assertEquals("pusher_internal:member_added", added.path("event").asText(), added::toString);
      JsonNode data = Json.dataOf(added);
      assertTrue(data.get("user_id").isTextual(), data::toString);
      assertEquals("10", data.get("user_id").asText());
    }
  }

  @ParameterizedTest(name = "channel_data={0}")
  @ValueSource(
      strings = {
        "not json",
        "[]",
        "\"u1\"",
        "{}",
        "{\"user_info\":{\"name\":\"A\"}}",
        "{\"user_id\":\"\"}",
        "{\"user_id\":null}",
        "{\"user_id\":{\"id\":1}}",
      })
  void invalidChannelDataGetsInvalidChannelData400(String channelData) {
    String channel = Unique.name("presence-");
    try (RawClient client = open()) {
      client.subscribePresence(channel, channelData);
      assertRefusedThenUsable(client, channel, "InvalidChannelData", 400);
    }
  }

  @Test
  void userIdOver128CharactersGetsInvalidChannelData400() {
    String channel = Unique.name("presence-");
    try (RawClient client = open()) {
      client.subscribePresence(channel, "{\"user_id\":\"" + "u".repeat(129) + "\"}");
      assertSubscriptionError(client.awaitJson(), channel, "InvalidChannelData", 400);
      joinPresence(client, channel, "{\"user_id\":\"" + "u".repeat(128) + "\"}");
    }
  }

  @Test
  void presenceSubscribeWithASignatureOverOtherChannelDataGetsAuthError401() {
    assertAuthRefused(
        "presence-",
        (socketId, channel) -> Signatures.presenceAuth(socketId, channel, "{\"user_id\":\"u1\"}"),
        "{\"user_id\":\"admin\"}");
  }

  @Test
  void presenceSubscribeWithAPrivateStyleSignatureGetsAuthError401() {
    assertAuthRefused("presence-", Signatures::privateAuth, "{\"user_id\":\"u1\"}");
  }

  /** Presence limits need their own server configuration. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class PresenceLimits {

    private HeraldProcess limited;

    @BeforeAll
    void startLimitedServer() {
      limited =
          HeraldProcess.withDefaults()
              .env("HERALD_APP_MAX_PRESENCE_MEMBERS", "2")
              .env("HERALD_APP_MAX_PRESENCE_MEMBER_SIZE", "100")
              .start();
    }

    @AfterAll
    void stopLimitedServer() {
      limited.close();
    }

    @Test
    void thirdDistinctUserGetsLimitReached4100WhileASecondSocketOfAMemberStillJoins() {
      String channel = Unique.name("presence-");
      try (RawClient one = RawClient.open(limited.wsUrl());
          RawClient two = RawClient.open(limited.wsUrl());
          RawClient three = RawClient.open(limited.wsUrl());
          RawClient twoAgain = RawClient.open(limited.wsUrl())) {
        joinPresence(one, channel, "{\"user_id\":\"u1\"}");
        joinPresence(two, channel, "{\"user_id\":\"u2\"}");

        three.subscribePresence(channel, "{\"user_id\":\"u3\"}");
        assertRefusedThenUsable(three, channel, "LimitReached", 4100);

        twoAgain.subscribePresence(channel, "{\"user_id\":\"u2\"}");
        assertPresenceSucceeded(twoAgain.awaitJson(), channel, "{\"u1\":null,\"u2\":null}");

        assertMemberAdded(one.awaitJson(), channel, "u2", "null");
        assertMarkerIsNext(limited, channel, "m", one);
      }
    }

    @Test
    void channelDataOverTheMaximumMemberSizeGetsLimitReached4301() {
      String channel = Unique.name("presence-");
      try (RawClient client = RawClient.open(limited.wsUrl())) {
        String big = "{\"user_id\":\"u1\",\"user_info\":{\"bio\":\"" + "b".repeat(100) + "\"}}";
        client.subscribePresence(channel, big);
        assertRefusedThenUsable(client, channel, "LimitReached", 4301);

        String small = "{\"user_id\":\"u1\",\"user_info\":{\"bio\":\"short\"}}";
        client.subscribePresence(channel, small);
        assertPresenceSucceeded(client.awaitJson(), channel, "{\"u1\":{\"bio\":\"short\"}}");
      }
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static void assertAuthErrorThenUsable(
      RawClient client, String channel, Map<String, ?> subscribeData) {
    client.sendJson(Map.of("event", "pusher:subscribe", "data", subscribeData));
    assertRefusedThenUsable(client, channel, "AuthError", 401);
    // Not joined: an event on the channel does not arrive, and a correct subscription still works.
    String marker = Unique.name("marker-");
    client.subscribeOk(marker);
    herald.api().trigger(channel, "leak", "x");
    herald.api().trigger(marker, "marker", "m");
    client.assertNext(event(marker, "marker", "m"));
    if (!channel.startsWith("presence-")) {
      client.subscribePrivateOk(channel);
    }
  }

  /**
   * Subscribes a new connection to a fresh channel named {@code prefix...} with the auth that
   * {@code auth} makes from its socket id and the channel (and {@code channelData} unless null),
   * and asserts the AuthError 401 that leaves it usable.
   */
  private static void assertAuthRefused(
      String prefix, BinaryOperator<String> auth, String channelData) {
    String channel = Unique.name(prefix);
    try (RawClient client = open()) {
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("channel", channel);
      data.put("auth", auth.apply(client.socketId(), channel));
      if (channelData != null) {
        data.put("channel_data", channelData);
      }
      assertAuthErrorThenUsable(client, channel, data);
    }
  }

  /** Asserts the next frame is this subscription error and that the connection still answers. */
  private static void assertRefusedThenUsable(
      RawClient client, String channel, String type, int status) {
    assertSubscriptionError(client.awaitJson(), channel, type, status);
    client.assertPingPong();
  }

  private static String padded(String start, int length) {
    return start + "x".repeat(length - start.length());
  }
}
