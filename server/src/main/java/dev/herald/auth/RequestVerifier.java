package dev.herald.auth;

import dev.herald.config.AppConfig;
import java.time.Clock;
import java.util.List;
import java.util.Locale;

/**
 * Verifies the signature of an HTTP API request as the Pusher SDKs make it: HMAC-SHA256 over {@code
 * METHOD\nPATH\nsorted query} with {@code body_md5} checked against the body. Thread-safe.
 */
public final class RequestVerifier {

  /** Largest distance between the request's auth_timestamp and the server's clock. */
  public static final long TIMESTAMP_WINDOW_SECONDS = 600;

  /** A request that fails authentication; the message is what the caller gets back. */
  public static final class AuthenticationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AuthenticationException(String message) {
      super(message, null, false, false);
    }
  }

  private final Clock clock;

  public RequestVerifier(Clock clock) {
    this.clock = clock;
  }

  /**
   * Throws {@link AuthenticationException} unless the request is signed by {@code app}.
   *
   * @param paths the paths the signature may cover: the path as received, and that path without the
   *     server's mount prefix (SDKs sign whichever path they were configured with)
   * @param query the request's query, parsed once: the same view is signed and checked here, and
   *     read by the route afterwards
   * @param body raw body bytes (empty for GET)
   */
  public void verify(
      AppConfig app, String method, List<String> paths, ApiQuery query, byte[] body) {
    String key = query.valueOrNull("auth_key");
    String timestamp = query.valueOrNull("auth_timestamp");
    String signature = query.valueOrNull("auth_signature");
    if (key == null || timestamp == null || signature == null) {
      throw new AuthenticationException(
          "Missing auth_key, auth_timestamp or auth_signature query parameter");
    }
    if (!Signatures.constantTimeEquals(app.key(), key)) {
      throw new AuthenticationException("Unknown auth_key");
    }
    long now = clock.millis() / 1000;
    long given;
    try {
      given = Long.parseLong(timestamp);
    } catch (NumberFormatException e) {
      throw new AuthenticationException("auth_timestamp must be a Unix time in seconds");
    }
    // Compared without subtracting: now - given overflows for a given near Long.MIN_VALUE, and
    // Math.abs(Long.MIN_VALUE) is negative, which would pass a distance check.
    if (given < now - TIMESTAMP_WINDOW_SECONDS || given > now + TIMESTAMP_WINDOW_SECONDS) {
      throw new AuthenticationException(
          "Timestamp expired: Given timestamp ("
              + given
              + ") not within "
              + TIMESTAMP_WINDOW_SECONDS
              + "s of server time ("
              + now
              + ")");
    }
    String bodyMd5 = query.valueOrNull("body_md5");
    if (body.length > 0 || bodyMd5 != null) {
      if (bodyMd5 == null) {
        throw new AuthenticationException("body_md5 is required when the request has a body");
      }
      if (!Signatures.constantTimeEquals(Signatures.md5Hex(body), bodyMd5)) {
        throw new AuthenticationException("body_md5 does not match the MD5 of the request body");
      }
    }
    String canonicalQuery = query.canonical();
    String firstStringToSign = null;
    for (String path : paths) {
      String stringToSign = method.toUpperCase(Locale.ROOT) + "\n" + path + "\n" + canonicalQuery;
      if (firstStringToSign == null) {
        firstStringToSign = stringToSign;
      }
      String expected = Signatures.hmacSha256Hex(app.secret(), stringToSign);
      if (Signatures.constantTimeEquals(expected, signature)) {
        return;
      }
    }
    throw new AuthenticationException(
        "Invalid signature: you should have sent HmacSHA256Hex("
            + Json.quoteForMessage(firstStringToSign)
            + ", your_secret_key), but you sent \""
            + signature
            + "\"");
  }

  /** Shows newlines as {@code \n} so the expected string fits in an error message. */
  private static final class Json {
    static String quoteForMessage(String value) {
      return "\"" + value.replace("\n", "\\n") + "\"";
    }
  }
}
