package dev.herald.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.config.AppConfig;
import dev.herald.protocol.ChannelName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One validated event of {@code POST /apps/{id}/events} or of a {@code batch_events} item, parsed
 * from the request body against the app's limits before anything is published. Pure: no I/O, so
 * every rule is unit-tested on its own.
 *
 * @param name the event name
 * @param data the payload exactly as sent (a string; subscribers get it as is)
 * @param channels the parsed channel names, without duplicates, in the order given
 * @param socketId the connection to leave out, or null
 * @param info the channel attributes asked for ({@code user_count}, {@code subscription_count})
 */
record EventRequest(
    String name, String data, List<ChannelName> channels, String socketId, Set<String> info) {
  private static final Pattern SOCKET_ID = Pattern.compile("\\d+\\.\\d+");

  /**
   * A request body as a JSON object.
   *
   * @param body the body's bytes, or null when there is none
   * @throws ApiException 400 when it is missing, not JSON or not an object
   */
  static JsonNode bodyObject(byte[] body) {
    JsonNode parsed;
    try {
      parsed = body == null || body.length == 0 ? null : Responses.MAPPER.readTree(body);
    } catch (IOException e) {
      throw ApiException.badRequest("Request body is not valid JSON");
    }
    if (parsed == null || !parsed.isObject()) {
      throw ApiException.badRequest("Request body must be a JSON object");
    }
    return parsed;
  }

  /**
   * The events of a {@code batch_events} body; every item is checked before any is returned, and an
   * error names the item.
   */
  static List<EventRequest> parseBatch(AppConfig app, JsonNode body) {
    JsonNode batch = body.get("batch");
    if (batch == null || !batch.isArray()) {
      throw ApiException.badRequest("batch must be a list of events");
    }
    if (batch.size() > app.maxBatchSize()) {
      throw ApiException.badRequest(
          "Batch has " + batch.size() + " events; at most " + app.maxBatchSize() + " are allowed");
    }
    List<EventRequest> events = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      JsonNode item = batch.get(i);
      if (!item.isObject()) {
        throw ApiException.badRequest("batch[" + i + "] must be an object");
      }
      try {
        events.add(parse(app, item, false));
      } catch (ApiException e) {
        throw new ApiException(e.status(), "batch[" + i + "]: " + e.getMessage());
      }
    }
    return events;
  }

  /**
   * One event: an HTTP API {@code events} body, or one item of a batch (which goes to one channel).
   *
   * @throws ApiException 400 or 413 naming the field at fault
   */
  static EventRequest parse(AppConfig app, JsonNode body, boolean allowChannelList) {
    String name = text(body, "name", true);
    if (name.isEmpty() || name.length() > app.maxEventNameLength()) {
      throw ApiException.badRequest(
          "name must be 1 to " + app.maxEventNameLength() + " characters");
    }
    String data = text(body, "data", true);
    int size = data.getBytes(StandardCharsets.UTF_8).length;
    if (size > app.maxEventPayload()) {
      throw new ApiException(
          413, "data is " + size + " bytes; the limit is " + app.maxEventPayload() + " bytes");
    }
    List<ChannelName> channels = channels(app, body, allowChannelList);
    String socketId = text(body, "socket_id", false);
    if (socketId != null && !SOCKET_ID.matcher(socketId).matches()) {
      throw ApiException.badRequest("socket_id must look like 1234.5678");
    }
    String info = text(body, "info", false);
    Set<String> attributes = new LinkedHashSet<>();
    if (info != null) {
      for (String attribute : info.split(",")) {
        String trimmed = attribute.trim();
        if (trimmed.equals("user_count") || trimmed.equals("subscription_count")) {
          attributes.add(trimmed);
        } else if (!trimmed.isEmpty()) {
          throw ApiException.badRequest(
              "info may hold user_count and subscription_count, not " + trimmed);
        }
      }
    }
    return new EventRequest(name, data, channels, socketId, attributes);
  }

  private static List<ChannelName> channels(AppConfig app, JsonNode body, boolean allowList) {
    Set<String> names = new LinkedHashSet<>();
    JsonNode list = body.get("channels");
    if (list != null && !list.isNull()) {
      if (!list.isArray()) {
        throw ApiException.badRequest("channels must be a list of channel names");
      }
      for (JsonNode name : list) {
        if (!name.isTextual()) {
          throw ApiException.badRequest("channels must hold strings");
        }
        names.add(name.textValue());
      }
      if (!allowList && names.size() > 1) {
        throw ApiException.badRequest("a batch event goes to one channel");
      }
    }
    String single = text(body, "channel", false);
    if (single != null) {
      names.add(single);
    }
    if (names.isEmpty()) {
      throw ApiException.badRequest("channels (or channel) is required");
    }
    if (names.size() > app.maxChannelsPerEvent()) {
      throw ApiException.badRequest(
          "An event may go to at most "
              + app.maxChannelsPerEvent()
              + " channels, not "
              + names.size());
    }
    List<ChannelName> parsed = new ArrayList<>(names.size());
    for (String name : names) {
      try {
        parsed.add(ChannelName.parse(name, app.maxChannelNameLength()));
      } catch (ChannelName.InvalidChannelNameException e) {
        throw ApiException.badRequest(e.getMessage());
      }
    }
    return parsed;
  }

  private static String text(JsonNode body, String field, boolean required) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      if (required) {
        throw ApiException.badRequest(field + " is required");
      }
      return null;
    }
    if (!value.isTextual()) {
      throw ApiException.badRequest(field + " must be a string");
    }
    return value.textValue();
  }
}
