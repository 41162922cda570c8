package dev.herald.protocoltests;

import static dev.herald.protocoltests.Frames.assertError;
import static dev.herald.protocoltests.Frames.assertMarkerIsNext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Client events ({@code client-*}) sent by one connection and relayed to the others. */
class ClientEventsTest {

  private static HeraldProcess herald;

  @BeforeAll
  static void startServer() {
    herald = HeraldProcess.withDefaults().start();
  }

  @AfterAll
  static void stopServer() {
    herald.close();
  }

  @Test
  void clientEventOnPrivateChannelIsRelayedExactlyToOthersAndNotEchoed() {
    String channel = Unique.name("private-chat-");
    try (RawClient sender = RawClient.open(herald.wsUrl());
        RawClient first = RawClient.open(herald.wsUrl());
        RawClient second = RawClient.open(herald.wsUrl())) {
      sender.subscribePrivateOk(channel);
      first.subscribePrivateOk(channel);
      second.subscribePrivateOk(channel);

      String frame =
          "{\"event\":\"client-typing\",\"channel\":\""
              + channel
              + "\",\"data\":{\"on\":true,\"nested\":{\"list\":[1,\"two\",null]}}}";
      sender.sendText(frame);
      first.assertNext(frame);
      second.assertNext(frame);
      // Anything echoed to the sender would be queued before the answer to its next ping.
      sender.assertPingPong();
    }
  }

  @Test
  void clientEventDataGivenAsAStringIsRelayedUnchanged() {
    String channel = Unique.name("private-chat-");
    try (RawClient sender = RawClient.open(herald.wsUrl());
        RawClient receiver = RawClient.open(herald.wsUrl())) {
      sender.subscribePrivateOk(channel);
      receiver.subscribePrivateOk(channel);
      String frame =
          "{\"event\":\"client-msg\",\"channel\":\"" + channel + "\",\"data\":\"{\\\"a\\\":1}\"}";
      sender.sendText(frame);
      JsonNode relayed = receiver.awaitJson();
      Json.assertJson(frame, relayed);
      assertTrue(relayed.get("data").isTextual(), relayed::toString);
    }
  }

  @Test
  void clientEventOnPresenceChannelCarriesTheSendersUserId() {
    String channel = Unique.name("presence-room-");
    try (RawClient sender = RawClient.open(herald.wsUrl());
        RawClient receiver = RawClient.open(herald.wsUrl())) {
      sender.subscribePresence(channel, "{\"user_id\":\"alice\"}");
      sender.awaitJson();
      receiver.subscribePresence(channel, "{\"user_id\":\"bob\"}");
      receiver.awaitJson();
      sender.awaitJson(); // member_added for bob

      sender.sendText(
          "{\"event\":\"client-wave\",\"channel\":\"" + channel + "\",\"data\":{\"hi\":1}}");
      receiver.assertNext(
          "{\"event\":\"client-wave\",\"channel\":\""
              + channel
              + "\",\"data\":{\"hi\":1},\"user_id\":\"alice\"}");
      sender.assertPingPong();
    }
  }

  @Test
  void clientEventOnAPublicChannelGetsErrorWithNullCodeAndIsNotRelayed() {
    assertRefusedAndNotRelayed(herald, Unique.name("public-"), true);
  }

  @Test
  void clientEventOnAPrivateEncryptedChannelGetsErrorWithNullCodeAndIsNotRelayed() {
    assertRefusedAndNotRelayed(herald, Unique.name("private-encrypted-"), true);
  }

  @Test
  void clientEventFromAnUnsubscribedConnectionGetsErrorWithNullCodeAndIsNotRelayed() {
    assertRefusedAndNotRelayed(herald, Unique.name("private-"), false);
  }

