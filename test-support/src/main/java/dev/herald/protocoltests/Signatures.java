package dev.herald.protocoltests;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signatures a Pusher app server computes: channel authorization strings for private and
 * presence channels and the hashes used by HTTP API request signing. Stateless; thread-safe.
 */
public final class Signatures {

  private Signatures() {}

  /** Lower-case hex HMAC-SHA256 of the UTF-8 message under the UTF-8 secret. */
  public static String hmacSha256Hex(String secret, String message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Lower-case hex HMAC-SHA256 of raw bytes (e.g. a webhook body) under the UTF-8 secret. */
  public static String hmacSha256Hex(String secret, byte[] message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(message));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Lower-case hex MD5 of the bytes. */
  public static String md5Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code key:hex(hmac(secret, socket_id:channel))} for the default test app. */
  public static String privateAuth(String socketId, String channel) {
    return auth(HeraldProcess.APP_KEY, HeraldProcess.APP_SECRET, socketId + ":" + channel);
  }

  /** {@code key:hex(hmac(secret, socket_id:channel:channel_data))} for the default test app. */
  public static String presenceAuth(String socketId, String channel, String channelData) {
    return auth(
        HeraldProcess.APP_KEY,
        HeraldProcess.APP_SECRET,
        socketId + ":" + channel + ":" + channelData);
  }

  /** {@code key:hex(hmac(secret, socket_id::user::user_data))} for the default test app. */
  public static String userAuth(String socketId, String userData) {
    return auth(HeraldProcess.APP_KEY, HeraldProcess.APP_SECRET, socketId + "::user::" + userData);
  }

  public static String auth(String key, String secret, String stringToSign) {
    return key + ":" + hmacSha256Hex(secret, stringToSign);
  }
}
