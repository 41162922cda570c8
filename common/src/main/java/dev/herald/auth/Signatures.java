package dev.herald.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * HMAC-SHA256, MD5 and constant-time comparison, as the Pusher protocol uses them. Thread-safe:
 * each thread signs with its own {@link ThreadHmac}.
 */
public final class Signatures {
  private static final HexFormat HEX = HexFormat.of();

  private Signatures() {}

  /** Lower-case hex HMAC-SHA256 of the UTF-8 bytes of {@code message}. */
  public static String hmacSha256Hex(String secret, String message) {
    return hmacSha256Hex(secret, message.getBytes(StandardCharsets.UTF_8));
  }

  public static String hmacSha256Hex(String secret, byte[] message) {
    return HEX.formatHex(ThreadHmac.current().sign(secret, message));
  }

  public static String md5Hex(byte[] body) {
    try {
      return HEX.formatHex(MessageDigest.getInstance("MD5").digest(body));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is part of every JDK", e);
    }
  }

  /**
   * Compares in time that depends only on the lengths, so a signature cannot be guessed bytewise.
   */
  public static boolean constantTimeEquals(String expected, String given) {
    if (expected == null || given == null) {
      return false;
    }
    return MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }
}
