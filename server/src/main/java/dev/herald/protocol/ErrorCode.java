package dev.herald.protocol;

/**
 * Every Pusher error this server sends, with its wire code and whether the connection is closed.
 *
 * <p>The single place where an error kind maps to a code: handlers throw {@link ProtocolException}
 * with one of these and one catch site turns it into a {@code pusher:error} frame and, for the
 * fatal ones, a close frame with the same code.
 */
public enum ErrorCode {
  UNKNOWN_APP(4001, true),
  APP_DISABLED(4003, true),
  PATH_NOT_FOUND(4005, true),
  UNSUPPORTED_PROTOCOL(4007, true),
  NO_PROTOCOL(4008, true),
  CONNECTION_UNAUTHORIZED(4009, true),
  /**
   * Over the app's connection quota or the server's capacity; pusher-js retries after a back-off.
   */
  OVER_CAPACITY(4100, true),
  /** The server goes away (shutdown, drain); pusher-js reconnects at once. */
  RECONNECT_NOW(4200, true),
  PONG_NOT_RECEIVED(4201, true),
  /** A frame we could not understand; informational, the connection stays open. */
  INVALID_MESSAGE(4200, false),
  MESSAGE_TOO_LARGE(4300, false),
  CLIENT_EVENT_RATE_LIMIT(4301, false),
  /** More than 100 user ids in a watchlist; the first 100 are kept. */
  WATCHLIST_LIMIT(4302, false),
  /** A {@code pusher:signin} that failed; the connection stays usable unsigned. */
  SIGNIN_FAILED(4009, false),
  /** Pusher's generic non-fatal error: {@code "code": null}. */
  GENERIC(null, false);

  private final Integer code;
  private final boolean closesConnection;

  ErrorCode(Integer code, boolean closesConnection) {
    this.code = code;
    this.closesConnection = closesConnection;
  }

  /** The wire code, or {@code null} for {@link #GENERIC}. */
  public Integer code() {
    return code;
  }

  public boolean closesConnection() {
    return closesConnection;
  }
}
