package dev.herald.websocket;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The WebSocket headers of an upgrade request (RFC 6455 §4.2.1) and the server's answer to them
 * (§4.2.2): the version must be 13 (else 426 naming 13, as §4.4 asks), the key must be 16 bytes in
 * base64 (else 400), and the response carries the SHA-1 of the key and the protocol's GUID. The
 * Pusher checks (path, protocol, app) come after, on the open socket ({@link Handshake}). Pure.
 */
final class UpgradeHeaders {
  /** The only version Herald speaks, the one every browser and client library sends. */
  static final String VERSION = "13";

  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  /** Per thread: a digest is not thread-safe, and creating one per handshake costs a lookup. */
  private static final ThreadLocal<MessageDigest> SHA1 =
      ThreadLocal.withInitial(UpgradeHeaders::newSha1);

  private UpgradeHeaders() {}

  /**
   * The HTTP status refusing the upgrade, or 0 when the headers are acceptable.
   *
   * @param version the {@code Sec-WebSocket-Version} header, or null
   * @param key the {@code Sec-WebSocket-Key} header, or null
   */
  static int refusal(String version, String key) {
    if (version == null || !VERSION.equals(version.trim())) {
      return 426;
    }
    return isValidKey(key) ? 0 : 400;
  }

  /** A key is 16 random bytes in base64: 22 characters of the alphabet and "==". */
  static boolean isValidKey(String key) {
    if (key == null) {
      return false;
    }
    String trimmed = key.trim();
    if (trimmed.length() != 24 || !trimmed.endsWith("==")) {
      return false;
    }
    for (int i = 0; i < 22; i++) {
      char c = trimmed.charAt(i);
      boolean base64 =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '+'
              || c == '/';
      if (!base64) {
        return false;
      }
    }
    return true;
  }

  /** The {@code Sec-WebSocket-Accept} value for a valid key. */
  static String accept(String key) {
    MessageDigest sha1 = SHA1.get();
    sha1.reset();
    byte[] digest = sha1.digest((key.trim() + GUID).getBytes(StandardCharsets.US_ASCII));
    return Base64.getEncoder().encodeToString(digest);
  }

  /** The complete 101 response for a valid key, as it goes on the wire. */
  static byte[] switchingProtocols(String key) {
    return ("HTTP/1.1 101 Switching Protocols\r\n"
            + "Upgrade: websocket\r\n"
            + "Connection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: "
            + accept(key)
            + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static MessageDigest newSha1() {
    try {
      return MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every Java runtime provides SHA-1", e);
    }
  }
}