  @Test
  void clientEventsRefusedWhenTheAppAcceptsThemFromNone() {
    try (HeraldProcess server =
        HeraldProcess.withDefaults().env("REVERB_APP_ACCEPT_CLIENT_EVENTS_FROM", "none").start()) {
      assertRefusedAndNotRelayed(server, Unique.name("private-"), true);
    }
  }

  @Test
  void clientEventFromAnUnsubscribedSenderIsRelayedWhenTheAppAcceptsThemFromAll() {
    try (HeraldProcess server =
        HeraldProcess.withDefaults().env("REVERB_APP_ACCEPT_CLIENT_EVENTS_FROM", "all").start()) {
      String channel = Unique.name("private-");
      try (RawClient sender = RawClient.open(server.wsUrl());
          RawClient receiver = RawClient.open(server.wsUrl())) {
        receiver.subscribePrivateOk(channel);
        String frame = clientEvent(channel);
        sender.sendText(frame);
        receiver.assertNext(frame);
        sender.assertPingPong();
      }
    }
  }

  @Test
  void clientEventsOverTheRateLimitGetError4301AndTheConnectionStaysOpen() {
    int limit = 3;
    int sent = 10;
    try (HeraldProcess server =
        HeraldProcess.withDefaults()
            .env("HERALD_APP_CLIENT_EVENT_RATE_LIMIT", Integer.toString(limit))
            .start()) {
      String channel = Unique.name("private-");
      try (RawClient sender = RawClient.open(server.wsUrl());
          RawClient receiver = RawClient.open(server.wsUrl())) {
        sender.subscribePrivateOk(channel);
        receiver.subscribePrivateOk(channel);

        for (int i = 0; i < sent; i++) {
          sender.sendJson(
              Map.of("event", "client-burst", "channel", channel, "data", Map.of("n", i)));
        }
        sender.sendText("{\"event\":\"pusher:ping\",\"data\":{}}");
        List<JsonNode> senderFrames = sender.awaitUntilEvent("pusher:pong");
        int errors = 0;
        for (JsonNode frame : senderFrames.subList(0, senderFrames.size() - 1)) {
          assertError(frame, 4301);
          errors++;
        }
        assertFalse(sender.isClosed());
        sender.assertPingPong();

        server.api().trigger(channel, "marker", "m");
        List<JsonNode> receiverFrames = receiver.awaitUntilEvent("marker");
        int relayed = receiverFrames.size() - 1;
        for (JsonNode frame : receiverFrames.subList(0, relayed)) {
          assertEquals("client-burst", frame.path("event").asText(), frame::toString);
        }
        assertTrue(errors >= 1, "no pusher:error 4301 for " + sent + " events in a burst");
        assertTrue(
            relayed <= limit, () -> relayed + " relayed in one burst, limit " + limit + "/s");
        assertEquals(sent, relayed + errors, "every event is either relayed or refused");
      }
    }
  }

  private static String clientEvent(String channel) {
    return "{\"event\":\"client-x\",\"channel\":\"" + channel + "\",\"data\":{\"x\":1}}";
  }

  /**
   * A client event from a sender (subscribed to {@code channel} or not) gets a {@code pusher:error}
   * with a null code and does not reach a subscribed receiver: an HTTP event sent after it is the
   * next thing the receiver gets.
   */
  private static void assertRefusedAndNotRelayed(
      HeraldProcess server, String channel, boolean senderSubscribes) {
    try (RawClient sender = RawClient.open(server.wsUrl());
        RawClient receiver = RawClient.open(server.wsUrl())) {
      if (senderSubscribes) {
        subscribe(sender, channel);
      }
      subscribe(receiver, channel);
      sender.sendText(clientEvent(channel));
      assertError(sender.awaitJson(), null);
      sender.assertPingPong();
      assertMarkerIsNext(server, channel, "m", receiver);
    }
  }

  private static void subscribe(RawClient client, String channel) {
    if (channel.startsWith("private-")) {
      client.subscribePrivateOk(channel);
    } else {
      client.subscribeOk(channel);
    }
  }
}
