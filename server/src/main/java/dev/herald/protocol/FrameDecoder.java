package dev.herald.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Turns the text of one client frame into a {@link ClientFrame}, or throws a {@link
 * ProtocolException} with {@link ErrorCode#INVALID_MESSAGE} saying what is wrong.
 *
 * <p>Streams over the frame once: {@code data} is kept as the exact JSON text received, so client
 * events are relayed unchanged and signed strings are never re-serialised. Stateless and
 * thread-safe.
 */
public final class FrameDecoder {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final JsonFactory factory = MAPPER.getFactory();

  public ClientFrame decode(String text) {
    String event = null;
    String channel = null;
    String rawData = null;
    try (JsonParser parser = factory.createParser(text)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw invalid("a message must be a JSON object");
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        switch (field) {
          case "event" -> event = stringField(parser, value, "event");
          case "channel" ->
              channel =
                  value == JsonToken.VALUE_NULL ? null : stringField(parser, value, "channel");
          case "data" -> rawData = rawValue(parser, value, text);
          default -> parser.skipChildren();
        }
      }
      if (parser.nextToken() != null) {
        throw invalid("unexpected content after the JSON object");
      }
    } catch (JsonProcessingException e) {
      throw invalid("invalid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (event == null) {
      throw invalid("the event field is required");
    }
    return toFrame(event, channel, rawData);
  }

  private static ClientFrame toFrame(String event, String channel, String rawData) {
    switch (event) {
      case "pusher:ping":
        return new ClientFrame.Ping();
      case "pusher:pong":
        return new ClientFrame.Pong();
      case "pusher:subscribe":
        {
          JsonNode data = dataObject(event, rawData);
          return new ClientFrame.Subscribe(
              requiredString(data, "channel", event),
              optionalString(data, "auth", event),
              optionalString(data, "channel_data", event));
        }
      case "pusher:unsubscribe":
        return new ClientFrame.Unsubscribe(
            requiredString(dataObject(event, rawData), "channel", event));
      case "pusher:signin":
        {
          JsonNode data = dataObject(event, rawData);
          return new ClientFrame.Signin(
              requiredString(data, "auth", event), requiredString(data, "user_data", event));
        }
      default:
        if (event.startsWith("pusher:")) {
          return new ClientFrame.UnknownPusherEvent(event);
        }
        if (event.startsWith("client-")) {
          if (channel == null) {
            throw invalid("a client event needs a channel");
          }
          return new ClientFrame.ClientEvent(event, channel, rawData);
        }
        return new ClientFrame.NotAClientEvent(event);
    }
  }

  private static String stringField(JsonParser parser, JsonToken value, String name)
      throws IOException {
    if (value != JsonToken.VALUE_STRING) {
      throw invalid("the " + name + " field must be a string");
    }
    return parser.getText();
  }

  /** The exact JSON text of the current value, whatever its type. */
  private static String rawValue(JsonParser parser, JsonToken value, String text)
      throws IOException {
    int start = (int) parser.currentTokenLocation().getCharOffset();
    if (value.isStructStart()) {
      parser.skipChildren();
    } else {
      parser.finishToken();
    }
    int end = (int) parser.currentLocation().getCharOffset();
    return text.substring(start, end).trim();
  }

  /**
   * The {@code data} of a {@code pusher:*} event as an object. Clients send an object; a string
   * holding a JSON object is accepted too, as Reverb does.
   */
  private static JsonNode dataObject(String event, String rawData) {
    if (rawData == null) {
      throw invalid(event + " needs a data object");
    }
    try {
      JsonNode data = MAPPER.readTree(rawData);
      if (data.isTextual()) {
        data = MAPPER.readTree(data.textValue());
      }
      if (data == null || !data.isObject()) {
        throw invalid(event + " data must be a JSON object");
      }
      return data;
    } catch (JsonProcessingException e) {
      throw invalid(event + " data must be a JSON object");
    }
  }

  private static String requiredString(JsonNode data, String field, String event) {
    String value = optionalString(data, field, event);
    if (value == null) {
      throw invalid(event + " needs data." + field);
    }
    return value;
  }

  private static String optionalString(JsonNode data, String field, String event) {
    JsonNode value = data.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw invalid(event + " data." + field + " must be a string");
    }
    return value.textValue();
  }

  private static ProtocolException invalid(String message) {
    return new ProtocolException(ErrorCode.INVALID_MESSAGE, "Invalid message format: " + message);
  }
}
