package dev.herald.websocket;

import dev.herald.config.AppConfig;
import dev.herald.protocol.ErrorCode;
import dev.herald.protocol.ProtocolException;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;

/**
 * The checks of a WebSocket upgrade that need no I/O, in the order a client meets them: the path
 * ({@code {path}/app/{key}}) and the protocol version, then, once the app is found, whether it is
 * enabled and allows the page's origin. Each failure is a {@link ProtocolException} with the code
 * the client gets. Pure.
 *
 * @param appKey the app key from the path
 * @param protocol the client's protocol version, 4 to 7
 */
record Handshake(String appKey, int protocol) {
  static final int MIN_PROTOCOL = 4;
  static final int MAX_PROTOCOL = 7;

  /**
   * @param appPathPrefix {@code {path}/app/}
   * @param path the request's path
   * @param uri the request's URI, with its query
   */
  static Handshake parse(String appPathPrefix, String path, String uri) {
    if (!path.startsWith(appPathPrefix)
        || path.length() == appPathPrefix.length()
        || path.indexOf('/', appPathPrefix.length()) >= 0) {
      throw new ProtocolException(
          ErrorCode.PATH_NOT_FOUND, "Path not found: connect to " + appPathPrefix + "{key}");
    }
    String key = path.substring(appPathPrefix.length());
    List<String> protocol = new QueryStringDecoder(uri).parameters().get("protocol");
    if (protocol == null || protocol.isEmpty() || protocol.get(0).isEmpty()) {
      throw new ProtocolException(ErrorCode.NO_PROTOCOL, "No protocol version supplied");
    }
    int version = supportedVersion(protocol.get(0));
    if (version < 0) {
      throw new ProtocolException(
          ErrorCode.UNSUPPORTED_PROTOCOL,
          "Unsupported protocol version " + protocol.get(0) + "; use 4 to 7");
    }
    return new Handshake(key, version);
  }

  /** After the lookup: the app must be enabled and allow the page's origin (null without one). */
  static void checkApp(AppConfig app, String origin) {
    if (!app.enabled()) {
      throw new ProtocolException(ErrorCode.APP_DISABLED, "App is disabled");
    }
    if (!app.allowedOrigins().allows(origin)) {
      throw new ProtocolException(
          ErrorCode.CONNECTION_UNAUTHORIZED, "Origin not allowed: " + origin);
    }
  }

  /** The version, or -1 when it is not a number from 4 to 7. */
  private static int supportedVersion(String value) {
    try {
      int version = Integer.parseInt(value);
      return version >= MIN_PROTOCOL && version <= MAX_PROTOCOL ? version : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
