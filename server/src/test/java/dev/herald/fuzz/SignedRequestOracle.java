package dev.herald.fuzz;

import dev.herald.config.AppConfig;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A second, deliberately plain reading of an HTTP API request's signature, written apart from the
 * server's {@code ApiQuery} and {@code RequestVerifier} so that a fuzz test can tell whether an
 * accepted request really was signed. It is stricter than the server needs to be: any doubt (a
 * repeated key, a malformed escape) counts as unsigned. Stateless.
 */
final class SignedRequestOracle {
  private static final long WINDOW_SECONDS = 600;

  private SignedRequestOracle() {}

  /** Null when the app signed this request within the window; otherwise why not. */
  static String whyNotSigned(
      AppConfig app, long now, String method, String path, String rawQuery, byte[] body) {
    Map<String, String> params = new TreeMap<>();
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key;
      String value;
      try {
        key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return "malformed escape";
      }
      if (params.put(key.toLowerCase(Locale.ROOT), value) != null) {
        return "key " + key + " given more than once";
      }
    }
    String signature = params.get("auth_signature");
    String timestamp = params.get("auth_timestamp");
    if (signature == null || timestamp == null || !app.key().equals(params.get("auth_key"))) {
      return "missing auth parameters or another key";
    }
    long given;
    try {
      given = Long.parseLong(timestamp);
    } catch (NumberFormatException e) {
      return "timestamp not a number";
    }
    if (given < now - WINDOW_SECONDS || given > now + WINDOW_SECONDS) {
      return "timestamp outside the window";
    }
    String bodyMd5 = params.get("body_md5");
    if ((body.length > 0 || bodyMd5 != null) && !md5Hex(body).equals(bodyMd5)) {
      return "body_md5 missing or not the body's";
    }
    List<String> canonical = new ArrayList<>();
    params.forEach(
        (key, value) -> {
          if (!key.equals("auth_signature")) {
            canonical.add(key + "=" + value);
          }
        });
    String stringToSign =
        method.toUpperCase(Locale.ROOT) + "\n" + path + "\n" + String.join("&", canonical);
    return hmacSha256Hex(app.secret(), stringToSign).equals(signature) ? null : "bad signature";
  }

  private static String md5Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hmacSha256Hex(String secret, String message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
