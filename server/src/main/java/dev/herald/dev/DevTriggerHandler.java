package dev.herald.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.broadcast.EventPublisher;
import dev.herald.config.AppConfig;
import dev.herald.http.ApiException;
import dev.herald.protocol.ChannelKind;
import dev.herald.protocol.ChannelName;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The demo's stand-in for the Laravel code that broadcasts ({@code broadcast(new
 * OrderShipped($order))}, {@code $user->notify(...)}): {@code POST {"channel","event","data",
 * "socket_id"?}} publishes one event to one channel of the development app through the same {@link
 * EventPublisher} as the HTTP API. A {@code socket_id} leaves that connection out, as {@code
 * ->toOthers()} does. Thread-safe.
 */
final class DevTriggerHandler {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern SOCKET_ID = Pattern.compile("\\d{1,20}\\.\\d{1,20}");

  private final AppConfig app;
  private final EventPublisher publisher;

  DevTriggerHandler(AppConfig app, EventPublisher publisher) {
    this.app = app;
    this.publisher = publisher;
  }

  void trigger(RoutingContext context) {
    // JSON only: a cross-site page cannot send it without a CORS preflight, which nothing answers.
    if (!DevRoutes.mediaType(context).equals("application/json")) {
      throw new ApiException(415, "Content-Type must be application/json");
    }
    JsonNode body;
    try {
      body = MAPPER.readTree(context.body().buffer().getBytes());
    } catch (IOException | RuntimeException e) {
      throw ApiException.badRequest("Request body is not valid JSON");
    }
    if (body == null || !body.isObject()) {
      throw ApiException.badRequest(
          "Request body must be a JSON object with channel, event and data");
    }
    ChannelName channel = channel(body.get("channel"));
    String event = event(body.get("event"));
    String data = data(body.get("data"));
    JsonNode socketIdNode = body.get("socket_id");
    String socketId = null;
    if (socketIdNode != null && !socketIdNode.isNull()) {
      if (!socketIdNode.isTextual() || !SOCKET_ID.matcher(socketIdNode.textValue()).matches()) {
        throw ApiException.badRequest("socket_id must look like 1234.5678");
      }
      socketId = socketIdNode.textValue();
    }
    publisher.publish(app, channel, event, data, socketId);
    DevRoutes.json(context, 200, MAPPER.createObjectNode());
  }

  private ChannelName channel(JsonNode node) {
    if (node == null || !node.isTextual()) {
      throw ApiException.badRequest("channel must be a string");
    }
    ChannelName channel;
    try {
      channel = ChannelName.parse(node.textValue(), app.maxChannelNameLength());
    } catch (ChannelName.InvalidChannelNameException e) {
      throw ApiException.badRequest("channel: " + e.getMessage());
    }
    ChannelKind kind = channel.kind();
    if (kind == ChannelKind.PRIVATE_ENCRYPTED
        || kind == ChannelKind.PRIVATE_ENCRYPTED_CACHE
        || kind == ChannelKind.SERVER_TO_USER) {
      throw ApiException.badRequest(
          "channel: the demo publishes to public, private- and presence- channels only");
    }
    return channel;
  }

  private String event(JsonNode node) {
    if (node == null || !node.isTextual()) {
      throw ApiException.badRequest("event must be a string");
    }
    String event = node.textValue();
    if (event.isEmpty() || event.length() > app.maxEventNameLength()) {
      throw ApiException.badRequest(
          "event must be 1 to " + app.maxEventNameLength() + " characters");
    }
    if (event.startsWith("pusher:") || event.startsWith("pusher_internal:")) {
      throw ApiException.badRequest("event: pusher: and pusher_internal: names are the protocol's");
    }
    return event;
  }

  /** The event's data as the JSON string pusher-js parses: an object is serialised once here. */
  private String data(JsonNode node) {
    String data;
    if (node == null || node.isNull()) {
      data = "{}";
    } else if (node.isTextual()) {
      data = node.textValue();
    } else if (node.isContainerNode()) {
      data = node.toString();
    } else {
      throw ApiException.badRequest("data must be a JSON object, a list or a string");
    }
    int size = data.getBytes(StandardCharsets.UTF_8).length;
    if (size > app.maxEventPayload()) {
      throw new ApiException(
          413, "data is " + size + " bytes; the limit is " + app.maxEventPayload() + " bytes");
    }
    return data;
  }
}
