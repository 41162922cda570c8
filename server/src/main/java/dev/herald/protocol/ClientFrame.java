package dev.herald.protocol;

/**
 * A decoded client-to-server message. Immutable; produced by {@link FrameDecoder}.
 *
 * <p>String fields hold the exact strings received: signatures are computed over them, so they are
 * never re-serialised.
 */
public sealed interface ClientFrame {

  /** {@code pusher:subscribe}; {@code auth} and {@code channelData} are null when absent. */
  record Subscribe(String channel, String auth, String channelData) implements ClientFrame {}

  /** {@code pusher:unsubscribe}. */
  record Unsubscribe(String channel) implements ClientFrame {}

  /** {@code pusher:ping}. */
  record Ping() implements ClientFrame {}

  /** {@code pusher:pong}, the answer to a server ping. */
  record Pong() implements ClientFrame {}

  /** {@code pusher:signin}: user authentication. */
  record Signin(String auth, String userData) implements ClientFrame {}

  /**
   * A {@code client-*} event to relay. {@code rawData} is the JSON text of {@code data} exactly as
   * received (object, string or any JSON value), or null when the frame had no {@code data}.
   */
  record ClientEvent(String event, String channel, String rawData) implements ClientFrame {}

  /** A {@code pusher:*} event this server does not know. */
  record UnknownPusherEvent(String event) implements ClientFrame {}

  /** An event that is neither {@code pusher:*} nor {@code client-*}: clients may not send those. */
  record NotAClientEvent(String event) implements ClientFrame {}
}
