package dev.herald.webhooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.auth.Signatures;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The exact bytes of one webhook request, {@code {"time_ms":…,"events":[…]}}, and their signature.
 * Built once per batch: the signature covers exactly the bytes sent, retries included. Immutable.
 */
public record WebhookBody(byte[] bytes, String signature, int eventCount) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  static WebhookBody of(List<WebhookEvent> events, long timeMillis, String secret) {
    ObjectNode body = MAPPER.createObjectNode();
    body.put("time_ms", timeMillis);
    ArrayNode list = body.putArray("events");
    for (WebhookEvent event : events) {
      ObjectNode node = list.addObject();
      node.put("name", event.name());
      node.put("channel", event.channel());
      for (Map.Entry<String, Object> field : event.fields().entrySet()) {
        node.set(field.getKey(), MAPPER.valueToTree(field.getValue()));
      }
    }
    byte[] bytes;
    try {
      bytes = MAPPER.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    return new WebhookBody(bytes, Signatures.hmacSha256Hex(secret, bytes), events.size());
  }

  /** The JSON text sent. */
  public String text() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** For log lines: how many events, never their content (a client event's data, a member's id). */
  public String summary() {
    return eventCount + (eventCount == 1 ? " event" : " events") + ", " + bytes.length + " bytes";
  }

  /** The summary: a body concatenated into a message must not carry payloads into a log. */
  @Override
  public String toString() {
    return summary();
  }
}
