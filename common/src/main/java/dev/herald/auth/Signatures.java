package dev.herald.auth;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256, MD5 and constant-time comparison, as the Pusher protocol uses them. Thread-safe. */
public final class Signatures {
  private static final HexFormat HEX = HexFormat.of();

  private Signatures() {}

  /** Lower-case hex HMAC-SHA256 of the UTF-8 bytes of {@code message}. */
  public static String hmacSha256Hex(String secret, String message) {
    return hmacSha256Hex(secret, message.getBytes(StandardCharsets.UTF_8));
  }

  public static String hmacSha256Hex(String secret, byte[] message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HEX.formatHex(mac.doFinal(message));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
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
