package dev.herald.protocoltests;

import static dev.herald.protocoltests.Frames.assertError;
import static dev.herald.protocoltests.Frames.assertSubscriptionError;
import static dev.herald.protocoltests.Frames.event;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * End-to-end encrypted channels ({@code private-encrypted-*}): the server authorizes like a private
 * channel and relays the SDK's ciphertext untouched; it never lets clients publish.
 */
class EncryptedChannelsTest {

  /**
   * The {@code data} string pusher-http-node sends for test vector V06 (test-vectors.md §B): the
   * secretbox of {@code {"message":"hello world"}} under the channel's shared secret.
   */
  static final String V06_DATA =
      "{\"nonce\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYX\","
          + "\"ciphertext\":\"gc+OyJymUKXR/uMHnNsnY2SFprlGoUXaIZQOuqnemofgIMms4lBisOs=\"}";

  @RegisterExtension static final HeraldProcess herald = HeraldProcess.withDefaults();

  @Test
  void subscribeWithAValidPrivateSignatureSucceeds() {
    String channel = Unique.name("private-encrypted-");
    try (RawClient client = herald.open()) {
      client.subscribePrivateOk(channel);
      client.assertPingPong();
    }
  }

  @Test
  void httpEventWithTheV06CiphertextArrivesByteForByte() {
    String channel = Unique.name("private-encrypted-");
    try (RawClient client = herald.open()) {
      client.subscribePrivateOk(channel);
      herald.api().trigger(channel, "my-event", V06_DATA);
      JsonNode frame = client.awaitJson();
      Json.assertJson(event(channel, "my-event", V06_DATA), frame);
      assertEquals(V06_DATA, frame.get("data").asText());
    }
  }

  @Test
  void theV06HttpBodyIsAcceptedAndRelayedToEverySubscriber() {
    String channel = Unique.name("private-encrypted-");
    // The body exactly as the SDK builds it (V06), with this test's channel.
    String body =
        "{\"name\":\"my-event\",\"data\":"
            + Json.write(V06_DATA)
            + ",\"channels\":[\""
            + channel
            + "\"]}";
    try (RawClient first = herald.open();
        RawClient second = herald.open()) {
      first.subscribePrivateOk(channel);
      second.subscribePrivateOk(channel);
      ApiClient.Response response = herald.api().post("/events", body);
      assertEquals(200, response.status(), response::body);
      Json.assertJson("{}", response.json());
      first.assertNext(event(channel, "my-event", V06_DATA));
      second.assertNext(event(channel, "my-event", V06_DATA));
    }
  }

  @Test
  void clientEventIsRefusedWithCodeNullAndNotRelayed() {
    String channel = Unique.name("private-encrypted-");
    String marker = Unique.name("marker-");
    try (RawClient sender = herald.open();
        RawClient receiver = herald.open()) {
      sender.subscribePrivateOk(channel);
      receiver.subscribePrivateOk(channel);
      receiver.subscribeOk(marker);

      sender.sendText(
          "{\"event\":\"client-typing\",\"channel\":\"" + channel + "\",\"data\":\"{}\"}");
      assertError(sender.awaitJson(), null);
      sender.assertPingPong();

      herald.api().trigger(marker, "marker", "m");
      receiver.assertNext(event(marker, "marker", "m"));
    }
  }

  @Test
  void subscribeWithoutAuthGetsAuthError401AndTheSocketStaysOpen() {
    String channel = Unique.name("private-encrypted-");
    try (RawClient client = herald.open()) {
      client.sendJson(Map.of("event", "pusher:subscribe", "data", Map.of("channel", channel)));
      assertSubscriptionError(client.awaitJson(), channel, "AuthError", 401);
      client.assertPingPong();
    }
  }

  @Test
  void subscribeWithABadSignatureGetsAuthError401() {
    String channel = Unique.name("private-encrypted-");
    try (RawClient client = herald.open()) {
      String auth = HeraldProcess.APP_KEY + ":" + "0".repeat(64);
      client.sendJson(
          Map.of("event", "pusher:subscribe", "data", Map.of("channel", channel, "auth", auth)));
      assertSubscriptionError(client.awaitJson(), channel, "AuthError", 401);
      client.assertPingPong();
    }
  }
}
