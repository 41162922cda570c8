package dev.herald.scaling.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.protocol.ErrorCode;
import dev.herald.scaling.Envelope;

/**
 * A message on the cluster's Redis bus, and its JSON encoding: one object with the sending node,
 * the type ({@code event}, {@code close-user}, {@code close-app}) and the app, then the type's
 * fields. An event carries its frame as the exact text every subscriber gets. Error codes travel by
 * name, so nodes agree on them whatever their numbers. Pure.
 */
sealed interface BusMessage {
  ObjectMapper MAPPER = new ObjectMapper();

  /** The node that sent it: a node ignores its own messages. */
  String node();

  String appId();

  /**
   * A frame for a channel's subscribers.
   *
   * @param excludeSocketId the connection to leave out, or null
   * @param membershipVersion a member event's membership version, 0 for other events
   */
  record Event(
      String node,
      String appId,
      String channel,
      String frameJson,
      String excludeSocketId,
      long membershipVersion)
      implements BusMessage {
    static Event of(String node, Envelope envelope) {
      return new Event(
          node,
          envelope.appId(),
          envelope.channel(),
          envelope.frame().toString(),
          envelope.excludeSocketId(),
          envelope.membershipVersion());
    }

    @Override
    public String encode() {
      ObjectNode json = header(this, "event").put("channel", channel);
      if (excludeSocketId != null) {
        json.put("exclude", excludeSocketId);
      }
      if (membershipVersion != 0) {
        json.put("version", membershipVersion);
      }
      return json.put("frame", frameJson).toString();
    }
  }

  /** Close every connection signed in as the user. */
  record CloseUser(String node, String appId, String userId, ErrorCode code, String reason)
      implements BusMessage {
    @Override
    public String encode() {
      return header(this, "close-user")
          .put("user", userId)
          .put("code", code.name())
          .put("reason", reason)
          .toString();
    }
  }

  /** Close every connection of the app (deleted or disabled). */
  record CloseApp(String node, String appId, ErrorCode code, String reason) implements BusMessage {
    @Override
    public String encode() {
      return header(this, "close-app").put("code", code.name()).put("reason", reason).toString();
    }
  }

  /** The JSON text published on the bus. */
  String encode();

  /** The fields every message starts with, in the order the bus has always carried them. */
  private static ObjectNode header(BusMessage message, String type) {
    ObjectNode json = MAPPER.createObjectNode();
    json.put("node", message.node());
    json.put("type", type);
    json.put("app", message.appId());
    return json;
  }

  /**
   * Reads a bus message.
   *
   * @throws IllegalArgumentException when it is not JSON, or of an unknown type or error code
   */
  static BusMessage decode(String text) {
    JsonNode json;
    try {
      json = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    }
    if (json == null || !json.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    String node = json.path("node").asText();
    String appId = json.path("app").asText();
    String type = json.path("type").asText();
    return switch (type) {
      case "event" ->
          new Event(
              node,
              appId,
              json.path("channel").asText(),
              json.path("frame").asText(),
              json.hasNonNull("exclude") ? json.get("exclude").asText() : null,
              json.path("version").asLong(0));
      case "close-user" ->
          new CloseUser(
              node,
              appId,
              json.path("user").asText(),
              ErrorCode.valueOf(json.path("code").asText()),
              json.path("reason").asText());
      case "close-app" ->
          new CloseApp(
              node,
              appId,
              ErrorCode.valueOf(json.path("code").asText()),
              json.path("reason").asText());
      default -> throw new IllegalArgumentException("unknown type " + type);
    };
  }
}
