package dev.herald.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.TestVectors;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookBodyTest {

  @Test
  void buildsAndSignsTheExactBodyOfV19() {
    JsonNode vector = TestVectors.byId("V19");
    WebhookBody body =
        WebhookBody.of(
            List.of(WebhookEvent.channelOccupied("test_channel")),
            1327078148132L,
            TestVectors.app().secret());
    assertEquals(vector.get("input").get("raw_body").asText(), body.text());
    assertEquals(vector.get("headers").get("X-Pusher-Signature").asText(), body.signature());
  }

  @Test
  void buildsAndSignsTheExactBatchedBodyOfV20() {
    JsonNode vector = TestVectors.byId("V20");
    WebhookBody body =
        WebhookBody.of(
            List.of(
                WebhookEvent.memberAdded("presence-room-1", "u-42"),
                WebhookEvent.clientEvent(
                    "private-chat", "client-typing", "{\"on\":true}", "123.456", null)),
            1700000000123L,
            TestVectors.app().secret());
    assertEquals(
        vector.get("input").get("raw_body").asText(),
        new String(body.bytes(), StandardCharsets.UTF_8));
    assertEquals(vector.get("headers").get("X-Pusher-Signature").asText(), body.signature());
    assertEquals(2, body.eventCount());
  }
}
