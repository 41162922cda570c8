package dev.herald.scaling.redis;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.channels.OutboundFrame;
import dev.herald.protocol.ErrorCode;
import dev.herald.protocol.Json;
import dev.herald.scaling.Envelope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A message on the cluster's Redis bus, and its encoding. Error codes travel by name, so nodes
 * agree on them whatever their numbers. Pure.
 *
 * <p>The format is versioned, and a node decodes both versions:
 *
 * <ul>
 *   <li>Format 1, every message of nodes before this version and still the close messages: one
 *       JSON object with the sending node, the type ({@code event}, {@code close-user}, {@code
 *       close-app}) and the app, then the type's fields. An event carries its frame as a JSON
 *       string, which a receiving node has to parse out and encode again.
 *   <li>Format 2, events: a one-line JSON header starting {@code {"bus":2,}, a newline, then the
 *       frame's UTF-8 bytes exactly as subscribers get them. A receiving node reads the short
 *       header and copies the bytes into its {@link OutboundFrame}, never parsing the event. The
 *       header names the app and channel {@code to_app} and {@code to_channel}, not {@code app} and
 *       {@code channel}: a node of an earlier version, whose parser stops after the first JSON
 *       value, reads it as a format-1 event for no app and no channel and delivers it to nobody.
 * </ul>
 *
 * <p>So the switch takes two releases, as a rolling upgrade needs: this one reads both formats and
 * still publishes format 1 ({@link #encode}), which every node reads; the next one publishes
 * format 2 ({@link Event#encodeFormat2}), once every node it can meet reads it. Publishing format 2
 * now would make the nodes not yet upgraded miss the events of upgraded ones during the upgrade.
 */
sealed interface BusMessage {
  ObjectMapper MAPPER = new ObjectMapper();

  /** How a format-2 message starts; no format-1 message does (Jackson writes "node" first). */
  byte[] FORMAT_2 = "{\"bus\":2,".getBytes(StandardCharsets.US_ASCII);

  /** The node that sent it: a node ignores its own messages. */
  String node();

  String appId();

  /**
   * A frame for a channel's subscribers.
   *
   * @param frame the frame as every subscriber gets it
   * @param excludeSocketId the connection to leave out, or null
   * @param membershipVersion a member event's membership version, 0 for other events
   */
  record Event(
      String node,
      String appId,
      String channel,
      OutboundFrame frame,
      String excludeSocketId,
      long membershipVersion)
      implements BusMessage {
    static Event of(String node, Envelope envelope) {
      return new Event(
          node,
          envelope.appId(),
          envelope.channel(),
          envelope.frame(),
          envelope.excludeSocketId(),
          envelope.membershipVersion());
    }

    /** Format 1, which every node reads: the frame travels as a JSON string. */
    @Override
    public byte[] encode() {
      ObjectNode json = header(this, "event").put("channel", channel);
      if (excludeSocketId != null) {
        json.put("exclude", excludeSocketId);
      }
      if (membershipVersion != 0) {
        json.put("version", membershipVersion);
      }
      return utf8(json.put("frame", frame.toString()).toString());
    }

    /**
     * Format 2: the header line, then the frame's bytes copied once. Read by this release;
     * published from the next (see the interface's comment).
     */
    byte[] encodeFormat2() {
      StringBuilder header = new StringBuilder(128).append("{\"bus\":2,\"node\":");
      Json.appendQuoted(header, node).append(",\"type\":\"event\",\"to_app\":");
      Json.appendQuoted(header, appId).append(",\"to_channel\":");
      Json.appendQuoted(header, channel);
      if (excludeSocketId != null) {
        Json.appendQuoted(header.append(",\"exclude\":"), excludeSocketId);
      }
      if (membershipVersion != 0) {
        header.append(",\"version\":").append(membershipVersion);
      }
      byte[] head = header.append("}\n").toString().getBytes(StandardCharsets.UTF_8);
      byte[] message = new byte[head.length + frame.size()];
      System.arraycopy(head, 0, message, 0, head.length);
      frame.copyPayloadTo(message, head.length);
      return message;
    }
  }

  /** Close every connection signed in as the user. */
  record CloseUser(String node, String appId, String userId, ErrorCode code, String reason)
      implements BusMessage {
    @Override
    public byte[] encode() {
      return utf8(
          header(this, "close-user")
              .put("user", userId)
              .put("code", code.name())
              .put("reason", reason)
              .toString());
    }
  }

  /** Close every connection of the app (deleted or disabled). */
  record CloseApp(String node, String appId, ErrorCode code, String reason) implements BusMessage {
    @Override
    public byte[] encode() {
      return utf8(
          header(this, "close-app").put("code", code.name()).put("reason", reason).toString());
    }
  }

  /** The bytes published on the bus. */
  byte[] encode();

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The fields every format-1 message starts with, in the order the bus has always carried them.
   */
  private static ObjectNode header(BusMessage message, String type) {
    ObjectNode json = MAPPER.createObjectNode();
    json.put("node", message.node());
    json.put("type", type);
    json.put("app", message.appId());
    return json;
  }

  /**
   * Reads a bus message of either format.
   *
   * @throws IllegalArgumentException when it is not one, or of an unknown type or error code
   */
  static BusMessage decode(byte[] bytes) {
    if (bytes.length >= FORMAT_2.length
        && Arrays.equals(bytes, 0, FORMAT_2.length, FORMAT_2, 0, FORMAT_2.length)) {
      return decodeFormat2(bytes);
    }
    JsonNode json;
    try {
      json = MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
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
              OutboundFrame.of(json.path("frame").asText()),
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

  /** The header's fields by a streaming read of its line; the frame's bytes are only copied. */
  private static Event decodeFormat2(byte[] bytes) {
    int newline = FORMAT_2.length;
    while (newline < bytes.length && bytes[newline] != '\n') {
      newline++;
    }
    if (newline == bytes.length) {
      throw new IllegalArgumentException("a format-2 message without the newline after its header");
    }
    String node = null;
    String appId = null;
    String channel = null;
    String type = null;
    String exclude = null;
    long version = 0;
    try (JsonParser header = MAPPER.getFactory().createParser(bytes, 0, newline)) {
      if (header.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("a format-2 header that is not a JSON object");
      }
      while (header.nextToken() == JsonToken.FIELD_NAME) {
        String field = header.currentName();
        JsonToken value = header.nextToken();
        if (value == null) {
          throw new IllegalArgumentException("a format-2 header cut short");
        }
        switch (field) {
          case "node" -> node = header.getValueAsString();
          case "type" -> type = header.getValueAsString();
          case "to_app" -> appId = header.getValueAsString();
          case "to_channel" -> channel = header.getValueAsString();
          case "exclude" -> exclude = header.getValueAsString();
          case "version" -> version = header.getValueAsLong(0);
          default -> {
            if (value.isStructStart()) {
              header.skipChildren();
            }
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "a format-2 header that is not JSON: " + e.getMessage(), e);
    }
    if (!"event".equals(type) || node == null || appId == null || channel == null) {
      throw new IllegalArgumentException(
          "a format-2 header without node, to_app, to_channel or type event");
    }
    return new Event(
        node,
        appId,
        channel,
        OutboundFrame.ofPayload(bytes, newline + 1, bytes.length - newline - 1),
        exclude,
        version);
  }
}
