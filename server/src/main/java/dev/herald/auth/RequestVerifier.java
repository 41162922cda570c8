package dev.herald.auth;

import dev.herald.config.AppConfig;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

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
   * @param query decoded query parameters; a repeated key has all its values
   * @param body raw body bytes (empty for GET)
   */
  public void verify(
      AppConfig app,
      String method,
      List<String> paths,
      Map<String, List<String>> query,
      byte[] body) {
    String key = single(query, "auth_key");
    String timestamp = single(query, "auth_timestamp");
    String signature = single(query, "auth_signature");
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
    if (Math.abs(now - given) > TIMESTAMP_WINDOW_SECONDS) {
      throw new AuthenticationException(
          "Timestamp expired: Given timestamp ("
              + given
              + ") not within "
              + TIMESTAMP_WINDOW_SECONDS
              + "s of server time ("
              + now
              + ")");
    }
    String bodyMd5 = single(query, "body_md5");
    if (body.length > 0 || bodyMd5 != null) {
      if (bodyMd5 == null) {
        throw new AuthenticationException("body_md5 is required when the request has a body");
      }
      if (!Signatures.constantTimeEquals(Signatures.md5Hex(body), bodyMd5)) {
        throw new AuthenticationException("body_md5 does not match the MD5 of the request body");
      }
    }
    String canonicalQuery = canonicalQuery(query);
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

  /**
   * Every parameter but auth_signature, keys lower-cased, sorted by key, joined as {@code k=v} with
   * {@code &}; values stay decoded, repeated values are joined with commas.
   */
  public static String canonicalQuery(Map<String, List<String>> query) {
    TreeMap<String, String> sorted = new TreeMap<>();
    query.forEach(
        (key, values) -> {
          String lower = key.toLowerCase(Locale.ROOT);
          if (!lower.equals("auth_signature")) {
            sorted.put(lower, String.join(",", values));
          }
        });
    StringBuilder out = new StringBuilder();
    sorted.forEach(
        (key, value) ->
            out.append(out.length() == 0 ? "" : "&").append(key).append('=').append(value));
    return out.toString();
  }

  private static String single(Map<String, List<String>> query, String key) {
    List<String> values = query.get(key);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** Shows newlines as {@code \n} so the expected string fits in an error message. */
  private static final class Json {
    static String quoteForMessage(String value) {
      return "\"" + value.replace("\n", "\\n") + "\"";
    }
  }
}
