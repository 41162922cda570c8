package dev.herald.protocol;

/**
 * Every error this server sends on a WebSocket, with its wire code and what it does to the
 * connection: the one table of errors and close codes.
 *
 * <ul>
 *   <li>{@link Kind#ERROR}: a {@code pusher:error} frame; for the fatal ones, then a close frame
 *       with the same code. Handlers throw {@link ProtocolException} with one of these and one
 *       catch site sends it.
 *   <li>{@link Kind#SUBSCRIPTION}: a {@code pusher:subscription_error} for one channel, with its
 *       {@link #type()} and the code as {@code status}; the connection stays open.
 *   <li>{@link Kind#CLOSE}: a WebSocket close code of RFC 6455 sent without a Pusher frame, for
 *       what happens below the Pusher protocol.
 * </ul>
 *
 * Close reasons go through {@link CloseReason#truncate}, the one place that fits them in a frame.
 */
public enum ErrorCode {
  UNKNOWN_APP(4001, Kind.ERROR, true),
  APP_DISABLED(4003, Kind.ERROR, true),
  PATH_NOT_FOUND(4005, Kind.ERROR, true),
  UNSUPPORTED_PROTOCOL(4007, Kind.ERROR, true),
  NO_PROTOCOL(4008, Kind.ERROR, true),
  CONNECTION_UNAUTHORIZED(4009, Kind.ERROR, true),
  /**
   * Over the app's connection quota or the server's capacity; pusher-js retries after a back-off.
   */
  OVER_CAPACITY(4100, Kind.ERROR, true),
  /** The server goes away (shutdown, drain); pusher-js reconnects at once. */
  RECONNECT_NOW(4200, Kind.ERROR, true),
  PONG_NOT_RECEIVED(4201, Kind.ERROR, true),
  /** A frame we could not understand; informational, the connection stays open. */
  INVALID_MESSAGE(4200, Kind.ERROR, false),
  MESSAGE_TOO_LARGE(4300, Kind.ERROR, false),
  CLIENT_EVENT_RATE_LIMIT(4301, Kind.ERROR, false),
  /** More than 100 user ids in a watchlist; the first 100 are kept. */
  WATCHLIST_LIMIT(4302, Kind.ERROR, false),
  /** A {@code pusher:signin} that failed; the connection stays usable unsigned. */
  SIGNIN_FAILED(4009, Kind.ERROR, false),
  /** Pusher's generic non-fatal error: {@code "code": null}. */
  GENERIC(null, Kind.ERROR, false),

  /** A missing or wrong signature, or a server-to-user channel of another user. */
  SUBSCRIPTION_UNAUTHORIZED(401, "AuthError"),
  /** A channel name that breaks the naming rules. */
  INVALID_CHANNEL(400, "InvalidChannel"),
  /** {@code channel_data} that is not a JSON object with a usable {@code user_id}. */
  INVALID_CHANNEL_DATA(400, "InvalidChannelData"),
  /** A channel name over the app's length limit. */
  CHANNEL_NAME_TOO_LONG(4009, "LimitReached"),
  /** {@code channel_data} over the app's presence member size. */
  CHANNEL_DATA_TOO_LARGE(4301, "LimitReached"),
  /** The connection already has the app's most subscriptions. */
  TOO_MANY_SUBSCRIPTIONS(4100, "LimitReached"),
  /** The presence channel has the app's most members and this user is not one of them. */
  PRESENCE_CHANNEL_FULL(4100, "LimitReached"),
  /** The channel directory failed (Redis lost or overloaded); the client may try again. */
  SUBSCRIPTION_FAILED(500, "ServerError"),

  /** A message over the largest the server reads, caught before it is assembled (RFC 6455). */
  MESSAGE_TOO_BIG(1009, Kind.CLOSE, true);

  /** How an error reaches the client. */
  public enum Kind {
    ERROR,
    SUBSCRIPTION,
    CLOSE
  }

  private final Integer code;
  private final Kind kind;
  private final boolean closesConnection;
  private final String type;

  ErrorCode(Integer code, Kind kind, boolean closesConnection) {
    this.code = code;
    this.kind = kind;
    this.closesConnection = closesConnection;
    this.type = null;
  }

  ErrorCode(int status, String type) {
    this.code = status;
    this.kind = Kind.SUBSCRIPTION;
    this.closesConnection = false;
    this.type = type;
  }

  /**
   * The wire code (a subscription error's {@code status}), or {@code null} for {@link #GENERIC}.
   */
  public Integer code() {
    return code;
  }

  public Kind kind() {
    return kind;
  }

  public boolean closesConnection() {
    return closesConnection;
  }

  /** A subscription error's {@code type} ({@code AuthError}, ...); null for the other kinds. */
  public String type() {
    return type;
  }
}
