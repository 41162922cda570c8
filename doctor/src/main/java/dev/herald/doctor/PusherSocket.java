package dev.herald.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;

/**
 * A Pusher protocol 7 connection over {@link WebSocketConnection}: the opening (what came back
 * instead of {@code connection_established}, if anything did), subscribing, and waiting for an
 * event. Not thread-safe.
 */
final class PusherSocket implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String QUERY = "?protocol=7&client=herald-doctor&version=1";

  private final WebSocketConnection connection;
  private final Duration timeout;

  private PusherSocket(WebSocketConnection connection, Duration timeout) {
    this.connection = connection;
    this.timeout = timeout;
  }

  enum Outcome {
    /** {@code pusher:connection_established} arrived. */
    ESTABLISHED,
    /** The upgrade was answered with another status than 101 ({@code answer}). */
    NOT_UPGRADED,
    /** A 101 that is not a valid WebSocket handshake ({@code detail}). */
    BAD_UPGRADE,
    /** {@code pusher:error} (or a close) with {@code code} and {@code detail}. */
    REFUSED,
    /** Upgraded, then nothing within the timeout, or something else than the protocol's opening. */
    NO_GREETING
  }

  /** How an opening went; {@code socket} is set (and the caller's to close) when established. */
  record Opening(
      Outcome outcome, HttpAnswer answer, int code, String detail, PusherSocket socket) {}

  /** Opens {@code {prefix}/app/{key}} and reads the server's first frame. */
  static Opening open(Connector connector, Target target, String key, String origin)
      throws IOException {
    WebSocketConnection.Upgrade upgrade =
        WebSocketConnection.open(connector, target, "/app/" + key + QUERY, origin);
    if (upgrade.connection() == null) {
      return upgrade.problem() == null
          ? new Opening(Outcome.NOT_UPGRADED, upgrade.answer(), 0, null, null)
          : new Opening(Outcome.BAD_UPGRADE, upgrade.answer(), 0, upgrade.problem(), null);
    }
    PusherSocket socket = new PusherSocket(upgrade.connection(), connector.timeout());
    boolean keep = false;
    try {
      WebSocketConnection.Frame frame = socket.connection.read(socket.deadline());
      if (frame == null) {
        return new Opening(
            Outcome.NO_GREETING,
            upgrade.answer(),
            0,
            "nothing arrived within " + socket.timeout.toSeconds() + " s",
            null);
      }
      if (frame.opcode() == WebSocketConnection.Frame.CLOSE) {
        return new Opening(
            Outcome.REFUSED, upgrade.answer(), frame.closeCode(), frame.closeReason(), null);
      }
      JsonNode message = parse(frame.text());
      String event = message == null ? null : message.path("event").asText(null);
      if ("pusher:connection_established".equals(event)) {
        keep = true;
        JsonNode data = data(message);
        return new Opening(
            Outcome.ESTABLISHED, upgrade.answer(), 0, data.path("socket_id").asText(""), socket);
      }
      if ("pusher:error".equals(event)) {
        JsonNode data = data(message);
        return new Opening(
            Outcome.REFUSED,
            upgrade.answer(),
            data.path("code").asInt(0),
            data.path("message").asText(""),
            null);
      }
      return new Opening(
          Outcome.NO_GREETING,
          upgrade.answer(),
          0,
          "the first frame was " + abbreviate(frame.text()),
          null);
    } finally {
      if (!keep) {
        socket.close();
      }
    }
  }

  /** Subscribes to a public channel and waits for {@code subscription_succeeded}. */
  boolean subscribe(String channel) throws IOException {
    ObjectNode frame = JSON.createObjectNode().put("event", "pusher:subscribe");
    frame.putObject("data").put("channel", channel);
    connection.sendText(frame.toString());
    return awaitEvent("pusher_internal:subscription_succeeded", channel) != null;
  }

  /** The first event named {@code event} on {@code channel} within the timeout, or null. */
  JsonNode awaitEvent(String event, String channel) throws IOException {
    long deadline = deadline();
    while (true) {
      WebSocketConnection.Frame frame = connection.read(deadline);
      if (frame == null) {
        return null;
      }
      if (frame.opcode() == WebSocketConnection.Frame.CLOSE) {
        throw new IOException(
            "the server closed the connection with "
                + frame.closeCode()
                + " "
                + frame.closeReason());
      }
      JsonNode message = parse(frame.text());
      if (message == null) {
        continue;
      }
      if ("pusher:ping".equals(message.path("event").asText())) {
        connection.sendText("{\"event\":\"pusher:pong\",\"data\":{}}");
        continue;
      }
      if (event.equals(message.path("event").asText())
          && channel.equals(message.path("channel").asText())) {
        return message;
      }
    }
  }

  private long deadline() {
    return System.nanoTime() + timeout.toNanos();
  }

  private static JsonNode parse(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      return null;
    }
  }

  /** {@code data} is a JSON string in server frames, an object in some errors: accept both. */
  private static JsonNode data(JsonNode message) {
    JsonNode data = message.path("data");
    if (data.isTextual()) {
      JsonNode parsed = parse(data.asText());
      return parsed == null ? JSON.createObjectNode() : parsed;
    }
    return data;
  }

  static String abbreviate(String text) {
    return text.length() > 160 ? text.substring(0, 160) + "…" : text;
  }

  @Override
  public void close() {
    connection.close();
  }
}
