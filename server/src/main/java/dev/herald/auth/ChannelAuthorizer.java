package dev.herald.auth;

import dev.herald.config.AppConfig;

/**
 * Checks the {@code auth} string of a private, encrypted or presence subscription, and of a user
 * sign-in. Pure functions; thread-safe.
 */
public final class ChannelAuthorizer {
  private ChannelAuthorizer() {}

  /** What the app's auth endpoint should have produced for this subscription. */
  public static String expectedAuth(
      AppConfig app, String socketId, String channel, String channelData) {
    String toSign =
        channelData == null
            ? socketId + ":" + channel
            : socketId + ":" + channel + ":" + channelData;
    return app.key() + ":" + Signatures.hmacSha256Hex(app.secret(), toSign);
  }

  /** What the app should have produced for {@code pusher:signin}. */
  public static String expectedUserAuth(AppConfig app, String socketId, String userData) {
    return app.key()
        + ":"
        + Signatures.hmacSha256Hex(app.secret(), socketId + "::user::" + userData);
  }

  /**
   * True when {@code auth} is {@code key:signature} with this app's key and the signature over this
   * socket's id, the channel and (for presence) the exact channel_data string received.
   */
  public static boolean isValid(
      AppConfig app, String socketId, String channel, String channelData, String auth) {
    return matches(app, auth, expectedAuth(app, socketId, channel, channelData));
  }

  public static boolean isValidUserAuth(
      AppConfig app, String socketId, String userData, String auth) {
    return matches(app, auth, expectedUserAuth(app, socketId, userData));
  }

  private static boolean matches(AppConfig app, String auth, String expected) {
    if (auth == null) {
      return false;
    }
    int colon = auth.indexOf(':');
    if (colon < 0 || !Signatures.constantTimeEquals(app.key(), auth.substring(0, colon))) {
      return false;
    }
    return Signatures.constantTimeEquals(expected, auth);
  }
}
