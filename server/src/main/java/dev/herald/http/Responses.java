package dev.herald.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.RoutingContext;
import java.io.UncheckedIOException;

/** Writes JSON responses and error bodies the same way for every route. Thread-safe. */
final class Responses {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Responses() {}

  static void json(RoutingContext context, int status, Object body) {
    String text;
    try {
      text = MAPPER.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    context
        .response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(text);
  }

  /** {@code {"error":"…","code":status}}, the shape Soketi uses, which SDKs surface as text. */
  static void error(RoutingContext context, int status, String message) {
    ObjectNode body = MAPPER.createObjectNode();
    body.put("error", message);
    body.put("code", status);
    json(context, status, body);
  }
}
